"""`skinlens analyze --save` and `skinlens history` as a user runs them (real subprocesses, no keyring: key file).

What a saved scan leaves in SKINLENS_HOME is searched byte by byte, every file included (-wal, -shm), for the
scan in the clear and, after deleting, for the very ciphertext it was stored as.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from desktop.settings import AppPaths, Settings
from desktop.userdata import encode_photo
from tests.privacy_checks import report_needles, sealed_needles, traces_of


def skinlens(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "desktop", *args], capture_output=True, text=True,
                            env={**os.environ, "GLOG_minloglevel": "2"}, timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def saved_scan(photo: Path) -> dict[str, Any]:
    result = skinlens("analyze", "--save", "--json", str(photo))
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.splitlines()[-1]))


def keep_photos(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    Settings(keep_photos=True).save(AppPaths(home).settings_file)


def test_a_saved_scan_is_unreadable_on_disk_listed_exported_and_deleted_without_trace(
        photo_dir: Path, skinlens_home: Path, tmp_path: Path) -> None:
    keep_photos(skinlens_home)
    photo = photo_dir / "astronaut.jpg"
    report = saved_scan(photo)
    assert report["ok"] and report["history_id"] == 1 and report["tone"]["ita"] is not None
    jpeg = encode_photo(np.asarray(Image.open(photo).convert("RGB")))
    assert jpeg is not None
    clear = [*report_needles(report), jpeg[200:264]]
    assert traces_of(skinlens_home, clear) == []  # scores, ITA, skin type, image path, photo: none readable
    assert len(list((skinlens_home / "photos").iterdir())) == 1
    (key_file,) = (tmp_path / "keys").iterdir()
    assert key_file.stat().st_mode & 0o777 == 0o600

    listed = skinlens("history", "list", "--json")
    (line,) = [json.loads(x) for x in listed.stdout.splitlines()]
    assert line["id"] == 1 and line["concerns"] == report["concerns"] and line["tone"] == report["tone"]
    assert line["skin_type"] == report["skin_type"]["label"] and line["has_photo"] is True
    text = skinlens("history", "list")
    assert "encrypted at rest" in text.stderr and "key" in text.stderr and "weaker" in text.stderr

    export = tmp_path / "export.json"
    assert skinlens("history", "export", "--json", str(export)).returncode == 0
    exported = json.loads(export.read_text())
    assert traces_of(tmp_path, clear[:3]) and exported["scans"][0]["report"] == {
        k: v for k, v in report.items() if k != "history_id"}  # the search does find the scan where it is clear
    assert export.stat().st_mode & 0o777 == 0o600

    sealed = sealed_needles(skinlens_home)
    assert len(sealed) == 3 and len(traces_of(skinlens_home, sealed)) >= 3  # scan, export record, photo: on disk
    deleted = skinlens("history", "delete", "--all")
    assert deleted.returncode == 0 and "kept the file you exported" in deleted.stdout
    assert traces_of(skinlens_home, clear + sealed) == []  # nothing of it, not even its ciphertext
    assert not key_file.exists() and not (skinlens_home / "photos").exists()  # the old key is destroyed
    assert skinlens("history", "list", "--json").stdout == ""

    assert skinlens("history", "import", "--json", str(export)).returncode == 0
    again = tmp_path / "again.json"
    skinlens("history", "export", "--json", str(again))
    first, second = json.loads(export.read_text()), json.loads(again.read_text())
    for document in (first, second):
        document.pop("exported_at"), document.pop("exported_files")
    assert first == second  # the export round-trips: scans (with the photo), answers, settings, calibration
    assert skinlens("history", "delete", "--all", "--with-exports").returncode == 0
    assert not again.exists() and export.exists()  # only files still as SkinLens wrote them are SkinLens's


def test_deleting_one_scan_leaves_the_others_and_no_trace_of_it(photo_dir: Path, skinlens_home: Path) -> None:
    keep_photos(skinlens_home)
    saved_scan(photo_dir / "astronaut.jpg")
    first = sealed_needles(skinlens_home)
    saved_scan(photo_dir / "astronaut.jpg")
    result = skinlens("history", "delete", "1")
    assert result.returncode == 0 and "deleted 1 scan" in result.stdout
    assert traces_of(skinlens_home, first) == []  # the deleted row's ciphertext is gone from the file and the WAL
    assert [json.loads(x)["id"] for x in skinlens("history", "list", "--json").stdout.splitlines()] == [2]
    missing = skinlens("history", "delete", "7")
    assert missing.returncode == 1 and "no stored scan has the id 7" in missing.stderr


def test_a_lost_key_is_a_message_and_a_fresh_start_not_a_traceback(photo_dir: Path, skinlens_home: Path,
                                                                      tmp_path: Path) -> None:
    saved_scan(photo_dir / "astronaut.jpg")
    for key in (tmp_path / "keys").iterdir():
        key.unlink()
    for args in (("history", "list"), ("history", "export", "--json", str(tmp_path / "x.json")),
                 ("analyze", "--save", str(photo_dir / "astronaut.jpg"))):
        result = skinlens(*args)
        assert result.returncode == 1
        assert "cannot be read" in result.stderr and "skinlens history delete --all" in result.stderr, args
    fresh = skinlens("history", "delete", "--all")
    assert fresh.returncode == 0 and "started afresh" in fresh.stdout
    assert skinlens("history", "list", "--json").returncode == 0
    assert saved_scan(photo_dir / "astronaut.jpg")["history_id"] == 1


def test_a_kiosk_home_refuses_to_save(photo_dir: Path, skinlens_home: Path) -> None:
    skinlens_home.mkdir(parents=True)
    Settings(kiosk_mode=True).save(AppPaths(skinlens_home).settings_file)
    result = skinlens("analyze", "--save", str(photo_dir / "astronaut.jpg"))
    assert result.returncode == 1 and "kiosk mode" in result.stderr
    assert not (skinlens_home / "history.sqlite3").exists() and result.stdout == ""  # refused before any work
