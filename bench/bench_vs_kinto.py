"""SkinLens sync server and Kinto 26.5, side by side in one run, on one PostgreSQL.

python bench/bench_vs_kinto.py [--products 5000] [--runs 20] [--load-seconds 10]

Installs Kinto 26.5.0 in its own virtual environment under ~/.cache/skinlens-bench (once; from the package
index), starts a throwaway PostgreSQL 15 (tests/pg.py) with one database per server, starts both servers with
one worker each on loopback, loads the same catalog into both and measures every row in alternating order
(A B, then B A), reporting medians and the ratio Kinto / SkinLens. Throughput comes from `wrk` (16
connections) when it is installed, otherwise from a Python load generator (the output says which). The
PostgreSQL sessions each server opens under load come from pg_stat_database.

Kinto is configured as its documentation suggests for PostgreSQL (storage and permissions in PostgreSQL,
cache in memory), with Basic auth; its records are the same products, in the same JSON form.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import orjson
import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loadgen import load  # noqa: E402
from bench.servers import (  # noqa: E402
    ADMIN_TOKEN,
    COLLECTION,
    KINTO_AUTH,
    catalog,
    kinto_bin,
    kinto_id,
    kinto_write,
    record,
    start_kinto,
    start_skinlens,
)
from tests.pg import PgServer, start_server  # noqa: E402

GOALS = {"304, nothing changed": 5.0, "delta, 100 updates + 10 deletes": 5.0,
         "full fetch, client asks for gzip": 3.0, "one PUT": 1.0}


def alternate(a: Callable[[], object], b: Callable[[], object], runs: int) -> tuple[float, float]:
    """Medians in ms of a and b, timed in the order A B, B A, A B, ... after one warm-up each."""
    a()
    b()
    times: tuple[list[float], list[float]] = ([], [])
    for i in range(runs):
        order = ((0, a), (1, b)) if i % 2 == 0 else ((1, b), (0, a))
        for index, fn in order:
            start = time.perf_counter()
            fn()
            times[index].append((time.perf_counter() - start) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def sessions_opened(pg: PgServer, database: str) -> int:
    with psycopg.connect(pg.url(), autocommit=True) as conn:
        row = conn.execute("SELECT sessions FROM pg_stat_database WHERE datname = %s", (database,)).fetchone()
    return int(row[0]) if row else 0


class Bench:
    def __init__(self, args: argparse.Namespace, pg: PgServer, workdir: Path) -> None:
        self.args, self.pg = args, pg
        self.rows = catalog(args.products)
        self.ours, bulk_ours, token = start_skinlens(pg, self.rows, workdir)
        self.kinto, bulk_kinto = start_kinto(pg, self.rows, workdir)
        self.table: list[tuple[str, str, str, float]] = []
        self.add(f"bulk load {len(self.rows)} (CLI import; Kinto: batches of 25)", bulk_ours * 1000,
                 bulk_kinto * 1000)
        self.token = token
        self.s = requests.Session()
        self.s.headers["Authorization"] = f"Bearer {token}"
        self.k = requests.Session()
        self.k.auth = KINTO_AUTH
        self.failures = 0

    def add(self, label: str, ours_ms: float, kinto_ms: float) -> None:
        self.table.append((label, _ms(ours_ms), _ms(kinto_ms), kinto_ms / ours_ms))

    def get(self, http: requests.Session, url: str, expect: int = 200, **kwargs: object) -> requests.Response:
        answer = http.get(url, timeout=60, **kwargs)  # type: ignore[arg-type]
        if answer.status_code != expect:
            self.failures += 1
            raise RuntimeError(f"GET {url}: {answer.status_code} {answer.text[:200]}")
        return answer

    def ours_seq(self) -> int:
        return int(self.get(self.s, f"{self.ours.base}/healthz").json()["catalog_seq"])

    def kinto_ts(self) -> str:
        return self.get(self.k, f"{self.kinto.base}{COLLECTION}/records", params={"_limit": 1}).headers["ETag"]

    def full_fetches(self) -> None:
        n, seq = len(self.rows), self.ours_seq()
        snapshot = f"{self.ours.base}/v1/catalog/snapshot/{seq}"
        records = f"{self.kinto.base}{COLLECTION}/records"
        for label, encoding in (("identity (snapshot)", "identity"), ("client asks for gzip", "gzip")):
            headers = {"Accept-Encoding": encoding}

            def ours(headers: dict[str, str] = headers) -> None:
                body = orjson.loads(self.get(self.s, snapshot, params={"digest_version": 2}, headers=headers).content)
                assert len(body["products"]) == n

            def theirs(headers: dict[str, str] = headers) -> None:
                assert len(orjson.loads(self.get(self.k, records, headers=headers).content)["data"]) == n

            self.add(f"full fetch, {label}", *alternate(ours, theirs, max(5, self.args.runs // 2)))

        def ours_pages() -> None:
            params: dict[str, object] = {"since": 0, "limit": 1000, "digest_version": 2}
            total = 0
            while True:
                page = orjson.loads(self.get(self.s, f"{self.ours.base}/v1/catalog/changes", params=params).content)
                total += len(page["changes"])
                if not page["more"]:
                    break
                params = {"since": page["cursor"]["seq"], "after": page["cursor"]["after"], "limit": 1000,
                          "digest_version": 2}
            assert total == n

        def theirs_pages() -> None:
            url: str | None = f"{records}?_limit=1000"
            total = 0
            while url:
                answer = self.get(self.k, url)
                total += len(orjson.loads(answer.content)["data"])
                url = answer.headers.get("Next-Page")
            assert total == n

        self.add("full fetch in pages of 1,000", *alternate(ours_pages, theirs_pages, max(5, self.args.runs // 2)))

    def change_both(self) -> tuple[int, str]:
        """100 updates and 10 deletes on both servers; returns the cursors from before them."""
        seq, ts = self.ours_seq(), self.kinto_ts().strip('"')
        changed = [replace(r, price=r.price + Decimal("1.00")) for r in self.rows[:100]]
        gone = self.rows[100:110]
        content = "".join(orjson.dumps(record(r)).decode() + "\n" for r in changed)
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        requests.post(f"{self.ours.base}/v1/admin/catalog", json={"format": "jsonl", "content": content},
                      headers=admin, timeout=60).raise_for_status()
        for r in gone:
            requests.delete(f"{self.ours.base}/v1/admin/products/{r.id}", headers=admin, timeout=60).raise_for_status()
        kinto_write(self.k, self.kinto.base, [("PUT", r) for r in changed] + [("DELETE", r) for r in gone])
        return seq, ts

    def polls(self) -> tuple[str, dict[str, str], str, dict[str, str]]:
        seq, ts = self.change_both()
        ours_delta = f"{self.ours.base}/v1/catalog/changes?since={seq}&limit=1000&digest_version=2"
        theirs_delta = f"{self.kinto.base}{COLLECTION}/records?_since={ts}"

        def ours() -> None:
            assert len(orjson.loads(self.get(self.s, ours_delta).content)["changes"]) == 110

        def theirs() -> None:
            assert len(orjson.loads(self.get(self.k, theirs_delta).content)["data"]) == 110

        self.add("delta, 100 updates + 10 deletes", *alternate(ours, theirs, self.args.runs * 2))
        ours_etag = {"If-None-Match": self.get(self.s, ours_delta).headers["ETag"]}
        theirs_etag = {"If-None-Match": self.get(self.k, theirs_delta).headers["ETag"]}
        self.add("304, nothing changed", *alternate(
            lambda: self.get(self.s, ours_delta, expect=304, headers=ours_etag),
            lambda: self.get(self.k, theirs_delta, expect=304, headers=theirs_etag), self.args.runs * 4))
        return ours_delta, ours_etag, theirs_delta, theirs_etag

    def puts(self) -> None:
        row = self.rows[200]
        admin = requests.Session()  # keep-alive, as the Kinto session has
        admin.headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"
        counter = iter(range(10**9))

        def ours() -> None:
            body = record(replace(row, price=row.price + next(counter)))
            body.pop("affiliate_url")
            answer = admin.put(f"{self.ours.base}/v1/admin/products/{row.id}", json=body, timeout=60)
            assert answer.status_code == 200, answer.text

        def theirs() -> None:
            body = record(replace(row, price=row.price + next(counter)))
            answer = self.k.put(f"{self.kinto.base}{COLLECTION}/records/{kinto_id(row.id)}", json={"data": body},
                                timeout=60)
            assert answer.status_code == 200, answer.text

        self.add("one PUT", *alternate(ours, theirs, self.args.runs))

    def throughput(self, targets: tuple[str, dict[str, str], str, dict[str, str]]) -> list[str]:
        ours_delta, ours_etag, theirs_delta, theirs_etag = targets
        ours_auth = {"Authorization": f"Bearer {self.token}"}
        theirs_auth = {"Authorization": requests.auth._basic_auth_str(*KINTO_AUTH)}
        lines = []
        for label, ours_headers, theirs_headers in (("304", ours_etag, theirs_etag), ("delta", {}, {})):
            before = sessions_opened(self.pg, "skinlens"), sessions_opened(self.pg, "kinto")
            theirs_first = label == "delta"  # alternate which server goes first
            runs = [("Kinto", theirs_delta, theirs_auth | theirs_headers),
                    ("SkinLens", ours_delta, ours_auth | ours_headers)]
            results = {}
            for name, url, headers in runs if theirs_first else runs[::-1]:
                results[name] = load(url, headers, connections=16, seconds=self.args.load_seconds,
                                     expect=304 if label == "304" else 200)
            after = sessions_opened(self.pg, "skinlens"), sessions_opened(self.pg, "kinto")
            ours, theirs = results["SkinLens"], results["Kinto"]
            self.failures += ours.failed + theirs.failed
            goal = f"≥ 3× ours: {'met' if ours.rps >= 3 * theirs.rps else 'NOT met'}" if label == "304" else ""
            lines.append(f"| {ours.tool} 16 connections, {label}: req/s | {ours.rps:.0f} | {theirs.rps:.0f} | "
                         f"{ours.rps / theirs.rps:.1f}× ours | {goal} |")
            lines.append(f"|   {label} under load: failed requests / new PostgreSQL sessions | "
                         f"{ours.failed} / {after[0] - before[0]} | {theirs.failed} / {after[1] - before[1]} | |")
        return lines


def _ms(value: float) -> str:
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--load-seconds", type=float, default=10.0)
    args = parser.parse_args()
    kinto_bin()
    pg = start_server()
    workdir = Path(tempfile.mkdtemp(prefix="bench-vs-kinto-"))
    bench = None
    try:
        with psycopg.connect(pg.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE skinlens")
            conn.execute("CREATE DATABASE kinto")
        bench = Bench(args, pg, workdir)
        bench.full_fetches()
        targets = bench.polls()
        bench.puts()
        load_lines = bench.throughput(targets)
        with psycopg.connect(pg.url(), autocommit=True) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        print(f"\n{len(bench.rows)} products, one worker each, one PostgreSQL {version}, "
              f"medians of alternating runs\n")
        print("| work | SkinLens | Kinto 26.5.0 | Kinto / SkinLens | goal |")
        print("|---|---|---|---|---|")
        for label, ours, theirs, ratio in bench.table:
            goal = GOALS.get(label)
            mark = "" if goal is None else f"≥ {goal:g}: {'met' if ratio >= goal else 'NOT met'}"
            print(f"| {label} | {ours} | {theirs} | {ratio:.2f} | {mark} |")
        print("\n".join(load_lines))
        print(f"\nfailed requests in the whole run: {bench.failures}")
    finally:
        if bench is not None:
            bench.ours.stop()
            bench.kinto.stop()
        pg.stop()


if __name__ == "__main__":
    main()
