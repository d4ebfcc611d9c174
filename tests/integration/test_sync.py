"""The desktop sync client against a real uvicorn + PostgreSQL: correctness under concurrency and faults."""

from __future__ import annotations

import contextlib
import json
import random
import socket
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from catalog_format import CatalogRow, parse_catalog_file
from desktop.catalog.store import CatalogStore
from desktop.resources import resource
from desktop.sync import client
from desktop.sync.client import SyncClient, SyncError
from sync_server import changes
from sync_server.config import ServerSettings
from sync_server.db import make_engine, make_sessions
from sync_server.signing import Signer
from tests.integration.conftest import LiveServer, run_server_cli, wait_until_served

DEMO = resource("catalog", "demo_catalog.csv")


def server_products(database_url: str) -> dict[str, str]:
    """id -> content hash of every live product on the server."""
    with psycopg.connect(database_url) as conn:
        return dict(conn.execute("SELECT id, content_hash FROM products WHERE NOT deleted").fetchall())


def server_digests(database_url: str) -> set[str]:
    with psycopg.connect(database_url) as conn:
        return {row[0] for row in conn.execute("SELECT digest FROM catalog_digests")}


def local_products(store: CatalogStore) -> dict[str, str]:
    return {p.id: p.content_hash() for p in store.products()}


def token(live: LiveServer, name: str = "laptop") -> str:
    return run_server_cli(live.database_url, "token", "create", name).stdout.strip()


def test_sync_brings_every_product_and_later_deletions(live_server: LiveServer, tmp_path: Path) -> None:
    assert run_server_cli(live_server.database_url, "import", str(DEMO)).returncode == 0
    store = CatalogStore(tmp_path / "local.sqlite3")
    store.seed_demo_if_empty(DEMO)
    outcome = SyncClient(live_server.url, token(live_server)).pull(store)
    assert outcome.upserted == 946 and store.count() == 946
    assert store.stats()["by_source"] == {"sync": 946}
    assert all("affil=skinlens" in p.affiliate_url for p in store.products())
    assert local_products(store) == server_products(live_server.database_url)
    kept = "".join(DEMO.read_text(encoding="utf-8").splitlines(keepends=True)[:101])
    (tmp_path / "kept.csv").write_text(kept, encoding="utf-8")
    assert run_server_cli(live_server.database_url, "import", "--replace", str(tmp_path / "kept.csv")).returncode == 0
    second = SyncClient(live_server.url, token(live_server, "x")).pull(store)
    assert second.deleted == 846 and store.count() == 100
    assert json.loads(store.get_state("cursor"))["seq"] == 2


def test_sync_cli_with_token_in_environment(live_server: LiveServer, skinlens_home: Path) -> None:
    assert run_server_cli(live_server.database_url, "import", str(DEMO)).returncode == 0
    env = {"SKINLENS_HOME": str(skinlens_home), "SKINLENS_SYNC_TOKEN": token(live_server), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "desktop", "sync", "--server", live_server.url],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "946 products in the local catalog" in result.stdout and "signature verified with SHA256:" in result.stdout
    no_token = subprocess.run([sys.executable, "-m", "desktop", "sync", "--server", live_server.url],
                              capture_output=True, text=True, env=env | {"SKINLENS_SYNC_TOKEN": ""}, timeout=60)
    assert no_token.returncode == 1 and "Traceback" not in no_token.stderr


def test_wrong_key_wrong_token_and_dead_server_apply_nothing(live_server: LiveServer, tmp_path: Path) -> None:
    assert run_server_cli(live_server.database_url, "import", str(DEMO)).returncode == 0
    store = CatalogStore(tmp_path / "local.sqlite3")
    store.seed_demo_if_empty(DEMO)
    before = local_products(store)
    other_key = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(SyncError, match="signature is not valid"):
        SyncClient(live_server.url, token(live_server), public_key=other_key).pull(store)
    with pytest.raises(SyncError, match="refused the token"):
        SyncClient(live_server.url, "wrong").pull(store)
    with pytest.raises(SyncError, match="cannot be reached"):
        SyncClient("http://127.0.0.1:9", "t", sleep=lambda s: None).pull(store)
    assert local_products(store) == before  # the demo catalog, untouched


