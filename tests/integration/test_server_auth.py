"""Who may call the sync server, checked at each part on its own: the token book, the gate, the route guards.

The end-to-end tests in test_server.py show what a kiosk sees; these pin the mechanism behind it (a valid token
is found without a database lookup, a revoked one never is, a route guard refuses on its own even if the gate
were bypassed), so that a change which keeps the outcome but loses the guarantee still fails.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient
from sqlalchemy import event
from starlette.requests import Request

from sync_server import auth
from sync_server.api.deps import require_admin, require_device
from sync_server.app import create_app
from sync_server.gate import SCOPE_KEY, Caller, Refusal, _bearer
from tests.integration.conftest import settings_for


def _tokens(client: TestClient, *names: str) -> dict[str, str]:
    with client.app.state.sessions.begin() as session:  # type: ignore[attr-defined]
        return {name: auth.create_device_token(session, name) for name in names}


def test_the_token_book_holds_every_valid_token_and_no_revoked_one(client: TestClient) -> None:
    sessions = client.app.state.sessions  # type: ignore[attr-defined]
    tokens = _tokens(client, "book-a", "book-b")
    with sessions.begin() as session:
        assert auth.revoke_device_token(session, "book-b")
    valid, revoked = auth.hash_token(tokens["book-a"]), auth.hash_token(tokens["book-b"])
    book = auth.TokenBook(sessions, reload_seconds=60)
    assert book.known(valid) is None  # never loaded: stale, the gate must reload
    book.reload()
    assert book.known(valid) is True  # found in memory: no lookup per request
    assert book.known(revoked) is False
    assert book.known(auth.hash_token("slt_" + "x" * 43)) is False
    made_since = auth.hash_token(_tokens(client, "book-c")["book-c"])
    assert book.known(made_since) is False  # made after the reload: the gate looks it up once
    assert book.look_up(made_since) is True
    assert book.known(made_since) is True and book.known(valid) is True  # added to the set, the rest kept
    assert book.look_up(revoked) is False and book.known(revoked) is False
    book.clear()
    assert book.known(valid) is None


def test_a_reload_within_its_interval_keeps_the_set_it_has(client: TestClient) -> None:
    """Requests that waited on the lock while another reloaded do not each query the database again."""
    sessions = client.app.state.sessions  # type: ignore[attr-defined]
    first = auth.hash_token(_tokens(client, "book-d")["book-d"])
    book = auth.TokenBook(sessions, reload_seconds=60)
    book.reload()
    later = auth.hash_token(_tokens(client, "book-e")["book-e"])
    book.reload()  # fresh: nothing reloaded, so the token made since is not in the set yet
    assert book.known(first) is True and book.known(later) is False


def test_device_tokens_are_the_shape_the_gate_expects_and_each_is_new(client: TestClient) -> None:
    """The gate looks up only what has this shape, so a token of another shape could never be found."""
    made = _tokens(client, *(f"shape-{i}" for i in range(20)))
    assert all(auth.TOKEN_SHAPE.match(token) for token in made.values()), made
    assert len(set(made.values())) == 20
    assert auth.hash_token("slt_abc") == (  # SHA-256, hex: what `token create` stores
        "a9d06c4f42c842a0d598e45180a91c1941b9ba148b4ce477621449c9da6baa51")


def _request(caller: Caller | None) -> Request:
    scope: dict[str, Any] = {"type": "http", "headers": [], "method": "GET", "path": "/v1/x"}
    if caller is not None:
        scope[SCOPE_KEY] = caller
    return Request(scope)


@pytest.mark.parametrize("caller", [None, Caller("device", "abc")])
def test_the_admin_guard_refuses_anyone_but_the_admin_on_its_own(caller: Caller | None) -> None:
    """The gate already answers 403 under /v1/admin/; this guard must hold for an admin route mounted elsewhere."""
    with pytest.raises(HTTPException) as refused:
        require_admin(_request(caller))
    assert refused.value.status_code == 403 and refused.value.detail == "this needs the admin token"


def test_the_route_guards_let_their_callers_through() -> None:
    assert require_admin(_request(Caller("admin", "admin"))) is None
    assert require_device(_request(Caller("device", "abc"))) == "abc"
    assert require_device(_request(Caller("admin", "admin"))) == "admin"


def test_the_device_guard_asks_for_a_bearer_token_when_the_gate_set_no_caller() -> None:
    with pytest.raises(HTTPException) as refused:
        require_device(_request(None))
    assert refused.value.status_code == 401 and refused.value.detail == "a bearer token is required"
    assert refused.value.headers == {"WWW-Authenticate": "Bearer"}


def test_a_valid_device_token_costs_one_load_of_the_book_not_a_lookup_per_request(database_url: str) -> None:
    app = create_app(settings_for(database_url))
    statements: list[str] = []
    with TestClient(app) as client:
        token = _tokens(client, "kiosk-steady")["kiosk-steady"]
        event.listen(app.state.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        codes = [client.get("/v1/catalog/changes", headers={"Authorization": f"Bearer {token}"}).status_code
                 for _ in range(25)]
    assert codes == [200] * 25  # more than the 20 wrong tokens an address may present: none counted as wrong
    assert len([s for s in statements if "device_tokens" in s]) == 1, statements  # the one reload


def test_wrong_tokens_use_up_only_their_own_address_s_allowance(database_url: str) -> None:
    app = create_app(settings_for(database_url, auth_failures_burst=3, auth_failures_per_second=0.01))
    wrong = {"Authorization": "Bearer wrong"}
    with TestClient(app, client=("192.0.2.1", 5000)) as noisy:
        codes = [noisy.get("/v1/catalog/changes", headers=wrong).status_code for _ in range(5)]
        with TestClient(app, client=("192.0.2.2", 5000)) as quiet:
            other = quiet.get("/v1/catalog/changes", headers=wrong)
    assert codes == [401, 401, 401, 429, 429] and other.status_code == 401
    assert other.headers["www-authenticate"] == "Bearer"
    assert other.json() == {"detail": "the token is unknown or revoked"}


def test_an_address_out_of_wrong_tokens_is_told_when_to_come_back(database_url: str) -> None:
    """Within a second of its last allowed try an address is refused with Retry-After, not given a 401."""
    app = create_app(settings_for(database_url, auth_failures_burst=2, auth_failures_per_second=1.0))
    with TestClient(app) as client:
        answers = [client.get("/v1/catalog/changes", headers={"Authorization": "Bearer wrong"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [401, 401, 429]
    assert answers[2].headers["retry-after"] == "1" and answers[2].json()["detail"] == (
        "too many wrong tokens from this address")


def test_a_device_token_on_an_admin_route_is_refused_as_such(client: TestClient) -> None:
    token = _tokens(client, "kiosk-admin")["kiosk-admin"]
    answer = client.post("/v1/admin/catalog", json={"content": ""}, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 403 and answer.json() == {"detail": "this needs the admin token"}


def test_each_device_token_has_its_own_rate(database_url: str) -> None:
    """One busy kiosk must not slow down the others: the rate is kept per token (by its hash)."""
    app = create_app(settings_for(database_url, rate_limit_per_second=0.01, rate_limit_burst=2))
    with TestClient(app) as client:
        tokens = _tokens(client, "kiosk-busy", "kiosk-calm")
        busy = [client.get("/v1/catalog/changes", headers={"Authorization": f"Bearer {tokens['kiosk-busy']}"})
                .status_code for _ in range(3)]
        calm = client.get("/v1/catalog/changes", headers={"Authorization": f"Bearer {tokens['kiosk-calm']}"})
    assert busy == [200, 200, 429] and calm.status_code == 200


@pytest.mark.parametrize(("header", "token"), [
    (b"Bearer slt_abc", "slt_abc"), (b"bearer  slt_abc ", "slt_abc"), (b"BEARER x", "x")])
def test_the_token_is_read_from_a_bearer_header_in_any_case(header: bytes, token: str) -> None:
    assert _bearer(header) == token


@pytest.mark.parametrize("header", [None, b"", b"Bearer", b"Bearer ", b"Bearer    ", b"Basic dXNlcjpwYXNz",
                                    b"Token slt_abc", b"Bearerslt_abc"])
def test_anything_but_a_bearer_token_is_asked_for_one(header: bytes | None) -> None:
    with pytest.raises(Refusal) as refused:
        _bearer(header)
    assert (refused.value.status, refused.value.detail) == (401, "a bearer token is required")
    assert refused.value.headers == {"WWW-Authenticate": "Bearer"}
