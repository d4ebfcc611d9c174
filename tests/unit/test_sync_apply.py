"""The sync client's apply and verify on a real local store, with real Ed25519 signatures: a staged sync lands
whole only when it equals what the server signed, and nothing else lands at all.

The full client against a real server is tested in tests/integration/test_sync.py; these run in seconds, so
the mutation run (scripts/mutation.sh sync_client) can run them for every mutant.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from catalog_format import DIGEST_VERSION, CatalogRow, catalog_digest, signed_message
from desktop.catalog.store import CatalogStore
from desktop.resources import resource
from desktop.sync import apply
from desktop.sync.state import HeldState

KEY = Ed25519PrivateKey.generate()
DEMO_ROWS = 12


def _wire(pid: str, name: str = "Serum") -> dict[str, Any]:
    return CatalogRow(id=pid, brand="B", name=name, category="serum", price=Decimal("9.50"), currency="GBP",
                      ingredients="Aqua, Niacinamide", url=f"https://s.example/{pid}",
                      affiliate_url=f"https://s.example/{pid}?affil=x").to_wire()


def _state(products: list[dict[str, Any]], seq: int = 7, key: Ed25519PrivateKey = KEY) -> dict[str, Any]:
    """What the server signs: the digest of its live catalog at `seq`."""
    digest = catalog_digest((p["id"], CatalogRow.from_wire(p).content_hash()) for p in products)
    signature = key.sign(signed_message(seq, digest, DIGEST_VERSION))
    return {"version": DIGEST_VERSION, "seq": seq, "digest": digest, "signature": base64.b64encode(signature).decode()}


def _stage(store: CatalogStore, upserts: list[dict[str, Any]], deletes: tuple[str, ...] = ()) -> None:
    changes = [{"id": p["id"], "deleted": False, "product": p} for p in upserts]
    store.stage_sync_page(changes + [{"id": d, "deleted": True, "product": None} for d in deletes], '{"page": 1}')


def _promote(store: CatalogStore, state: dict[str, Any], replace_all: bool = False,
             progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """What the client does with a signed state: verify its signature, then apply and verify the staged rows."""
    return apply.promote(store, apply.signed_state(state, KEY.public_key()), "https://sync.example",
                         replace_all=replace_all, progress=progress)


@pytest.fixture
def store(tmp_path: Path) -> CatalogStore:
    """A store holding the first products of the bundled demo catalog, as on first run (the whole one takes
    seconds to import, and these tests run once per mutant)."""
    demo = tmp_path / "demo.csv"
    demo.write_text("".join(resource("catalog", "demo_catalog.csv").read_text(encoding="utf-8")
                            .splitlines(keepends=True)[:DEMO_ROWS + 1]), encoding="utf-8")
    s = CatalogStore(tmp_path / "c.sqlite3")
    assert s.seed_demo_if_empty(demo) == DEMO_ROWS
    return s


def test_a_verified_sync_lands_whole_with_its_cursor(store: CatalogStore) -> None:
    products = [_wire("a"), _wire("b"), _wire("c")]
    _stage(store, products)
    assert store.get_state("staging") == '{"page": 1}'
    assert _promote(store, _state(products), replace_all=True) == (3, DEMO_ROWS)  # the demo catalog makes way
    assert {p.id: p.name for p in store.products()} == {"a": "Serum", "b": "Serum", "c": "Serum"}
    assert json.loads(store.get_state("cursor")) == {"seq": 7, "after": None}
    assert store.get_state("server_url") == "https://sync.example" and store.get_state("staging") == ""
    assert store.synced_digest() == _state(products)["digest"] == store.get_state("digest")
    changed = [_wire("a", "Serum v2"), _wire("c")]
    _stage(store, [changed[0]], deletes=("b",))
    assert _promote(store, _state(changed, seq=8)) == (1, 1)
    assert {p.id: p.name for p in store.products()} == {"a": "Serum v2", "c": "Serum"}


@pytest.mark.parametrize("replace_all", [False, True])
def test_a_sync_that_would_not_equal_the_signed_catalog_changes_nothing(store: CatalogStore,
                                                                        replace_all: bool) -> None:
    before, generation = store.products(), store.generation()
    _stage(store, [_wire("a"), _wire("b")])
    signed = _state([_wire("a")])  # the server has only "a"
    with pytest.raises(apply.VerificationError) as error:
        _promote(store, signed, replace_all=replace_all)
    local = _state([_wire("a"), _wire("b")])["digest"]
    assert str(error.value) == (f"local catalog digest {local[:12]}… differs from the server's "
                                f"{signed['digest'][:12]}… at seq 7")  # what `skinlens sync` prints
    assert store.products() == before and store.generation() == generation
    assert store.get_state("cursor") == "" and store.get_state("digest") == ""


NOT_SIGNED = "The server's catalog is not signed."
INVALID = "The catalog's signature is not valid (tampered, or signed with another key)."


@pytest.mark.parametrize(("tamper", "message"), [
    ("signature", INVALID), ("seq", INVALID), ("digest", INVALID), ("key", INVALID), ("unsigned", NOT_SIGNED),
    ("no digest", NOT_SIGNED), ("garbage", INVALID)])
def test_a_state_that_is_not_signed_by_the_server_key_is_refused(store: CatalogStore, tamper: str,
                                                                 message: str) -> None:
    products = [_wire("a")]
    state = _state(products)
    if tamper == "signature":
        state["signature"] = base64.b64encode(b"\0" * 64).decode()
    elif tamper == "seq":
        state["seq"] = 8  # the signature covers the sequence number too
    elif tamper == "digest":
        state["digest"] = "0" * 64
    elif tamper == "key":
        state = _state(products, key=Ed25519PrivateKey.generate())
    elif tamper == "unsigned":
        state["signature"] = None
    elif tamper == "no digest":
        state["digest"] = ""
    else:
        state["signature"] = "not base64!"
    _stage(store, products)
    before = store.products()
    with pytest.raises(apply.SignatureError) as error:
        _promote(store, state, replace_all=True)
    assert str(error.value).startswith(message)
    assert store.products() == before and store.get_state("cursor") == ""


def test_a_sync_keeps_what_the_user_imported(store: CatalogStore, tmp_path: Path) -> None:
    csv = tmp_path / "mine.csv"
    csv.write_text("id,brand,name,category,price,currency,ingredients,url\n"
                   "mine,Me,Own,serum,5,GBP,Aqua,https://s.example/mine\n")
    store.import_file(csv)
    products = [_wire("a")]
    _stage(store, products)
    _promote(store, _state(products), replace_all=True)
    assert {p.id for p in store.products()} == {"a", "mine"}
    assert store.synced_digest() == _state(products)["digest"]  # the digest covers synced products only


def test_a_snapshot_replaces_the_synced_catalog_and_reports_what_it_did(store: CatalogStore, tmp_path: Path) -> None:
    """A snapshot (another server, a cursor behind the horizon) removes the synced products it lacks and the
    demo, keeps the user's imports, and reports the applied and removed counts, also to the progress bar."""
    first = [_wire("a"), _wire("b"), _wire("c")]
    _stage(store, first)
    _promote(store, _state(first), replace_all=True)
    csv = tmp_path / "mine.csv"
    csv.write_text("id,brand,name,category,price,currency,ingredients,url\n"
                   "mine,Me,Own,serum,5,GBP,Aqua,https://s.example/mine\n")
    store.import_file(csv)
    snapshot = [_wire("b", "Serum v2"), _wire("d")]
    _stage(store, snapshot)
    seen: list[int] = []
    result = _promote(store, _state(snapshot, seq=9), replace_all=True, progress=seen.append)
    assert result == (2, 2)  # "a" and "c" removed
    assert seen == [2]
    assert {p.id: p.name for p in store.products()} == {"b": "Serum v2", "d": "Serum", "mine": "Own"}
    assert store.synced_digest() == _state(snapshot)["digest"]


