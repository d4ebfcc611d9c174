"""Issue 21's defects that a real client meets against a real server (uvicorn + PostgreSQL over loopback):
one row stopping every client, a long id wedging one, rollback, forged cursors, keys, the first sync's cost.

Each test was run against the code before the fix and failed there (see the issue 21 report)."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
import threading
from pathlib import Path

import orjson
import psycopg
import pytest
import requests

from desktop.catalog.store import CatalogStore
from desktop.resources import resource
from desktop.sync import client
from desktop.sync.client import SyncClient, SyncError
from tests.integration.conftest import ADMIN, LiveServer, Recording, run_server_cli, start_server, wait_until_served
from tests.integration.tamper import TamperingProxy

DEMO = resource("catalog", "demo_catalog.csv")
HEADER = "id,brand,name,category,price,currency,size,ingredients,url,image_url,skin_types,tags\n"
ISSUE_ROW = "p,B,N,serum,1.005,GBP,,Aqua,https://www.lookfantastic.com/p.html,,,\n"  # the issue's repro
PRODUCT = {"id": "q", "brand": "B", "name": "N", "category": "serum", "price": "5.00", "currency": "GBP",
           "ingredients": "Aqua", "url": "https://www.lookfantastic.com/q.html"}


def server_products(database_url: str) -> dict[str, str]:
    with psycopg.connect(database_url) as conn:
        return dict(conn.execute("SELECT id, content_hash FROM products WHERE NOT deleted").fetchall())


def token(live: LiveServer, name: str = "laptop") -> str:
    return run_server_cli(live.database_url, "token", "create", name).stdout.strip()


def import_text(live: LiveServer, text: str, **extra: object) -> requests.Response:
    return requests.post(f"{live.url}/v1/admin/catalog", json={"content": text, **extra}, headers=ADMIN, timeout=60)


def catalog_seq(live: LiveServer) -> int:
    return int(requests.get(f"{live.url}/healthz", timeout=10).json()["catalog_seq"])


# -- 1: one row stops every client ----------------------------------------------------------------------------
@pytest.mark.parametrize(("door", "payload"), [
    ("csv", ISSUE_ROW),  # hashed 1.00 (half-even), stored and served 1.01
    ("csv", "m,B,N,serum,-0,GBP,,Aqua,https://www.lookfantastic.com/m.html,,,\n"),  # hashed -0.00, served 0.00
    ("put", {"tags": ["a;b"]}),  # the desktop store joins tags with ';'
    ("put", {"tags": [""]}),
])
def test_no_row_accepted_at_a_door_stops_the_clients(live_server: LiveServer, tmp_path: Path, door: str,
                                                     payload: object) -> None:
    if door == "csv":
        assert import_text(live_server, HEADER + str(payload)).status_code == 200
    else:
        answer = requests.put(f"{live_server.url}/v1/admin/products/q", json=PRODUCT | dict(payload),  # type: ignore[call-overload]
                              headers=ADMIN, timeout=30)
        assert answer.status_code in (200, 422), answer.text  # accepted in canonical form, or refused with why
    store = CatalogStore(tmp_path / "local.sqlite3")
    SyncClient(live_server.url, token(live_server)).pull(store)  # "does not verify … Nothing was applied" before
    assert {p.id: p.content_hash() for p in store.products()} == server_products(live_server.database_url)


# -- 3: a long id at a page boundary ------------------------------------------------------------------------
def test_a_long_id_never_wedges_a_client(live_server: LiveServer, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    assert import_text(live_server, HEADER + ISSUE_ROW.replace("1.005", "1.00")).status_code == 200
    store = CatalogStore(tmp_path / "local.sqlite3")
    sync = SyncClient(live_server.url, token(live_server))
    sync.pull(store)  # holds a state: the next syncs read the change feed
    long_id = "a" + "x" * 305
    rows = "".join(f"{pid},B,N,serum,2,GBP,,Aqua,https://www.lookfantastic.com/{i}.html,,,\n"
                   for i, pid in enumerate([long_id, "b1", "c1"]))
    imported = import_text(live_server, HEADER + rows).json()
    monkeypatch.setattr(client, "PAGE_LIMIT", 1)  # every row ends a page
    sync.pull(store)  # page 2 was a 422 (`after` longer than 200) on every later sync
    requests.delete(f"{live_server.url}/v1/admin/products/{'b1'}", headers=ADMIN, timeout=30)
    sync.pull(store)
    assert {p.id: p.content_hash() for p in store.products()} == server_products(live_server.database_url)
    assert long_id not in server_products(live_server.database_url)
    assert any("longer than 200" in e["reason"] for e in imported["errors"])


# -- 5: two conditional imports with the same If-Match -------------------------------------------------------
def test_two_imports_with_the_same_if_match_cannot_both_pass(live_server: LiveServer) -> None:
    assert import_text(live_server, DEMO.read_text(encoding="utf-8")).status_code == 200
    outcomes = []
    for trial in range(6):
        etag = requests.get(f"{live_server.url}/v1/catalog/changes", params={"limit": 1}, headers=ADMIN,
                            timeout=30).headers["ETag"]
        start, codes = threading.Barrier(2), list[int]()

        def conditional_import(writer: int, trial: int = trial, etag: str = etag, start: threading.Barrier = start,
                               codes: list[int] = codes) -> None:
            rows = "".join(f"t{trial}-{writer}-{i},B,N,serum,2,GBP,,Aqua,https://www.lookfantastic.com/{i}.html,,,\n"
                           for i in range(400))
            start.wait()
            answer = requests.post(f"{live_server.url}/v1/admin/catalog", json={"content": HEADER + rows},
                                   headers=ADMIN | {"If-Match": etag}, timeout=120)
            codes.append(answer.status_code)

        writers = [threading.Thread(target=conditional_import, args=(w,)) for w in (1, 2)]
        for w in writers:
            w.start()
        for w in writers:
            w.join()
        outcomes.append(sorted(codes))
    assert outcomes == [[200, 412]] * 6  # both 200 in 10 of 10 trials before


# -- 6: rollback and forged cursors ---------------------------------------------------------------------------
def test_a_replayed_older_signed_snapshot_is_refused(live_server: LiveServer, tmp_path: Path) -> None:
    assert import_text(live_server, HEADER + ISSUE_ROW.replace("1.005", "1.00")).status_code == 200
    tok = token(live_server)
    old_seq = catalog_seq(live_server)
    recorded = {query: requests.get(f"{live_server.url}/v1/catalog/snapshot/{old_seq}{query}",
                                    headers={"Authorization": f"Bearer {tok}"}, timeout=30).content
                for query in ("", "?digest_version=2")}
    for name in ("n1", "n2"):
        requests.put(f"{live_server.url}/v1/admin/products/{name}", json=PRODUCT | {"id": name}, headers=ADMIN,
                     timeout=30)
    proxy = TamperingProxy(live_server.url)
    store = CatalogStore(tmp_path / "local.sqlite3")
    sync = SyncClient(proxy.url, tok)
    sync.pull(store)  # through the proxy, untouched: now at the newest state
    before = {p.id: p.content_hash() for p in store.products()}

    def replay(path: str, status: int, body: bytes) -> tuple[int, bytes, dict[str, str]]:
        query = "?digest_version=2" if "digest_version=2" in path else ""
        if path.startswith("/v1/catalog/changes"):
            return 410, b'{"status": "refetch", "horizon_seq": 99}', {"Content-Type": "application/json"}
        if path.split("?")[0] == "/v1/catalog/snapshot":
            return 307, b"", {"Location": f"{proxy.url}/v1/catalog/snapshot/{old_seq}{query}"}
        if path.startswith("/v1/catalog/snapshot/"):
            return 200, recorded[query], {"Content-Type": "application/json"}
        return status, body, {}

    proxy.rewrite = replay
    try:
        with pytest.raises(SyncError, match="refusing to go back"):
            sync.pull(store)  # before: "signature verified", and the client went back two sequences
    finally:
        proxy.close()
    assert {p.id: p.content_hash() for p in store.products()} == before == server_products(live_server.database_url)


def test_a_cursor_past_the_signed_state_is_ignored(live_server: LiveServer, tmp_path: Path) -> None:
    assert import_text(live_server, HEADER + ISSUE_ROW.replace("1.005", "1.00")).status_code == 200
    proxy = TamperingProxy(live_server.url)
    store = CatalogStore(tmp_path / "local.sqlite3")
    sync = SyncClient(proxy.url, token(live_server), sleep=lambda s: None)
    sync.pull(store)
    requests.put(f"{live_server.url}/v1/admin/products/n1", json=PRODUCT | {"id": "n1"}, headers=ADMIN, timeout=30)

    def forge(path: str, status: int, body: bytes) -> tuple[int, bytes, dict[str, str]]:
        if path.startswith("/v1/catalog/changes") and status == 200:
            page = orjson.loads(body)
            page["cursor"] = {"seq": 2**63 - 1, "after": None}  # not covered by the signature
            return status, orjson.dumps(page), {}
        return status, body, {}

    proxy.rewrite = forge
    with contextlib.suppress(SyncError):  # refusing is fine too; what matters is what is stored and what comes next
        sync.pull(store)
    proxy.rewrite = lambda path, status, body: (status, body, {})
    requests.put(f"{live_server.url}/v1/admin/products/n2", json=PRODUCT | {"id": "n2"}, headers=ADMIN, timeout=30)
    try:
        sync.pull(store)  # a forged cursor was stored before and froze every later sync
    finally:
        proxy.close()
    assert json.loads(store.get_state("cursor"))["seq"] <= catalog_seq(live_server)
    assert {p.id: p.content_hash() for p in store.products()} == server_products(live_server.database_url)


def test_a_malformed_product_is_a_sync_error_not_a_crash(live_server: LiveServer, tmp_path: Path) -> None:
    assert import_text(live_server, DEMO.read_text(encoding="utf-8")).status_code == 200
    proxy = TamperingProxy(live_server.url)

    def drop_brand(path: str, status: int, body: bytes) -> tuple[int, bytes, dict[str, str]]:
        if status == 200 and path.startswith(("/v1/catalog/changes", "/v1/catalog/snapshot/")):
            answer = orjson.loads(body)
            products = answer.get("products") or [c["product"] for c in answer["changes"] if c["product"]]
            del products[0]["brand"]
            return status, orjson.dumps(answer), {}
        return status, body, {}

    proxy.rewrite = drop_brand
    store = CatalogStore(tmp_path / "local.sqlite3")
    store.seed_demo_if_empty(DEMO)
    before = {p.id: p.content_hash() for p in store.products()}
    try:
        with pytest.raises(SyncError, match="Nothing was applied"):  # was a KeyError: "error: 'brand'"
            SyncClient(proxy.url, token(live_server)).pull(store)
    finally:
        proxy.close()
    assert {p.id: p.content_hash() for p in store.products()} == before


# -- 7: keys and transport ------------------------------------------------------------------------------------
def test_a_remote_server_needs_https_and_a_key_of_its_own(tmp_path: Path) -> None:
    store = CatalogStore(tmp_path / "local.sqlite3")
    with pytest.raises(SyncError, match="not https"):  # the token would travel in clear
        SyncClient("http://sync.example.com", "t", sleep=lambda s: None).pull(store)
    with pytest.raises(SyncError, match="No catalog signing key is pinned"):  # not the development key
        SyncClient("https://sync.example.com", "t", sleep=lambda s: None).pull(store)
    from desktop.sync import keys

    keys.pin(store, "https://sync.example.com", keys.dev_key())
    with pytest.raises(SyncError, match="development key"):
        SyncClient("https://sync.example.com", "t", sleep=lambda s: None).pull(store)


def test_the_dev_keys_readme_names_only_what_exists() -> None:
    from desktop.settings import Settings

    readme = (Path(__file__).resolve().parents[2] / "sync_server" / "dev_keys" / "README.md").read_text()
    named = re.findall(r"`(\w+)` setting", readme)
    assert all(hasattr(Settings, name) for name in named), named  # `sync_public_key` did not exist
    assert "skinlens login" in readme and "catalog_signing.pub.pem" in readme


def test_login_shows_the_fingerprint_pins_the_key_and_refuses_another(live_server: LiveServer,
                                                                        skinlens_home: Path) -> None:
    from sync_server.config import ServerSettings

    tok = token(live_server)
    env = {"SKINLENS_HOME": str(skinlens_home), "PATH": "/usr/bin:/bin", "PYTHON_KEYRING_BACKEND":
           "keyring.backends.null.Keyring"}
    expected = ServerSettings(environment="development").signer().fingerprint()  # type: ignore[call-arg]
    result = subprocess.run([sys.executable, "-m", "desktop", "login", "--server", live_server.url,
                             "--fingerprint", "SHA256:wrong"], input=tok + "\n", capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 1 and expected in result.stderr and "Traceback" not in result.stderr
    from desktop.sync import keys
    from desktop.sync.login import login

    store = CatalogStore(skinlens_home / "catalog.sqlite3")
    done = login(live_server.url, tok, store, expect_fingerprint=expected)
    assert done.fingerprint == expected and done.source == "development"
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    keys.pin(store, live_server.url, Ed25519PrivateKey.generate().public_key())  # as if another key was pinned
    with pytest.raises(SyncError, match="signing key changed"):
        login(live_server.url, tok, store)
    assert login(live_server.url, tok, store, replace_key=True).pinned_now


def test_a_replaced_key_signs_the_catalog_as_it_stands_when_the_server_restarts(database_url: str,
                                                                                 tmp_path: Path) -> None:
    """The administrator replaces the server's key and restarts it: a client that pins the new key (login
    --replace-key) can sync at once, before anything in the catalog changes and signs it anew."""
    from desktop.sync.login import login
    from sync_server.signing import Signer

    (tmp_path / "c.csv").write_text(HEADER + ISSUE_ROW.replace("1.005", "1.00"))
    assert run_server_cli(database_url, "import", str(tmp_path / "c.csv")).returncode == 0  # the dev key signs
    key_file = tmp_path / "new-key.pem"
    assert run_server_cli(database_url, "keygen", str(key_file)).returncode == 0
    server = start_server(database_url, env={"SKINLENS_SIGNING_KEY_PATH": str(key_file)})
    try:
        store = CatalogStore(tmp_path / "local.sqlite3")
        tok = token(server)
        done = login(server.url, tok, store)
        assert done.fingerprint == Signer.from_file(key_file).fingerprint() and done.source == "pinned"
        result = SyncClient(server.url, tok).pull(store)
        assert [p.id for p in store.products()] == ["p"] and done.fingerprint in result.summary()
        migrated = run_server_cli(database_url, "migrate")  # an admin command run with the old (dev) key ...
        assert migrated.returncode == 0, migrated.stderr
        with psycopg.connect(database_url) as conn:  # ... does not re-sign the state with it
            seq, digest, signature = conn.execute(
                "SELECT d.seq, d.digest, d.signature FROM catalog_digests d JOIN catalog_state s ON d.seq = s.seq"
            ).fetchone()
        assert Signer.from_file(key_file).made(bytes(signature), seq, digest)
    finally:
        server.process.terminate()
        server.process.wait(10)


# -- 9: the first sync's cost ---------------------------------------------------------------------------------
def test_a_first_sync_takes_the_snapshot_not_every_tombstone(live_server: LiveServer, tmp_path: Path) -> None:
    assert import_text(live_server, DEMO.read_text(encoding="utf-8")).status_code == 200
    kept = "".join(DEMO.read_text(encoding="utf-8").splitlines(keepends=True)[:101])
    assert import_text(live_server, kept, replace=True).json()["deleted"] == 846
    tok = token(live_server)
    snapshot = requests.get(f"{live_server.url}/v1/catalog/snapshot", params={"digest_version": 2}, timeout=30,
                            headers={"Authorization": f"Bearer {tok}", "Accept-Encoding": "identity"})
    http = Recording()
    store = CatalogStore(tmp_path / "local.sqlite3")
    SyncClient(live_server.url, tok, session=http).pull(store)
    assert not any(p.startswith("catalog/changes") for p in http.paths), http.paths  # 846 tombstones before
    assert http.bytes <= len(snapshot.content) and store.count() == 100


def test_a_sync_far_behind_takes_the_snapshot(live_server: LiveServer, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert import_text(live_server, DEMO.read_text(encoding="utf-8")).status_code == 200
    tok = token(live_server)
    store = CatalogStore(tmp_path / "local.sqlite3")
    SyncClient(live_server.url, tok).pull(store)
    kept = "".join(DEMO.read_text(encoding="utf-8").splitlines(keepends=True)[:11])
    assert import_text(live_server, kept, replace=True).json()["deleted"] == 936  # 936 changes, 10 products
    monkeypatch.setattr(client, "PAGE_LIMIT", 100)
    http = Recording()
    result = SyncClient(live_server.url, tok, session=http).pull(store)
    assert result.snapshot and sum(p.startswith("catalog/changes") for p in http.paths) == 1, http.paths
    assert {p.id: p.content_hash() for p in store.products()} == server_products(live_server.database_url)


def test_a_write_between_the_snapshot_redirect_and_its_fetch_makes_the_client_ask_again(
        live_server: LiveServer, tmp_path: Path) -> None:
    """The snapshot's immutable URL names a sequence; a write landing after the redirect makes it a 404 ("no
    longer the current catalog"). A first sync while the catalog is being written must not fail on that."""
    assert import_text(live_server, DEMO.read_text(encoding="utf-8")).status_code == 200
    tok = token(live_server)
    stale: list[str] = []

    def write_before_the_fetch(path: str, status: int, body: bytes) -> tuple[int, bytes, dict[str, str]]:
        if not path.startswith("/v1/catalog/snapshot/") or stale:
            return status, body, {}
        stale.append(path)
        put = requests.put(f"{live_server.url}/v1/admin/products/q", json=PRODUCT, headers=ADMIN, timeout=30)
        assert put.status_code == 200, put.text
        wait_until_served(live_server)  # the write reaches the worker's cache through NOTIFY, not at once
        again = requests.get(live_server.url + path, headers={"Authorization": f"Bearer {tok}"}, timeout=30)
        return again.status_code, again.content, {}

    proxy = TamperingProxy(live_server.url)
    proxy.rewrite = write_before_the_fetch
    store = CatalogStore(tmp_path / "local.sqlite3")
    try:
        result = SyncClient(proxy.url, tok, sleep=lambda s: None).pull(store)
    finally:
        proxy.close()
    fetched = [p for p in proxy.requests if p.startswith("/v1/catalog/snapshot/")]
    assert len(fetched) == 2 and fetched[0] == stale[0] != fetched[1], proxy.requests
    assert result.snapshot and {p.id: p.content_hash() for p in store.products()} == server_products(
        live_server.database_url)
    assert "q" in {p.id for p in store.products()}  # the product written in between
