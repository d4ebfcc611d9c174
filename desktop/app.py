"""The composition root: builds settings, store, analyser, recommender and sync, then the window.

Nothing else constructs services; views receive them as a `desktop.services.Services` and never import this
module, which sits above everything. Heavy imports (mediapipe, torch) stay out of here so the window appears
fast: the analyser loads its models on first use, in a worker.
"""

from __future__ import annotations

import logging
import sys
import time

from desktop.camera import CameraProvider, OpenCVCameras
from desktop.catalog.store import CatalogStore
from desktop.errors import ErrorNotifier
from desktop.history.store import HistoryStore
from desktop.ml.analyzer import Analyzer
from desktop.ml.calibration import CalibrationProfile
from desktop.ml.infer import load_concern_model
from desktop.recommend.engine import Recommender
from desktop.resources import resource
from desktop.services import Services
from desktop.settings import AppPaths, Settings


def build_services(paths: AppPaths | None = None, analyzer: Analyzer | None = None,
                   cameras: CameraProvider | None = None) -> Services:
    paths = paths or AppPaths.default()
    _log_to_file(paths)
    store = CatalogStore(paths.catalog_db)
    store.seed_demo_if_empty(resource("catalog", "demo_catalog.csv"))
    history = HistoryStore(paths.history_db, legacy_catalog=paths.catalog_db, photos_dir=paths.photos_dir)
    calibration = CalibrationProfile.load(paths.calibration_file)
    return Services(paths=paths, settings=Settings.load(paths.settings_file), store=store, history=history,
                    analyzer=analyzer or Analyzer(calibration=calibration, model_loader=load_concern_model),
                    recommender=Recommender.for_store(store),
                    notifier=ErrorNotifier(), cameras=cameras or OpenCVCameras())


def _log_to_file(paths: AppPaths) -> None:
    """The app's log lives in its data dir (the notifier writes full tracebacks there)."""
    root = logging.getLogger()
    target = str(paths.log_file)
    if not any(isinstance(h, logging.FileHandler) and h.baseFilename == target for h in root.handlers):
        handler = logging.FileHandler(target, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.setLevel(logging.INFO)
        root.addHandler(handler)
    root.setLevel(min(root.level or logging.INFO, logging.INFO))


def run_gui(argv: list[str] | None = None, services: Services | None = None, quit_after_paint: bool = False) -> int:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from desktop.ui.main_window import MainWindow
    from desktop.ui.theme import apply_theme

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication(argv or sys.argv)
    app.setApplicationName("SkinLens")
    services = services or build_services()
    services.notifier.install()
    apply_theme(app, services.settings.theme)  # type: ignore[arg-type]
    window = MainWindow(services)
    window.start()
    if quit_after_paint:  # the first zero-timeout timer fires after the first paint
        QTimer.singleShot(0, lambda: (print(f"first paint at {time.time():.3f}", flush=True), window.close(),
                                      app.quit()))
    try:
        return int(app.exec())
    finally:
        services.store.close()
        services.history.close()
