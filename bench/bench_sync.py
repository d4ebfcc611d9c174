"""Sync server benchmark on this machine and loopback, printed beside the Kinto 26.5 figures.

python bench/bench_sync.py [--runs 30] [--wrk]

Starts a throwaway PostgreSQL 15 (tests/pg.py) and `skinlens-server serve` (1 worker), then measures:
import of 10k products (one transaction, the server's own code path), full fetch of 10k (snapshot over HTTP),
a 100-change delta, and a 304. With --wrk (Debian package `wrk`) it also compares 1 and 2 workers under load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import orjson
import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from catalog_format import parse_catalog_file
from desktop.resources import resource
from sync_server import changes
from sync_server.auth import create_device_token
from sync_server.config import ServerSettings
from sync_server.db import make_engine, make_sessions
from sync_server.migrate import upgrade_to_head
from tests.pg import start_server

KINTO = {"import 10k": "149 s", "full fetch 10k": "693 ms", "delta (100 changes)": "13.4 ms", "304": "10.8 ms"}
TARGET = {"import 10k": "≤ 3 s", "full fetch 10k": "≤ 70 ms", "delta (100 changes)": "≤ 3 ms", "304": "≤ 2 ms"}


def catalog(size: int) -> list:  # type: ignore[type-arg]
    base = parse_catalog_file(resource("catalog", "demo_catalog.csv")).rows
    return [replace(base[i % len(base)], id=f"{base[i % len(base)].id}-{i}") for i in range(size)]


def serve(database_url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = 18000 + workers
    env = dict(os.environ, DATABASE_URL=database_url, SKINLENS_ENVIRONMENT="development",
               SKINLENS_RATE_LIMIT_PER_SECOND="1000000", SKINLENS_RATE_LIMIT_BURST="1000000",
               SKINLENS_MAX_INFLIGHT_REQUESTS="10000")
    log = open(tempfile.mktemp(suffix=".log"), "wb")  # noqa: SIM115
    process = subprocess.Popen([sys.executable, "-m", "sync_server", "serve", "--port", str(port),
                                "--workers", str(workers)], env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if requests.get(f"{url}/healthz", timeout=1).ok:
                return process, url
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def timed(fn, runs: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    fn()
    values = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        values.append((time.perf_counter() - start) * 1000)
    values.sort()
    return statistics.median(values), values[int(0.95 * (len(values) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--wrk", action="store_true")
    args = parser.parse_args()
    pg = start_server()
    try:
        with psycopg.connect(pg.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE bench")
        url = pg.url("bench")
        settings = ServerSettings(environment="development", DATABASE_URL=url)  # type: ignore[call-arg]
        upgrade_to_head(settings.sqlalchemy_url)
        engine = make_engine(settings.sqlalchemy_url)
        sessions, signer = make_sessions(engine), settings.signer()
        rows = catalog(10_000)
        start = time.perf_counter()
        with sessions.begin() as session:
            outcome = changes.import_rows(session, rows, signer)
        import_s = time.perf_counter() - start
        assert outcome.upserted == 10_000
        with sessions.begin() as session:
            token = create_device_token(session, "bench")
        process, base = serve(url, 1)
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {token}"
        seq = http.get(f"{base}/healthz").json()["catalog_seq"]

        def full_fetch(gzip: bool = False) -> None:
            headers = {"Accept-Encoding": "gzip" if gzip else "identity"}
            body = orjson.loads(http.get(f"{base}/v1/catalog/snapshot/{seq}", headers=headers).content)
            assert len(body["products"]) == 10_000

        full = timed(full_fetch, max(5, args.runs // 3))
        full_gz = timed(lambda: full_fetch(True), max(5, args.runs // 3))
        changed = [replace(r, price=r.price + Decimal("1.00")) for r in rows[:100]]
        with sessions.begin() as session:
            changes.import_rows(session, changed, signer)

        def delta(encoding: str = "gzip") -> None:
            response = http.get(f"{base}/v1/catalog/changes", params={"since": seq, "limit": 1000},
                                headers={"Accept-Encoding": encoding})
            assert len(orjson.loads(response.content)["changes"]) == 100

        delta_t = timed(delta, args.runs)
        delta_plain = timed(lambda: delta("identity"), args.runs)
        etag = http.get(f"{base}/v1/catalog/changes", params={"since": seq}).headers["ETag"]

        def not_modified() -> None:
            assert http.get(f"{base}/v1/catalog/changes", params={"since": seq},
                            headers={"If-None-Match": etag}).status_code == 304

        nm = timed(not_modified, args.runs * 3)
        process.terminate()
        process.wait(10)
        results = {"import 10k": f"{import_s:.2f} s",
                   "full fetch 10k": f"{full[0]:.0f} ms p50, {full[1]:.0f} ms p95 (gzip: {full_gz[0]:.0f} ms)",
                   "delta (100 changes)": f"{delta_t[0]:.2f} ms p50, {delta_t[1]:.2f} ms p95 "
                                          f"(no gzip: {delta_plain[0]:.2f} ms)",
                   "304": f"{nm[0]:.2f} ms p50, {nm[1]:.2f} ms p95"}
        print(f"{'measure':<22} {'SkinLens':<44} {'Kinto 26.5':<12} target")
        for key, value in results.items():
            print(f"{key:<22} {value:<44} {KINTO[key]:<12} {TARGET[key]}")
        if args.wrk:
            for workers in (1, 2):
                process, base = serve(url, workers)
                path = f"/v1/catalog/changes?since={seq}"
                for label, extra in (("304", ["-H", f"If-None-Match: {etag}"]), ("delta", [])):
                    out = subprocess.run(["wrk", "-t2", "-c16", "-d10s", "-H", f"Authorization: Bearer {token}",
                                          *extra, f"{base}{path}"], capture_output=True, text=True).stdout
                    rps = next(line for line in out.splitlines() if line.startswith("Requests/sec"))
                    latency = next(line for line in out.splitlines() if line.strip().startswith("Latency"))
                    print(f"wrk {workers} worker(s), {label:<5}: {rps.split()[-1]} req/s, latency {latency.split()[1]}")
                process.terminate()
                process.wait(10)
        engine.dispose()
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
