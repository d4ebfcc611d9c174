"""The one error the sync package raises to its callers (the CLI prints it, the window shows it)."""


class SyncError(Exception):
    """A sync, a login or a key check that could not finish; the message is for people. The local catalog is
    unchanged."""
