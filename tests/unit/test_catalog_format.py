from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog_format import PRODUCT_FIELDS, CatalogRow, parse_catalog_file, parse_catalog_text, product_hash, split_inci
from catalog_format.product import REQUIRED_FIELDS

HEADER = "id,brand,name,category,price,currency,ingredients,url,skin_types,tags\n"
GOOD = 'p1,Acme,Gel,cleanser,9.50,gbp,"Aqua, Glycerin",https://shop.example/p1,oily;combination,vegan\n'


def test_good_row_is_normalised() -> None:
    result = parse_catalog_text(HEADER + GOOD, jsonl=False)
    assert result.errors == []
    row = result.rows[0]
    assert row.price == Decimal("9.50") and row.currency == "GBP"
    assert row.skin_types == ("oily", "combination") and row.tags == ("vegan",)


@pytest.mark.parametrize(("line", "reason"), [
    ('p2,Acme,Gel,lotion,9,GBP,Aqua,https://x.example/a,,\n', "category 'lotion'"),
    ('p2,Acme,Gel,cleanser,abc,GBP,Aqua,https://x.example/a,,\n', "price 'abc' is not a number"),
    ('p2,Acme,Gel,cleanser,-1,GBP,Aqua,https://x.example/a,,\n', "must be a finite number"),
    ('p2,Acme,Gel,cleanser,9,POUNDS,Aqua,https://x.example/a,,\n', "ISO 4217"),
    ('p2,Acme,Gel,cleanser,9,GBP,Aqua,ftp://x.example/a,,\n', "not an http(s) address"),
    ('p2,Acme,,cleanser,9,GBP,Aqua,https://x.example/a,,\n', "missing name"),
    ('p2,Acme,Gel,cleanser,9,GBP,Aqua,https://x.example/a,greasy,\n', "skin_types greasy"),
    ('p1,Acme,Gel,cleanser,9,GBP,Aqua,https://x.example/a,,\n', "repeats line 2"),
    ('p2,Acme,Gel\x00,cleanser,9,GBP,Aqua,https://x.example/a,,\n', "control characters (e.g. NUL) in name"),
])
def test_bad_rows_are_reported_with_line_and_reason_and_do_not_stop_others(line: str, reason: str) -> None:
    text = HEADER + GOOD + line + GOOD.replace("p1", "p3")
    result = parse_catalog_text(text, jsonl=False)
    assert [r.id for r in result.rows] == ["p1", "p3"]
    assert len(result.errors) == 1
    assert result.errors[0].line == 3
    assert reason in result.errors[0].reason


def test_jsonl_rows_and_broken_json() -> None:
    text = ('{"id":"a","brand":"B","name":"N","category":"serum","price":"12","currency":"EUR",'
            '"ingredients":"Aqua","url":"https://s.example/a","tags":["vegan"]}\n{not json}\n[1,2]\n')
    result = parse_catalog_text(text, jsonl=True)
    assert [r.id for r in result.rows] == ["a"] and result.rows[0].tags == ("vegan",)
    assert [e.line for e in result.errors] == [2, 3]


def test_missing_header_column_is_one_clear_error() -> None:
    result = parse_catalog_text("id,brand\n1,x\n", jsonl=False)
    assert result.rows == [] and "header lacks" in result.errors[0].reason


def test_split_inci_keeps_commas_inside_parentheses() -> None:
    assert split_inci("Aqua (Water, Eau), Glycerin, CI 77891.") == ["Aqua (Water, Eau)", "Glycerin", "CI 77891"]
    assert split_inci("A [B, (C, D)], E), F, (G") == ["A [B, (C, D)]", "E)", "F", "(G"]  # unbalanced: as printed


def _split_by_walking_every_character(label: str) -> list[str]:
    """The rule spelled out one character at a time: a comma at bracket depth 0 ends an ingredient."""
    parts, depth, current = [], 0, ""
    for ch in label:
        depth += 1 if ch in "([" else -1 if ch in ")]" and depth else 0
        if ch == "," and depth == 0:
            parts, current = [*parts, current], ""
        else:
            current += ch
    return [p.strip().rstrip(".").strip() for p in [*parts, current] if p.strip().rstrip(".").strip()]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab .,()[]", max_size=30))
def test_split_inci_follows_the_rule_on_any_label(label: str) -> None:
    assert split_inci(label) == _split_by_walking_every_character(label)


