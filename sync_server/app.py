"""FastAPI app factory: settings in, app out. No module-level app, no global state."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync_server import __version__, changes, feed
from sync_server.api import router
from sync_server.auth import TokenBook
from sync_server.cache import CatalogCache, Listener
from sync_server.config import ServerSettings
from sync_server.db import libpq_url, make_engine, make_read_sessions, make_sessions, size_thread_pool
from sync_server.fastpath import CachedReads
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
    engine = make_engine(settings.sqlalchemy_url, settings.db_pool_size)
    # no /docs or /redoc: they load scripts from a CDN and show the admin routes to anyone; /openapi.json stays
    app = FastAPI(title="SkinLens catalog sync", version=__version__, docs_url=None, redoc_url=None,
                  lifespan=_lifespan,
                  description="Commit-ordered, signed catalog sync for SkinLens clients; see PROTOCOL.md.")
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessions(engine)
    app.state.read_sessions = make_read_sessions(engine)
    app.state.signer = settings.signer()
    with app.state.sessions.begin() as session:
        changes.ensure_signed(session, app.state.signer, resign=True)
    app.state.token_cache = TokenBook(app.state.sessions)
    app.state.catalog_cache = CatalogCache(settings.catalog_staleness_seconds)
    app.state.legacy_states = feed.LegacyStates(app.state.signer)
    app.add_exception_handler(RequestValidationError, bounded_validation_error)  # type: ignore[arg-type]
    # the feed and the snapshot come compressed already (sync_server.compression); this covers the rest
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=1)
    app.add_middleware(CachedReads, cache=app.state.catalog_cache, page_limit_max=settings.page_limit_max)
    app.add_middleware(LoadShedding, limit=settings.max_inflight_requests)
    app.add_middleware(Gate, settings=settings, tokens=app.state.token_cache)  # before a request takes a slot
    app.add_middleware(AccessLog)
    app.include_router(router)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The catalog listener runs while the app serves; sync routes get as many threads as the pool has
    connections, so a burst waits for a thread instead of opening connections beyond the pool."""
    settings: ServerSettings = app.state.settings
    size_thread_pool(settings.db_pool_size)

    def read_head() -> feed.CatalogHead:
        with app.state.read_sessions() as session:
            return feed.head(session)

    listener = Listener(app.state.catalog_cache, libpq_url(settings.sqlalchemy_url), read_head)
    listener.start()
    try:
        yield
    finally:
        listener.stop()
        app.state.engine.dispose()


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


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory sync_server.app:app_from_env` (used by `serve --workers N`)."""
    configure_logging()
    return create_app()
