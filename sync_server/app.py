"""FastAPI app factory: settings in, app out. No module-level app, no global state."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware

from sync_server import __version__
from sync_server.api import router
from sync_server.config import ServerSettings
from sync_server.db import make_engine, make_sessions


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    settings = settings or ServerSettings()
    engine = make_engine(settings.sqlalchemy_url)
    app = FastAPI(title="SkinLens catalog sync", version=__version__,
                  description="Commit-ordered catalog sync for SkinLens clients; see PROTOCOL.md.")
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessions(engine)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.include_router(router)
    logging.getLogger(__name__).info("sync server ready (environment=%s)", settings.environment)
    return app


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory sync_server.app:app_from_env` (used by `serve --workers N`)."""
    return create_app()
