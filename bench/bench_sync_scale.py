"""What a write and a first sync cost as the catalog grows (issue 21's targets), on this machine and loopback.

python bench/bench_sync_scale.py [--runs 40] [--small 1000] [--large 50000]

Starts a throwaway PostgreSQL 15 (tests/pg.py) and `skinlens-server serve` (1 worker), then measures:
- a single-product PUT (/v1/admin/products/{id}, a price change) on a --small and a --large catalog: the
  server keeps the catalog checksum incrementally, so the ratio should stay near 1 (target: within 3x);
- a first sync (the real desktop SyncClient into an empty SQLite store) of 10k live products with 30k
  tombstones: body bytes on the wire against the snapshot's own body (same encoding), and seconds
  (targets: no more than the snapshot, under 2 s).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_sync import catalog
from desktop.catalog.store import CatalogStore
from desktop.sync.client import SyncClient
from sync_server import changes
from sync_server.config import ServerSettings
from sync_server.db import make_engine, make_sessions
from sync_server.migrate import upgrade_to_head
from tests.integration.conftest import ADMIN, ADMIN_TOKEN, LiveServer, run_server_cli, start_server
from tests.pg import start_server as start_postgres


class CountingSession(requests.Session):
    """A requests session that remembers its responses, to add up the body bytes read off the wire."""

    def __init__(self) -> None:
        super().__init__()
        self.responses: list[requests.Response] = []

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        response = super().request(*args, **kwargs)
        self.responses.append(response)
        return response

    def wire_bytes(self) -> int:
        return sum(r.raw.tell() for r in self.responses)


def seeded(pg: Any, name: str, live: int, tombstones: int = 0) -> str:
    """A database with `live` products (and `tombstones` deleted ones), written by the server's own code."""
    with psycopg.connect(pg.url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = pg.url(name)
    settings = ServerSettings(environment="development", admin_token=ADMIN_TOKEN, DATABASE_URL=url)  # type: ignore[call-arg]
    upgrade_to_head(settings.sqlalchemy_url)
    engine = make_engine(settings.sqlalchemy_url)
    sessions, signer = make_sessions(engine), settings.signer()
    rows = catalog(live + tombstones)
    with sessions.begin() as session:
        changes.import_rows(session, rows, signer)
    if tombstones:
        with sessions.begin() as session:
            changes.import_rows(session, rows[:live], signer, replace=True)
    engine.dispose()
    return url


def put_ms(server: LiveServer, product: dict[str, Any], runs: int) -> tuple[float, float]:
    http = requests.Session()
    http.headers.update(ADMIN)
    values = []
    for i in range(runs + 3):
        body = product | {"price": str(Decimal("10.00") + i)}
        start = time.perf_counter()
        answer = http.put(f"{server.url}/v1/admin/products/{product['id']}", json=body, timeout=60)
        elapsed = (time.perf_counter() - start) * 1000
        assert answer.status_code == 200, answer.text
        if i >= 3:  # the first few warm the connection pool and PostgreSQL's caches
            values.append(elapsed)
    values.sort()
    return statistics.median(values), values[int(0.95 * (len(values) - 1))]


def first_sync(server: LiveServer) -> tuple[float, int, int, int]:
    """Seconds and wire bytes of a first sync into an empty store, the snapshot's own bytes, products held."""
    token = run_server_cli(server.database_url, "token", "create", "bench").stdout.strip()
    http = CountingSession()
    with tempfile.TemporaryDirectory() as home:
        store = CatalogStore(Path(home) / "catalog.sqlite3")
        start = time.perf_counter()
        SyncClient(server.url, token, session=http).pull(store)
        seconds = time.perf_counter() - start
        held = len(store.products())
    seq = requests.get(f"{server.url}/healthz", timeout=10).json()["catalog_seq"]
    snapshot = requests.get(f"{server.url}/v1/catalog/snapshot/{seq}", params={"digest_version": 2},
                            headers={"Authorization": f"Bearer {token}"}, stream=True, timeout=60)
    snapshot.content  # noqa: B018 - read it all, to count what came over the wire
    return seconds, http.wire_bytes(), snapshot.raw.tell(), held


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=50_000)
    args = parser.parse_args()
    pg = start_postgres()
    try:
        product = catalog(1)[0].to_wire()
        product = {k: v for k, v in product.items() if k in ("id", "brand", "name", "category", "price", "currency",
                                                             "size", "ingredients", "url", "image_url",
                                                             "skin_types", "tags")}
        put: dict[int, tuple[float, float]] = {}
        for size in (args.small, args.large):
            server = start_server(seeded(pg, f"put{size}", size))
            try:
                put[size] = put_ms(server, product, args.runs)
            finally:
                server.process.terminate()
                server.process.wait(10)
        server = start_server(seeded(pg, "first", 10_000, tombstones=30_000))
        try:
            seconds, moved, snapshot_bytes, held = first_sync(server)
        finally:
            server.process.terminate()
            server.process.wait(10)
        assert held == 10_000, held
        for size, (p50, p95) in put.items():
            print(f"PUT one product, {size:>6} products: {p50:7.1f} ms p50, {p95:7.1f} ms p95")
        ratio = put[args.large][0] / put[args.small][0]
        print(f"PUT ratio {args.large} / {args.small}: {ratio:.2f}x (target: within 3x)")
        print(f"first sync, 10k products + 30k tombstones: {seconds:.2f} s, {moved:,} body bytes on the wire; "
              f"the snapshot alone: {snapshot_bytes:,} bytes (targets: under 2 s, no more than the snapshot)")
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
