"""The HTTP transport `skinlens-server serve` runs: uvicorn's httptools protocol with two limits it lacks.

uvicorn starts no timer until a connection has sent a whole request, and httptools accumulates a header of any
size, so a client that opens connections and sends headers a byte at a time (slowloris), or one 10 MB header,
holds a socket or memory for as long as it likes. This protocol closes a connection whose request line and
headers are not complete within `header_timeout_seconds` (408), and refuses a request line and headers larger
than `max_header_bytes` (431), counting raw bytes before httptools keeps them. Both limits come from the
environment (config.TransportSettings), so every worker of `serve --workers N` reads the same ones. Body limits
and timeouts are the app's (sync_server.gate), so they hold under any server.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from sync_server.config import TransportSettings

LINGER_SECONDS = 2.0  # after refusing, unread bytes are discarded this long before the socket closes


def _status(code: int, reason: str) -> bytes:
    body = f"{code} {reason}\n".encode()
    return (f"HTTP/1.1 {code} {reason}\r\ncontent-type: text/plain\r\ncontent-length: {len(body)}\r\n"
            "connection: close\r\n\r\n").encode() + body


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limits = TransportSettings()
        self._head_timeout, self._head_limit = limits.header_timeout_seconds, limits.max_header_bytes
        self._in_head, self._head_bytes, self._refused = True, 0, False
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        super().data_received(data)
        if self._in_head and not self._refused:
            self._head_bytes += len(data)
            if self._head_bytes > self._head_limit:
                self._refuse(431, "Request Header Fields Too Large")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head, self._head_bytes = True, 0
        if self._head_timer is None:
            self._start_head_timer()

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._stop_head_timer()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._in_head = True  # the next request's head; uvicorn's keep-alive timer covers the idle time

    def send_400_response(self, msg: str) -> None:
        if not self._refused:
            super().send_400_response(msg)

    def _start_head_timer(self) -> None:
        self._head_timer = self.loop.call_later(self._head_timeout, self._refuse, 408, "Request Timeout")

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _refuse(self, code: int, reason: str) -> None:
        """Answer, stop reading, and close a moment later: closing at once with unread bytes makes the kernel
        reset the connection, and the client would lose the answer (what servers call a lingering close)."""
        self._refused = True
        self._stop_head_timer()
        if not self.transport.is_closing():
            self.transport.write(_status(code, reason))
            if self.transport.can_write_eof():
                self.transport.write_eof()
            self.loop.call_later(LINGER_SECONDS, self.transport.close)
