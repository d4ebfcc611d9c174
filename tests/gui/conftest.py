"""GUI fixtures: the session-wide QApplication comes from pytest-qt (`qapp`); windows from a factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop.ml.analyzer import Analyzer


@pytest.fixture(scope="session")
def shared_analyzer() -> Analyzer:
    """One analyser for all GUI tests: the face models load once."""
    return Analyzer()


@pytest.fixture
def make_window(qtbot, skinlens_home: Path, shared_analyzer: Analyzer) -> Iterator[Callable[..., object]]:  # type: ignore[no-untyped-def]
    from desktop.app import build_services
    from desktop.settings import AppPaths
    from desktop.ui.main_window import MainWindow

    made: list[MainWindow] = []

    def factory() -> MainWindow:
        services = build_services(AppPaths.default(), analyzer=shared_analyzer)
        window = MainWindow(services)
        qtbot.addWidget(window)
        window.show()
        made.append(window)
        return window

    yield factory
    for window in made:
        window.tasks.wait_all(10_000)
        window.services.store.close()
