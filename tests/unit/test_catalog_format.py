from decimal import Decimal
from pathlib import Path

import pytest

from catalog_format import parse_catalog_file, parse_catalog_text, split_inci

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
