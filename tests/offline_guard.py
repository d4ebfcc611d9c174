"""A guard that makes every socket creation and name lookup raise, for proving that a code path stays offline.

Two layers, both active inside `blocked()`:
- the module functions people and libraries call are replaced: `socket.socket` (and the C type `_socket.socket`
  it derives from), `socket.create_connection`, `socket.socketpair`, `socket.fromfd`, `getaddrinfo`,
  `gethostbyname(_ex)` and `gethostbyaddr` in both `socket` and `_socket`;
- an audit hook (PEP 578) raises on the interpreter's own socket events (`socket.__new__`, `socket.connect`,
  `socket.bind`, `socket.getaddrinfo`, `socket.gethostbyname`, ...), which also catches code holding a reference
  to the original functions taken before the patch.
Native libraries that open sockets without Python (Qt's networking, an ML runtime's telemetry) are outside what
this sees; the fresh-process test adds strace at the system-call level for that.
"""

from __future__ import annotations

import _socket
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

AUDIT_EVENTS = ("socket.__new__", "socket.connect", "socket.bind", "socket.getaddrinfo", "socket.gethostbyname",
                "socket.gethostbyaddr", "socket.getnameinfo", "socket.sendto", "socket.sendmsg")
FUNCTIONS = ("create_connection", "socketpair", "fromfd", "getaddrinfo", "gethostbyname", "gethostbyname_ex",
             "gethostbyaddr")


class NetworkBlocked(RuntimeError):
    """Raised by every blocked call: a socket was about to be made, or a name looked up."""


_state = threading.local()
_active = {"on": False}
attempts: list[str] = []
_hook_installed = {"done": False}


def _refuse(what: str) -> None:
    attempts.append(what)
    raise NetworkBlocked(f"network access attempted while offline: {what}")


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _active["on"] and event in AUDIT_EVENTS and not getattr(_state, "inside", False):
        _state.inside = True  # raising creates no socket, but be safe against re-entry
        try:
            _refuse(event)
        finally:
            _state.inside = False


class _BlockedSocket(socket.socket):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _refuse("socket.socket()")


def _blocked_function(name: str) -> Any:
    def blocked(*args: Any, **kwargs: Any) -> Any:
        _refuse(f"socket.{name}()")

    return blocked


@contextmanager
def blocked() -> Iterator[list[str]]:
    """Block the network for the duration; yields the list of attempts (each one also raised)."""
    if not _hook_installed["done"]:
        sys.addaudithook(_audit)  # cannot be removed again: it only acts while a block is active
        _hook_installed["done"] = True
    saved: list[tuple[Any, str, Any]] = []
    for module in (socket, _socket):
        for name in FUNCTIONS:
            if hasattr(module, name):
                saved.append((module, name, getattr(module, name)))
                setattr(module, name, _blocked_function(name))
        saved.append((module, "socket", module.socket))
        module.socket = _BlockedSocket  # type: ignore[misc]
    attempts.clear()
    _active["on"] = True
    try:
        yield attempts
    finally:
        _active["on"] = False
        for module, name, original in reversed(saved):
            setattr(module, name, original)
