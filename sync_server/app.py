"""FastAPI app factory: settings in, app out. No module-level app, no global state."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.middleware.gzip import GZipMiddleware

from sync_server import __version__, changes
from sync_server.api import router
from sync_server.config import ServerSettings
from sync_server.db import make_engine, make_read_sessions, make_sessions
from sync_server.ratelimit import LoadShedding, RateLimiter

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
    app = FastAPI(title="SkinLens catalog sync", version=__version__,
                  description="Commit-ordered, signed catalog sync for SkinLens clients; see PROTOCOL.md.")
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessions(engine)
    app.state.read_sessions = make_read_sessions(engine)
    app.state.signer = settings.signer()
    with app.state.sessions.begin() as session:
        changes.ensure_signed(session, app.state.signer)
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst)
    app.state.token_cache = {}
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(LoadShedding, limit=settings.max_inflight_requests)

    @app.middleware("http")
    async def log_requests(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        start = time.perf_counter()
        response: Response = await call_next(request)
        access_log.info("request", extra={"fields": {
            "method": request.method, "path": request.url.path, "status": response.status_code,
            "ms": round((time.perf_counter() - start) * 1000, 2)}})
        return response

    app.include_router(router)
    return app


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory sync_server.app:app_from_env` (used by `serve --workers N`)."""
    configure_logging()
    return create_app()
