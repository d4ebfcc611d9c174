"""Keep the face models' native log lines (TensorFlow Lite, absl, glog) off the user's terminal.

mediapipe's C++ graphs write straight to file descriptor 2 when they load and on their first inference
("Created TensorFlow Lite XNNPACK delegate", "All log messages before absl::InitializeLog()", feedback-manager
warnings), below Python's `sys.stderr` and whatever `GLOG_minloglevel` says. Those lines are noise to someone
running `skinlens analyze`, so the graphs are loaded and run once inside `silenced_native_stderr()`, which points
descriptor 2 at /dev/null for that moment. Python's own errors are not lost: the window is a few
milliseconds at model load, under the face finder's lock, and `sys.stderr` is flushed first.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()


@contextmanager
def silenced_native_stderr() -> Iterator[None]:
    """Redirect file descriptor 2 to /dev/null for the duration (no-op where descriptors cannot be swapped)."""
    with _lock:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
            devnull = os.open(os.devnull, os.O_WRONLY)
        except (OSError, ValueError, AttributeError):
            yield
            return
        try:
            os.dup2(devnull, 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)
