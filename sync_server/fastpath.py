"""Polls answered from memory, before routing: a 304, a page of changes or a snapshot already made at the head.

This pure ASGI middleware sits inside the gate (so the caller is authenticated and rate limited already) and
answers only what it can answer exactly as the route would: the query must be in the plain form the route
itself accepts (anything else, including every invalid request, goes on to the route and its validation),
and the answer must have been made by the route at the current head (sync_server.cache). Everything else
passes through untouched; a request that may write (not GET or HEAD) expires the head when it is done, so
this worker's own writes are read back at once.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

from starlette.types import ASGIApp, Receive, Scope, Send

from catalog_format import MAX_ID_CHARS
from sync_server.cache import Answer, CatalogCache
from sync_server.gate import caller_of

CHANGES_PATH = "/v1/catalog/changes"
SNAPSHOT_PATH = "/v1/catalog/snapshot"
DEFAULT_LIMIT = 1000  # the route's default page size
MAX_LIMIT = 100_000  # the route's bound on limit
NUMBER = re.compile(r"^(0|[1-9][0-9]{0,17})$")
PLAIN_ID = re.compile(rf"^[A-Za-z0-9._~-]{{1,{MAX_ID_CHARS}}}$")  # a subset of what the route accepts


def changes_key(query: dict[str, str], page_limit_max: int) -> tuple[object, ...] | None:
    """("changes", since, after, limit, digest version) as the route would read them; None when unsure."""
    try:
        since = int(query.get("since", "0")) if NUMBER.match(query.get("since", "0")) else -1
        limit = int(query.get("limit", str(DEFAULT_LIMIT))) if NUMBER.match(query.get("limit", "1")) else 0
    except ValueError:
        return None
    after = query.get("after")
    version = query.get("digest_version", "1")
    if since < 0 or since > 2**62 or not 1 <= limit <= MAX_LIMIT or version not in ("1", "2"):
        return None
    if after is not None and not PLAIN_ID.match(after):
        return None
    return page_key(since, after, min(limit, page_limit_max), int(version))


def page_key(since: int, after: str | None, limit: int, digest_version: int) -> tuple[object, ...]:
    """The key of a page of changes at one head: the route keeps answers under it, this middleware finds them."""
    return ("changes", since, after, limit, digest_version)


def snapshot_key(digest_version: int) -> tuple[object, ...]:
    return ("snapshot", digest_version)


def parse_query(raw: bytes, allowed: frozenset[str]) -> dict[str, str] | None:
    """Each allowed name at most once, nothing else; None otherwise (the route then decides)."""
    query: dict[str, str] = {}
    for part in raw.decode("latin-1").split("&") if raw else ():
        name, sep, value = part.partition("=")
        name, value = unquote_plus(name), unquote_plus(value)
        if not sep or name not in allowed or name in query:
            return None
        query[name] = value
    return query


CHANGES_PARAMS = frozenset({"since", "after", "limit", "digest_version"})
SNAPSHOT_PARAMS = frozenset({"digest_version"})


class CachedReads:
    def __init__(self, app: ASGIApp, cache: CatalogCache, page_limit_max: int) -> None:
        self.app, self.cache, self.page_limit_max = app, cache, page_limit_max

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] != "GET":
            try:
                await self.app(scope, receive, send)
            finally:
                self.cache.expire()
            return
        if caller_of(scope) is None or not await self._answer(scope, send):
            await self.app(scope, receive, send)

    async def _answer(self, scope: Scope, send: Send) -> bool:
        path: str = scope["path"]
        if path != CHANGES_PATH and not path.startswith(SNAPSHOT_PATH):
            return False
        head = self.cache.head()
        if head is None:
            return False
        headers = dict(scope.get("headers", []))
        raw = scope.get("query_string", b"")
        if path == CHANGES_PATH:
            query = parse_query(raw, CHANGES_PARAMS)
            key = changes_key(query, self.page_limit_max) if query is not None else None
            if key is None:
                return False
            etag = f'"c{head.seq}"'
            if headers.get(b"if-none-match", b"").decode("latin-1") == etag:
                await _send(send, 304, [(b"etag", etag.encode())], b"", scope["method"])
                return True
        else:
            query = parse_query(raw, SNAPSHOT_PARAMS)
            version = query.get("digest_version", "1") if query is not None else None
            if version not in ("1", "2") or path != f"{SNAPSHOT_PATH}/{head.seq}":
                return False
            key = snapshot_key(int(version))
        answer = self.cache.answer(head, key)
        if answer is None:
            return False
        await send_answer(send, answer, headers.get(b"accept-encoding", b"").decode("latin-1"), scope["method"])
        return True


async def send_answer(send: Send, answer: Answer, accept_encoding: str, method: str = "GET") -> None:
    body, encoding = answer.encoded.pick(accept_encoding)
    headers = [(b"content-type", b"application/json"), (b"etag", answer.etag.encode()),
               (b"cache-control", answer.cache_control.encode()), (b"vary", b"Accept-Encoding")]
    if encoding:
        headers.append((b"content-encoding", encoding.encode()))
    await _send(send, 200, headers, body, method)


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes, method: str) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())] if status != 304 else headers
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})
