"""Qt adapter of desktop.tasks: run `fn(state)` on the thread pool, deliver results on the main thread.

Results, errors and progress travel by queued signals, so slots always run on the UI thread. Errors that are
not a cancellation also reach the one ErrorNotifier.
"""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, SignalInstance

from desktop.errors import ErrorNotifier
from desktop.tasks import TaskCancelled, TaskFn, TaskState


class _Signals(QObject):
    progress = Signal(float, str)
    finished = Signal(object)
    failed = Signal(str, str)
    cancelled = Signal()


class TaskHandle(QObject):
    """One running task; keep it to cancel or to connect more slots."""

    def __init__(self, state: TaskState, signals: _Signals) -> None:
        super().__init__()
        self.state = state
        self.signals = signals

    def cancel(self) -> None:
        self.state.cancel()


class _Runnable(QRunnable):
    def __init__(self, fn: TaskFn, state: TaskState, signals: _Signals) -> None:
        super().__init__()
        self._fn, self._state, self._signals = fn, state, signals

    def run(self) -> None:
        try:
            result = self._fn(self._state)
        except TaskCancelled:
            emit_safely(self._signals.cancelled)
        except Exception as exc:
            emit_safely(self._signals.failed, str(exc) or type(exc).__name__,
                        "".join(traceback.format_exception(exc)))
        else:
            if self._state.cancelled:
                emit_safely(self._signals.cancelled)
            else:
                emit_safely(self._signals.finished, result)


def emit_safely(signal: SignalInstance, *args: object) -> None:
    """Emit from a worker thread; if the receiving side is gone (window closed, interpreter exiting), there is
    nobody left to tell."""
    with contextlib.suppress(RuntimeError):
        signal.emit(*args)


class TaskRunner(QObject):
    def __init__(self, notifier: ErrorNotifier, pool: QThreadPool | None = None) -> None:
        super().__init__()
        self._notifier = notifier
        self._pool = pool or QThreadPool.globalInstance()
        self._live: set[TaskHandle] = set()
        self._closed = False

    def run(self, fn: TaskFn, on_done: Callable[[Any], None],
            on_progress: Callable[[float, str], None] | None = None,
            on_error: Callable[[str], None] | None = None,
            on_cancel: Callable[[], None] | None = None) -> TaskHandle:
        signals = _Signals()
        state = TaskState(on_progress=signals.progress.emit)
        handle = TaskHandle(state, signals)
        if self._closed:  # the window has closed: nothing to start, nobody to tell
            state.cancel()
            return handle
        self._live.add(handle)

        def forget(*_: object) -> None:
            self._live.discard(handle)

        def failed(message: str, details: str) -> None:
            self._notifier.notify(message, details)
            if on_error and not self._closed:
                on_error(message)

        signals.finished.connect(self._guarded(on_done))
        signals.failed.connect(failed)
        if on_progress:
            signals.progress.connect(self._guarded(on_progress))
        if on_cancel:
            signals.cancelled.connect(self._guarded(on_cancel))
        for signal in (signals.finished, signals.failed, signals.cancelled):
            signal.connect(forget)
        self._pool.start(_Runnable(fn, state, signals))
        return handle

    def _guarded(self, slot: Callable[..., Any]) -> Callable[..., None]:
        """Results that arrive after `close()` are dropped: the views they were meant for are gone."""

        def deliver(*args: Any) -> None:
            if not self._closed:
                slot(*args)

        return deliver

    def close(self) -> None:
        """The window is closing: deliver nothing more to it (tasks still running finish in the background)."""
        self._closed = True
        for handle in list(self._live):
            handle.cancel()

    def wait_all(self, msecs: int = 10_000) -> bool:
        return bool(self._pool.waitForDone(msecs))
