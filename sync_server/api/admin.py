"""Write side, admin token only: import, upsert and delete with If-Match preconditions.

Every precondition is checked after the write has taken the catalog lock, so two writers holding the same
ETag cannot both pass it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Response, status
from sqlalchemy import select

from catalog_format import MAX_ID_CHARS, TEXT_PATTERN, parse_catalog_text
from sync_server import changes
from sync_server.api.deps import SessionDep, SignerDep, require_admin
from sync_server.models import Product
from sync_server.schemas import (
    MAX_REPORTED_ERRORS,
    ImportIn,
    ImportOut,
    ProductIn,
    ProductOut,
    RowErrorOut,
    WriteOut,
)

ProductId = Annotated[str, Path(min_length=1, max_length=MAX_ID_CHARS, pattern=TEXT_PATTERN)]

router = APIRouter(prefix="/v1/admin", dependencies=[Depends(require_admin)])
IfMatch = Annotated[str | None, Header(description='the ETag you read: "c<seq>" for the catalog, '
                                                   '"p<seq>" for a product')]


def _precondition_failed(etag: str) -> HTTPException:
    return HTTPException(status.HTTP_412_PRECONDITION_FAILED,
                         f"the resource changed (now {etag}); read it again and retry")


def _check(if_match: str | None, etag: str) -> None:
    if if_match is not None and if_match not in ("*", etag):
        raise _precondition_failed(etag)


def _catalog_seq(if_match: str | None) -> int | None:
    """The catalog sequence an If-Match names (None for none or "*"); 412 for anything else."""
    if if_match in (None, "*"):
        return None
    assert if_match is not None
    tag = if_match.strip().removeprefix("W/")
    if tag.startswith('"c') and tag.endswith('"') and tag[2:-1].isdigit():
        return int(tag[2:-1])
    raise HTTPException(status.HTTP_412_PRECONDITION_FAILED, "If-Match must be a catalog ETag \"c<seq>\" or *")


def _product_etag(product: Product) -> str:
    return f'"p{product.seq}"'


@router.post("/catalog")
def import_catalog(body: ImportIn, session: SessionDep, signer: SignerDep, if_match: IfMatch = None) -> ImportOut:
    expect = _catalog_seq(if_match)
    parsed = parse_catalog_text(body.content, jsonl=body.format == "jsonl")
    try:
        with session.begin():
            outcome = changes.import_rows(session, parsed.rows, signer, replace=body.replace, lines=parsed.lines,
                                          expect_seq=expect)
    except changes.PreconditionFailed as exc:
        raise _precondition_failed(f'"c{exc.current_seq}"') from None
    errors = sorted(parsed.errors + outcome.errors, key=lambda e: e.line)
    return ImportOut(seq=outcome.seq, upserted=outcome.upserted, deleted=outcome.deleted,
                     errors=[RowErrorOut(line=e.line, reason=e.reason) for e in errors[:MAX_REPORTED_ERRORS]],
                     more_errors=max(0, len(errors) - MAX_REPORTED_ERRORS))


@router.get("/products/{product_id}", response_model=ProductOut)
def get_product(product_id: ProductId, session: SessionDep, response: Response) -> ProductOut:
    product = session.get(Product, product_id)
    if product is None or product.deleted:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such product")
    response.headers["ETag"] = _product_etag(product)
    return ProductOut.from_row(product)


@router.put("/products/{product_id}")
def put_product(product_id: ProductId, body: ProductIn, session: SessionDep, signer: SignerDep,
                response: Response, if_match: IfMatch = None) -> WriteOut:
    if body.id != product_id:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the body's id differs from the URL's")
    try:
        row = body.to_row()
        if row.id != product_id:
            raise ValueError(f"the URL's id must be the canonical id {row.id!r} (trimmed)")
        with session.begin():
            write = changes.CatalogWrite(session, signer)  # the catalog lock first, always: as imports do
            existing = session.execute(select(Product).where(Product.id == product_id)).scalar()
            if existing is not None and not existing.deleted:
                _check(if_match, _product_etag(existing))
            elif if_match not in (None, "*"):
                raise HTTPException(status.HTTP_412_PRECONDITION_FAILED, "the product does not exist")
            write.upsert([changes.product_values(row, changes.retailer_rules(session))])
            outcome = write.finish()
            product_seq = write.seq if write.upserted else existing.seq if existing else outcome.seq
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    response.headers["ETag"] = f'"p{product_seq}"'
    return WriteOut(seq=outcome.seq, changed=outcome.upserted)


@router.delete("/products/{product_id}")
def delete_product(product_id: ProductId, session: SessionDep, signer: SignerDep, if_match: IfMatch = None) -> WriteOut:
    with session.begin():
        write = changes.CatalogWrite(session, signer)
        existing = session.execute(select(Product).where(Product.id == product_id)).scalar()
        if existing is None or existing.deleted:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such product")
        _check(if_match, _product_etag(existing))
        write.tombstone(ids=[product_id])
        outcome = write.finish()
    return WriteOut(seq=outcome.seq, changed=outcome.deleted)
