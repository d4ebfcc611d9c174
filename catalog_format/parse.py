"""Parse and validate catalog files (CSV with a header, or JSON Lines with the same keys).

A bad row never stops the others: it becomes a `RowError` with its line number and a reason a person can act
on, and the good rows are returned beside it. Callers decide whether errors abort (they never half-apply).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog_format.product import REQUIRED_FIELDS, CatalogRow

MAX_FILE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ParseResult:
    rows: list[CatalogRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)  # id -> line number, for errors found later


_INCI_MARKS = re.compile(r"[,()\[\]]")


def split_inci(ingredients: str) -> list[str]:
    """Split an INCI list as printed on a pack: commas outside parentheses separate ingredients.

    Only the commas and brackets are visited (a regular expression finds them), not every character: a first
    sync splits tens of thousands of labels."""
    if not any(bracket in ingredients for bracket in "()[]"):  # the common label: every comma separates
        cuts = ingredients.split(",")
    else:
        cuts, depth, start = [], 0, 0
        for mark in _INCI_MARKS.finditer(ingredients):
            ch = mark.group()
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth -= 1 if depth else 0
            elif depth == 0:
                cuts.append(ingredients[start:mark.start()])
                start = mark.end()
        cuts.append(ingredients[start:])
    parts = (p.strip().rstrip(".").strip() for p in cuts)
    return [p for p in parts if p]


def _csv_records(text: str) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))  # \n, \r\n and a lone \r all end a line
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        absent = [k for k in REQUIRED_FIELDS if k not in header]
        if absent:
            yield 1, None, f"header lacks the column(s) {', '.join(absent)}"
            return
        for record in reader:
            if None in record:
                yield reader.line_num, None, "more cells than the header has columns"
                continue
            yield reader.line_num, record, ""
    except csv.Error as exc:  # malformed quoting, NUL bytes: the rest of the file cannot be read reliably
        yield reader.line_num or 1, None, f"not readable as CSV from here on ({exc})"


def _jsonl_records(text: str) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, None, f"not valid JSON ({exc.msg})"
            continue
        if not isinstance(record, dict):
            yield number, None, "a JSON Lines row must be an object"
            continue
        yield number, record, ""


def parse_catalog_text(text: str, *, jsonl: bool) -> ParseResult:
    """Parse catalog text; duplicate ids keep the first and report the later ones."""
    result = ParseResult()
    seen: dict[str, int] = {}
    records = _jsonl_records(text) if jsonl else _csv_records(text)
    for line, record, problem in records:
        if record is None:
            result.errors.append(RowError(line, problem))
            continue
        try:
            row = CatalogRow.canonical(record)
        except ValueError as exc:
            result.errors.append(RowError(line, str(exc)))
            continue
        if row.id in seen:
            result.errors.append(RowError(line, f"id {row.id!r} repeats line {seen[row.id]}"))
            continue
        seen[row.id] = line
        result.lines[row.id] = line
        result.rows.append(row)
    return result


def parse_catalog_file(path: str | Path) -> ParseResult:
    """Read a catalog file; JSON Lines when the name ends in .jsonl/.ndjson or the text starts with '{'.

    Raises ValueError (with a sentence) when the file cannot be read at all: missing, too large, not UTF-8.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise ValueError(f"cannot read {p}: {exc.strerror}") from None
    if size > MAX_FILE_BYTES:
        raise ValueError(f"{p} is {size // 2**20} MiB; catalog files are limited to {MAX_FILE_BYTES // 2**20} MiB")
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{p} is not UTF-8 text") from None
    jsonl = p.suffix.lower() in {".jsonl", ".ndjson"} or text.lstrip().startswith("{")
    return parse_catalog_text(text, jsonl=jsonl)