def test_a_first_sync_over_the_demo_and_a_delete_count_every_removed_product(store: CatalogStore) -> None:
    products = [_wire("a")]
    _stage(store, products, deletes=("gone",))  # a deletion of a product this store never had
    seen: list[int] = []
    assert _promote(store, _state(products), replace_all=True, progress=seen.append) == (1, DEMO_ROWS)
    assert seen == [2]  # the progress bar counts every staged change, deletions too
    _stage(store, [], deletes=("a",))
    assert _promote(store, _state([], seq=8)) == (0, 1)
    assert store.products() == []


def test_a_snapshot_is_applied_from_its_own_products_and_clears_an_interrupted_feed(store: CatalogStore) -> None:
    """The snapshot's products are applied as they came (no staging copy); a feed's pages staged before it by an
    interrupted sync are dropped with it, and a snapshot that does not verify changes nothing."""
    _stage(store, [_wire("stale")])
    snapshot = [_wire("a"), _wire("b")]
    before = store.products()
    with pytest.raises(apply.VerificationError):
        apply.promote(store, apply.signed_state(_state([_wire("a")]), KEY.public_key()), "https://sync.example",
                      replace_all=True, snapshot=snapshot)
    assert store.products() == before and store.get_state("digest") == ""
    assert apply.promote(store, apply.signed_state(_state(snapshot, seq=9), KEY.public_key()),
                         "https://sync.example", replace_all=False, snapshot=snapshot) == (2, DEMO_ROWS)
    assert {p.id for p in store.products()} == {"a", "b"}  # a snapshot replaces all even if not told to
    assert store.get_state("staging") == "" and store.synced_digest() == _state(snapshot)["digest"]
    _stage(store, [], deletes=("a",))
    assert _promote(store, _state([_wire("b")], seq=10)) == (0, 1)  # the staged "stale" product was not kept


