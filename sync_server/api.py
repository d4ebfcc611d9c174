"""HTTP routes. Thin: they check input, call `changes`/`auth`, and shape the output."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response, status
from sqlalchemy.orm import Session

from catalog_format import parse_catalog_text
from sync_server import auth, changes
from sync_server.config import ServerSettings
from sync_server.models import Product
from sync_server.schemas import (
    ChangeOut,
    ChangesPage,
    CursorOut,
    HealthOut,
    ImportIn,
    ImportOut,
    ProductOut,
    RowErrorOut,
)

router = APIRouter()


def get_settings(request: Request) -> ServerSettings:
    settings: ServerSettings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[ServerSettings, Depends(get_settings)]


def _bearer(authorization: str | None) -> str:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "a bearer token is required",
                            headers={"WWW-Authenticate": "Bearer"})
    return authorization[7:].strip()


def require_device(session: SessionDep, settings: SettingsDep,
                   authorization: Annotated[str | None, Header()] = None) -> None:
    token = _bearer(authorization)
    if auth.admin_token_valid(settings.admin_token, token) or auth.device_token_valid(session, token):
        return
    raise HTTPException(status.HTTP_401_UNAUTHORIZED, "the token is unknown or revoked",
                        headers={"WWW-Authenticate": "Bearer"})


def require_admin(settings: SettingsDep, authorization: Annotated[str | None, Header()] = None) -> None:
    if not auth.admin_token_valid(settings.admin_token, _bearer(authorization)):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this needs the admin token")


def _product_out(p: Product) -> ProductOut:
    return ProductOut(id=p.id, brand=p.brand, name=p.name, category=p.category, price=f"{p.price:.2f}",
                      currency=p.currency, size=p.size, ingredients=p.ingredients, url=p.url,
                      affiliate_url=p.affiliate_url, image_url=p.image_url, skin_types=list(p.skin_types),
                      tags=list(p.tags))


@router.get("/healthz")
def healthz(session: SessionDep) -> HealthOut:
    return HealthOut(status="ok", catalog_seq=changes.current_sequence(session))


@router.get("/v1/catalog/changes", dependencies=[Depends(require_device)])
def catalog_changes(
    session: SessionDep, settings: SettingsDep, response: Response,
    since: Annotated[int, Query(ge=0, description="the cursor's seq; 0 for a first sync")] = 0,
    after: Annotated[str | None, Query(max_length=200, description="the cursor's id within seq")] = None,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 1000,
) -> ChangesPage:
    limit = min(limit, settings.page_limit_max)
    catalog_seq = changes.current_sequence(session)
    rows, more = changes.list_changes(session, since, after, limit)
    items = [ChangeOut(id=p.id, seq=p.seq, deleted=p.deleted, product=None if p.deleted else _product_out(p))
             for p in rows]
    if rows:
        last = rows[-1]
        cursor = CursorOut(seq=last.seq, after=last.id if more else None)
    else:
        cursor = CursorOut(seq=since, after=after)
    response.headers["Cache-Control"] = "no-cache"
    return ChangesPage(changes=items, cursor=cursor, more=more, catalog_seq=catalog_seq)


@router.post("/v1/admin/catalog", dependencies=[Depends(require_admin)])
def admin_import(body: ImportIn, session: SessionDep, settings: SettingsDep) -> ImportOut:
    parsed = parse_catalog_text(body.content, jsonl=body.format == "jsonl")
    outcome = changes.import_rows(session, parsed.rows, settings.retailers, replace=body.replace)
    session.commit()
    errors = parsed.errors + outcome.errors
    return ImportOut(seq=outcome.seq, upserted=outcome.upserted, deleted=outcome.deleted,
                     errors=[RowErrorOut(line=e.line, reason=e.reason) for e in errors])
