"""Read side: health, the change feed, the snapshot and the signing key (see PROTOCOL.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.orm import Session

from catalog_format import MAX_ID_CHARS, TEXT_PATTERN
from sync_server import feed
from sync_server.api.deps import ReadSessionDep, SettingsDep, SignerDep, require_device
from sync_server.schemas import ChangesPage, HealthOut, KeyOut, RefetchOut, SnapshotOut

router = APIRouter()
JSON = "application/json"
DigestVersion = Annotated[int, Query(ge=1, le=2, description="the digest version of `state` (PROTOCOL.md, "
                                                             "*Integrity*); 1 when absent")]


def _state(request: Request, session: Session, current: feed.CatalogHead, version: int) -> dict[str, Any]:
    if version == 2:
        return current.state
    legacy: feed.LegacyStates = request.app.state.legacy_states
    return legacy.state(session, current)


@router.get("/healthz")
def healthz(session: ReadSessionDep) -> HealthOut:
    return HealthOut(status="ok", catalog_seq=feed.head(session).seq)


@router.get("/v1/catalog/changes", dependencies=[Depends(require_device)], response_model=ChangesPage,
            responses={304: {"description": "unchanged since the ETag"},
                       410: {"model": RefetchOut, "description": "cursor older than the horizon: refetch"}})
def catalog_changes(
    session: ReadSessionDep, settings: SettingsDep, request: Request,
    since: Annotated[int, Query(ge=0, le=2**62, description="the cursor's seq; 0 for a first sync")] = 0,
    after: Annotated[str | None, Query(max_length=MAX_ID_CHARS, pattern=TEXT_PATTERN,
                                       description="the cursor's id within seq")] = None,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 1000,
    digest_version: DigestVersion = 1,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    current = feed.head(session)
    etag = f'"c{current.seq}"'
    if if_none_match == etag:
        return Response(status_code=304, headers={"ETag": etag})
    try:
        body = feed.changes_page(session, current, since, after, min(limit, settings.page_limit_max),
                                 _state(request, session, current, digest_version))
    except feed.CursorTooOld as exc:
        return JSONResponse(RefetchOut(horizon_seq=exc.horizon).model_dump(), status_code=410)
    return Response(body, media_type=JSON, headers={"ETag": etag, "Cache-Control": "no-cache"})


@router.get("/v1/catalog/snapshot", dependencies=[Depends(require_device)], status_code=307,
            response_class=RedirectResponse)
def current_snapshot(session: ReadSessionDep, digest_version: DigestVersion = 1) -> RedirectResponse:
    """Redirect to the immutable URL of the snapshot at the current sequence.

    The Location is a path, never built from the request's Host header (which a client or a proxy chooses)."""
    query = "?digest_version=2" if digest_version == 2 else ""
    return RedirectResponse(f"/v1/catalog/snapshot/{feed.head(session).seq}{query}", status_code=307,
                            headers={"Cache-Control": "no-cache"})


@router.get("/v1/catalog/snapshot/{seq}", name="snapshot_at", dependencies=[Depends(require_device)],
            response_model=SnapshotOut, responses={404: {"description": "no longer the current sequence"}})
def snapshot_at(seq: int, session: ReadSessionDep, request: Request, digest_version: DigestVersion = 1) -> Response:
    """Every live product at `seq`. The content of this URL never changes, so caches may keep it forever."""
    current = feed.head(session)
    if current.seq != seq:
        return JSONResponse({"detail": f"seq {seq} is not the current catalog; GET /v1/catalog/snapshot"},
                            status_code=404)
    cache = request.app.state.snapshot_cache
    body = cache.get((seq, digest_version))
    if body is None:
        body = feed.snapshot(session, seq, _state(request, session, current, digest_version))
        cache.put((seq, digest_version), body)
    return Response(body, media_type=JSON, headers={"ETag": f'"s{seq}"',
                                                    "Cache-Control": "public, max-age=31536000, immutable"})


@router.get("/v1/catalog/key", dependencies=[Depends(require_device)])
def signing_key(signer: SignerDep) -> KeyOut:
    """The public key the catalog is signed with, for a client to pin at login (shown as its fingerprint)."""
    return KeyOut.for_signer(signer)
