"""Throughput of one URL under concurrent keep-alive connections: `wrk` when installed, else Python threads.

The Python generator is much slower than wrk (it shares the two cores with the servers), so its figures are
lower bounds and are labelled as such.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass

import requests


@dataclass
class Load:
    tool: str  # "wrk" or "python load generator"
    rps: float
    requests: int
    failed: int  # wrong status, socket errors and timeouts


def load(url: str, headers: dict[str, str], *, connections: int, seconds: float, expect: int) -> Load:
    if shutil.which("wrk"):
        return _wrk(url, headers, connections, seconds)
    return _python(url, headers, connections, seconds, expect)


def _wrk(url: str, headers: dict[str, str], connections: int, seconds: float) -> Load:
    """wrk counts a status outside 2xx/3xx and socket errors; those are the failures."""
    args = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = (int(bad.group(1)) if bad else 0) + (sum(int(g) for g in errors.groups()) if errors else 0)
    return Load("wrk", rps, total, failed)


def _python(url: str, headers: dict[str, str], connections: int, seconds: float, expect: int) -> Load:
    counts = [0] * connections
    failures = [0] * connections
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        with requests.Session() as http:
            while time.monotonic() < deadline:
                try:
                    ok = http.get(url, headers=headers, timeout=10).status_code == expect
                except requests.RequestException:
                    ok = False
                counts[index] += 1
                failures[index] += not ok

    start = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    return Load("python load generator", sum(counts) / elapsed, sum(counts), sum(failures))