def test_a_tampered_local_catalog_is_repaired_from_the_snapshot(live_server: LiveServer, tmp_path: Path) -> None:
    assert run_server_cli(live_server.database_url, "import", str(DEMO)).returncode == 0
    store = CatalogStore(tmp_path / "local.sqlite3")
    sync = SyncClient(live_server.url, token(live_server))
    sync.pull(store)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE products SET name = 'changed behind our back' WHERE rowid = 5")
        conn.exec_driver_sql("DELETE FROM products WHERE rowid = 9")
    repaired = sync.pull(store)
    assert repaired.snapshot
    assert local_products(store) == server_products(live_server.database_url)


def test_an_interrupted_sync_resumes_from_its_last_page(live_server: LiveServer, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "one.csv").write_text("".join(DEMO.read_text(encoding="utf-8").splitlines(keepends=True)[:2]),
                                      encoding="utf-8")
    assert run_server_cli(live_server.database_url, "import", str(tmp_path / "one.csv")).returncode == 0
    store = CatalogStore(tmp_path / "local.sqlite3")
    SyncClient(live_server.url, token(live_server)).pull(store)  # a first sync (the snapshot): one product held
    assert run_server_cli(live_server.database_url, "import", str(DEMO)).returncode == 0  # 945 changes to page
    monkeypatch.setattr(client, "PAGE_LIMIT", 100)

    class Failing(requests.Session):
        calls = 0

        def get(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            Failing.calls += 1
            if Failing.calls > 4:
                raise requests.ConnectionError("network gone")
            return super().get(*args, **kwargs)

    with pytest.raises(SyncError):
        SyncClient(live_server.url, token(live_server), session=Failing(), sleep=lambda s: None).pull(store)
    assert store.stats()["by_source"] == {"sync": 1}  # nothing applied
    assert json.loads(store.get_state("staging"))["cursor"]["after"]  # but 4 pages are staged

    class Counting(requests.Session):
        calls = 0

        def get(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            Counting.calls += 1
            return super().get(*args, **kwargs)

    result = SyncClient(live_server.url, token(live_server, "y"), session=Counting()).pull(store)
    assert Counting.calls == 6  # pages 5..10 only
    assert result.upserted == 945 and local_products(store) == server_products(live_server.database_url)


def test_a_cursor_behind_the_horizon_gets_the_snapshot(live_server: LiveServer, tmp_path: Path) -> None:
    assert run_server_cli(live_server.database_url, "import", str(DEMO)).returncode == 0
    store = CatalogStore(tmp_path / "local.sqlite3")
    sync = SyncClient(live_server.url, token(live_server))
    sync.pull(store)
    (tmp_path / "half.csv").write_text("".join(DEMO.read_text(encoding="utf-8").splitlines(keepends=True)[:474]),
                                       encoding="utf-8")
    run_server_cli(live_server.database_url, "import", "--replace", str(tmp_path / "half.csv"))
    with psycopg.connect(live_server.database_url) as conn:
        conn.execute("UPDATE products SET updated_at = now() - interval '100 days' WHERE deleted")
    assert run_server_cli(live_server.database_url, "compact", "--older-than", "90").returncode == 0
    result = sync.pull(store)
    assert result.snapshot and store.count() == 473
    assert local_products(store) == server_products(live_server.database_url)


# -- concurrency: the Kinto #602 scenario --------------------------------------------------------------------
def _row(pid: str) -> CatalogRow:
    return CatalogRow(id=pid, brand="Conc", name=f"Product {pid}", category="serum", price=Decimal("9.99"),
                      currency="GBP", ingredients="Aqua, Niacinamide", url=f"https://www.lookfantastic.com/{pid}.html")


def _writers(database_url: str) -> tuple[Engine, sessionmaker[Session], Signer]:
    """An engine, sessions and the signer, as the server's own writing code uses them."""
    settings = ServerSettings(environment="development", DATABASE_URL=database_url)  # type: ignore[call-arg]
    engine = make_engine(settings.sqlalchemy_url)
    return engine, make_sessions(engine), settings.signer()


def _catalog_seq(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        return int(conn.execute("SELECT seq FROM catalog_state").fetchone()[0])  # type: ignore[index]


def _write_one(sessions: sessionmaker[Session], signer: Signer, pid: str, hold: float) -> int:
    """One writing transaction as the server runs it, kept open `hold` seconds after taking its number."""
    with sessions.begin() as session:
        seq = changes.bump_sequence(session)
        time.sleep(hold)
        changes.upsert_values(session, [changes.product_values(_row(pid), changes.retailer_rules(session))], seq)
        changes.record_digest(session, seq, signer)
    return seq


def test_every_writing_transaction_gets_its_own_sequence_number(database_url: str) -> None:
    """Eight writers, five transactions each, all at once: forty commits take forty consecutive numbers, and
    every product carries its own transaction's (two writers sharing one would let a client skip a change)."""
    engine, sessions, signer = _writers(database_url)
    base = _catalog_seq(database_url)
    start = threading.Barrier(8)
    taken: dict[str, int] = {}

    def writer(w: int) -> None:
        start.wait()
        for i in range(5):
            taken[f"w{w}-{i}"] = _write_one(sessions, signer, f"w{w}-{i}", 0.003)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    assert sorted(taken.values()) == list(range(base + 1, base + 41))
    with psycopg.connect(database_url) as conn:
        assert dict(conn.execute("SELECT id, seq FROM products").fetchall()) == taken
    assert _catalog_seq(database_url) == base + 40


def test_sequence_numbers_become_visible_in_commit_order(database_url: str) -> None:
    """Thirty writers keep their transactions open for different times after taking a number, while a reader
    polls the products: it must never see seq N+1 while N is still uncommitted (a client whose cursor passed
    N+1 would never fetch N)."""
    engine, sessions, signer = _writers(database_url)
    base = _catalog_seq(database_url)
    rng = random.Random(7)
    holds = [rng.uniform(0.0, 0.02) for _ in range(30)]
    start, done = threading.Barrier(len(holds) + 1), threading.Event()
    seen: list[list[int]] = []

    def writer(k: int) -> None:
        start.wait()
        _write_one(sessions, signer, f"v{k}", holds[k])

    def reader() -> None:
        with psycopg.connect(database_url, autocommit=True) as conn:
            start.wait()
            while not done.is_set():
                seen.append(sorted(row[0] for row in conn.execute("SELECT DISTINCT seq FROM products")))

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(len(holds))]
    observer = threading.Thread(target=reader)
    for t in [observer, *threads]:
        t.start()
    for t in threads:
        t.join()
    done.set()
    observer.join()
    engine.dispose()
    gaps = [s for s in seen if s != list(range(base + 1, base + 1 + len(s)))]
    assert not gaps, f"seen with a gap: {gaps[:3]}"
    assert len({len(s) for s in seen}) > 5  # the reader watched the catalog grow, not only its end state
    assert _catalog_seq(database_url) == base + len(holds)


def test_concurrent_writers_never_lose_a_change(live_server: LiveServer, tmp_path: Path) -> None:
    """Writer A commits 25 products in one slow transaction while writer B commits single products and the
    client syncs repeatedly; after both finish the client holds exactly the server's catalog, and it got
    there from the change feed alone: a snapshot fallback would mean a sync did not verify (the client's
    repair would hide a server that hands out sequence numbers wrongly). 100 runs."""
    engine, sessions, signer = _writers(live_server.database_url)
    store = CatalogStore(tmp_path / "local.sqlite3")
    sync = SyncClient(live_server.url, token(live_server), sleep=lambda s: None)
    try:
        for run in range(100):
            def slow_writer(run: int = run) -> None:
                with sessions.begin() as session:
                    seq = changes.bump_sequence(session)
                    retailers = changes.retailer_rules(session)
                    for i in range(25):
                        changes.upsert_values(session, [changes.product_values(_row(f"a{run}-{i}"), retailers)], seq)
                        time.sleep(0.002)
                    changes.record_digest(session, seq, signer)

            def single_writer(run: int = run) -> None:
                for i in range(3):
                    with sessions.begin() as session:
                        changes.upsert_product(session, _row(f"b{run}-{i}"), signer)

            writers = [threading.Thread(target=slow_writer), threading.Thread(target=single_writer)]
            for w in writers:
                w.start()
            results = []
            while any(w.is_alive() for w in writers):
                results.append(sync.pull(store))
            for w in writers:
                w.join()
            wait_until_served(live_server)  # other writers reach the server's memory by NOTIFY, within the bound
            results.append(sync.pull(store))
            refetched = [r.refetch_reason for r in results if r.refetch_reason]
            assert refetched == [], f"run {run}: {len(refetched)} syncs fell back to the snapshot: {refetched[0]}"
            assert local_products(store) == server_products(live_server.database_url), f"run {run} lost a change"
    finally:
        engine.dispose()
    assert store.count() == 100 * 28


# -- faults: the connection cut at random points -------------------------------------------------------------
class CuttingProxy:
    """A loopback TCP proxy that cuts each response after a random number of bytes (or lets it through)."""

    def __init__(self, upstream_port: int, rng: random.Random) -> None:
        self.upstream_port, self.rng = upstream_port, rng
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cuts = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                downstream, _ = self.listener.accept()
            except OSError:
                return
            limit = self.rng.choice([None, self.rng.randint(0, 60_000)])
            threading.Thread(target=self._pipe, args=(downstream, limit), daemon=True).start()

    def _pipe(self, downstream: socket.socket, limit: int | None) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port))

        def forward_requests() -> None:
            try:
                while data := downstream.recv(65536):
                    upstream.sendall(data)
            except OSError:
                pass

        threading.Thread(target=forward_requests, daemon=True).start()
        sent = 0
        try:
            while data := upstream.recv(65536):
                if limit is not None and sent + len(data) > limit:
                    downstream.sendall(data[: max(0, limit - sent)])
                    self.cuts += 1
                    break
                downstream.sendall(data)
                sent += len(data)
        except OSError:
            pass
        finally:
            for s in (downstream, upstream):
                with contextlib.suppress(OSError):  # shutdown, not only close: another thread is in recv()
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def close(self) -> None:
        self.listener.close()


