"""A real uvicorn sync server on loopback, against the test's own PostgreSQL database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

ADMIN_TOKEN = "test-admin-token-0123456789abcdef"


def server_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DATABASE_URL=database_url, SKINLENS_ENVIRONMENT="test", SKINLENS_ADMIN_TOKEN=ADMIN_TOKEN)
    return env


def run_server_cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sync_server", *args], capture_output=True, text=True,
                          env=server_env(database_url), timeout=120)


@dataclass
class LiveServer:
    url: str
    database_url: str
    process: subprocess.Popen[str]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_server(database_url: str) -> Iterator[LiveServer]:
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "sync_server", "serve", "--port", str(port)],
                               env=server_env(database_url), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError(f"sync server did not start: {process.communicate()[0]}")
    yield LiveServer(url=url, database_url=database_url, process=process)
    process.terminate()
    process.wait(10)
