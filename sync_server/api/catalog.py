"""Read side: health, the change feed and the snapshot (see PROTOCOL.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from catalog_format import TEXT_PATTERN
from sync_server import feed
from sync_server.api.deps import ReadSessionDep, SettingsDep, require_device
from sync_server.schemas import ChangesPage, HealthOut, RefetchOut, SnapshotOut

router = APIRouter()
JSON = "application/json"


@router.get("/healthz")
def healthz(session: ReadSessionDep) -> HealthOut:
    return HealthOut(status="ok", catalog_seq=feed.head(session).seq)


@router.get("/v1/catalog/changes", dependencies=[Depends(require_device)], response_model=ChangesPage,
            responses={304: {"description": "unchanged since the ETag"},
                       410: {"model": RefetchOut, "description": "cursor older than the horizon: refetch"}})
def catalog_changes(
    session: ReadSessionDep, settings: SettingsDep,
    since: Annotated[int, Query(ge=0, le=2**62, description="the cursor's seq; 0 for a first sync")] = 0,
    after: Annotated[str | None, Query(max_length=200, pattern=TEXT_PATTERN,
                                       description="the cursor's id within seq")] = None,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 1000,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    current = feed.head(session)
    etag = f'"c{current.seq}"'
    if if_none_match == etag:
        return Response(status_code=304, headers={"ETag": etag})
    try:
        body = feed.changes_page(session, current, since, after, min(limit, settings.page_limit_max))
    except feed.CursorTooOld as exc:
        return JSONResponse(RefetchOut(horizon_seq=exc.horizon).model_dump(), status_code=410)
    return Response(body, media_type=JSON, headers={"ETag": etag, "Cache-Control": "no-cache"})


@router.get("/v1/catalog/snapshot", dependencies=[Depends(require_device)], status_code=307,
            response_class=RedirectResponse)
def current_snapshot(session: ReadSessionDep, request: Request) -> RedirectResponse:
    """Redirect to the immutable URL of the snapshot at the current sequence."""
    seq = feed.head(session).seq
    return RedirectResponse(str(request.url_for("snapshot_at", seq=seq)), status_code=307,
                            headers={"Cache-Control": "no-cache"})


@router.get("/v1/catalog/snapshot/{seq}", name="snapshot_at", dependencies=[Depends(require_device)],
            response_model=SnapshotOut, responses={404: {"description": "no longer the current sequence"}})
def snapshot_at(seq: int, session: ReadSessionDep, request: Request) -> Response:
    """Every live product at `seq`. The content of this URL never changes, so caches may keep it forever."""
    cache = request.app.state.snapshot_cache
    body = cache.get(seq) if feed.head(session).seq == seq else None
    if body is None:
        body = feed.snapshot(session, seq)
        if body is not None:
            cache.put(seq, body)
    if body is None:
        return JSONResponse({"detail": f"seq {seq} is not the current catalog; GET /v1/catalog/snapshot"},
                            status_code=404)
    return Response(body, media_type=JSON, headers={"ETag": f'"s{seq}"',
                                                    "Cache-Control": "public, max-age=31536000, immutable"})
