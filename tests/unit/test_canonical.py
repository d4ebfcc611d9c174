"""The canonical form of a product (catalog_format.canonical), the shop-link rule (catalog_format.urls) and the
version-2 catalog checksum (catalog_format.digest).

The property tests state what issue 21 needs: whatever a door accepts is already canonical, so every later
step (the feed's JSON, PostgreSQL's numeric(12, 2), the desktop store's ';'-joined lists) keeps it as it is and
every side hashes the same bytes.
"""

from __future__ import annotations

import csv
import io
import random
import warnings
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import NonInteractiveExampleWarning

from catalog_format import (
    CatalogChecksum,
    CatalogRow,
    buy_url_problem,
    catalog_digest,
    https_host,
    parse_catalog_text,
    product_hash,
)
from catalog_format.canonical import MAX_PRICE, canonical_price
from tests.catalog_rows import RAW

HEADER = "id,brand,name,category,price,currency,size,ingredients,url,image_url,skin_types,tags\n"
BASE = {"id": "p", "brand": "B", "name": "N", "category": "serum", "price": "1.00", "currency": "GBP",
        "ingredients": "Aqua", "url": "https://www.lookfantastic.com/p.html"}


@pytest.mark.parametrize(("given_price", "canonical"), [
    ("1.005", "1.01"), ("9.985", "9.99"), ("2.675", "2.68"), ("-0", "0.00"), ("-0.00", "0.00"), ("0", "0.00"),
    (1.005, "1.01"), (12, "12.00"), ("1e2", "100.00"), (" 3.5 ", "3.50"), ("9999999999.99", "9999999999.99"),
])
def test_prices_are_cents_rounded_half_up_as_postgresql_stores_them(given_price: object, canonical: str) -> None:
    assert f"{canonical_price(given_price):.2f}" == canonical
    row = CatalogRow.canonical(BASE | {"price": given_price})
    assert row.to_wire()["price"] == canonical and product_hash(row.to_wire()) == row.content_hash()


@pytest.mark.parametrize("bad", ["abc", "NaN", "inf", "-1", "-0.01", "10000000000", "9999999999.995", "1e10",
                                 "1" * 41, True, None, [1], ""])
def test_what_is_not_a_price_is_refused_with_a_reason(bad: object) -> None:
    with pytest.raises(ValueError, match="price"):
        CatalogRow.canonical(BASE | {"price": bad})


def test_lists_cannot_be_confused_with_their_separator() -> None:
    assert CatalogRow.canonical(BASE | {"tags": "Vegan; ;vegan;cruelty-free"}).tags == ("vegan", "cruelty-free")
    assert CatalogRow.canonical(BASE | {"tags": ["", "  "]}).tags == ()
    with pytest.raises(ValueError, match="the list separator"):
        CatalogRow.canonical(BASE | {"tags": ["a;b"]})
    with pytest.raises(ValueError, match="at most 50"):
        CatalogRow.canonical(BASE | {"tags": [f"t{i}" for i in range(51)]})


@pytest.mark.parametrize(("raw", "reason"), [
    ({"id": "x" * 201}, "id is longer than 200"),
    ({"id": "a\tb"}, "one line"),
    ({"name": "N\ud800"}, "lone surrogate"),
    ({"brand": "B\x00"}, "control characters"),
    ({"name": ["a", "b"]}, "name must be text"),
    ({"url": "https://user:pw@www.lookfantastic.com/x"}, "user info"),
    ({"image_url": "https://img.example:8080/x.png"}, "port"),
])
def test_rows_outside_the_canonical_form_are_refused(raw: dict, reason: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError, match=reason):
        CatalogRow.canonical(BASE | raw)


def test_the_csv_door_reports_them_with_their_line() -> None:
    text = HEADER + "a,B,N,serum,1,GBP,,Aqua,https://www.lookfantastic.com/a.html,,,\n" \
                    f"{'x' * 306},B,N,serum,1,GBP,,Aqua,https://www.lookfantastic.com/b.html,,,\n"
    result = parse_catalog_text(text, jsonl=False)
    assert [r.id for r in result.rows] == ["a"] and result.errors[0].line == 3


# -- the shop-link rule ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", [
    "https://evil.example\\@www.lookfantastic.com/x.html", "https://user:secret@www.lookfantastic.com/x",
    "https://www.lookfantastic.com:8443/x", "https://www.lookfantastic.com:443/x", "https:/www.lookfantastic.com/x",
    "https:www.lookfantastic.com/x", "HTTPS://www.lookfantastic.com /x", "https://www.lookfantastic.com/\u00e9",
    "https://www.look%66antastic.com/x", "https://127.0.0.1/x", "https://[::1]/x", "https://0x7f.1/x",
    "https://www.lookfantastic.com./x", "https://-bad.example/x", "https://www.lookfantastic.com/%zz",
    "https://www.lookfantastic.com/a\tb", "javascript:alert(1)", "data:text/html,x", "ftp://shop.example/x",
    "https://www.lookfantastic.com/x\"onmouseover", "https://shop.example/" + "x" * 2000,
])
def test_links_that_parsers_could_read_differently_are_refused(url: str) -> None:
    assert buy_url_problem(url) is not None
    with pytest.raises(ValueError):
        https_host(url)


