"""Write side, admin token only: import, upsert and delete with If-Match preconditions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Response, status
from sqlalchemy import select

from catalog_format import TEXT_PATTERN, parse_catalog_text
from sync_server import changes, feed
from sync_server.api.deps import SessionDep, SignerDep, require_admin
from sync_server.models import Product
from sync_server.schemas import ImportIn, ImportOut, ProductIn, ProductOut, RowErrorOut, WriteOut

ProductId = Annotated[str, Path(min_length=1, max_length=200, pattern=TEXT_PATTERN)]

router = APIRouter(prefix="/v1/admin", dependencies=[Depends(require_admin)])
IfMatch = Annotated[str | None, Header(description='the ETag you read: "c<seq>" for the catalog, '
                                                   '"p<seq>" for a product')]


def _check(if_match: str | None, etag: str) -> None:
    if if_match is not None and if_match not in ("*", etag):
        raise HTTPException(status.HTTP_412_PRECONDITION_FAILED,
                            f"the resource changed (now {etag}); read it again and retry")


def _product_etag(product: Product) -> str:
    return f'"p{product.seq}"'


@router.post("/catalog")
def import_catalog(body: ImportIn, session: SessionDep, signer: SignerDep, if_match: IfMatch = None) -> ImportOut:
    parsed = parse_catalog_text(body.content, jsonl=body.format == "jsonl")
    with session.begin():
        _check(if_match, f'"c{feed.head(session).seq}"')
        outcome = changes.import_rows(session, parsed.rows, signer, replace=body.replace)
    errors = parsed.errors + outcome.errors
    return ImportOut(seq=outcome.seq, upserted=outcome.upserted, deleted=outcome.deleted,
                     errors=[RowErrorOut(line=e.line, reason=e.reason) for e in errors])


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
    row = body.to_row()
    with session.begin():
        seq = changes.bump_sequence(session)  # the catalog lock first, always: the same order as imports
        existing = session.execute(select(Product).where(Product.id == product_id)).scalar()
        if existing is not None and not existing.deleted:
            _check(if_match, _product_etag(existing))
        elif if_match not in (None, "*"):
            raise HTTPException(status.HTTP_412_PRECONDITION_FAILED, "the product does not exist")
        try:
            outcome = changes.upsert_product(session, row, signer, seq)
        except ValueError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    response.headers["ETag"] = f'"p{outcome.seq}"'
    return WriteOut(seq=outcome.seq, changed=outcome.upserted)


@router.delete("/products/{product_id}")
def delete_product(product_id: ProductId, session: SessionDep, signer: SignerDep, if_match: IfMatch = None) -> WriteOut:
    with session.begin():
        seq = changes.bump_sequence(session)
        existing = session.execute(select(Product).where(Product.id == product_id)).scalar()
        if existing is None or existing.deleted:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such product")
        _check(if_match, _product_etag(existing))
        outcome = changes.delete_products(session, [product_id], signer, seq)
    return WriteOut(seq=outcome.seq, changed=outcome.deleted)
