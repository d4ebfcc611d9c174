"""A throwaway PostgreSQL server for the test suite (initdb + pg_ctl on loopback, no system service).

PostgreSQL refuses to run as root; when the suite runs as root (CI does), the server runs as the `postgres`
system user through `runuser`. Durability is switched off (fsync=off): the data is thrown away anyway.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def pg_bindir() -> Path | None:
    env = os.environ.get("SKINLENS_PG_BINDIR")
    if env:
        return Path(env)
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parent.parent.name))
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgServer:
    bindir: Path
    root: Path
    port: int
    as_user: list[str]
    external: bool = False  # started by someone else: never stopped here

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://skinlens@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, text=True)

    def start(self) -> None:
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "skinlens", "--auth=trust",
                  "-E", "UTF8", "--no-sync")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.root / "server.log"), "-w", "-t", "60", "start")

    def stop(self) -> None:
        if self.external:
            return
        subprocess.run([*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                        "-w", "stop"], capture_output=True, check=False)
        shutil.rmtree(self.root, ignore_errors=True)


EXTERNAL_PORT = "SKINLENS_TEST_PG_PORT"  # set by scripts/mutation.py: one server for many pytest runs


def external_server() -> PgServer | None:
    """The already running server named by $SKINLENS_TEST_PG_PORT (its owner stops it), if any."""
    port = os.environ.get(EXTERNAL_PORT)
    if not port:
        return None
    return PgServer(bindir=Path(), root=Path(), port=int(port), as_user=[], external=True)


def start_server() -> PgServer:
    bindir = pg_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL binaries (initdb) not found: run `bash scripts/dev.sh setup` "
                           "or apt-get install postgresql")
    root = Path(tempfile.mkdtemp(prefix="skinlens-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    server = PgServer(bindir=bindir, root=root, port=_free_port(), as_user=as_user)
    server.start()
    return server


if __name__ == "__main__":  # python -m tests.pg start | stop ROOT PORT (for scripts/mutation.py)
    import sys

    if sys.argv[1] == "start":
        started = start_server()
        print(started.port, started.root)
    else:
        user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        PgServer(bindir=pg_bindir() or Path(), root=Path(sys.argv[2]), port=int(sys.argv[3]), as_user=user).stop()
