"""`skinlens history list|export|import|delete` and `skinlens analyze --save`: the window's own history store.

The store is opened exactly as the window opens it (same file, same key, the same one-time move of an old
catalog's history), so a scan saved here shows in the window and "delete all" here is the window's "Delete all
my data". Scores never go to the log; a history that cannot be read says why and how to start afresh.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from desktop import userdata
from desktop.history.store import HistoryStore, StoredScan
from desktop.ml.report import SkinReport
from desktop.settings import AppPaths, Settings

FRESH_START = ("To start afresh, run: skinlens history delete --all (the unreadable history is deleted for "
               "good; nothing else is).")


class HistoryUnavailable(Exception):
    """The history cannot be used for this command; the message is for people."""


def open_history(paths: AppPaths) -> HistoryStore:
    """The store as the window opens it; says where the key is kept the first time it is made."""
    history = HistoryStore(paths.history_db, legacy_catalog=paths.catalog_db, photos_dir=paths.photos_dir)
    if history.key_is_new and history.key_notice:
        print(f"note: {history.key_notice}", file=sys.stderr)
    return history


def _readable(history: HistoryStore) -> HistoryStore:
    if history.locked is not None:
        history.close()
        raise HistoryUnavailable(f"your history cannot be read. {history.locked}\n{FRESH_START}")
    return history


class HistorySaver:
    """`analyze --save`: each analysed report goes to the history, with its photo when photos are kept."""

    def __init__(self, paths: AppPaths) -> None:
        settings = Settings.load(paths.settings_file)
        if settings.kiosk_mode:
            raise HistoryUnavailable("this SkinLens is in kiosk mode, which keeps no history: nothing was saved")
        self.keep_photos = settings.keep_photos
        self.history = _readable(open_history(paths))

    def save(self, report: SkinReport, rgb: np.ndarray | None) -> int:
        photo = userdata.encode_photo(rgb) if self.keep_photos and rgb is not None else None
        return userdata.save_scan(self.history, report.to_dict(), photo)

    def close(self) -> None:
        self.history.close()


def add_parser(sub: Any) -> None:
    p = sub.add_parser("history", help="your stored scans: list, export, import, delete")
    hsub = p.add_subparsers(dest="history_command", required=True)
    hsub.add_parser("list", help="one line per stored scan").add_argument("--json", action="store_true",
                                                                         help="one JSON object per scan per line")
    p = hsub.add_parser("export", help="everything stored about you, in one JSON file")
    p.add_argument("--json", metavar="FILE", required=True, dest="file")
    p = hsub.add_parser("import", help="restore an export made by `history export`")
    p.add_argument("--json", metavar="FILE", required=True, dest="file")
    p = hsub.add_parser("delete", help="delete scans (photos included), or all your data")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("ids", nargs="*", type=int, metavar="ID", default=[])
    target.add_argument("--all", action="store_true", help="history, photos, answers, calibration and the key")
    p.add_argument("--with-exports", action="store_true",
                   help="with --all: also delete the files you exported outside the data folder")


def cmd_history(args: argparse.Namespace, paths: AppPaths) -> int:
    commands = {"list": _list, "export": _export, "import": _import, "delete": _delete}
    try:
        return commands[args.history_command](args, paths)
    except HistoryUnavailable as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1


def scan_line(scan: StoredScan) -> dict[str, Any]:
    """What `history list --json` prints for one scan."""
    report = scan.report
    views = [v.get("view") for v in report.get("views") or [] if isinstance(v, dict)] or (
        [report["view"]] if report.get("view") else [])
    return {"id": scan.id, "created_at": scan.created_at,
            "created": dt.datetime.fromtimestamp(scan.created_at, dt.UTC).isoformat(timespec="seconds"),
            "views": views, "concerns": report.get("concerns") or {}, "tone": report.get("tone"),
            "skin_type": (report.get("skin_type") or {}).get("label"), "has_photo": scan.has_photo}


def _list(args: argparse.Namespace, paths: AppPaths) -> int:
    history = _readable(open_history(paths))
    try:
        scans = history.analyses()
        notice = history.key_notice
    finally:
        history.close()
    for scan in scans:
        line = scan_line(scan)
        if args.json:
            print(json.dumps(line, ensure_ascii=False))
            continue
        when = dt.datetime.fromtimestamp(scan.created_at).strftime("%Y-%m-%d %H:%M")
        scores = ", ".join(f"{k} {v:.0f}" for k, v in line["concerns"].items() if isinstance(v, int | float))
        print(f"{scan.id:>5}  {when}  {'+'.join(v or '?' for v in line['views']) or '-':<16} {scores}")
    if not args.json:
        print(f"{len(scans)} scans, encrypted at rest. " + (notice or "The key is in the system keyring."),
              file=sys.stderr)
    return 0


def _export(args: argparse.Namespace, paths: AppPaths) -> int:
    history = _readable(open_history(paths))
    try:
        count = userdata.write_export(history, paths, Path(args.file))
    except OSError as exc:
        raise HistoryUnavailable(f"cannot write {args.file}: {exc.strerror}") from None
    finally:
        history.close()
    print(f"exported {count} scans, your answers and settings to {args.file} (not encrypted: keep it safe)")
    return 0


def _import(args: argparse.Namespace, paths: AppPaths) -> int:
    try:
        document = json.loads(Path(args.file).read_text(encoding="utf-8"))
    except OSError as exc:
        raise HistoryUnavailable(f"cannot read {args.file}: {exc.strerror}") from None
    except ValueError as exc:
        raise HistoryUnavailable(f"{args.file} is not valid JSON ({exc})") from None
    history = _readable(open_history(paths))
    try:
        count = userdata.import_document(history, document)
    except (ValueError, TypeError) as exc:
        raise HistoryUnavailable(f"{args.file}: {exc}") from None
    finally:
        history.close()
    print(f"imported {count} scans from {args.file}")
    return 0


def _delete(args: argparse.Namespace, paths: AppPaths) -> int:
    history = open_history(paths)
    try:
        if args.all:
            return _delete_all(history, paths, args.with_exports)
        _readable(history)
        known = {s.id for s in history.analyses()}
        missing = [i for i in args.ids if i not in known]
        deleted = userdata.delete_scans(history, [i for i in args.ids if i in known])
    finally:
        history.close()
    print(f"deleted {deleted} scan{'s' if deleted != 1 else ''}, photos included")
    if missing:
        print(f"error: no stored scan has the id {', '.join(map(str, missing))}", file=sys.stderr)
        return 1
    return 0


def _delete_all(history: HistoryStore, paths: AppPaths, with_exports: bool) -> int:
    locked = history.locked
    deleted = userdata.delete_all_user_data(history, paths, with_exports=with_exports)
    if locked is not None:
        print("started afresh: the history that could not be read was deleted, with its photos and answers")
    else:
        print(f"deleted all your data: {deleted.scans} scans, their photos, your answers, the calibration and "
              "the history's key")
    for path in deleted.exports_removed:
        print(f"deleted the file you exported: {path}")
    for path in deleted.exports_kept:
        print(f"kept the file you exported (yours to delete, or use --with-exports): {path}")
    return 0
