"""Issue 21's server-side defects against a real PostgreSQL: the doors' rules, denial of service, the cost of a
write, and item 8's list. Transport-level limits are tested on a real uvicorn over loopback sockets.

Each test was run against the code before the fix and failed there (see the issue 21 report)."""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient
from sqlalchemy import event

from catalog_format import signed_message
from desktop.resources import resource
from sync_server.app import create_app
from tests.integration.conftest import (
    ADMIN,
    ADMIN_TOKEN,
    LiveServer,
    free_port,
    run_server_cli,
    server_env,
    settings_for,
)

DEMO = resource("catalog", "demo_catalog.csv")
HEADER = "id,brand,name,category,price,currency,size,ingredients,url,image_url,skin_types,tags\n"
PRODUCT = {"id": "q", "brand": "B", "name": "N", "category": "serum", "price": "5.00", "currency": "GBP",
           "ingredients": "Aqua", "url": "https://www.lookfantastic.com/q.html"}
BAD_URLS = ["https://evil.example\\@www.lookfantastic.com/x.html",  # urlsplit: lookfantastic; browsers: evil
            "https://user:secret@www.lookfantastic.com/x.html", "https://www.lookfantastic.com:8443/x.html"]


def row(pid: str, price: str = "5", url: str | None = None) -> str:
    return f"{pid},B,N,serum,{price},GBP,,Aqua,{url or f'https://www.lookfantastic.com/{pid}.html'},,,\n"


def import_demo(client: TestClient) -> dict:  # type: ignore[type-arg]
    answer = client.post("/v1/admin/catalog", json={"content": DEMO.read_text(encoding="utf-8")}, headers=ADMIN)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


@pytest.fixture
def tight_server(database_url: str) -> Iterator[LiveServer]:
    """A live server with small limits: 8 requests in flight, a 2 s header timeout, 1 MiB imports."""
    port = free_port()
    env = server_env(database_url) | {"SKINLENS_MAX_INFLIGHT_REQUESTS": "8", "SKINLENS_HEADER_TIMEOUT_SECONDS": "2",
                                      "SKINLENS_MAX_IMPORT_BYTES": str(2**20)}
    log = tempfile.NamedTemporaryFile(prefix="skinlens-server-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen([sys.executable, "-m", "sync_server", "serve", "--port", str(port)], env=env,
                               stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            time.sleep(0.1)
    yield LiveServer(url=url, database_url=database_url, process=process)
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def raw_socket(server: LiveServer) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def answer_of(sock: socket.socket, wait: float = 5.0) -> bytes:
    sock.settimeout(wait)
    try:
        return sock.recv(65536)
    except TimeoutError:
        return b"(no answer)"


# -- 2: denial of service -------------------------------------------------------------------------------------
def test_a_body_is_not_read_before_its_sender_is_authenticated(tight_server: LiveServer) -> None:
    sock = raw_socket(tight_server)
    sock.sendall(b"POST /v1/admin/catalog HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 200000000\r\n\r\n{")  # 200 MB announced, one byte sent
    assert answer_of(sock).startswith(b"HTTP/1.1 401")  # before: the server waited for (and kept) the body
    sock.close()


def test_slow_token_less_bodies_do_not_starve_the_readers(tight_server: LiveServer) -> None:
    """The issue's 64 token-less POSTs at 1 byte/s made 20 of 20 GETs a 503; here 16 against 8 slots."""
    slow = [raw_socket(tight_server) for _ in range(16)]
    for sock in slow:
        sock.sendall(b"POST /v1/admin/catalog HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
    time.sleep(0.5)
    codes = [requests.get(f"{tight_server.url}/v1/catalog/changes", headers=ADMIN, timeout=10).status_code
             for _ in range(20)]
    for sock in slow:
        sock.close()
    assert codes == [200] * 20


def test_oversized_bodies_are_413_before_they_are_read(tight_server: LiveServer, database_url: str) -> None:
    for path, method in (("/v1/admin/catalog", "POST"), ("/v1/admin/products/q", "PUT")):
        sock = raw_socket(tight_server)
        sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ADMIN_TOKEN}\r\n"
                     "Content-Type: application/json\r\nContent-Length: 2097152\r\n\r\n{".encode())
        assert answer_of(sock).startswith(b"HTTP/1.1 413"), path  # a 200 MB body took the worker to 816 MB
        sock.close()
    app = create_app(settings_for(database_url, max_import_bytes=4096))
    with TestClient(app) as client:  # a body without Content-Length (chunked) is counted as it arrives
        chunks = (b'{"content": "' + b"x" * 1000 for _ in range(10))
        assert client.post("/v1/admin/catalog", content=chunks, headers=ADMIN).status_code == 413


def test_a_422_does_not_echo_the_input(client: TestClient) -> None:
    answer = client.put("/v1/admin/products/q", json=PRODUCT | {"brand": "B" * 500_000}, headers=ADMIN)
    assert answer.status_code == 422 and len(answer.content) < 2000  # a 10 MB field made a 10 MB error


