"""The server's answers as values: a page of the change feed and a snapshot, checked for shape.

A page that is not what PROTOCOL.md describes (a missing key, a change without an id, a cursor past the page's
own signed state) is refused here, as a refusal the client reports, instead of failing later as a KeyError.
The products themselves are checked when they are applied (catalog_format.CatalogRow.from_wire).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop.sync.apply import Refusal, VerificationError
from desktop.sync.state import Cursor


@dataclass(frozen=True)
class Page:
    changes: list[dict[str, Any]]
    cursor: Cursor
    more: bool
    catalog_seq: int
    state: Any
    snapshot_advised: bool

    def check_within(self, signed_seq: int) -> None:
        """Every sequence on the page, its cursor's included, must lie within its signed state: a cursor past
        it (a forged 2^62) would otherwise be stored and freeze every later sync."""
        seqs = [c["seq"] for c in self.changes] + [self.cursor.seq]
        if self.catalog_seq != signed_seq or max(seqs) > signed_seq:
            raise VerificationError(f"the page reaches past its signed state (seq {signed_seq})")


@dataclass(frozen=True)
class Snapshot:
    products: list[dict[str, Any]]
    catalog_seq: int
    state: Any


def _unreadable(what: str) -> Refusal:
    return Refusal(f"The sync server sent a {what} this app cannot read.")


def _change_ok(change: Any) -> bool:
    if not isinstance(change, dict) or not isinstance(change.get("id"), str) or type(change.get("seq")) is not int:
        return False
    deleted = change.get("deleted")
    return (deleted is True and change.get("product") is None) or (
        deleted is False and isinstance(change.get("product"), dict) and change["product"].get("id") == change["id"])


def parse_page(body: dict[str, Any]) -> Page:
    changes, cursor = body.get("changes"), Cursor.parse(body.get("cursor"))
    if not isinstance(changes, list) or not all(_change_ok(c) for c in changes) or cursor is None:
        raise _unreadable("page of changes")
    if not isinstance(body.get("more"), bool) or type(body.get("catalog_seq")) is not int:
        raise _unreadable("page of changes")
    return Page(changes=changes, cursor=cursor, more=body["more"], catalog_seq=body["catalog_seq"],
                state=body.get("state"), snapshot_advised=body.get("snapshot_advised") is True)


def parse_snapshot(body: dict[str, Any]) -> Snapshot:
    products = body.get("products")
    if not isinstance(products, list) or not all(isinstance(p, dict) and isinstance(p.get("id"), str)
                                                 for p in products):
        raise _unreadable("snapshot")
    if type(body.get("catalog_seq")) is not int:
        raise _unreadable("snapshot")
    return Snapshot(products=products, catalog_seq=body["catalog_seq"], state=body.get("state"))
