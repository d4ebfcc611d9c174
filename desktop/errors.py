"""One place where every unhandled error goes: `sys.excepthook`, `threading.excepthook` and worker errors.

The notifier logs the full traceback and tells its listeners (the UI shows a message box; the CLI prints
one line). Listeners must not raise; if one does, it is logged and the others still run.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType

log = logging.getLogger("skinlens.errors")
Listener = Callable[[str, str], None]  # (short message, details)


class ErrorNotifier:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self.last: tuple[str, str] | None = None

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def notify(self, message: str, details: str = "") -> None:
        log.error("%s\n%s", message, details)
        self.last = (message, details)
        for listener in list(self._listeners):
            try:
                listener(message, details)
            except Exception:  # a broken listener must not hide the error from the others
                log.exception("error listener failed")

    def notify_exception(self, exc: BaseException, context: str = "") -> None:
        details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        prefix = f"{context}: " if context else ""
        self.notify(f"{prefix}{exc}" if str(exc) else f"{prefix}{type(exc).__name__}", details)

    def install(self) -> None:
        """Route uncaught exceptions of the main thread and of every Python thread here."""

        def excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
            if issubclass(kind, KeyboardInterrupt):
                sys.__excepthook__(kind, value, tb)
                return
            self.notify_exception(value.with_traceback(tb), "Unexpected error")

        def thread_hook(args: threading.ExceptHookArgs) -> None:
            if args.exc_value is not None:
                name = args.thread.name if args.thread else "a worker"
                self.notify_exception(args.exc_value, f"Unexpected error in {name}")

        sys.excepthook = excepthook
        threading.excepthook = thread_hook
