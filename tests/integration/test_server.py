"""The sync server against a real PostgreSQL: CLI, configuration, API behaviour."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient

from catalog_format import signed_message
from desktop.resources import resource
from sync_server import auth
from sync_server.app import create_app
from sync_server.changes import affiliate_url
from sync_server.models import DeviceToken
from tests.integration.conftest import ADMIN, run_server_cli, settings_for

DEMO = resource("catalog", "demo_catalog.csv")
HEADER = "id,brand,name,category,price,currency,ingredients,url,skin_types,tags\n"


def live_count(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        return conn.execute("SELECT count(*) FROM products WHERE NOT deleted").fetchone()[0]  # type: ignore[index]


def import_demo(client: TestClient, **extra: object) -> dict:  # type: ignore[type-arg]
    response = client.post("/v1/admin/catalog", json={"content": DEMO.read_text(encoding="utf-8"), **extra},
                           headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_cli_migrate_import_and_tokens(database_url: str) -> None:
    assert run_server_cli(database_url, "migrate").returncode == 0
    result = run_server_cli(database_url, "import", str(DEMO))
    assert result.returncode == 0, result.stderr
    assert "imported 946 products" in result.stdout
    assert live_count(database_url) == 946
    again = run_server_cli(database_url, "import", str(DEMO))
    assert "imported 0 products" in again.stdout  # unchanged rows are not re-stamped
    token = run_server_cli(database_url, "token", "create", "kiosk-1").stdout.strip()
    assert token.startswith("slt_") and len(token) > 30
    with psycopg.connect(database_url) as conn:
        stored = conn.execute("SELECT token_hash FROM device_tokens WHERE name='kiosk-1'").fetchone()
    assert stored and token not in stored[0]  # only the hash is stored
    assert run_server_cli(database_url, "token", "revoke", "kiosk-1").returncode == 0
    assert run_server_cli(database_url, "token", "revoke", "nobody").returncode == 1


def test_default_secrets_refused_outside_development(database_url: str, tmp_path: Path) -> None:
    env = dict(os.environ, SKINLENS_ENVIRONMENT="production", DATABASE_URL=database_url)
    env.pop("SKINLENS_ADMIN_TOKEN", None)
    result = subprocess.run([sys.executable, "-m", "sync_server", "serve"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2 and "SKINLENS_ADMIN_TOKEN" in result.stderr
    env["SKINLENS_ADMIN_TOKEN"] = "x" * 32
    result = subprocess.run([sys.executable, "-m", "sync_server", "serve"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2 and "SKINLENS_SIGNING_KEY_PATH" in result.stderr
    keygen = subprocess.run([sys.executable, "-m", "sync_server", "keygen", str(tmp_path / "k.pem")],
                            capture_output=True, text=True, timeout=60)
    assert keygen.returncode == 0 and "BEGIN PUBLIC KEY" in keygen.stdout
    assert (tmp_path / "k.pem").stat().st_mode & 0o777 == 0o600


def test_changes_need_a_valid_token(client: TestClient, database_url: str) -> None:
    assert client.get("/v1/catalog/changes").status_code == 401
    assert client.get("/v1/catalog/changes", headers={"Authorization": "Bearer nope"}).status_code == 401
    token = run_server_cli(database_url, "token", "create", "d").stdout.strip()
    device = {"Authorization": f"Bearer {token}"}
    assert client.get("/v1/catalog/changes", headers=device).status_code == 200
    assert client.post("/v1/admin/catalog", json={"content": ""}, headers=device).status_code == 403
    run_server_cli(database_url, "token", "revoke", "d")
    client.app.state.token_cache.clear()  # (revocation reaches every worker within TOKEN_CACHE_SECONDS)
    assert client.get("/v1/catalog/changes", headers=device).status_code == 401


def test_paging_covers_every_product_once_and_tombstones_deletions(client: TestClient) -> None:
    assert import_demo(client)["upserted"] == 946
    seen: list[str] = []
    cursor = {"seq": 0, "after": None}
    while True:
        params = {"since": cursor["seq"], "limit": 100} | ({"after": cursor["after"]} if cursor["after"] else {})
        page = client.get("/v1/catalog/changes", params=params, headers=ADMIN).json()
        seen += [c["id"] for c in page["changes"]]
        cursor = page["cursor"]
        if not page["more"]:
            break
    assert len(seen) == len(set(seen)) == 946
    first_ten = "".join(DEMO.read_text(encoding="utf-8").splitlines(keepends=True)[:11])
    replaced = client.post("/v1/admin/catalog", json={"content": first_ten, "replace": True}, headers=ADMIN).json()
    assert replaced["deleted"] == 936
    page = client.get("/v1/catalog/changes", params={"since": cursor["seq"], "limit": 5000}, headers=ADMIN).json()
    assert sum(c["deleted"] for c in page["changes"]) == 936
    assert all(c["product"] is None for c in page["changes"] if c["deleted"])


def test_every_state_is_signed(client: TestClient) -> None:
    import_demo(client)
    page = client.get("/v1/catalog/changes", params={"limit": 1}, headers=ADMIN).json()
    state = page["state"]
    public = serialization.load_pem_public_key(resource("keys", "catalog_signing_dev.pub.pem").read_bytes())
    public.verify(base64.b64decode(state["signature"]), signed_message(state["seq"], state["digest"]))  # type: ignore[union-attr]


def test_etag_gives_304_and_gzip(client: TestClient) -> None:
    import_demo(client)
    first = client.get("/v1/catalog/changes", headers=ADMIN | {"Accept-Encoding": "gzip"})
    assert first.headers["content-encoding"] == "gzip"
    etag = first.headers["etag"]
    again = client.get("/v1/catalog/changes", headers=ADMIN | {"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    client.post("/v1/admin/catalog", json={"content": HEADER + 'n1,B,N,serum,5,GBP,Aqua,'
                                           'https://www.lookfantastic.com/n1.html,,\n'}, headers=ADMIN)
    assert client.get("/v1/catalog/changes", headers=ADMIN | {"If-None-Match": etag}).status_code == 200


def test_snapshot_has_an_immutable_url_per_sequence(client: TestClient) -> None:
    seq = import_demo(client)["seq"]
    redirect = client.get("/v1/catalog/snapshot", headers=ADMIN, follow_redirects=False)
    assert redirect.status_code == 307 and redirect.headers["location"].endswith(f"/v1/catalog/snapshot/{seq}")
    snap = client.get(f"/v1/catalog/snapshot/{seq}", headers=ADMIN)
    assert "immutable" in snap.headers["cache-control"] and len(snap.json()["products"]) == 946
    import_demo(client, replace=True, content=HEADER)  # everything deleted: a new sequence
    assert client.get(f"/v1/catalog/snapshot/{seq}", headers=ADMIN).status_code == 404


def test_admin_writes_honour_if_match(client: TestClient) -> None:
    product = {"id": "p1", "brand": "B", "name": "N", "category": "serum", "price": "5.00", "currency": "GBP",
               "ingredients": "Aqua, Niacinamide", "url": "https://www.lookfantastic.com/p1.html"}
    created = client.put("/v1/admin/products/p1", json=product, headers=ADMIN)
    assert created.status_code == 200, created.text
    etag = created.headers["etag"]
    stale = client.put("/v1/admin/products/p1", json=product | {"price": "6.00"},
                       headers=ADMIN | {"If-Match": '"p999"'})
    assert stale.status_code == 412
    fresh = client.put("/v1/admin/products/p1", json=product | {"price": "6.00"}, headers=ADMIN | {"If-Match": etag})
    assert fresh.status_code == 200
    read = client.get("/v1/admin/products/p1", headers=ADMIN)
    assert read.json()["price"] == "6.00" and read.json()["affiliate_url"].endswith("?affil=skinlens")
    assert client.delete("/v1/admin/products/p1", headers=ADMIN | {"If-Match": etag}).status_code == 412
    assert client.delete("/v1/admin/products/p1", headers=ADMIN | {"If-Match": read.headers["etag"]}).status_code == 200
    assert client.get("/v1/admin/products/p1", headers=ADMIN).status_code == 404
    bad_url = client.put("/v1/admin/products/p2", json=product | {"id": "p2", "url": "https://evil.example/x"},
                         headers=ADMIN)
    assert bad_url.status_code == 422 and "not an allowed retailer" in bad_url.text


def test_import_rejects_non_https_and_unknown_retailers(client: TestClient, database_url: str) -> None:
    rows = (HEADER + "a,B,N,serum,5,GBP,Aqua,http://www.lookfantastic.com/a.html,,\n"
            "b,B,N,serum,5,GBP,Aqua,https://evil.example/b,,\n"
            "c,B,N,serum,5,GBP,Aqua,https://www.lookfantastic.com/c.html,,\n")
    out = client.post("/v1/admin/catalog", json={"content": rows}, headers=ADMIN).json()
    assert out["upserted"] == 1
    assert sorted(e["reason"].split(" ")[0] for e in out["errors"]) == ["host", "url"]
    assert run_server_cli(database_url, "retailer", "add", "evil.example", "--template", "{url}#ref").returncode == 0
    again = client.post("/v1/admin/catalog", json={"content": rows}, headers=ADMIN).json()
    assert again["upserted"] == 1 and len(again["errors"]) == 1  # b now allowed; c unchanged, a still http


@pytest.mark.parametrize(("template", "reason"), [
    ("https://go.example/?u={url}&id={partner}", "the affiliate rule of www.shop.example is broken (only {url} may "
                                                 "be in braces)"),
    ("https://go.example/?u={0}", "the affiliate rule of www.shop.example is broken"),
    ("http://go.example/?u={url}", "the affiliate link 'http://go.example/?u=https://www.shop.example/p1' made by "
                                   "the rule of www.shop.example "),
    ("https://go.example/\\{url}", "the affiliate link 'https://go.example/\\\\https://www.shop.example/p1' "
                                     "made by the rule of www.shop.example "),
])
def test_an_affiliate_rule_that_is_broken_or_makes_a_bad_link_is_that_row_s_error(template: str, reason: str) -> None:
    """The link a retailer's rule makes passes the same https rule as the product's own URL: a rule cannot turn
    an allowed product into a plain-http or misparsed link."""
    with pytest.raises(ValueError) as refused:
        affiliate_url("https://www.shop.example/p1", {"www.shop.example": template})
    assert str(refused.value).startswith(reason), str(refused.value)


def test_an_affiliate_rule_wraps_the_product_url() -> None:
    rules = {"www.shop.example": "https://go.example/?u={url}&ref=skinlens"}
    assert affiliate_url("https://WWW.Shop.Example/p1", rules) == (
        "https://go.example/?u=https://WWW.Shop.Example/p1&ref=skinlens")
    with pytest.raises(ValueError, match=r"^host 'other\.example' is not an allowed retailer$"):
        affiliate_url("https://other.example/p1", rules)


def test_compaction_sends_old_cursors_to_the_snapshot(client: TestClient, database_url: str) -> None:
    import_demo(client)
    import_demo(client, replace=True, content=HEADER)  # 946 tombstones
    with psycopg.connect(database_url) as conn:
        conn.execute("UPDATE products SET updated_at = now() - interval '100 days'")
    result = run_server_cli(database_url, "compact", "--older-than", "90")
    assert result.returncode == 0 and "removed 946 tombstones" in result.stdout
    gone = client.get("/v1/catalog/changes", params={"since": 1}, headers=ADMIN)
    assert gone.status_code == 410 and gone.json()["status"] == "refetch"


def test_rate_limit_answers_429_with_retry_after(database_url: str) -> None:
    app = create_app(settings_for(database_url, rate_limit_per_second=1.0, rate_limit_burst=3))
    with TestClient(app) as client:
        codes = [client.get("/v1/catalog/changes", headers=ADMIN).status_code for _ in range(5)]
        assert codes[:3] == [200, 200, 200] and codes[3] == 429
        limited = client.get("/v1/catalog/changes", headers=ADMIN)
        assert int(limited.headers["retry-after"]) >= 1


def test_control_characters_are_a_422_not_a_500(client: TestClient) -> None:
    """Found by the API fuzz test: PostgreSQL text cannot hold NUL, so it must never reach a query."""
    assert client.get("/v1/catalog/changes", params={"after": "\x00"}, headers=ADMIN).status_code == 422
    assert client.get("/v1/admin/products/a%00b", headers=ADMIN).status_code == 422
    body = {"id": "p\x00", "brand": "B", "name": "N", "category": "cleanser", "price": "1.00", "currency": "GBP",
            "ingredients": "Aqua", "url": "https://www.lookfantastic.com/x.html"}
    assert client.put("/v1/admin/products/p%00", json=body, headers=ADMIN).status_code == 422
    imported = client.post("/v1/admin/catalog", headers=ADMIN, json={
        "content": "id,brand,name,category,price,currency,ingredients,url\n"
                   "n1,B,Na\x00me,cleanser,1,GBP,Aqua,https://www.lookfantastic.com/n1.html\n"}).json()
    assert imported["errors"][0]["reason"].startswith("control characters")


def test_a_device_token_made_again_replaces_the_old_one_and_a_revoked_one_is_refused(client: TestClient) -> None:
    """What `skinlens-sync token create/revoke` do, in this process: the CLI test covers the command, this one
    what a kiosk's token can and cannot do afterwards."""
    sessions = client.app.state.sessions
    with sessions.begin() as session:
        first = auth.create_device_token(session, "kiosk-1")
    assert auth.TOKEN_SHAPE.match(first)
    changes = "/v1/catalog/changes"
    assert client.get(changes, headers={"Authorization": f"Bearer {first}"}).status_code == 200
    with sessions.begin() as session:
        second = auth.create_device_token(session, "kiosk-1")  # e.g. the first one leaked
        assert session.get(DeviceToken, "kiosk-1").token_hash == auth.hash_token(second)  # type: ignore[union-attr]
    client.app.state.token_cache.clear()
    assert second != first and auth.TOKEN_SHAPE.match(second)
    assert client.get(changes, headers={"Authorization": f"Bearer {first}"}).status_code == 401
    assert client.get(changes, headers={"Authorization": f"Bearer {second}"}).status_code == 200
    with sessions.begin() as session:
        assert auth.revoke_device_token(session, "kiosk-1") is True
        assert auth.revoke_device_token(session, "nobody") is False
    client.app.state.token_cache.clear()
    assert client.get(changes, headers={"Authorization": f"Bearer {second}"}).status_code == 401
    with sessions.begin() as session:
        third = auth.create_device_token(session, "kiosk-1")  # a revoked name can be given a new token
    client.app.state.token_cache.clear()
    assert client.get(changes, headers={"Authorization": f"Bearer {third}"}).status_code == 200
