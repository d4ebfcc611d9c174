"""The two servers under test, started on one PostgreSQL with the same catalog: SkinLens and Kinto 26.5."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import orjson
import requests

from catalog_format import CatalogRow, parse_catalog_file, wire_product
from tests.pg import PgServer

ROOT = Path(__file__).resolve().parent.parent
ADMIN_TOKEN = "bench-admin-token-0123456789abcdef"
KINTO_VERSION = "26.5.0"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "skinlens-bench"
KINTO_AUTH = ("bench", "bench-password")
COLLECTION = "/v1/buckets/skinlens/collections/products"


def kinto_bin() -> Path:
    """The `kinto` command of a venv holding Kinto 26.5.0 and its PostgreSQL driver (made once)."""
    venv = CACHE / f"kinto-{KINTO_VERSION}"
    kinto = venv / "bin" / "kinto"
    if not kinto.exists():
        print(f"installing Kinto {KINTO_VERSION} into {venv} (once) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", f"kinto[postgresql]=={KINTO_VERSION}"],
                       check=True)
    return kinto


def catalog(size: int) -> list[CatalogRow]:
    base = parse_catalog_file(ROOT / "resources" / "catalog" / "demo_catalog.csv").rows
    return [replace(base[i % len(base)], id=f"{base[i % len(base)].id}-{i}") for i in range(size)]


def record(row: CatalogRow) -> dict[str, object]:
    """A product as both servers carry it on the wire (the feed's JSON form)."""
    return wire_product(replace(row, affiliate_url=row.url).values())


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(600):
        if process.poll() is not None:
            break
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not start: {log.read_text()[-3000:]}")


@dataclass
class Running:
    base: str
    process: subprocess.Popen[bytes]
    database: str

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(15)


def start_skinlens(pg: PgServer, rows: list[CatalogRow], workdir: Path) -> tuple[Running, float, str]:
    """Migrate, import the catalog with the CLI (timed), add a device token and serve with one worker."""
    url = pg.url("skinlens")
    env = dict(os.environ, DATABASE_URL=url, SKINLENS_ENVIRONMENT="development", SKINLENS_ADMIN_TOKEN=ADMIN_TOKEN,
               SKINLENS_RATE_LIMIT_PER_SECOND="1000000", SKINLENS_RATE_LIMIT_BURST="1000000",
               SKINLENS_MAX_INFLIGHT_REQUESTS="10000")
    cli = [sys.executable, "-m", "sync_server"]
    subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True)
    for host in sorted({r.url.split("/")[2] for r in rows}):
        subprocess.run([*cli, "retailer", "add", host], env=env, check=True, capture_output=True)
    path = workdir / "catalog.jsonl"
    path.write_bytes(b"".join(orjson.dumps(record(r)) + b"\n" for r in rows))
    start = time.perf_counter()
    subprocess.run([*cli, "import", str(path)], env=env, check=True, capture_output=True)
    bulk = time.perf_counter() - start
    token = subprocess.run([*cli, "token", "create", "bench"], env=env, check=True, capture_output=True,
                           text=True).stdout.strip().splitlines()[-1]
    log = workdir / "skinlens.log"
    process = subprocess.Popen([*cli, "serve", "--port", "18124"], env=env, stdout=log.open("wb"),
                               stderr=subprocess.STDOUT)
    wait_until_up("http://127.0.0.1:18124/healthz", process, log)
    return Running("http://127.0.0.1:18124", process, "skinlens"), bulk, token


def start_kinto(pg: PgServer, rows: list[CatalogRow], workdir: Path) -> tuple[Running, float]:
    """Kinto with PostgreSQL storage, one waitress process; the catalog loaded in batches of 25 (timed)."""
    kinto = kinto_bin()
    ini = workdir / "kinto.ini"
    db = pg.url("kinto")
    ini.write_text(f"""[app:main]
use = egg:kinto
kinto.storage_backend = kinto.core.storage.postgresql
kinto.storage_url = {db}
kinto.permission_backend = kinto.core.permission.postgresql
kinto.permission_url = {db}
kinto.cache_backend = kinto.core.cache.memory
kinto.bucket_create_principals = system.Authenticated
kinto.userid_hmac_secret = bench-secret-0123456789
multiauth.policies = basicauth

[server:main]
use = egg:waitress#main
host = 127.0.0.1
port = 18125

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = plain

[logger_root]
level = INFO
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
formatter = plain

[formatter_plain]
format = %%(asctime)s %%(levelname)s %%(name)s %%(message)s
""")
    subprocess.run([str(kinto), "migrate", "--ini", str(ini)], check=True, capture_output=True)
    log = workdir / "kinto.log"
    process = subprocess.Popen([str(kinto), "start", "--ini", str(ini)], stdout=log.open("wb"),
                               stderr=subprocess.STDOUT)
    base = "http://127.0.0.1:18125"
    wait_until_up(f"{base}/v1/", process, log)
    http = requests.Session()
    http.auth = KINTO_AUTH
    http.put(f"{base}/v1/buckets/skinlens").raise_for_status()
    http.put(f"{base}{COLLECTION}").raise_for_status()
    start = time.perf_counter()
    kinto_write(http, base, [("PUT", r) for r in rows])
    return Running(base, process, "kinto"), time.perf_counter() - start


def kinto_write(http: requests.Session, base: str, writes: list[tuple[str, CatalogRow]]) -> None:
    """Writes through Kinto's /v1/batch, 25 a request (its default batch_max_requests)."""
    for start in range(0, len(writes), 25):
        requests_ = [{"method": method, "path": f"{COLLECTION}/records/{kinto_id(r.id)}",
                      **({"body": {"data": record(r)}} if method == "PUT" else {})}
                     for method, r in writes[start:start + 25]]
        answer = http.post(f"{base}/v1/batch", json={"requests": requests_})
        answer.raise_for_status()
        failed = [r for r in answer.json()["responses"] if r["status"] >= 400]
        if failed:
            raise RuntimeError(f"Kinto refused a batch write: {failed[0]}")


def kinto_id(product_id: str) -> str:
    return product_id.replace(".", "_")
