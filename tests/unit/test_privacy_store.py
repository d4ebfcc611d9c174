"""The sealed history store: where its key lives, what a lost key does, upgrades from plaintext, and what a
delete leaves (byte-wise, with the store still open so its write-ahead log is there to be searched)."""

from __future__ import annotations

import io
import json
import logging
import sqlite3
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from desktop.history import legacy
from desktop.history.keys import KEYRING_SERVICE, KeyVault
from desktop.history.store import HistoryLocked, HistoryStore
from desktop.settings import AppPaths
from desktop.userdata import delete_all_user_data, save_scan
from tests.privacy_checks import report_needles, sealed_needles, traces_of

REPORT = {"image": "/photos/alice-2026.jpg", "ok": True, "tone": {"ita": 41.37, "monk": 3},
          "skin_type": {"label": "combination"}, "concerns": {"acne": 23.5, "redness": 11.25}}


@pytest.fixture
def no_keyring() -> None:
    keyring.set_keyring(fail.Keyring())  # the autouse memory keyring is restored after the test


def store(home: Path) -> HistoryStore:
    home.mkdir(parents=True, exist_ok=True)
    return HistoryStore(home / "history.sqlite3")


def test_with_a_keyring_the_key_lives_there_and_nothing_readable_reaches_the_disk(skinlens_home: Path,
                                                                                   memory_keyring, tmp_path) -> None:  # type: ignore[no-untyped-def]
    history = store(skinlens_home)
    save_scan(history, REPORT, b"\xff\xd8\xff\xe0 a photo of alice")
    history.save_profile({"pregnant": True, "avoid": ["retinol"]})
    assert [k for k in memory_keyring.secrets if k[0] == KEYRING_SERVICE] == [(KEYRING_SERVICE,
                                                                            history.key_info.key_id)]
    assert history.key_info.source == "keyring" and history.key_notice is None
    assert not (tmp_path / "keys").exists()
    assert traces_of(skinlens_home, [*report_needles(REPORT), b"a photo of alice", b"pregnant", b"retinol"]) == []
    assert history.analyses()[0].report == REPORT and history.load_profile()["avoid"] == ["retinol"]
    assert (skinlens_home / "history.sqlite3").stat().st_mode & 0o777 == 0o600
    history.close()


def test_without_a_keyring_a_key_file_outside_the_home_and_plain_words(no_keyring, skinlens_home: Path,
                                                                       tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    history = store(skinlens_home)
    key_file = tmp_path / "keys" / f"{history.key_info.key_id}.key"
    assert history.key_info.source == "file" and key_file.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "keys").stat().st_mode & 0o777 == 0o700
    assert "no system keyring" in history.key_notice and str(key_file) in history.key_notice
    assert "weaker" in history.key_notice and history.key_is_new
    history.add_analysis(REPORT)
    history.close()
    again = store(skinlens_home)
    assert not again.key_is_new and again.analyses()[0].report == REPORT
    again.close()