def test_unreadable_files_raise_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        parse_catalog_file(tmp_path / "missing.csv")
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("id,brand\n1,Cr\xe8me\n".encode("latin-1"))
    with pytest.raises(ValueError, match="not UTF-8"):
        parse_catalog_file(bad)


def test_demo_catalog_parses_without_errors() -> None:
    from desktop.resources import resource

    result = parse_catalog_file(resource("catalog", "demo_catalog.csv"))
    assert result.errors == []
    assert len(result.rows) > 900


@pytest.mark.parametrize("text", ["\r0", "id,brand\r\n\"unterminated", "a\x00b,c\n1,2\n", "\r\r\n\n"])
def test_malformed_csv_is_an_error_line_never_an_exception(text: str) -> None:
    """Found by the API fuzz test: a lone carriage return made the csv module raise (a 500 on the server)."""
    result = parse_catalog_text(text, jsonl=False)
    assert result.rows == [] and result.errors and result.errors[0].line >= 1


def test_old_mac_line_endings_are_lines() -> None:
    result = parse_catalog_text((HEADER + GOOD).replace("\n", "\r"), jsonl=False)
    assert [r.id for r in result.rows] == ["p1"] and result.errors == []


# -- the product type: its wire form and content hash are the sync protocol (PROTOCOL.md) ----------------------
PROTOCOL_ORDER = ["id", "brand", "name", "category", "price", "currency", "size", "ingredients", "url",
                  "affiliate_url", "image_url", "skin_types", "tags"]
SYNCED = CatalogRow(id="lf-1", brand="Cove", name="Sérum Niacinamide 10%", category="serum", price=Decimal("12.5"),
                    currency="GBP", size="30ml", ingredients="Aqua, Niacinamide, Zinc PCA",
                    url="https://www.lookfantastic.com/lf-1.html",
                    affiliate_url="https://www.lookfantastic.com/lf-1.html?affil=skinlens",
                    skin_types=("oily", "combination"), tags=("vegan", "fragrance-free"))


def test_wire_form_has_the_protocol_keys_in_order_and_round_trips() -> None:
    wire = SYNCED.to_wire()
    assert tuple(PROTOCOL_ORDER) == PRODUCT_FIELDS and list(wire) == PROTOCOL_ORDER
    assert wire["price"] == "12.50" and wire["skin_types"] == ["oily", "combination"]
    assert CatalogRow.from_wire(wire) == SYNCED
    sparse = {k: v for k, v in wire.items() if k not in ("size", "affiliate_url", "image_url", "skin_types", "tags")}
    assert CatalogRow.from_wire(sparse).affiliate_url == "" and CatalogRow.from_wire(sparse).tags == ()
    with pytest.raises(ValueError, match="lacks brand"):  # a ValueError the sync client reports, not a KeyError
        CatalogRow.from_wire({k: v for k, v in wire.items() if k != "brand"})


def test_content_hash_is_the_one_existing_clients_verify() -> None:
    """The value the code before the product type computed for this product (commit b9f9cd1): a change here
    would make every deployed client reject every new server, and the other way round."""
    golden = "a6b40e7a41123f58e1b940669156ed73ad347a9ddb085939538250054f668d0e"
    assert SYNCED.content_hash() == golden == product_hash(SYNCED.to_wire())
    reordered = replace(SYNCED, skin_types=("combination", "oily"), price=Decimal("12.50"))
    assert reordered.content_hash() == golden  # lists are hashed sorted, prices with two decimals
    assert replace(SYNCED, affiliate_url="").content_hash() != golden


def test_a_parsed_row_has_no_affiliate_link_and_the_file_needs_the_required_fields() -> None:
    row = parse_catalog_text(HEADER + GOOD, jsonl=False).rows[0]
    assert row.affiliate_url == ""
    assert REQUIRED_FIELDS == ("id", "brand", "name", "category", "price", "currency", "ingredients", "url")


def test_the_admin_schemas_follow_the_product_type() -> None:
    from sync_server.schemas import ProductIn, ProductOut

    assert list(ProductOut.model_fields) == PROTOCOL_ORDER
    assert set(ProductIn.model_fields) == set(PROTOCOL_ORDER) - {"affiliate_url"}  # the server makes that one
    body = ProductIn(**{k: v for k, v in SYNCED.to_wire().items() if k != "affiliate_url"})
    assert body.to_row() == replace(SYNCED, affiliate_url="")
