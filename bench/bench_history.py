"""What sealing the history costs: saving and listing 1,000 scans, sealed (the store) against plaintext rows.

python bench/bench_history.py [--scans 1000] [--runs 7] [--photos 50]
The report saved is a real one (the astronaut photo, analysed once). Saving is one transaction per scan, as the
window and `analyze --save` save; listing reads and opens every scan, as the history screen and `history list`
do. The plaintext baseline is the schema-1 layout (report JSON in a column) on the same SQLite settings minus
secure_delete, with the same JSON library and the same raw statements, so the difference is what sealing costs.
Also: a kept photo (a 1024 px JPEG) sealed on save and opened, and "delete all" of 1,000 scans.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from sqlalchemy import text

from desktop.history.store import HistoryStore
from desktop.sqlite import open_engine
from desktop.userdata import encode_photo


def real_report() -> tuple[dict[str, Any], bytes]:
    from skimage import data

    from desktop.ml.analyzer import Analyzer
    from desktop.ml.infer import load_concern_model

    rgb = np.asarray(data.astronaut())
    report = Analyzer(model_loader=load_concern_model).analyze_array(rgb, name="astronaut.jpg")
    jpeg = encode_photo(rgb)
    assert report.ok and jpeg is not None
    return report.to_dict(), jpeg  # type: ignore[union-attr]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def bench_sealed(folder: Path, report: dict[str, Any], scans: int, runs: int) -> tuple[float, float, HistoryStore]:
    history = HistoryStore(folder / "history.sqlite3")
    start = time.perf_counter()
    for _ in range(scans):
        history.add_analysis(report)
    save = time.perf_counter() - start
    lists = []
    for _ in range(runs):
        start = time.perf_counter()
        assert len(history.analyses()) == scans
        lists.append(time.perf_counter() - start)
    return save, statistics.median(lists), history


def bench_plain(folder: Path, report: dict[str, Any], scans: int, runs: int) -> tuple[float, float]:
    engine = open_engine(folder / "plain.sqlite3")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE analyses (id INTEGER PRIMARY KEY, created_at FLOAT, report_json TEXT, "
                          "photo_path VARCHAR)"))
    start = time.perf_counter()
    for _ in range(scans):
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO analyses (created_at, report_json) VALUES (?, ?)",
                                 (time.time(), orjson.dumps({"report": report}).decode()))
    save = time.perf_counter() - start
    lists = []
    for _ in range(runs):
        start = time.perf_counter()
        with engine.connect() as conn:
            rows = [(i, t, orjson.loads(r)) for i, t, r in conn.exec_driver_sql(
                "SELECT id, created_at, report_json FROM analyses ORDER BY created_at, id")]
        assert len(rows) == scans
        lists.append(time.perf_counter() - start)
    engine.dispose()
    return save, statistics.median(lists)


def bench_photos(history: HistoryStore, report: dict[str, Any], jpeg: bytes, count: int) -> tuple[float, float]:
    saves, opens = [], []
    for _ in range(count):
        start = time.perf_counter()
        scan_id = history.add_analysis(report, jpeg)
        saves.append(time.perf_counter() - start)
        start = time.perf_counter()
        assert history.photo(scan_id) == jpeg
        opens.append(time.perf_counter() - start)
    return statistics.median(saves), statistics.median(opens)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scans", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--photos", type=int, default=50)
    args = parser.parse_args()
    report, jpeg = real_report()
    print(f"report: {len(json.dumps(report))} bytes of JSON; photo: {len(jpeg) // 1024} KiB JPEG")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SKINLENS_KEY_DIR"] = str(Path(tmp) / "keys")  # no keyring needed: a key file, same cipher
        folder = Path(tmp) / "home"
        folder.mkdir()
        plain_save, plain_list = bench_plain(folder, report, args.scans, args.runs)
        save, listing, history = bench_sealed(folder, report, args.scans, args.runs)
        print(f"save {args.scans} scans, one transaction each: sealed {ms(save)} ({ms(save / args.scans)} each), "
              f"plaintext {ms(plain_save)} ({ms(plain_save / args.scans)} each)")
        print(f"list {args.scans} scans (read and open every one), median of {args.runs}: sealed {ms(listing)}, "
              f"plaintext {ms(plain_list)}")
        photo_save, photo_open = bench_photos(history, report, jpeg, args.photos)
        print(f"scan with a kept photo: save {ms(photo_save)} p50, open the photo {ms(photo_open)} p50")
        start = time.perf_counter()
        history.wipe()
        print(f"delete all ({args.scans + args.photos} scans, {args.photos} photos; overwrite, VACUUM, new key): "
              f"{ms(time.perf_counter() - start)}")
        history.close()


if __name__ == "__main__":
    main()
