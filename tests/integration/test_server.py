"""The sync server against a real PostgreSQL: CLI, API, and the desktop client over a real uvicorn."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from desktop.catalog.store import CatalogStore
from desktop.resources import resource
from desktop.sync.client import SyncClient, SyncError
from sync_server.app import create_app
from sync_server.config import ServerSettings
from tests.integration.conftest import ADMIN_TOKEN, LiveServer, run_server_cli
from tests.unit.test_analyze_cli import run_cli

DEMO = resource("catalog", "demo_catalog.csv")
HEADER = "id,brand,name,category,price,currency,ingredients,url,skin_types,tags\n"


def live_count(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        return conn.execute("SELECT count(*) FROM products WHERE NOT deleted").fetchone()[0]  # type: ignore[index]


@pytest.fixture
def client(database_url: str) -> TestClient:
    settings = ServerSettings(environment="test", admin_token=ADMIN_TOKEN, DATABASE_URL=database_url)  # type: ignore[call-arg]
    return TestClient(create_app(settings))


def test_cli_migrate_import_and_tokens(database_url: str) -> None:
    assert run_server_cli(database_url, "migrate").returncode == 0
    result = run_server_cli(database_url, "import", str(DEMO))
    assert result.returncode == 0, result.stderr
    assert "imported 946 products" in result.stdout
    assert live_count(database_url) == 946
    token = run_server_cli(database_url, "token", "create", "kiosk-1").stdout.strip()
    assert token.startswith("slt_") and len(token) > 30
    with psycopg.connect(database_url) as conn:
        stored = conn.execute("SELECT token_hash FROM device_tokens WHERE name='kiosk-1'").fetchone()
    assert stored and token not in stored[0]  # only the hash is stored
    assert run_server_cli(database_url, "token", "revoke", "kiosk-1").returncode == 0
    assert run_server_cli(database_url, "token", "revoke", "nobody").returncode == 1


def test_default_secret_refused_outside_development(database_url: str) -> None:
    import os
    import subprocess
    import sys

    env = dict(os.environ, SKINLENS_ENVIRONMENT="production", DATABASE_URL=database_url)
    env.pop("SKINLENS_ADMIN_TOKEN", None)
    result = subprocess.run([sys.executable, "-m", "sync_server", "serve"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2 and "SKINLENS_ADMIN_TOKEN" in result.stderr


def test_changes_need_a_valid_token(client: TestClient, database_url: str) -> None:
    assert client.get("/v1/catalog/changes").status_code == 401
    assert client.get("/v1/catalog/changes", headers={"Authorization": "Bearer nope"}).status_code == 401
    token = run_server_cli(database_url, "token", "create", "d").stdout.strip()
    assert client.get("/v1/catalog/changes", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    run_server_cli(database_url, "token", "revoke", "d")
    assert client.get("/v1/catalog/changes", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_paging_covers_every_product_once_and_tombstones_deletions(client: TestClient, database_url: str) -> None:
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    content = DEMO.read_text(encoding="utf-8")
    imported = client.post("/v1/admin/catalog", json={"content": content}, headers=admin).json()
    assert imported["upserted"] == 946 and imported["errors"] == []
    seen: list[str] = []
    cursor = {"seq": 0, "after": None}
    while True:
        params = {"since": cursor["seq"], "limit": 100} | ({"after": cursor["after"]} if cursor["after"] else {})
        page = client.get("/v1/catalog/changes", params=params, headers=admin).json()
        seen += [c["id"] for c in page["changes"]]
        cursor = page["cursor"]
        if not page["more"]:
            break
    assert len(seen) == len(set(seen)) == 946
    # replace with the first 10 rows: the other 936 become tombstones after the cursor
    first_ten = "".join(content.splitlines(keepends=True)[:11])
    replaced = client.post("/v1/admin/catalog", json={"content": first_ten, "replace": True}, headers=admin).json()
    assert replaced["deleted"] == 936
    page = client.get("/v1/catalog/changes", params={"since": cursor["seq"], "limit": 5000}, headers=admin).json()
    assert sum(c["deleted"] for c in page["changes"]) == 936
    assert all(c["product"] is None for c in page["changes"] if c["deleted"])


def test_import_rejects_non_https_and_unknown_retailers(client: TestClient) -> None:
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    rows = (HEADER + "a,B,N,serum,5,GBP,Aqua,http://www.lookfantastic.com/a.html,,\n"
            "b,B,N,serum,5,GBP,Aqua,https://evil.example/b,,\n"
            "c,B,N,serum,5,GBP,Aqua,https://www.lookfantastic.com/c.html,,\n")
    out = client.post("/v1/admin/catalog", json={"content": rows}, headers=admin).json()
    assert out["upserted"] == 1
    assert sorted(e["reason"].split(" ")[0] for e in out["errors"]) == ["host", "url"]
    assert client.post("/v1/admin/catalog", json={"content": rows}).status_code == 401


def test_desktop_sync_brings_every_product_into_the_local_store(
        live_server: LiveServer, skinlens_home: Path, tmp_path: Path) -> None:
    assert run_server_cli(live_server.database_url, "import", str(DEMO)).returncode == 0
    token = run_server_cli(live_server.database_url, "token", "create", "laptop").stdout.strip()
    no_token = run_cli("sync", "--server", live_server.url, home=skinlens_home)
    assert no_token.returncode == 1 and "Traceback" not in no_token.stderr
    assert "No token stored" in no_token.stderr or "No system keyring" in no_token.stderr

    store = CatalogStore(tmp_path / "local.sqlite3")
    store.seed_demo_if_empty(DEMO)
    outcome = SyncClient(live_server.url, token).pull(store)
    assert outcome.upserted == 946 and store.count() == 946
    assert all("affil=skinlens" in p.affiliate_url for p in store.products())
    # a later server-side replace removes products from the client on the next sync
    kept = "".join(DEMO.read_text(encoding="utf-8").splitlines(keepends=True)[:101])
    (tmp_path / "kept.csv").write_text(kept, encoding="utf-8")
    assert run_server_cli(live_server.database_url, "import", "--replace", str(tmp_path / "kept.csv")).returncode == 0
    second = SyncClient(live_server.url, token).pull(store)
    assert second.deleted == 846 and store.count() == 100
    assert json.loads(store.get_state("cursor"))["seq"] == 2


def test_sync_cli_with_token_in_environment(live_server: LiveServer, skinlens_home: Path) -> None:
    import subprocess
    import sys

    assert run_server_cli(live_server.database_url, "import", str(DEMO)).returncode == 0
    token = run_server_cli(live_server.database_url, "token", "create", "cli").stdout.strip()
    env = {"SKINLENS_HOME": str(skinlens_home), "SKINLENS_SYNC_TOKEN": token, "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "desktop", "sync", "--server", live_server.url],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "946 products in the local catalog" in result.stdout
    stats = subprocess.run([sys.executable, "-m", "desktop", "catalog", "stats", "--json"], capture_output=True,
                           text=True, env=env, timeout=60)
    assert json.loads(stats.stdout)["by_source"] == {"sync": 946}


def test_wrong_token_and_dead_server_are_clear_errors(live_server: LiveServer, tmp_path: Path) -> None:
    store = CatalogStore(tmp_path / "local.sqlite3")
    with pytest.raises(SyncError, match="refused the token"):
        SyncClient(live_server.url, "wrong").pull(store)
    with pytest.raises(SyncError, match="cannot be reached"):
        SyncClient("http://127.0.0.1:9", "t", sleep=lambda s: None).pull(store)
    assert store.count() == 0
