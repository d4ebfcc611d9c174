"""The whole scan path with the network blocked, in a fresh process (run by tests/unit/test_offline.py).

`python -m tests.offline_path FRAME OUT_DIR` blocks every socket first, then imports the app's modules and runs
camera frames (a file-backed camera) → live guidance and auto-capture → analysis with the concern model loaded
cold → PDF report → routine from the local catalog → history save, and finally checks that the guard does
raise on a real socket. It prints one JSON object; SKINLENS_HOME and the key folder come from the environment.
"""

from __future__ import annotations

import json
import socket
import sys
import time
from pathlib import Path
from typing import Any

from tests import offline_guard


def capture(frame: Path) -> Any:
    from desktop.camera import FileCameras
    from desktop.capture import AutoCapture, LiveGuide
    from desktop.ml.face import FaceFinder

    camera = FileCameras([frame], fps=30).open(0)
    guide, auto = LiveGuide(FaceFinder()), AutoCapture(hold_seconds=0.3)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        rgb = camera.read()
        if rgb is not None and auto.update(guide.check(rgb).ok):
            camera.close()
            return rgb
    raise SystemExit("auto-capture never fired")


def scan(frame: Path, out: Path) -> dict[str, Any]:
    from PySide6.QtGui import QGuiApplication

    from desktop import userdata
    from desktop.catalog.store import CatalogStore
    from desktop.history.store import HistoryStore
    from desktop.ml.analyzer import Analyzer
    from desktop.ml.infer import load_concern_model
    from desktop.ml.report import SkinReport
    from desktop.recommend.engine import Recommender
    from desktop.recommend.questionnaire import Answers
    from desktop.report.compose import content_from_scan
    from desktop.report.pdf import write_report_pdf
    from desktop.resources import resource
    from desktop.settings import AppPaths

    app = QGuiApplication.instance() or QGuiApplication(["offline"])
    rgb = capture(frame)
    analyzer = Analyzer(model_loader=load_concern_model)
    report = analyzer.analyze_array(rgb, name="camera")
    assert isinstance(report, SkinReport), report
    assert analyzer.concern_model is not None  # the model was loaded here, cold, with the network blocked
    paths = AppPaths.default()
    store = CatalogStore(paths.catalog_db)
    store.seed_demo_if_empty(resource("catalog", "demo_catalog.csv"))
    recommender = Recommender.for_store(store)
    routine = recommender.recommend(Answers().to_profile(report.to_dict()))
    photo = userdata.encode_photo(rgb)
    content = content_from_scan(report.to_dict(), time.time(), photo, analyzer, recommender, Answers(), [])
    pdf = write_report_pdf(out / "report.pdf", content)  # the app's export, as History -> Export PDF makes it
    history = HistoryStore(paths.history_db, legacy_catalog=paths.catalog_db, photos_dir=paths.photos_dir)
    scan_id = userdata.save_scan(history, report.to_dict(), photo)
    saved = [s.id for s in history.analyses()]
    history.close()
    store.close()
    del app
    return {"model": report.model, "concerns": report.concerns, "routine_steps": len(routine.steps),
            "pdf_bytes": pdf.stat().st_size, "scan_id": scan_id, "saved": saved}


def guard_checks() -> dict[str, bool]:
    """Each way of making a socket, tried with the guard on: True when it raised NetworkBlocked."""
    real_socket_class = offline_guard._BlockedSocket.__bases__[0]  # the unpatched class: the audit hook's job
    tries = {
        "socket.socket": lambda: socket.socket(),
        "socket.create_connection": lambda: socket.create_connection(("127.0.0.1", 9), timeout=1),
        "socket.getaddrinfo": lambda: socket.getaddrinfo("localhost", 80),
        "_socket.socket": lambda: __import__("_socket").socket(),
        "audit hook (class held before the patch)": lambda: real_socket_class(),
    }
    results = {}
    for name, attempt in tries.items():
        try:
            attempt()
            results[name] = False
        except offline_guard.NetworkBlocked:
            results[name] = True
    return results


def main() -> int:
    frame, out = Path(sys.argv[1]), Path(sys.argv[2])
    with offline_guard.blocked() as attempts:
        result = scan(frame, out)
        result["attempts"] = list(attempts)
        result["guard"] = guard_checks()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
