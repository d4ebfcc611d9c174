"""The background-task contract, free of Qt: a task is `fn(state)` run in a worker.

`state` carries progress out and cancellation in. The UI adapts this to Qt signals (desktop/ui/tasks.py);
tests and the CLI can run the same functions synchronously with a plain TaskState.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class TaskCancelled(Exception):
    """Raised inside a task that noticed `state.cancelled`; the runner treats it as a quiet end."""


class TaskState:
    def __init__(self, on_progress: Callable[[float, str], None] | None = None) -> None:
        self._cancel = threading.Event()
        self._on_progress = on_progress
        self.fraction = 0.0
        self.message = ""

    def progress(self, fraction: float, message: str = "") -> None:
        self.fraction, self.message = max(0.0, min(1.0, fraction)), message
        if self._on_progress is not None:
            self._on_progress(self.fraction, message)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check_cancelled(self) -> None:
        if self.cancelled:
            raise TaskCancelled


TaskFn = Callable[[TaskState], Any]
