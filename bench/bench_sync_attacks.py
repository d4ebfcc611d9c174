"""The denial-of-service attacks of issue 21, measured against a real `skinlens-server serve` on loopback.

python bench/bench_sync_attacks.py [--source DIR] [--quick]

Starts a throwaway PostgreSQL 15 (tests/pg.py) and one server worker, then, as a stranger without a token:
- slow bodies: 64 POSTs to /v1/admin/catalog announcing a 1 MB body and sending 1 byte a second, while a
  legitimate client makes 20 GETs of the change feed (how many succeed, how long they take);
- a big body: one 200 MB POST (Content-Length, then chunked) and the worker's resident memory before, after and
  at its peak;
- a 10 MB Authorization header, and 1,000 connections that never finish their headers (how long they stay).

`--source DIR` runs the server from another checkout (e.g. `git archive` of an older commit unpacked in DIR),
to measure the same attacks before a fix; the database, the client side and this script stay the same.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.integration.conftest import ADMIN_TOKEN, free_port, server_env
from tests.pg import start_server as start_postgres

MB = 1024 * 1024


def rss_mb(pid: int) -> tuple[float, float]:
    """(resident, peak resident) memory of a process, in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


class Server:
    def __init__(self, database_url: str, source: Path) -> None:
        self.env = server_env(database_url) | {"PYTHONPATH": str(source)}
        self.source = source
        self.cli("migrate")
        self.token = self.cli("token", "create", "bench").strip().splitlines()[-1]
        port = free_port()
        self.url, self.host_port = f"http://127.0.0.1:{port}", ("127.0.0.1", port)
        self.log = tempfile.NamedTemporaryFile(prefix="skinlens-attack-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen([sys.executable, "-m", "sync_server", "serve", "--port", str(port)],
                                        env=self.env, cwd=source, stdout=self.log, stderr=self.log)
        for _ in range(300):
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start; see {self.log.name}")

    def cli(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "sync_server", *args], env=self.env, cwd=self.source,
                              capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(done.stderr)
        return done.stdout

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def legit_gets(server: Server, count: int) -> tuple[int, list[int | str], float]:
    statuses: list[int | str] = []
    start = time.perf_counter()
    for _ in range(count):
        try:
            answer = requests.get(f"{server.url}/v1/catalog/changes", params={"since": 0},
                                  headers={"Authorization": f"Bearer {server.token}"}, timeout=10)
            statuses.append(answer.status_code)
        except requests.RequestException as exc:
            statuses.append(type(exc).__name__)
    return statuses.count(200), statuses, time.perf_counter() - start


def slow_bodies(server: Server, senders: int = 64, seconds: float = 20.0) -> str:
    stop = threading.Event()
    answered: list[float] = []

    def drip() -> None:
        opened = time.perf_counter()
        try:
            with socket.create_connection(server.host_port, timeout=seconds + 5) as sock:
                sock.sendall(b"POST /v1/admin/catalog HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                             b"Content-Length: 1000000\r\n\r\n{")
                sock.settimeout(1.0)
                while not stop.is_set():
                    try:
                        if sock.recv(4096):
                            answered.append(time.perf_counter() - opened)
                            return
                    except TimeoutError:
                        pass
                    sock.sendall(b" ")
        except OSError:
            answered.append(time.perf_counter() - opened)

    threads = [threading.Thread(target=drip, daemon=True) for _ in range(senders)]
    for thread in threads:
        thread.start()
    time.sleep(2.0)  # every sender has its request open
    ok, statuses, took = legit_gets(server, 20)
    stop.set()
    for thread in threads:
        thread.join(seconds + 10)
    held = f"median {sorted(answered)[len(answered) // 2]:.2f} s" if answered else "none answered"
    others = sorted({str(s) for s in statuses if s != 200})
    return (f"{senders} token-less slow bodies: {ok}/20 legitimate GETs succeeded in {took:.1f} s"
            f"{' (others: ' + ', '.join(others) + ')' if others else ''}; the stranger's requests answered: "
            f"{len(answered)}/{senders}, {held}")


def big_body(server: Server, chunked: bool) -> str:
    before = rss_mb(server.process.pid)[0]
    start = time.perf_counter()
    status: int | str
    try:
        with socket.create_connection(server.host_port, timeout=60) as sock:
            framing = b"Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {200 * MB}\r\n".encode()
            sock.sendall(b"POST /v1/admin/catalog HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         + framing + b"\r\n")
            block = b"x" * MB
            chunk = f"{len(block):x}\r\n".encode() + block + b"\r\n" if chunked else block
            sent = 0
            try:
                for _ in range(200):
                    sock.sendall(chunk)
                    sent += 1
                if chunked:
                    sock.sendall(b"0\r\n\r\n")
            except OSError:
                pass  # the server stopped reading: what a limit looks like from here
            sock.settimeout(30)
            head = sock.recv(4096).split(b"\r\n", 1)[0].decode(errors="replace")
            status = head.split(" ", 2)[1] if head.startswith("HTTP/") else f"closed after {sent} MB"
    except OSError as exc:
        status = type(exc).__name__
    took = time.perf_counter() - start
    time.sleep(1.0)
    after, peak = rss_mb(server.process.pid)
    how = "chunked" if chunked else "Content-Length"
    return (f"one token-less 200 MB body ({how}): answer {status} in {took:.1f} s; worker memory {before:.0f} MB "
            f"before, {after:.0f} MB after, peak {peak:.0f} MB")


def huge_header(server: Server) -> str:
    try:
        answer = requests.get(f"{server.url}/v1/catalog/changes", params={"since": 0},
                              headers={"Authorization": "Bearer " + "x" * (10 * MB)}, timeout=30)
        return f"a 10 MB Authorization header: answer {answer.status_code}, {len(answer.content)} bytes"
    except requests.RequestException as exc:
        return f"a 10 MB Authorization header: {type(exc).__name__} (the server closed the connection)"


def unfinished_heads(server: Server, count: int, wait: float) -> str:
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(server.host_port, timeout=5)
        sock.sendall(b"GET /v1/catalog/changes HTTP/1.1\r\nHost: x\r\n")
        sock.setblocking(False)
        sockets.append(sock)
    start, closed, last = time.monotonic(), 0, 0.0
    while time.monotonic() - start < wait and closed < count:
        time.sleep(0.5)
        for sock in sockets:
            if sock.fileno() < 0:
                continue
            try:
                sock.recv(4096)  # an answer (408) or b"" (closed): either way the server let go
            except BlockingIOError:
                continue  # still open, waiting for the rest of the headers
            except OSError:
                pass  # reset: let go too
            sock.close()
            closed, last = closed + 1, time.monotonic() - start
    for sock in sockets:
        if sock.fileno() >= 0:
            sock.close()
    return (f"{count} connections with unfinished headers: {closed} closed by the server within {wait:.0f} s"
            + (f" (the last after {last:.1f} s)" if closed else ""))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--quick", action="store_true", help="fewer idle connections, shorter waits")
    args = parser.parse_args()
    os.environ.setdefault("SKINLENS_ADMIN_TOKEN", ADMIN_TOKEN)
    pg = start_postgres()
    try:
        import psycopg

        with psycopg.connect(pg.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE attacks")
        server = Server(pg.url("attacks"), args.source.resolve())
        try:
            print(f"server from {args.source}")
            print(slow_bodies(server, seconds=10.0 if args.quick else 20.0))
            print(big_body(server, chunked=False))
            print(big_body(server, chunked=True))
            print(huge_header(server))
            print(unfinished_heads(server, 200 if args.quick else 1000, 20.0 if args.quick else 45.0))
        finally:
            server.stop()
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
