"""`skinlens` (and `python -m desktop`): argument parsing only; the work is done by the services.

With no arguments it opens the window. Every command prints a clear sentence on failure, never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop import __version__, history_cli
from desktop.ml.report import AnalysisFailure, SkinReport
from desktop.settings import AppPaths, Settings

if TYPE_CHECKING:
    from desktop.history.store import StoredScan
    from desktop.ml.analyzer import Analyzer

log = logging.getLogger("skinlens")
VIEW_CHOICES = ("front", "left", "right", "closeup")  # desktop.ml.views.VIEWS, without importing the analysis


def _open_store(paths: AppPaths) -> Any:
    from desktop.catalog.store import CatalogStore
    from desktop.resources import resource

    store = CatalogStore(paths.catalog_db)
    store.seed_demo_if_empty(resource("catalog", "demo_catalog.csv"))
    return store


def make_analyzer(paths: AppPaths) -> Analyzer:
    """The analyser with this home's calibration profile, when one was saved."""
    from desktop.ml.analyzer import Analyzer
    from desktop.ml.calibration import CalibrationProfile
    from desktop.ml.infer import load_concern_model

    return Analyzer(calibration=CalibrationProfile.load(paths.calibration_file), model_loader=load_concern_model)


def cmd_calibrate(args: argparse.Namespace, paths: AppPaths) -> int:
    import numpy as np

    from desktop.ml.calibration import calibrate
    from desktop.ml.face import FaceFinder
    from desktop.ml.imaging import ImageError, load_image
    from desktop.ml.regions import face_hull, polygon_mask

    if args.clear:
        paths.calibration_file.unlink(missing_ok=True)
        print("calibration removed: analyses estimate the white balance from each photo")
        return 0
    if not args.image:
        print("error: give a photo with a white or grey card in view (or --clear)", file=sys.stderr)
        return 1
    try:
        rgb = load_image(args.image).rgb
        face = FaceFinder().find(rgb).face
        exclude = None
        if face is not None:  # the card is never on the face
            exclude = polygon_mask((rgb.shape[0], rgb.shape[1]), [face_hull(face.landmarks)])
        profile = calibrate(rgb, exclude)
    except ImageError as exc:
        print(f"error: {exc.message} [{exc.code}]", file=sys.stderr)
        return 1
    profile.save(paths.calibration_file)
    gains = ", ".join(f"{g:.3f}" for g in np.asarray(profile.gains))
    print(f"calibrated from the card at {list(profile.card_box)}: gains R,G,B = {gains}; "
          f"saved to {paths.calibration_file}")
    return 0


def cmd_analyze(args: argparse.Namespace, paths: AppPaths) -> int:
    saver = history_cli.HistorySaver(paths) if args.save else None  # refuses before any work is done
    analyzer = make_analyzer(paths)
    all_ok = True
    try:
        if args.session:
            return _analyze_session(args, analyzer, saver)
        for image in args.images:
            result, rgb = analyzer.analyze_source(image, view=args.view)
            all_ok &= result.ok
            _print_result(args, image, result, rgb, saver)
    finally:
        if saver is not None:
            saver.close()
    return 0 if all_ok else 1


def _analyze_session(args: argparse.Namespace, analyzer: Analyzer, saver: history_cli.HistorySaver | None) -> int:
    """One combined line for the photos of one sitting; the history keeps the combined report with the
    photo of the view it took its tone from (the front one when there is one)."""
    from desktop.ml.combine import combine

    analysed = [analyzer.analyze_source(image, view=args.view) for image in args.images]
    results = [result for result, _ in analysed]
    combined = combine(results)
    photo = next((rgb for result, rgb in analysed if isinstance(result, SkinReport)
                  and isinstance(combined, SkinReport) and result.image == combined.image), None)
    _print_result(args, f"session of {len(results)} photos", combined, photo, saver)
    return 0 if all(r.ok for r in results) else 1


def _print_result(args: argparse.Namespace, label: str, result: SkinReport | AnalysisFailure,
                  rgb: Any, saver: history_cli.HistorySaver | None) -> None:
    saved = saver.save(result, rgb) if saver is not None and isinstance(result, SkinReport) else None
    if args.json:
        print(result.to_json() if saved is None else _with_history_id(result.to_json(), saved), flush=True)
    else:
        print(f"{label}: {_summary(result)}" + (f" (saved as scan {saved})" if saved else ""), flush=True)


def _with_history_id(line: str, scan_id: int) -> str:
    return json.dumps({**json.loads(line), "history_id": scan_id}, ensure_ascii=False)


def _summary(result: SkinReport | AnalysisFailure) -> str:
    if isinstance(result, AnalysisFailure):
        return f"{result.error} [{result.code}]"
    tone = result.tone
    quality = "good photo" if result.quality.ok else "check: " + ", ".join(result.quality.issues)
    tone_text = f"ITA {tone.ita}° ({tone.category}), Monk {tone.monk}" if tone else "tone not measured"
    scores = ", ".join(f"{k} {v:.0f}" for k, v in result.concerns.items() if v is not None)
    return f"{result.view} view; {tone_text}; {quality}; {scores}"


