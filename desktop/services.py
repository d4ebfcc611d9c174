"""The services the composition root (`desktop/app.py`) builds and hands to the views.

A module of its own so the UI can name what it is given without importing the module that builds it: the
composition root sits above everything, and nothing imports it back (an import-linter contract says so).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from desktop.camera import CameraProvider, OpenCVCameras
from desktop.catalog.store import CatalogStore
from desktop.errors import ErrorNotifier
from desktop.history.store import HistoryStore
from desktop.ml.analyzer import Analyzer
from desktop.recommend.engine import Recommender
from desktop.settings import AppPaths, Settings
from desktop.sync.client import SyncClient


@dataclass
class Services:
    paths: AppPaths
    settings: Settings
    store: CatalogStore
    history: HistoryStore
    analyzer: Analyzer
    recommender: Recommender
    notifier: ErrorNotifier
    cameras: CameraProvider = field(default_factory=OpenCVCameras)
    make_sync_client: Callable[[str, str], SyncClient] = SyncClient  # (server URL, token)
    open_url: Callable[[str], bool] | None = None  # None: the UI uses the system browser