def test_connection_cut_at_random_points_leaves_a_server_state(live_server: LiveServer, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client, "PAGE_LIMIT", 200)
    monkeypatch.setattr(client, "MAX_ATTEMPTS", 1)  # no retries: every cut aborts the sync
    rng = random.Random(602)
    port = int(live_server.url.rsplit(":", 1)[1])
    proxy = CuttingProxy(port, rng)
    store = CatalogStore(tmp_path / "local.sqlite3")
    tok = token(live_server)
    rows = parse_catalog_file(DEMO).rows
    engine, sessions, signer = _writers(live_server.database_url)
    failures = 0
    for attempt in range(50):
        with sessions.begin() as session:  # the server moves on between syncs
            changes.import_rows(session, rng.sample(rows, rng.randint(100, len(rows))), signer, replace=True)
        try:
            SyncClient(f"http://127.0.0.1:{proxy.port}", tok, sleep=lambda s: None).pull(store)
        except SyncError:
            failures += 1
        digest = store.synced_digest()
        assert store.get_state("cursor") == "" or digest in server_digests(live_server.database_url), attempt
    proxy.close()
    engine.dispose()
    assert failures >= 10 and proxy.cuts >= failures  # the faults really happened
    wait_until_served(live_server)
    SyncClient(live_server.url, tok).pull(store)
    assert local_products(store) == server_products(live_server.database_url)