@pytest.mark.parametrize(("url", "host"), [
    ("https://www.lookfantastic.com/p.html?affil=skinlens&x=%20y#top", "www.lookfantastic.com"),
    ("https://WWW.LookFantastic.com", "www.lookfantastic.com"),
    ("https://xn--bcher-kva.example/b%C3%BCcher", "xn--bcher-kva.example"),
    ("https://shop.example/a@b/(c)!$'*+,;=:~", "shop.example"),
])
def test_plain_links_pass_and_name_their_host(url: str, host: str) -> None:
    assert buy_url_problem(url) is None and https_host(url) == host


# -- the version-2 checksum --------------------------------------------------------------------------------------
def test_the_checksum_is_order_independent_and_updates_in_place() -> None:
    rng = random.Random(21)
    pairs = [(f"p{i}", f"{rng.getrandbits(256):064x}") for i in range(300)]
    whole = CatalogChecksum.of(pairs)
    assert CatalogChecksum.of(reversed(pairs)) == whole
    moving = CatalogChecksum.of(pairs[:200])
    moving.update(added=pairs[200:], removed=pairs[:50])
    moving.update(added=pairs[:50])
    assert moving == whole and moving.hexdigest() == catalog_digest(pairs)
    emptied = CatalogChecksum.of(pairs)
    emptied.update(removed=pairs)
    assert emptied == CatalogChecksum() and CatalogChecksum.from_bytes(whole.to_bytes()) == whole
    assert CatalogChecksum.of(pairs[1:]) != whole and CatalogChecksum.of([*pairs, ("x", "0" * 64)]) != whole


def test_the_checksum_is_the_one_clients_verify() -> None:
    """Fixed values (LtHash16 over SHAKE-128, PROTOCOL.md *Integrity*): a change here makes every deployed
    version-2 client refuse every server, and the other way round."""
    assert catalog_digest([]) == "6d782ba60c810f9e662a3b62859ffadcd1d046926aed181ccf25588873f97323"
    one = [("lf-1", "a6b40e7a41123f58e1b940669156ed73ad347a9ddb085939538250054f668d0e")]
    assert catalog_digest(one) == "f5895a8e1c0ebd055ad58db13582ddabbcdcad5146e10fc87556d8ecd760b853"


# -- properties: accepted means canonical -------------------------------------------------------------------------
CHAOS = st.dictionaries(st.sampled_from(["id", "brand", "name", "category", "price", "currency", "size",
                                         "ingredients", "url", "image_url", "skin_types", "tags", "affiliate_url"]),
                        st.one_of(st.text(max_size=20), st.integers(), st.floats(), st.decimals(), st.booleans(),
                                  st.none(), st.lists(st.one_of(st.text(max_size=5), st.integers()), max_size=3),
                                  st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)))


@settings(max_examples=300, deadline=None)
@given(raw=st.one_of(CHAOS, RAW.flatmap(lambda r: st.fixed_dictionaries({k: st.just(v) for k, v in r.items()}))))
def test_any_input_is_a_row_or_a_value_error_never_another_exception(raw: dict) -> None:  # type: ignore[type-arg]
    try:
        CatalogRow.canonical(raw)
    except ValueError as exc:
        assert str(exc) and len(str(exc)) < 400  # a reason a person can read, bounded whatever was sent


def test_the_property_tests_see_accepted_rows() -> None:
    """The strategy must mostly produce acceptable rows, or the properties below would hold vacuously."""
    accepted = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonInteractiveExampleWarning)
        for _ in range(200):
            try:
                CatalogRow.canonical(RAW.example())
                accepted += 1
            except ValueError:
                pass
    assert accepted > 100


@settings(max_examples=400, deadline=None)
@given(raw=RAW)
def test_an_accepted_row_is_a_fixed_point_of_every_step(raw: dict) -> None:  # type: ignore[type-arg]
    try:
        row = CatalogRow.canonical(raw)
    except ValueError:
        return
    wire = row.to_wire()
    assert CatalogRow.from_wire(wire) == row  # the client accepts exactly what the server serves
    assert CatalogRow.canonical(wire) == row  # canonical twice is canonical once
    assert product_hash(wire) == row.content_hash()
    for name in ("skin_types", "tags"):  # the desktop store joins with ';' and splits dropping empties
        assert tuple(filter(None, ";".join(getattr(row, name)).split(";"))) == getattr(row, name)
    assert Decimal(wire["price"]) == row.price <= MAX_PRICE and wire["price"] == f"{row.price:.2f}"


@settings(max_examples=200, deadline=None)
@given(raw=RAW)
def test_the_csv_door_accepts_the_same_row_back(raw: dict) -> None:  # type: ignore[type-arg]
    try:
        row = CatalogRow.canonical(raw)
    except ValueError:
        return
    out = io.StringIO()
    csv.writer(out).writerow([row.id, row.brand, row.name, row.category, f"{row.price:.2f}", row.currency, row.size,
                              row.ingredients, row.url, row.image_url, ";".join(row.skin_types), ";".join(row.tags)])
    parsed = parse_catalog_text(HEADER + out.getvalue(), jsonl=False)
    assert parsed.rows == [row], parsed.errors
