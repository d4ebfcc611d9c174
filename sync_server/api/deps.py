"""Dependencies shared by the routes: settings, a session per request, authentication and rate limits."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status
from sqlalchemy.orm import Session

from sync_server import auth
from sync_server.config import ServerSettings
from sync_server.ratelimit import RateLimiter
from sync_server.signing import Signer

TOKEN_CACHE_SECONDS = 5.0  # a revoked token stops working within this time on every worker


def get_settings(request: Request) -> ServerSettings:
    settings: ServerSettings = request.app.state.settings
    return settings


def get_signer(request: Request) -> Signer:
    signer: Signer = request.app.state.signer
    return signer


def get_read_session(request: Request) -> Iterator[Session]:
    """A REPEATABLE READ, read-only transaction: everything a read route sees is one committed state."""
    with request.app.state.read_sessions() as session:
        yield session


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


ReadSessionDep = Annotated[Session, Depends(get_read_session)]
SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[ServerSettings, Depends(get_settings)]
SignerDep = Annotated[Signer, Depends(get_signer)]


def _bearer(authorization: str | None) -> str:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "a bearer token is required",
                            headers={"WWW-Authenticate": "Bearer"})
    return authorization[7:].strip()


def _rate_limit(request: Request, key: str) -> None:
    limiter: RateLimiter = request.app.state.rate_limiter
    wait = limiter.acquire(key)
    if wait > 0:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "too many requests for this token",
                            headers={"Retry-After": str(max(1, round(wait)))})


def require_device(request: Request, session: ReadSessionDep, settings: SettingsDep,
                   authorization: Annotated[str | None, Header()] = None) -> str:
    """A valid device (read-only) or admin token; returns the token's hash (the rate-limit key)."""
    token = _bearer(authorization)
    digest = auth.hash_token(token)
    cache: dict[str, float] = request.app.state.token_cache
    now = time.monotonic()
    if cache.get(digest, 0.0) < now:
        if not (auth.admin_token_valid(settings.admin_token, token) or auth.device_token_valid(session, token)):
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "the token is unknown or revoked",
                                headers={"WWW-Authenticate": "Bearer"})
        cache[digest] = now + TOKEN_CACHE_SECONDS
    _rate_limit(request, digest)
    return digest


def require_admin(request: Request, settings: SettingsDep,
                  authorization: Annotated[str | None, Header()] = None) -> None:
    token = _bearer(authorization)
    if not auth.admin_token_valid(settings.admin_token, token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this needs the admin token")
    _rate_limit(request, "admin")
