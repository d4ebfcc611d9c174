"""Catalog sync as the window runs it: the device token, "Sync now", auto-sync, and the status line.

The pull runs in a worker; expected failures (no network, wrong token) become a status line, anything else
reaches the notifier. The settings screen shows what this tells it and never starts a sync itself.
Without a usable system keyring a typed token cannot be stored: it is then kept in memory for this run (never
written anywhere) and used by every sync until the app closes, and the status line says so in plain words.
The first sync with a server whose signing key nothing trusts yet stops before any catalog is fetched and
shows the key's fingerprint to compare with the administrator's; only a yes pins it (as `skinlens login`
does) and syncs, and Enter or Escape never says yes. Only a sync the user started asks: an automatic one
(nobody may be at the screen, or a customer is, on a kiosk) just says the key is not trusted yet.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QMessageBox

from desktop.services import Services
from desktop.sync import keys
from desktop.sync.client import TOKEN_ENV, SyncError, store_token, token_for
from desktop.sync.login import ServerKey, key_to_trust
from desktop.ui.server_url import server_url_problem
from desktop.ui.settings_page import SettingsPage
from desktop.ui.shell import Shell

AUTO_SYNC_MS = 6 * 3600 * 1000
FIRST_AUTO_SYNC_MS = 5_000
NO_KEYRING = ("This computer has no password store (keyring) that SkinLens can use, so the token cannot be "
              "saved. It is kept in memory and used until you close SkinLens. To keep it for next time, set up "
              "your system's password manager (GNOME Keyring or KWallet on Linux, Keychain on macOS, Credential "
              f"Manager on Windows) and save the token again, or set {TOKEN_ENV} in the environment.")
KEYRING_TO_READ = ("This computer has no password store (keyring) to read the device token from. Enter the token "
                   "above and press Sync now: it is then used until you close SkinLens.")
NO_TOKEN = "No device token is saved for this server. Enter the token from your administrator and press Save token."
NOT_TRUSTED_YET = ("Not synced: this server's signing key is not trusted yet. Press Sync now in the settings to "
                   "compare its fingerprint with your administrator's. The catalog on this computer is unchanged.")
NOT_TRUSTED = ("Not synced: the server's signing key was not trusted, so nothing was fetched. The catalog on this "
               "computer is unchanged.")


def keyring_usable() -> bool:
    """Whether a real keyring backend is configured (not keyring's "fail" stand-in)."""
    import keyring
    from keyring.backends import fail

    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken keyring configuration is no keyring
        return False
    return not isinstance(backend, fail.Keyring)


class SyncController(QObject):
    sync_finished = Signal(str)  # status line

    def __init__(self, services: Services, shell: Shell, page: SettingsPage, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services, self.shell, self.page = services, shell, page
        self.syncing = False
        self.trust_box: QMessageBox | None = None  # the open "trust this server's key?" question
        self.session_tokens: dict[str, str] = {}  # server URL -> token typed this run that no keyring could keep
        self.auto_sync_timer = QTimer(self)
        self.auto_sync_timer.timeout.connect(self.auto_sync)
        page.token_save_requested.connect(self.save_token)
        page.sync_requested.connect(self.sync_now)

    def schedule(self) -> None:
        """Auto-sync, when on and a server is set: a few seconds after launch, then every six hours."""
        settings = self.services.settings
        if settings.auto_sync and settings.sync_server_url:
            QTimer.singleShot(FIRST_AUTO_SYNC_MS, self, self.auto_sync)
            self.auto_sync_timer.start(AUTO_SYNC_MS)
        else:
            self.auto_sync_timer.stop()

    def show_state(self) -> None:
        store = self.services.store
        self.shell.tasks.run(lambda state: (store.count(), store.get_state("last_sync_at")), self._state_loaded)

    def _state_loaded(self, state: tuple[int, str]) -> None:
        count, last = state
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(float(last))) if last else "never"
        if not self.syncing:
            self.page.set_sync_status(f"{count} products on this computer · last synced: {when}")

    def save_token(self, url: str, token: str) -> bool:
        """Store the token in the keyring; without one, keep it for this run. False when nothing was kept."""
        if not url or not token:
            self.page.set_sync_status("Enter the server URL and the token first.")
            return False
        problem = server_url_problem(url)
        if problem:
            self.page.set_sync_status(problem)
            return False
        try:
            store_token(url, token)
        except SyncError:
            self.session_tokens[url] = token
            self.page.token_stored(NO_KEYRING)
            return True
        self.session_tokens.pop(url, None)
        self.page.token_stored()
        return True

    def auto_sync(self) -> None:
        self.sync_now(interactive=False)

    def sync_now(self, interactive: bool = True) -> None:
        """Pull the catalog; `interactive`: the user asked, so a key nothing trusts yet may be put to them."""
        url = self.page.entered_server_url() or self.services.settings.sync_server_url
        if self.syncing or self.trust_box is not None:
            return
        problem = "Set the sync server URL first." if not url else server_url_problem(url)
        if problem is None and self.page.entered_token() and not self.save_token(url, self.page.entered_token()):
            return  # a token typed but not saved is used, not ignored
        if problem:
            self.page.set_sync_status(problem)
            self.sync_finished.emit(problem)
            return
        store, make_client, typed = self.services.store, self.services.make_sync_client, self.session_tokens.get(url)

        def work(state: Any) -> str | ServerKey:
            state.progress(0.0, "contacting the server")
            client = make_client(url, typed or _stored_token(url))
            unknown = key_to_trust(client, store)
            if unknown is not None:
                return unknown  # nothing is fetched until a person trusts the key
            result = client.pull(store)
            store.set_state_now("last_sync_at", str(time.time()))
            return f"Synced: {result.summary()}"

        def finished(outcome: str | ServerKey) -> None:
            self.syncing = False
            self.page.set_syncing(False)
            if isinstance(outcome, ServerKey) and interactive:
                self.ask_to_trust(outcome)
            elif isinstance(outcome, ServerKey):
                self._report(NOT_TRUSTED_YET)
            else:
                self._report(outcome)

        def failed(message: str) -> None:  # unexpected: the notifier has it; the button must come back
            finished(f"Not synced: {message} The catalog on this computer is unchanged.")

        self.syncing = True
        self.page.set_syncing(True)
        self.shell.tasks.run(_quiet(work, SyncError), finished, on_error=failed)

    def _report(self, message: str) -> None:
        self.page.set_sync_status(message)
        self.sync_finished.emit(message)

    def ask_to_trust(self, server: ServerKey) -> None:
        """Trust on first use, as `skinlens login` asks it: the fingerprint, then pin and sync on a yes."""
        box = QMessageBox(QMessageBox.Icon.Question, "Trust this sync server?",
                          f"<p>SkinLens has not synced with {escape(server.server_url)} before. It signs its "
                          "catalog with the key</p>"  # monospaced: I and l, O and 0 must be told apart
                          f"<p style='font-family: monospace; white-space: pre'>{escape(server.fingerprint)}</p>"
                          "<p>Compare this with the fingerprint your administrator gave you (skinlens-server "
                          "key). Trust this key only if the two are the same: SkinLens will then accept catalogs "
                          "from this server signed with it, and no other.</p>",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self.shell.dialog_parent())
        box.setTextFormat(Qt.TextFormat.RichText)
        box.button(QMessageBox.StandardButton.Yes).setText("They match: trust and sync")
        box.button(QMessageBox.StandardButton.No).setText("Cancel")
        box.setDefaultButton(QMessageBox.StandardButton.No)  # Enter must never trust a key
        box.setEscapeButton(QMessageBox.StandardButton.No)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(lambda: self._trust(server))
        box.rejected.connect(lambda: self._report(NOT_TRUSTED))
        box.finished.connect(lambda _result: setattr(self, "trust_box", None))
        box.open()
        self.trust_box = box

    def _trust(self, server: ServerKey) -> None:
        store = self.services.store

        def pin(state: Any) -> str:
            pinned = keys.pinned_key(store, server.server_url)
            if pinned is not None and keys.raw(pinned) != keys.raw(server.key):  # pinned elsewhere meanwhile
                raise SyncError(f"Another key ({keys.fingerprint(pinned)}) was pinned for this server meanwhile; "
                                "nothing was changed.")
            keys.pin(store, server.server_url, server.key)
            return ""

        def pinned(problem: str) -> None:
            if problem:
                self._report(problem)
            else:
                self.sync_now()

        self.shell.tasks.run(_quiet(pin, SyncError), pinned,
                             on_error=lambda message: self._report(f"The key was not pinned: {message}"))


def _stored_token(url: str) -> str:
    """The token from the environment or the keyring, with a message a person can act on when there is none."""
    try:
        return token_for(url)
    except SyncError:
        raise SyncError(NO_TOKEN if keyring_usable() else KEYRING_TO_READ) from None


def _quiet(work: Callable[[Any], str | ServerKey],
           expected: type[Exception]) -> Callable[[Any], str | ServerKey]:
    """Expected failures (no network, wrong token) become a status line; anything else reaches the notifier."""

    def run(state: Any) -> str | ServerKey:
        try:
            return work(state)
        except expected as exc:
            return f"Not synced: {exc} The catalog on this computer is unchanged."

    return run