def test_the_digest_covers_what_is_stored_every_row_reads_back_to_its_content_hash(store: CatalogStore) -> None:
    """The store verifies a sync with the content hash it wrote beside each row; that hash must be the hash of
    the columns as they read back (lists, price, every field), or the digest would vouch for other values."""
    products = [CatalogRow(id="t", brand="B", name="N", category="serum", price=Decimal("0.50"), currency="GBP",
                           size="30 ml", ingredients="Aqua (Water, Eau), Glycerin", url="https://s.example/t",
                           image_url="https://s.example/t.png", affiliate_url="https://s.example/t?a=1",
                           skin_types=("dry", "oily"), tags=("vegan", "fragrance-free")).to_wire(), _wire("a")]
    _stage(store, products)
    _promote(store, _state(products), replace_all=True)
    with sqlite3.connect(store.path) as conn:
        stored = dict(conn.execute("SELECT id, content_hash FROM products WHERE source = 'sync'").fetchall())
    assert stored == {p.id: CatalogRow.from_wire(p.to_wire()).content_hash() for p in store.products()}
    assert {p.id: p.inci for p in store.products()}["t"] == ("aqua (water, eau)", "glycerin")  # label order


HELD = HeldState(server="https://sync.example", seq=7, digest="d" * 64)


@pytest.mark.parametrize(("seq", "digest", "what"), [(6, "d" * 64, "older than"), (0, "e" * 64, "older than"),
                                                     (7, "e" * 64, "different from")])
def test_a_signed_state_older_than_the_held_one_or_another_at_its_sequence_is_refused(seq: int, digest: str,
                                                                                      what: str) -> None:
    with pytest.raises(apply.RollbackError) as error:
        apply.check_not_older(seq, digest, HELD)
    assert str(error.value) == (f"The server's signed catalog (seq {seq}) is {what} the one on this computer (seq 7): "
                                "refusing to go back. If the server was restored from a backup, run: skinlens sync "
                                "--reset")


@pytest.mark.parametrize(("seq", "digest", "held"), [
    (7, "d" * 64, HELD), (8, "e" * 64, HELD), (0, "e" * 64, None),
    (7, "e" * 64, HeldState(server="https://sync.example", seq=7, digest=""))])  # a held state without a digest
def test_the_same_state_a_newer_one_or_any_first_one_is_accepted(seq: int, digest: str,
                                                                  held: HeldState | None) -> None:
    apply.check_not_older(seq, digest, held)


def _signed_as(seq: Any, version: Any = DIGEST_VERSION, context_version: int = DIGEST_VERSION) -> dict[str, Any]:
    digest = "d" * 64
    signature = KEY.sign(signed_message(int(seq), digest, context_version))
    return {"version": version, "seq": seq, "digest": digest, "signature": base64.b64encode(signature).decode()}


def test_a_state_signed_for_another_version_or_with_a_sequence_that_is_not_a_count_is_refused() -> None:
    not_v2 = f"The server's catalog state is not a version-{DIGEST_VERSION} signed state."
    for state in (_signed_as(7, version=1, context_version=1), _signed_as("7"), _signed_as(-1), _signed_as(True),
                  _signed_as(7.0)):
        with pytest.raises(apply.SignatureError) as error:
            apply.signed_state(state, KEY.public_key())
        assert str(error.value) == not_v2, state
    assert apply.signed_state(_signed_as(0), KEY.public_key()) == (0, "d" * 64)  # an empty new catalog is seq 0


def test_a_signature_is_read_as_strict_base64_only() -> None:
    """Characters outside the alphabet are not skipped: what was signed is read exactly as sent, or refused."""
    state = _signed_as(7)
    assert apply.signed_state(state, KEY.public_key()) == (7, "d" * 64)
    with pytest.raises(apply.SignatureError):
        apply.signed_state(state | {"signature": "!" + state["signature"]}, KEY.public_key())


def test_a_staged_product_not_in_canonical_form_is_refused_with_what_is_wrong(store: CatalogStore) -> None:
    product = _wire("a") | {"price": "9.5"}
    _stage(store, [product])
    before = store.products()
    with pytest.raises(apply.Refusal) as error:
        _promote(store, _state([_wire("a")]), replace_all=True)
    assert str(error.value) == ("The server sent a product this app cannot store: product 'a' is not in canonical "
                                "form (price).")
    assert store.products() == before
