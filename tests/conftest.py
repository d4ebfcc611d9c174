"""Fixtures shared by every test: photos, an isolated SKINLENS_HOME, a keyring backend, PostgreSQL, shared data."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import psycopg
import pytest
from keyring.backend import KeyringBackend
from PIL import Image

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GLOG_minloglevel", "2")

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


class MemoryKeyring(KeyringBackend):
    """A real keyring backend kept in memory: these machines have no keyring daemon."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    import keyring

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def skinlens_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own SKINLENS_HOME and key folder: no test ever touches the user's real data."""
    home = tmp_path / "home"
    monkeypatch.setenv("SKINLENS_HOME", str(home))
    monkeypatch.delenv("SKINLENS_SYNC_TOKEN", raising=False)
    # History keys: a key file (used where there is no keyring) goes to this test's own folder, outside the home,
    # and a `skinlens` subprocess never reaches a real keyring (it has no keyring and uses that key file).
    monkeypatch.setenv("SKINLENS_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.delenv("SKINLENS_PASSPHRASE", raising=False)
    return home


@pytest.fixture(scope="session")
def astronaut_rgb() -> np.ndarray:
    from skimage import data

    return np.asarray(data.astronaut())


@pytest.fixture(scope="session")
def photo_dir(tmp_path_factory: pytest.TempPathFactory, astronaut_rgb: np.ndarray) -> Path:
    """Real and broken photo files, written once per session."""
    d = tmp_path_factory.mktemp("photos")
    Image.fromarray(astronaut_rgb).save(d / "astronaut.jpg", quality=92)
    (d / "not_an_image.jpg").write_text("this is a text file with a .jpg name\n")
    full = (d / "astronaut.jpg").read_bytes()
    (d / "truncated.jpg").write_bytes(full[: len(full) // 2])
    rng = np.random.default_rng(0)
    Image.fromarray((rng.random((400, 400, 3)) * 40 + 100).astype(np.uint8)).save(d / "no_face.png")
    return d


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The one door to ../shared: tests that need it skip with a clear message when it is absent."""
    data = SHARED / "data"
    if not data.is_dir():
        pytest.skip(f"../shared/data is not present next to the repo ({data}); this test needs it")
    return data


# -- PostgreSQL ------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def pg_server() -> Iterator[object]:
    from tests.pg import start_server

    server = start_server()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_template(pg_server: object) -> str:
    """A database migrated to head once; each test copies it (CREATE DATABASE ... TEMPLATE)."""
    from sync_server.config import ServerSettings
    from sync_server.migrate import upgrade_to_head

    url = pg_server.url()  # type: ignore[attr-defined]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE DATABASE skinlens_template")
    template_url = pg_server.url("skinlens_template")  # type: ignore[attr-defined]
    upgrade_to_head(ServerSettings(DATABASE_URL=template_url).sqlalchemy_url)  # type: ignore[call-arg]
    return "skinlens_template"


@pytest.fixture
def database_url(pg_server: object, pg_template: str) -> Iterator[str]:
    """A fresh, migrated database for this test only."""
    name = "t_" + uuid.uuid4().hex[:12]
    admin = pg_server.url()  # type: ignore[attr-defined]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE {pg_template}')
    yield pg_server.url(name)  # type: ignore[attr-defined]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