def cmd_catalog(args: argparse.Namespace, paths: AppPaths) -> int:
    store = _open_store(paths)
    if args.catalog_command == "stats":
        stats = store.stats()
        if args.json:
            print(json.dumps(stats))
        else:
            print(f"{stats['products']} products, {stats['brands']} brands, "
                  f"{stats['distinct_ingredients']} distinct ingredients")
            for category, count in stats["by_category"].items():
                print(f"  {category:12} {count}")
        return 0
    try:
        report = store.import_file(Path(args.file))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for error in report.errors:
        print(f"rejected {error}", file=sys.stderr)
    print(f"{args.file}: {report.summary()}")
    return 0 if report.added + report.updated or not report.errors else 1


def _load_json(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path} must hold a JSON object")
    return data


def cmd_recommend(args: argparse.Namespace, paths: AppPaths) -> int:
    from desktop.recommend.engine import Recommender
    from desktop.recommend.profile import Profile, ProfileError

    try:
        if args.profile:
            profile = Profile.from_dict(_load_json(args.profile))
        else:
            report = _load_json(args.report)
            if not report.get("ok", True):
                raise ValueError(f"{args.report} is a failed analysis: {report.get('error')}")
            profile = Profile.from_report(report)
    except (ValueError, ProfileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    store = _open_store(paths)
    routine = Recommender.for_store(store).recommend(profile, limit=args.limit)
    if args.json:
        print(json.dumps(routine.to_dict(), ensure_ascii=False))
        return 0
    for step in routine.steps:
        print(f"{step.step} ({', '.join(step.when)})")
        for rank, pick in enumerate(step.products):
            month = f", about {pick.monthly_cost:.2f} a month" if pick.monthly_cost is not None else ""
            print(f"  {'pick' if rank == 0 else 'alt '} {pick.score:.2f}  {pick.brand} {pick.name}  "
                  f"{pick.price:.2f} {pick.currency}{month}")
            for reason in pick.reasons if rank == 0 else []:
                print(f"        - {reason}")
    total, currency, unknown = routine.monthly_cost()
    print(f"about {total:.2f} {currency} a month" + (f" (size unknown: {', '.join(unknown)})" if unknown else ""))
    for warning in routine.warnings:
        print(f"warning: {warning}")
    for note in routine.notes:
        print(f"note: {note}")
    return 0


def cmd_report(args: argparse.Namespace, paths: AppPaths) -> int:
    """`skinlens report --pdf OUT.pdf IMAGE... [--profile PROFILE.json]`: the photos as one sitting, the
    routine, the trend over the stored scans, printed to a PDF."""
    from desktop.recommend.engine import Recommender
    from desktop.recommend.profile import Profile, ProfileError
    from desktop.report.compose import analyse_views, content_from_views
    from desktop.report.pdf import write_report_pdf

    try:
        answers = Profile.from_dict(_load_json(args.profile)) if args.profile else None
    except (ValueError, ProfileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out = Path(args.pdf)
    if not out.parent.is_dir():
        print(f"error: the folder {out.parent} does not exist", file=sys.stderr)
        return 1
    views, failed = analyse_views(make_analyzer(paths), list(args.images))
    for name, why in failed:
        print(f"{name}: {why}", file=sys.stderr)
    if not views:
        print("error: none of the photos could be analysed, so no report was written", file=sys.stderr)
        return 1
    content = content_from_views(views, failed, Recommender.for_store(_open_store(paths)), answers,
                                 _stored_scans(paths))
    try:
        write_report_pdf(out, content)
    except OSError as exc:
        print(f"error: the report could not be written to {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    steps = sum(1 for s in content.routine.steps if s.products) if content.routine else 0
    print(f"wrote {out}: {len(views)} photo{'s' if len(views) != 1 else ''} analysed, a routine of {steps} steps")
    return 0


def _stored_scans(paths: AppPaths) -> list[StoredScan]:
    """The history's scans for the report's trend; none when there is no history (it is never created here) or
    it cannot be read (a locked history leaves the trend out, never the report)."""
    if not paths.history_db.exists():
        return []
    try:
        history = history_cli.open_history(paths)  # the window's store: same key, same photos folder
    except Exception:
        log.debug("history not readable for the report", exc_info=True)
        return []
    try:
        return [] if history.locked is not None else history.analyses()
    finally:
        history.close()


def _server_url(args: argparse.Namespace, paths: AppPaths) -> str:
    url = args.server or Settings.load(paths.settings_file).sync_server_url
    if not url:
        raise ValueError("no sync server given: use --server URL (or set it in the app's settings)")
    return str(url)


def cmd_sync(args: argparse.Namespace, paths: AppPaths) -> int:
    from desktop.sync.client import SyncClient, SyncError, token_for
    from desktop.sync.state import forget_held_state

    try:
        url = _server_url(args, paths)
        store = _open_store(paths)
        if args.reset:  # the user accepts whatever state the server signs next, even an older one
            forget_held_state(store)
        result = SyncClient(url, token_for(url)).pull(store)
    except (ValueError, SyncError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"synced from {url}: {result.summary()}; {store.count()} products in the local catalog")
    return 0


def _confirm_key(fingerprint: str) -> bool:
    print(f"The server signs its catalog with the key {fingerprint}.")
    answer = input("Is this the fingerprint your administrator gave you (skinlens-server key)? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def cmd_login(args: argparse.Namespace, paths: AppPaths) -> int:
    from desktop.sync.client import SyncError
    from desktop.sync.login import login

    interactive = sys.stdin.isatty()
    token = getpass.getpass("Device token: ") if interactive else sys.stdin.readline().strip()
    if not token:
        print("error: no token given", file=sys.stderr)
        return 1
    try:
        store = _open_store(paths)
        if interactive and not args.fingerprint:
            from desktop.sync.client import SyncClient
            from desktop.sync.keys import fingerprint
            from desktop.sync.login import server_key

            if not _confirm_key(fingerprint(server_key(SyncClient(args.server, token)))):
                print("error: key not confirmed; nothing was stored", file=sys.stderr)
                return 1
        result = login(args.server, token, store, expect_fingerprint=args.fingerprint, replace_key=args.replace_key)
    except SyncError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    settings = Settings.load(paths.settings_file)
    settings.sync_server_url = args.server
    settings.save(paths.settings_file)
    how = {"build": "the key this build carries", "development": "the development key (this machine only)",
           "pinned": "pinned now" if result.pinned_now else "pinned already"}[result.source]
    print(f"token stored in the system keyring for {args.server}")
    print(f"server signing key: {result.fingerprint} ({how})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="skinlens", description="Skin analysis and skincare recommendations, "
                                     "on this machine. Cosmetic guidance, not a diagnosis.")
    parser.add_argument("--version", action="version", version=f"skinlens {__version__}")
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("analyze", help="analyse photos on this machine")
    p.add_argument("--json", action="store_true", help="one JSON object per image per line")
    p.add_argument("--view", choices=VIEW_CHOICES, help="the view the photos show, instead of deciding it")
    p.add_argument("--session", action="store_true",
                   help="the photos are views of one person at one sitting: print one combined report")
    p.add_argument("--save", action="store_true", help="also store each result in your (encrypted) history")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    p = sub.add_parser("calibrate", help="set the colour calibration from a photo of a white or grey card")
    p.add_argument("image", nargs="?", metavar="IMAGE")
    p.add_argument("--clear", action="store_true", help="remove the calibration")
    p = sub.add_parser("catalog", help="the local product catalog")
    csub = p.add_subparsers(dest="catalog_command", required=True)
    csub.add_parser("import", help="load a catalog file (CSV or JSON Lines)").add_argument("file")
    csub.add_parser("stats", help="print counts").add_argument("--json", action="store_true")
    p = sub.add_parser("recommend", help="print a routine for a profile or an analysis report")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--profile", metavar="PROFILE.json")
    source.add_argument("--report", metavar="REPORT.json")
    p.add_argument("--limit", type=int, default=3, help="products per step (default 3)")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("report", help="analyse photos and print a report with the routine to a PDF")
    p.add_argument("--pdf", metavar="OUT.pdf", required=True)
    p.add_argument("--profile", metavar="PROFILE.json", help="answers and preferences (as for recommend)")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    p = sub.add_parser("gui", help="open the window (the default when no command is given)")
    p.add_argument("--quit-after-paint", action="store_true",
                   help="print the time of the first paint and exit (installers' smoke test, launch benchmark)")
    sub.add_parser("doctor", help="load every bundled model and data file and report").add_argument(
        "--json", action="store_true")
    p = sub.add_parser("sync", help="pull the catalog from the sync server")
    p.add_argument("--server", metavar="URL")
    p.add_argument("--reset", action="store_true",
                   help="forget the catalog state held, accepting an older one (a server restored from a backup)")
    p = sub.add_parser("login", help="store a device token (read from stdin) and pin the server's signing key")
    p.add_argument("--server", metavar="URL", required=True)
    p.add_argument("--fingerprint", metavar="SHA256:…", help="refuse unless the server's key has this fingerprint")
    p.add_argument("--replace-key", action="store_true", help="accept a key that differs from the one pinned")
    history_cli.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("GLOG_minloglevel", "2")  # mediapipe's C++ logging: warnings and above only
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    if args.command in (None, "gui"):
        from desktop.app import run_gui

        return run_gui(quit_after_paint=getattr(args, "quit_after_paint", False))
    if args.command == "doctor":
        from desktop import doctor

        return doctor.run(as_json=args.json)
    paths = AppPaths.default()
    handlers = {"analyze": cmd_analyze, "calibrate": cmd_calibrate, "catalog": cmd_catalog, "recommend": cmd_recommend,
                "report": cmd_report, "sync": cmd_sync, "login": cmd_login, "history": history_cli.cmd_history}
    try:
        return handlers[args.command](args, paths)
    except KeyboardInterrupt:
        return 130
    except history_cli.HistoryUnavailable as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    except Exception as exc:  # the contract: never a traceback; the full one goes to the log
        log.debug("command failed", exc_info=True)
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # python -m desktop.cli, same as the skinlens command
    sys.exit(main())
