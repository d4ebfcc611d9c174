"""A real uvicorn sync server on loopback, against the test's own PostgreSQL database.

Servers run in the development environment, so they sign with the bundled development key whose public half
the desktop app ships; other environments are tested for refusing that key.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from fastapi.testclient import TestClient

from sync_server.app import create_app
from sync_server.config import ServerSettings

ADMIN_TOKEN = "test-admin-token-0123456789abcdef"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def server_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DATABASE_URL=database_url, SKINLENS_ENVIRONMENT="development", SKINLENS_ADMIN_TOKEN=ADMIN_TOKEN,
               # the concurrency and fault tests sync in tight loops; rate limiting has its own test
               SKINLENS_RATE_LIMIT_PER_SECOND="100000", SKINLENS_RATE_LIMIT_BURST="100000")
    env.pop("SKINLENS_SIGNING_KEY_PATH", None)
    return env


def run_server_cli(database_url: str, *args: str,
                   env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sync_server", *args], capture_output=True, text=True,
                          env=server_env(database_url) | (env or {}), timeout=120)


def settings_for(database_url: str, **overrides: object) -> ServerSettings:
    values: dict[str, object] = {"environment": "development", "admin_token": ADMIN_TOKEN,
                                 "DATABASE_URL": database_url}
    values.update(overrides)
    return ServerSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(database_url))) as test_client:
        yield test_client


@dataclass
class LiveServer:
    url: str
    database_url: str
    process: subprocess.Popen[str]


class Recording(requests.Session):
    """A session that notes the path of every GET (after /v1/) and the bytes that came back."""

    def __init__(self) -> None:
        super().__init__()
        self.headers["Accept-Encoding"] = "identity"  # bytes as they are, to compare with the snapshot's
        self.paths: list[str] = []
        self.bytes = 0

    def get(self, url, *args, **kwargs):  # type: ignore[no-untyped-def,override]
        response = super().get(url, *args, **kwargs)
        self.paths.append(url.split("/v1/", 1)[-1])
        self.bytes += int(response.headers.get("Content-Length") or 0)
        return response


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(database_url: str, *extra: str, env: dict[str, str] | None = None) -> LiveServer:
    """Start `skinlens-server serve` (`env`: settings on top of the tests' own); its JSON log goes to a
    temporary file (a pipe nobody reads would fill up and stall the server)."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="skinlens-server-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen([sys.executable, "-m", "sync_server", "serve", "--port", str(port), *extra],
                               env=server_env(database_url) | (env or {}), stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                return LiveServer(url=url, database_url=database_url, process=process)
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"sync server did not start: {Path(log.name).read_text()[-2000:]}")


@pytest.fixture
def live_server(database_url: str) -> Iterator[LiveServer]:
    server = start_server(database_url)
    yield server
    server.process.terminate()
    server.process.wait(10)


def wait_until_served(server: LiveServer, seconds: float = 5.0) -> None:
    """Wait until the worker answers polls at the database's sequence: a write by another process reaches it
    through NOTIFY within milliseconds (PROTOCOL.md, *Running several workers or hosts*), not at once."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        health = requests.get(f"{server.url}/healthz", timeout=10).json()
        if health["served_seq"] in (None, health["catalog_seq"]):
            return
        time.sleep(0.01)
    raise AssertionError(f"the server still serves seq {health['served_seq']} of {health['catalog_seq']}")
