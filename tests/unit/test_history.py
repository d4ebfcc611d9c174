"""The personal history store, apart from the catalog, and how an existing user's catalog file moves over."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from catalog_format import CatalogRow, catalog_digest
from desktop.catalog.store import CatalogStore
from desktop.history import legacy
from desktop.history.store import HistoryStore
from desktop.recommend.engine import Recommender
from desktop.recommend.profile import Profile
from desktop.settings import AppPaths

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "catalog_v3.sql"


def old_catalog(paths: AppPaths) -> None:
    """catalog.sqlite3 exactly as the store of schema 3 wrote it (tests/fixtures/catalog_v3.sql)."""
    paths.home.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(paths.catalog_db) as conn:
        conn.executescript(FIXTURE.read_text(encoding="utf-8"))
        conn.execute("PRAGMA journal_mode=WAL")


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def columns(path: Path, table: str) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def test_history_profile_and_forgetting(tmp_path: Path) -> None:
    history = HistoryStore(tmp_path / "h.sqlite3")
    first = history.add_analysis({"image": "a.jpg", "ok": True}, photo=b"\xff\xd8a photo")
    history.add_analysis({"image": "b.jpg", "ok": True})
    assert [a[2]["image"] for a in history.analyses()] == ["a.jpg", "b.jpg"]
    assert history.photo(first) == b"\xff\xd8a photo" and len(list(history.photos_dir.iterdir())) == 1
    assert history.delete_analyses([first]) == 1 and not list(history.photos_dir.iterdir())
    history.save_profile({"skin_type": "dry"})
    assert history.load_profile() == {"skin_type": "dry"}
    history.wipe()
    assert history.analyses() == [] and history.load_profile() is None
    history.close()


def test_a_schema_3_catalog_keeps_its_products_and_sync_state_and_loses_its_dead_parts(tmp_path: Path) -> None:
    paths = AppPaths(tmp_path)
    old_catalog(paths)
    store = CatalogStore(paths.catalog_db)
    assert "offers" not in tables(paths.catalog_db) and "price_value" not in columns(paths.catalog_db, "products")
    assert "product_ingredients" not in tables(paths.catalog_db)  # schema 5: the names live on the product row
    with sqlite3.connect(paths.catalog_db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 5
    products = {p.id: p for p in store.products()}
    assert sorted(products) == ["c1", "lf-1", "lf-2", "m1"]
    assert products["c1"].price == 8.5 and products["c1"].skin_types == ("oily",) and products["c1"].tags == ("vegan",)
    assert products["lf-1"].buy_url.endswith("?affil=skinlens") and products["lf-1"].inci == ("water", "niacinamide")
    assert store.stats()["by_source"] == {"import": 2, "sync": 2}
    assert store.get_state("cursor") == '{"seq": 7, "after": null}' and store.get_state("staging")
    synced = [CatalogRow.from_wire(p.to_wire()) for p in products.values() if p.id.startswith("lf-")]
    assert store.synced_digest() == catalog_digest((r.id, r.content_hash()) for r in synced)
    routine = Recommender.for_store(store).recommend(Profile.from_dict({"skin_type": "oily"}))
    assert routine.steps[0].products[0].product_id == "c1"
    assert {"analyses", "user_profile"} <= tables(paths.catalog_db)  # personal rows wait for the history store
    store.close()


def test_history_and_answers_move_to_their_own_file_and_leave_no_trace(tmp_path: Path) -> None:
    paths = AppPaths(tmp_path)
    old_catalog(paths)
    store = CatalogStore(paths.catalog_db)
    history = HistoryStore(paths.history_db, legacy_catalog=paths.catalog_db)
    scans = history.analyses()
    assert [(s[0], s[2]["image"], s[3]) for s in scans] == [(1, "first.jpg", False),  # its photo is long gone
                                                           (2, "second.jpg", False)]
    assert scans[0][1] == 1.79616108138236594202e+09
    assert history.load_profile() == {"skin_type": "dry", "goals": ["calmer"], "vegan": True}
    assert not {"analyses", "user_profile"} & tables(paths.catalog_db)
    left_on_disk = b"".join(p.read_bytes() for p in tmp_path.glob("catalog.sqlite3*"))
    assert b"first.jpg" not in left_on_disk and b"calmer" not in left_on_disk
    assert store.count() == 4  # the catalog is still usable while and after the move
    history.close()
    store.close()


def test_a_move_cut_short_neither_loses_a_scan_nor_brings_back_a_deleted_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = AppPaths(tmp_path)
    old_catalog(paths)

    def cut(_path: Path) -> None:
        raise OSError("the app stopped here")

    monkeypatch.setattr(legacy, "drop_from_catalog", cut)
    with pytest.raises(OSError):
        HistoryStore(paths.history_db, legacy_catalog=paths.catalog_db)
    monkeypatch.undo()
    history = HistoryStore(paths.history_db)  # opened without the old file: the copy is already in
    assert [s[0] for s in history.analyses()] == [1, 2]
    history.delete_analyses([1])
    history.close()
    assert "analyses" in tables(paths.catalog_db)
    history = HistoryStore(paths.history_db, legacy_catalog=paths.catalog_db)
    assert [s[0] for s in history.analyses()] == [2] and "analyses" not in tables(paths.catalog_db)
    history.close()
    CatalogStore(paths.catalog_db).close()  # the catalog migrates after the move as well as before it


def test_a_file_from_a_newer_skinlens_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version=99")
    with pytest.raises(RuntimeError, match="newer SkinLens"):
        HistoryStore(path)
