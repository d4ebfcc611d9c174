"""Polls answered from memory (sync_server.cache, sync_server.fastpath) never run behind a notified commit.

Writes come from outside the serving worker (their own engine, or another server process), as on a deployment
with several workers or hosts: only NOTIFY tells the worker. The staleness fallback is set far longer than
these tests, so what keeps the answers fresh here is the notification alone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from decimal import Decimal

import orjson
import pytest
import requests
from fastapi.testclient import TestClient

from catalog_format import CatalogRow
from sync_server import changes
from sync_server.app import create_app
from sync_server.auth import create_device_token
from sync_server.cache import CatalogCache
from sync_server.compression import accepts_gzip
from sync_server.db import make_engine, make_sessions
from sync_server.fastpath import changes_key, parse_query
from tests.integration.conftest import ADMIN, LiveServer, run_server_cli, settings_for, start_server

LONG = 600.0  # staleness fallback: longer than any test, so only notifications refresh a worker


def _row(pid: str, price: str = "9.99") -> CatalogRow:
    return CatalogRow(id=pid, brand="Cache", name=f"Product {pid}", category="serum", price=Decimal(price),
                      currency="GBP", ingredients="Aqua, Niacinamide", url=f"https://www.lookfantastic.com/{pid}.html")


@pytest.fixture
def served(database_url: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = settings_for(database_url, catalog_staleness_seconds=LONG)
    with TestClient(create_app(settings)) as client:
        with client.app.state.sessions.begin() as session:  # type: ignore[attr-defined]
            token = create_device_token(session, "poller")
        yield client, {"Authorization": f"Bearer {token}"}


def _wait(predicate: object, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_no_cached_answer_older_than_a_notified_commit(served: tuple[TestClient, dict[str, str]],
                                                       database_url: str) -> None:
    """Another writer commits 40 times while this worker is polled as fast as it answers: every answer,
    304 or 200, is at least at the sequence whose notification the worker had handled before the request."""
    client, auth = served
    cache: CatalogCache = client.app.state.catalog_cache  # type: ignore[attr-defined]
    settings = settings_for(database_url)
    engine = make_engine(settings.sqlalchemy_url)
    sessions, signer = make_sessions(engine), settings.signer()
    done = threading.Event()
    last: list[int] = []

    def writer() -> None:
        for i in range(40):
            with sessions.begin() as session:
                last.append(changes.upsert_product(session, _row(f"w{i}"), signer).seq)
            time.sleep(0.01)
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    etag, checked, from_memory = "", 0, 0
    while not done.is_set() or checked < 50:
        notified = cache.notified_seq
        answer = client.get("/v1/catalog/changes", params={"since": 0, "limit": 1}, headers=auth | {
            "If-None-Match": etag})
        served_seq = int(answer.headers["ETag"].strip('"c'))
        assert served_seq >= notified, (served_seq, notified)
        from_memory += answer.status_code == 304
        etag, checked = answer.headers["ETag"], checked + 1
    thread.join()
    _wait(lambda: cache.notified_seq == last[-1])
    answer = client.get("/v1/catalog/changes", params={"since": 0, "limit": 1}, headers=auth | {"If-None-Match": etag})
    assert answer.status_code == 200 or etag == f'"c{last[-1]}"'
    assert client.get("/v1/catalog/changes", headers=auth).json()["catalog_seq"] == last[-1]
    assert from_memory > 0  # the polls really were answered from memory
    engine.dispose()


def test_a_notified_commit_replaces_a_cached_page_and_snapshot(served: tuple[TestClient, dict[str, str]],
                                                               database_url: str) -> None:
    client, auth = served
    cache: CatalogCache = client.app.state.catalog_cache  # type: ignore[attr-defined]
    settings = settings_for(database_url)
    engine = make_engine(settings.sqlalchemy_url)
    sessions, signer = make_sessions(engine), settings.signer()
    with sessions.begin() as session:
        first = changes.upsert_product(session, _row("p1"), signer).seq
    _wait(lambda: cache.notified_seq == first)
    page = client.get("/v1/catalog/changes", params={"since": 0, "digest_version": 2}, headers=auth)
    again = client.get("/v1/catalog/changes", params={"since": 0, "digest_version": 2}, headers=auth)
    assert page.content == again.content and page.json()["catalog_seq"] == first
    snapshot = client.get(f"/v1/catalog/snapshot/{first}", headers=auth)
    assert snapshot.json()["catalog_seq"] == first and snapshot.headers["ETag"] == f'"s{first}"'
    with sessions.begin() as session:
        second = changes.upsert_product(session, _row("p1", "10.99"), signer).seq
    _wait(lambda: cache.notified_seq == second)
    page = client.get("/v1/catalog/changes", params={"since": 0, "digest_version": 2}, headers=auth).json()
    assert page["catalog_seq"] == second and page["changes"][0]["product"]["price"] == "10.99"
    assert client.get(f"/v1/catalog/snapshot/{first}", headers=auth).status_code == 404
    assert client.get("/v1/catalog/snapshot", headers=auth, follow_redirects=False).headers["Location"].endswith(
        f"/{second}")
    engine.dispose()


def test_bodies_compressed_once_and_identical_in_every_encoding(served: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = served
    rows = "\n".join(orjson.dumps({"id": f"z{i}", "brand": "B", "name": f"N{i}", "category": "serum",
                                   "price": "1.00", "currency": "GBP", "ingredients": "Aqua",
                                   "url": f"https://www.lookfantastic.com/z{i}.html"}).decode() for i in range(50))
    assert client.post("/v1/admin/catalog", json={"format": "jsonl", "content": rows}, headers=ADMIN).status_code == 200
    plain = client.get("/v1/catalog/changes", headers=auth | {"Accept-Encoding": "identity"})
    zipped = client.get("/v1/catalog/changes", headers=auth | {"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers and zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.content == plain.content and zipped.headers["Vary"] == "Accept-Encoding"
    assert int(zipped.headers["Content-Length"]) < len(plain.content) / 3  # really compressed
    assert len(plain.json()["changes"]) == 50


@pytest.mark.parametrize("query", ["since=-1", "since=abc", "limit=0", "limit=100001", "digest_version=3",
                                   "after=%00x", "since=1&since=2"])
def test_invalid_polls_still_get_the_routes_answer(served: tuple[TestClient, dict[str, str]], query: str) -> None:
    """The fast path declines what it cannot answer exactly as the route does; the route validates it."""
    client, auth = served
    etag = client.get("/v1/catalog/changes", headers=auth).headers["ETag"]
    answer = client.get(f"/v1/catalog/changes?{query}", headers=auth | {"If-None-Match": etag})
    assert answer.status_code == (304 if query == "since=1&since=2" else 422)  # the route's 304 for a repeat
    assert client.get("/v1/catalog/changes", headers={"If-None-Match": etag}).status_code == 401


def test_query_forms_the_fast_path_takes() -> None:
    assert changes_key(parse_query(b"since=5&limit=200&digest_version=2", frozenset(
        {"since", "limit", "digest_version", "after"})) or {}, 5000) == ("changes", 5, None, 200, 2)
    assert parse_query(b"since=5&unknown=1", frozenset({"since"})) is None
    assert changes_key({"since": "05"}, 5000) is None  # not the plain form: the route decides
    assert changes_key({"limit": "9000"}, 5000) == ("changes", 0, None, 5000, 1)
    assert accepts_gzip("gzip, deflate") and accepts_gzip("br, *") and not accepts_gzip("gzip;q=0")
    assert not accepts_gzip(None) and not accepts_gzip("identity")


def test_a_write_on_one_worker_is_served_by_another_within_the_bound(database_url: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Two server processes on one database; a PUT on A; B answers the new sequence within NOTIFY_BOUND
    (PROTOCOL.md, *Running several workers or hosts*), though its staleness fallback is ten minutes."""
    monkeypatch.setenv("SKINLENS_CATALOG_STALENESS_SECONDS", str(LONG))
    token = run_server_cli(database_url, "token", "create", "two").stdout.strip()
    auth = {"Authorization": f"Bearer {token}"}
    servers: list[LiveServer] = [start_server(database_url), start_server(database_url)]
    try:
        a, b = servers
        etag = requests.get(f"{b.url}/v1/catalog/changes", headers=auth, timeout=10).headers["ETag"]
        for _ in range(20):  # B answers from memory now
            assert requests.get(f"{b.url}/v1/catalog/changes", headers=auth | {"If-None-Match": etag},
                                timeout=10).status_code == 304
        body = {"id": "two-1", "brand": "B", "name": "N", "category": "serum", "price": "3.00", "currency": "GBP",
                "ingredients": "Aqua", "url": "https://www.lookfantastic.com/two-1.html"}
        written = requests.put(f"{a.url}/v1/admin/products/two-1", json=body, headers=ADMIN, timeout=10)
        assert written.status_code == 200, written.text
        start = time.monotonic()
        while True:
            answer = requests.get(f"{b.url}/v1/catalog/changes", headers=auth | {"If-None-Match": etag}, timeout=10)
            if answer.status_code == 200:
                break
            assert time.monotonic() - start < NOTIFY_BOUND, "B still serves the old sequence"
        assert answer.json()["catalog_seq"] == written.json()["seq"]
        assert [c["id"] for c in answer.json()["changes"]] == ["two-1"]
    finally:
        for server in servers:
            server.process.terminate()
            server.process.wait(10)


NOTIFY_BOUND = 1.0  # seconds; PROTOCOL.md promises this while notifications flow
