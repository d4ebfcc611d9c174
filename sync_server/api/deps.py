"""Dependencies shared by the routes: settings, a session per request, and who is calling.

Authentication and rate limits happen before a route runs, in sync_server.gate (which must see a request
before its body is read); these dependencies only state, for each route and its OpenAPI entry, which caller
it needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status
from sqlalchemy.orm import Session

from sync_server.config import ServerSettings
from sync_server.gate import caller_of
from sync_server.signing import Signer

BearerHeader = Annotated[str | None, Header(alias="authorization", description="Bearer <token>")]


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


def require_device(request: Request, authorization: BearerHeader = None) -> str:
    """A device (read-only) or admin token, checked by the gate; returns the caller's rate-limit key."""
    caller = caller_of(request.scope)
    if caller is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "a bearer token is required",
                            headers={"WWW-Authenticate": "Bearer"})
    return caller.key


def require_admin(request: Request, authorization: BearerHeader = None) -> None:
    caller = caller_of(request.scope)
    if caller is None or caller.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this needs the admin token")
