"""FastAPI app factory: settings in, app out. No module-level app, no global state."""

from __future__ import annotations

import json
import logging
import time

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync_server import __version__, changes, feed
from sync_server.api import router
from sync_server.auth import TokenBook
from sync_server.config import ServerSettings
from sync_server.db import make_engine, make_read_sessions, make_sessions
from sync_server.gate import Gate
from sync_server.ratelimit import LoadShedding

access_log = logging.getLogger("skinlens.access")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: easy to ship to any log store."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": round(record.created, 3), "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    settings = settings or ServerSettings()
    engine = make_engine(settings.sqlalchemy_url)
    # no /docs or /redoc: they load scripts from a CDN and show the admin routes to anyone; /openapi.json stays
    app = FastAPI(title="SkinLens catalog sync", version=__version__, docs_url=None, redoc_url=None,
                  description="Commit-ordered, signed catalog sync for SkinLens clients; see PROTOCOL.md.")
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessions(engine)
    app.state.read_sessions = make_read_sessions(engine)
    app.state.signer = settings.signer()
    with app.state.sessions.begin() as session:
        changes.ensure_signed(session, app.state.signer)
    app.state.token_cache = TokenBook(app.state.sessions)
    app.state.snapshot_cache = SnapshotCache()
    app.state.legacy_states = feed.LegacyStates(app.state.signer)
    app.add_exception_handler(RequestValidationError, bounded_validation_error)  # type: ignore[arg-type]
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=1)  # level 9 costs ~4× for ~10 % less
    app.add_middleware(LoadShedding, limit=settings.max_inflight_requests)
    app.add_middleware(Gate, settings=settings, tokens=app.state.token_cache)  # before a request takes a slot
    app.add_middleware(AccessLog)
    app.include_router(router)
    return app


MAX_VALIDATION_ERRORS = 10


async def bounded_validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 with where and what, never the input: FastAPI's default echoes it, so a 10 MB field made a 10 MB
    answer."""
    errors = [{"loc": list(e.get("loc", ()))[:5], "msg": str(e.get("msg", ""))[:200], "type": e.get("type", "")}
              for e in exc.errors()[:MAX_VALIDATION_ERRORS]]
    return JSONResponse({"detail": errors}, status_code=422)


class AccessLog:
    """One JSON log line per request (pure ASGI: the decorator-style middleware costs ~1 ms a request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not access_log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 0

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            access_log.info("request", extra={"fields": {
                "method": scope["method"], "path": scope["path"], "status": status,
                "ms": round((time.perf_counter() - start) * 1000, 2)}})


class SnapshotCache:
    """The bodies of the newest snapshot, per (seq, digest version): its URL is immutable per sequence, so the
    bytes can be reused until the sequence moves on (the same thing a CDN in front of the server does)."""

    def __init__(self) -> None:
        self.seq: int | None = None
        self.bodies: dict[tuple[int, int], bytes] = {}

    def get(self, key: tuple[int, int]) -> bytes | None:
        return self.bodies.get(key)

    def put(self, key: tuple[int, int], body: bytes) -> None:
        if key[0] != self.seq:
            self.seq, self.bodies = key[0], {}
        self.bodies[key] = body


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory sync_server.app:app_from_env` (used by `serve --workers N`)."""
    configure_logging()
    return create_app()