def test_huge_headers_are_refused(client: TestClient, tight_server: LiveServer) -> None:
    assert client.get("/v1/catalog/changes", headers={"Authorization": "Bearer " + "x" * 20_000}).status_code == 431
    sock = raw_socket(tight_server)
    with contextlib.suppress(OSError):  # the server stops reading: what is asserted is its answer
        sock.sendall(b"GET /v1/catalog/changes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + b"x" * 10_000_000
                     + b"\r\n\r\n")
    assert answer_of(sock).startswith(b"HTTP/1.1 431")  # a 10 MB Authorization header was accepted
    sock.close()


def test_unfinished_request_heads_are_closed(tight_server: LiveServer) -> None:
    sockets = [raw_socket(tight_server) for _ in range(50)]
    for sock in sockets:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and nothing more
    time.sleep(3.5)  # the header timeout is 2 s here; 1,000 such connections stayed open 40 s before
    answers = [answer_of(sock, 1.0) for sock in sockets]
    assert all(a.startswith(b"HTTP/1.1 408") or a == b"" for a in answers), answers[:3]
    for sock in sockets:
        sock.close()
    assert requests.get(f"{tight_server.url}/healthz", timeout=5).status_code == 200


def test_wrong_tokens_are_rate_limited_without_a_lookup_each(database_url: str) -> None:
    settings = settings_for(database_url)
    app = create_app(settings)
    statements: list[str] = []
    event.listen(app.state.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    start = time.monotonic()
    with TestClient(app) as client:
        garbage = [client.get("/v1/catalog/changes", headers={"Authorization": f"Bearer wrong-{i}"}).status_code
                   for i in range(30)]
        shaped = [client.get("/v1/catalog/changes", headers={"Authorization": "Bearer slt_" + f"{i:043d}"})
                  .status_code for i in range(60)]
    refilled = (time.monotonic() - start) * getattr(settings, "auth_failures_per_second", 0.5)
    lookups = [s for s in statements if "device_tokens" in s]
    assert set(garbage + shaped) <= {401, 429} and shaped.count(429) >= 60 - refilled - 1, shaped
    assert len(lookups) <= 2 + refilled + 5, len(lookups)  # one query per wrong token before: 90 here


# -- 4: the affiliate allow-list ------------------------------------------------------------------------------
def test_urls_that_parsers_read_differently_are_refused_at_every_door(client: TestClient) -> None:
    text = HEADER + "".join(row(f"u{i}", url=u) for i, u in enumerate(BAD_URLS)) + row("good")
    out = client.post("/v1/admin/catalog", json={"content": text}, headers=ADMIN).json()
    assert out["upserted"] == 1 and sorted(e["line"] for e in out["errors"]) == [2, 3, 4], out
    jsonl = "".join(json.dumps({"id": f"j{i}", "brand": "B", "name": "N", "category": "serum", "price": "1",
                                "currency": "GBP", "ingredients": "Aqua", "url": u}) + "\n"
                    for i, u in enumerate(BAD_URLS))
    assert client.post("/v1/admin/catalog", json={"content": jsonl, "format": "jsonl"}, headers=ADMIN
                       ).json()["upserted"] == 0
    for i, url in enumerate(BAD_URLS):
        assert client.put(f"/v1/admin/products/p{i}", json=PRODUCT | {"id": f"p{i}", "url": url},
                          headers=ADMIN).status_code == 422, url


def test_the_buy_and_qr_check_refuses_what_browsers_read_differently() -> None:
    from catalog_format import buy_url_problem

    assert all(buy_url_problem(u) for u in BAD_URLS)
    assert all(buy_url_problem(u) for u in ["javascript:alert(1)", "https://xn--e1afmkfd.example/\u0442", "https:///x",
                                           "https://1.2.3.4/x", "https://shop.example./x", " https://shop.example"])
    assert buy_url_problem("https://www.lookfantastic.com/p.html?affil=skinlens&a=%20b#top") is None


# -- 8: the smaller ones --------------------------------------------------------------------------------------
def test_a_price_too_large_is_one_bad_row(client: TestClient, database_url: str, tmp_path: Path) -> None:
    out = client.post("/v1/admin/catalog", headers=ADMIN,
                      json={"content": HEADER + row("big", "10000000000") + row("ok")}).json()  # was a 500
    assert out["upserted"] == 1 and out["errors"][0]["line"] == 2 and "largest price" in out["errors"][0]["reason"]
    (tmp_path / "big.csv").write_text(HEADER + row("big2", "1e10") + row("ok2"), encoding="utf-8")
    cli = run_server_cli(database_url, "import", str(tmp_path / "big.csv"))
    assert cli.returncode == 0 and "imported 1 products" in cli.stdout, cli.stderr
    assert "INSERT" not in cli.stderr and "Traceback" not in cli.stderr  # the CLI printed raw SQL


def test_a_lone_surrogate_is_a_422_or_a_bad_row_not_a_500(client: TestClient) -> None:
    client = TestClient(client.app, raise_server_exceptions=False)
    body = json.dumps(PRODUCT | {"id": "s\ud800"})  # json.dumps writes the lone surrogate as \ud800
    assert client.put("/v1/admin/products/s", content=body, headers=ADMIN | {"Content-Type": "application/json"}
                      ).status_code == 422  # was a 500
    content = json.dumps({"content": HEADER + row("s\ud800") + row("ok")})
    out = client.post("/v1/admin/catalog", content=content, headers=ADMIN | {"Content-Type": "application/json"})
    assert out.status_code == 200 and "surrogate" in out.json()["errors"][0]["reason"]  # was a 500


def test_the_snapshot_redirect_does_not_come_from_the_host_header(client: TestClient) -> None:
    redirect = client.get("/v1/catalog/snapshot", headers=ADMIN | {"Host": "evil.example"}, follow_redirects=False)
    assert redirect.status_code == 307 and "evil.example" not in redirect.headers["location"]
    assert redirect.headers["location"].startswith("/v1/catalog/snapshot/")


def test_url_errors_in_an_api_import_name_their_line(client: TestClient) -> None:
    text = HEADER + row("a") + row("b", url="https://evil.example/b.html") + row("c")
    out = client.post("/v1/admin/catalog", json={"content": text}, headers=ADMIN).json()
    assert [e["line"] for e in out["errors"]] == [3]  # was line 0


def test_an_import_that_changes_nothing_keeps_the_sequence_and_the_304s(client: TestClient) -> None:
    seq = import_demo(client)["seq"]
    etag = client.get("/v1/catalog/changes", params={"limit": 1}, headers=ADMIN).headers["etag"]
    assert import_demo(client)["seq"] == seq  # every import took a new sequence before
    assert client.put("/v1/admin/products/lf-missing", json=PRODUCT | {"id": "lf-missing"}, headers=ADMIN
                      ).json()["seq"] == seq + 1
    assert client.put("/v1/admin/products/lf-missing", json=PRODUCT | {"id": "lf-missing"}, headers=ADMIN
                      ).json()["seq"] == seq + 1
    assert client.get("/v1/catalog/changes", headers=ADMIN | {"If-None-Match": f'"c{seq + 1}"'}).status_code == 304
    assert etag == f'"c{seq}"'


def test_answers_carry_security_headers_and_docs_are_closed(client: TestClient) -> None:
    answer = client.get("/healthz")
    assert answer.headers["x-content-type-options"] == "nosniff" and answer.headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404
    assert client.get("/openapi.json").status_code == 200  # the contract's OpenAPI document stays


# -- 9: a write costs what it changes -------------------------------------------------------------------------
def test_a_put_reads_a_few_rows_not_the_catalog(database_url: str) -> None:
    app = create_app(settings_for(database_url))
    fetched: list[int] = []

    def count(_conn, cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and cursor.rowcount > 0:
            fetched.append(cursor.rowcount)

    with TestClient(app) as client:
        import_demo(client)
        event.listen(app.state.engine, "after_cursor_execute", count)
        assert client.put("/v1/admin/products/q", json=PRODUCT, headers=ADMIN).status_code == 200
    assert sum(fetched) < 20, fetched  # the whole catalog (946 rows) was rehashed before


# -- compatibility: a client of protocol version 1 still verifies ------------------------------------------------
def test_a_version_1_client_still_verifies(client: TestClient, database_url: str) -> None:
    from catalog_format import catalog_digest_v1

    import_demo(client)
    page = client.get("/v1/catalog/changes", params={"limit": 1}, headers=ADMIN).json()
    state = page["state"]
    with psycopg.connect(database_url) as conn:
        pairs = conn.execute("SELECT id, content_hash FROM products WHERE NOT deleted").fetchall()
    assert state["digest"] == catalog_digest_v1(pairs)
    public = serialization.load_pem_public_key(resource("keys", "catalog_signing_dev.pub.pem").read_bytes())
    public.verify(base64.b64decode(state["signature"]), signed_message(state["seq"], state["digest"], 1))  # type: ignore[union-attr]


def test_a_put_writes_the_product_its_url_names(client: TestClient) -> None:
    """The body's id is trimmed to its canonical form; a URL naming the untrimmed id would otherwise write
    another product than the one it names (and a later GET or DELETE of that URL would not find it)."""
    out = client.put("/v1/admin/products/%20q%20", json=PRODUCT | {"id": " q "}, headers=ADMIN)
    assert out.status_code == 422 and "canonical id" in out.json()["detail"]
    assert client.get("/v1/admin/products/q", headers=ADMIN).status_code == 404
