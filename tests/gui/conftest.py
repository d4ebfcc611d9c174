"""GUI fixtures: the session-wide QApplication comes from pytest-qt (`qapp`); windows come from a factory.

Windows are built by the real composition root with two fakes: a camera that plays image files through the same
`CameraProvider` interface as a webcam (these machines have none), and the shared analyser (models load once).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from desktop.camera import CameraProvider, FileCameras, demo_webcam_frame
from desktop.ml.analyzer import Analyzer


@pytest.fixture(scope="session")
def shared_analyzer() -> Analyzer:
    """One analyser for all GUI tests: the face and concern models load once."""
    from desktop.ml.infer import load_concern_model

    return Analyzer(model_loader=load_concern_model)


@pytest.fixture(scope="session")
def webcam_frames(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A webcam-like framing of the astronaut photo (head and shoulders, centred)."""
    path = tmp_path_factory.mktemp("camera") / "frame.png"
    Image.fromarray(demo_webcam_frame()).save(path)
    return [path]


@pytest.fixture
def make_window(qtbot, skinlens_home: Path, shared_analyzer: Analyzer,  # type: ignore[no-untyped-def]
                webcam_frames: list[Path]) -> Iterator[Callable[..., Any]]:
    from desktop.app import build_services
    from desktop.settings import AppPaths, Settings
    from desktop.ui.main_window import MainWindow

    made: list[MainWindow] = []

    def factory(cameras: CameraProvider | None = None, start: bool = True, **settings: Any) -> MainWindow:
        paths = AppPaths.default()
        if settings:
            dataclasses.replace(Settings(), **settings).save(paths.settings_file)
        services = build_services(paths, analyzer=shared_analyzer,
                                  cameras=cameras if cameras is not None else FileCameras(webcam_frames))
        window = MainWindow(services)
        qtbot.addWidget(window)
        if start:
            window.start()
        else:
            window.show()
        made.append(window)
        return window

    yield factory
    for window in made:
        window.session.admin_unlocked = True  # let kiosk windows close
        window.close()  # stops the camera, waits for workers, drops late results
        window.tasks.wait_all(10_000)
        window.services.store.close()
        window.services.history.close()
