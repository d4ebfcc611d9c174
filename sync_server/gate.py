"""The door every request passes before the app sees it: header limits, authentication, rate limits, the body.

FastAPI reads and parses a request's body before its dependencies run, so a check in a dependency comes too
late: a stranger's 200 MB body, or one sent a byte a second, has already cost memory or a worker slot. This
pure ASGI middleware answers from the headers alone whenever it can:

- 431 when the request line and headers exceed `max_header_bytes`;
- 401 (no or unknown token) or 403 (a device token on an admin route) before any body is read; a client
  address that keeps presenting wrong tokens gets 429 instead, without a database lookup;
- 429 when a token exceeds its rate;
- 413 when the body is, or grows, larger than the route allows; 408 when it does not arrive in time.

Only then is the body read (into memory, within those limits) and handed to the app. Every response also
carries the security headers below.
"""

from __future__ import annotations

import time
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

import anyio
import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync_server import auth
from sync_server.config import ServerSettings
from sync_server.ratelimit import RateLimiter

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"strict-transport-security", b"max-age=31536000"),
]
ADMIN_PREFIX = "/v1/admin/"
IMPORT_PATH = "/v1/admin/catalog"
SCOPE_KEY = "skinlens.auth"  # scope entry the route dependencies read: Caller


@dataclass(frozen=True)
class Caller:
    role: str  # "admin" or "device"
    key: str  # the rate-limit key: the token's hash, or "admin"


class Refusal(Exception):
    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers or {}


async def _respond(send: Send, status: int, detail: str, headers: dict[str, str]) -> None:
    body = orjson.dumps({"detail": detail})
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
           (b"connection", b"close")] + [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class Gate:
    def __init__(self, app: ASGIApp, settings: ServerSettings, tokens: auth.TokenBook) -> None:
        self.app, self.settings, self.tokens = app, settings, tokens
        self.rates = RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst)
        self.failures = RateLimiter(settings.auth_failures_per_second, settings.auth_failures_burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)

        try:
            body = await self._admit(scope, receive)
        except Refusal as refusal:
            await _respond(send_with_headers, refusal.status, refusal.detail, refusal.headers)
            return
        await self.app(scope, _replay(body, receive), send_with_headers)

    async def _admit(self, scope: Scope, receive: Receive) -> bytes:
        headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
        size = len(scope.get("raw_path") or b"") + len(scope.get("query_string", b""))
        size += sum(len(k) + len(v) + 4 for k, v in headers)
        if size > self.settings.max_header_bytes:
            raise Refusal(431, f"the request line and headers exceed {self.settings.max_header_bytes} bytes")
        path: str = scope.get("path", "")
        if path.startswith("/v1/"):
            caller = await self._authenticate(scope, dict(headers).get(b"authorization"), path)
            wait = self.rates.acquire(caller.key)
            if wait > 0:
                raise Refusal(429, "too many requests for this token", {"Retry-After": str(max(1, round(wait)))})
            scope[SCOPE_KEY] = caller
        limit = self.settings.max_import_bytes if path == IMPORT_PATH else self.settings.max_body_bytes
        return await self._read_body(receive, dict(headers).get(b"content-length"), limit)

    async def _authenticate(self, scope: Scope, authorization: bytes | None, path: str) -> Caller:
        token = _bearer(authorization)
        if auth.admin_token_valid(self.settings.admin_token, token):
            return Caller("admin", "admin")
        digest = auth.hash_token(token)
        known = self.tokens.known(digest)
        if known is None:
            await anyio.to_thread.run_sync(self.tokens.reload)
            known = self.tokens.known(digest)
        if not known:
            client = (scope.get("client") or ("?", 0))[0]
            wait = self.failures.acquire(str(client))
            if wait > 0:
                raise Refusal(429, "too many wrong tokens from this address", {"Retry-After": str(max(1, round(wait)))})
            shaped = auth.TOKEN_SHAPE.match(token) is not None
            if not shaped or not await anyio.to_thread.run_sync(self.tokens.look_up, digest):
                raise Refusal(401, "the token is unknown or revoked", {"WWW-Authenticate": "Bearer"})
        if path.startswith(ADMIN_PREFIX):
            raise Refusal(403, "this needs the admin token")
        return Caller("device", digest)

    async def _read_body(self, receive: Receive, content_length: bytes | None, limit: int) -> bytes:
        if content_length is not None:
            if not content_length.isdigit():
                raise Refusal(400, "Content-Length is not a number")
            if int(content_length) > limit:
                raise Refusal(413, f"the request body exceeds {limit} bytes")
        chunks: list[bytes] = []
        size, deadline = 0, time.monotonic() + self.settings.body_timeout_seconds
        more = True
        while more:
            with anyio.move_on_after(max(0.0, deadline - time.monotonic())) as scope:
                message = await receive()
            if scope.cancelled_caught:
                raise Refusal(408, f"the request body did not arrive within {self.settings.body_timeout_seconds:g} s")
            if message["type"] == "http.disconnect":
                raise Refusal(400, "the client went away")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise Refusal(413, f"the request body exceeds {limit} bytes")
            chunks.append(chunk)
            more = message.get("more_body", False)
        return b"".join(chunks)


def _bearer(authorization: bytes | None) -> str:
    value = (authorization or b"").decode("latin-1")
    if not value.lower().startswith("bearer ") or not value[7:].strip():
        raise Refusal(401, "a bearer token is required", {"WWW-Authenticate": "Bearer"})
    return value[7:].strip()


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body read already, then passes on to the client's (disconnects)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        message: Message = await receive()
        return message

    return replay


def caller_of(scope: MutableMapping[str, Any]) -> Caller | None:
    caller = scope.get(SCOPE_KEY)
    return caller if isinstance(caller, Caller) else None