def test_a_key_folder_inside_the_home_is_refused(no_keyring, skinlens_home: Path,  # type: ignore[no-untyped-def]
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKINLENS_KEY_DIR", str(skinlens_home / "keys"))
    history = store(skinlens_home)
    assert history.locked and "inside the SkinLens data folder" in history.locked
    with pytest.raises(HistoryLocked):
        history.add_analysis(REPORT)
    assert not (skinlens_home / "keys").exists()
    history.close()


def test_a_passphrase_instead_of_a_key_file(no_keyring, skinlens_home: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKINLENS_PASSPHRASE", "correct horse battery staple")
    history = store(skinlens_home)
    assert history.key_info.source == "passphrase" and "passphrase" in history.key_notice
    history.add_analysis(REPORT)
    history.close()
    assert not (tmp_path / "keys").exists()
    monkeypatch.setenv("SKINLENS_PASSPHRASE", "wrong horse")
    wrong = store(skinlens_home)
    assert wrong.locked and "does not unlock" in wrong.locked
    wrong.close()
    monkeypatch.delenv("SKINLENS_PASSPHRASE")
    missing = store(skinlens_home)
    assert missing.locked and "passphrase" in missing.locked
    missing.close()
    monkeypatch.setenv("SKINLENS_PASSPHRASE", "correct horse battery staple")
    right = store(skinlens_home)
    assert right.analyses()[0].report == REPORT
    right.close()


def test_a_lost_key_locks_the_history_and_a_fresh_start_unlocks_it(skinlens_home: Path, memory_keyring) -> None:  # type: ignore[no-untyped-def]
    history = store(skinlens_home)
    save_scan(history, REPORT, b"\xff\xd8photo")
    history.close()
    memory_keyring.secrets.clear()
    locked = store(skinlens_home)
    assert locked.locked and "not in this computer's keyring" in locked.locked
    for attempt in (locked.analyses, locked.load_profile, lambda: locked.add_analysis(REPORT)):
        with pytest.raises(HistoryLocked, match="keyring"):
            attempt()
    delete_all_user_data(locked, AppPaths(skinlens_home))  # the fresh start
    assert locked.locked is None and locked.analyses() == [] and not (skinlens_home / "photos").exists()
    locked.add_analysis(REPORT)
    locked.close()
    assert store(skinlens_home).analyses()[0].report == REPORT


def test_a_wrong_key_and_a_damaged_file_lock_too(skinlens_home: Path, memory_keyring) -> None:  # type: ignore[no-untyped-def]
    history = store(skinlens_home)
    history.add_analysis(REPORT)
    history.close()
    (name,) = [k for k in memory_keyring.secrets if k[0] == KEYRING_SERVICE]
    memory_keyring.secrets[name] = "A" * 43 + "="  # a valid key, not this history's
    wrong = store(skinlens_home)
    assert wrong.locked and "does not unlock" in wrong.locked
    wrong.close()
    (skinlens_home / "history.sqlite3").write_bytes(b"this is not a database" * 100)
    damaged = store(skinlens_home)
    assert damaged.locked and "damaged" in damaged.locked
    damaged.wipe()
    assert damaged.locked is None and damaged.analyses() == []
    damaged.close()


def test_another_process_starting_afresh_is_followed(skinlens_home: Path) -> None:
    window, terminal = store(skinlens_home), store(skinlens_home)
    window.add_analysis(REPORT)
    terminal.wipe()  # `skinlens history delete --all` while the window is open: a new key
    new_id = window.add_analysis({"concerns": {"acne": 1.0}})
    assert [s.id for s in terminal.analyses()] == [new_id] and window.analyses()[0].report["concerns"]["acne"] == 1.0
    window.close(), terminal.close()


def test_deletes_leave_no_ciphertext_in_the_file_free_pages_or_the_log(skinlens_home: Path) -> None:
    history = store(skinlens_home)
    small = [history.add_analysis({"concerns": {"acne": float(i)}}) for i in range(5)]  # share one page
    history.save_profile({"skin_type": "dry"})
    gone = sealed_needles(skinlens_home)[:2]
    assert len(traces_of(skinlens_home, gone)) >= 2  # the search finds them while they are stored
    history.delete_analyses(small[:2])
    assert traces_of(skinlens_home, gone) == []  # overwritten in the page, and no old frame left in the WAL
    everything = sealed_needles(skinlens_home)
    delete_all_user_data(history, AppPaths(skinlens_home))
    assert traces_of(skinlens_home, everything) == []
    history.close()


def schema_1_home(home: Path) -> Path:
    """A history file as schema 1 wrote it (plaintext), with a kept photo in the clear."""
    photos = home / "photos"
    photos.mkdir(parents=True)
    photo = photos / "0f0e.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 plaintext photo of alice")
    with sqlite3.connect(home / "history.sqlite3") as conn:
        conn.executescript("""
            CREATE TABLE analyses (id INTEGER PRIMARY KEY, created_at FLOAT, report_json TEXT, photo_path VARCHAR);
            CREATE TABLE user_profile (id INTEGER PRIMARY KEY, profile_json TEXT);
            PRAGMA user_version=1; PRAGMA journal_mode=WAL;""")
        conn.execute("INSERT INTO analyses VALUES (4, 1.75e9, ?, ?)", (json.dumps(REPORT), str(photo)))
        conn.execute("INSERT INTO user_profile VALUES (1, '{\"avoid\": [\"retinol\"]}')")
    return photo


def test_a_plaintext_history_is_sealed_on_open_and_its_plaintext_removed(skinlens_home: Path) -> None:
    photo = schema_1_home(skinlens_home)
    history = store(skinlens_home)
    (scan,) = history.analyses()
    assert (scan.id, scan.created_at, scan.report, scan.has_photo) == (4, 1.75e9, REPORT, True)
    assert history.photo(4) == b"\xff\xd8\xff\xe0 plaintext photo of alice"
    assert not photo.exists() and history.load_profile() == {"avoid": ["retinol"]}
    assert traces_of(skinlens_home, [*report_needles(REPORT), b"plaintext photo", b"retinol"]) == []
    history.close()


def test_an_upgrade_stopped_after_the_plaintext_went_finishes_on_the_next_open(skinlens_home: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    schema_1_home(skinlens_home)

    def stop(*args: object) -> None:
        raise OSError("stopped here")

    monkeypatch.setattr("desktop.history.upgrade.os.replace", stop)
    with pytest.raises(OSError):
        store(skinlens_home)
    monkeypatch.undo()
    assert not (skinlens_home / "history.sqlite3").exists()  # plaintext gone, the sealed copy waits
    history = store(skinlens_home)
    assert [s.id for s in history.analyses()] == [4] and history.photo(4).endswith(b"of alice")
    assert traces_of(skinlens_home, [b"plaintext photo", b"retinol"]) == []
    history.close()


def test_the_log_names_no_scores_and_photo_paths_only_at_debug(skinlens_home: Path, photo_dir: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop.ml.analyzer import Analyzer

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    try:
        for level in (logging.INFO, logging.DEBUG):
            root.setLevel(level)
            history = store(skinlens_home)
            scan_id = save_scan(history, REPORT, b"\xff\xd8photo")
            (photo,) = (skinlens_home / "photos").iterdir()
            photo.write_bytes(b"damaged")
            assert history.photo(scan_id) is None  # said in the log, without the path
            monkeypatch.setattr(Analyzer, "_measure", lambda *a, **k: 1 / 0)
            failed = Analyzer().analyze(photo_dir / "astronaut.jpg")
            assert failed.code == "internal_error"
            monkeypatch.undo()
            delete_all_user_data(history, AppPaths(skinlens_home))
            history.close()
            if level == logging.INFO:
                text = stream.getvalue()
                assert "could not be read" in text and "failed unexpectedly" in text  # the log did speak
                assert str(photo) not in text and "astronaut.jpg" not in text
                assert not [n for n in report_needles(REPORT) if n.decode() in text]
                assert "41.37" not in text and "23.5" not in text
        assert str(photo_dir / "astronaut.jpg") in stream.getvalue()  # at debug level the path is there
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_the_vault_forgets_a_key_file_for_good(no_keyring, skinlens_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    vault = KeyVault(skinlens_home, tmp_path / "keys")
    info, key = vault.create()
    assert vault.load(info) == key
    vault.forget(info)
    assert not vault.key_file(info.key_id).exists()
    assert legacy.user_version(skinlens_home / "nothing.sqlite3") == 0
