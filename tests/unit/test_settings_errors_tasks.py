import threading
from pathlib import Path

import pytest

from desktop.errors import ErrorNotifier
from desktop.settings import AppPaths, Settings, data_home
from desktop.tasks import TaskCancelled, TaskState


def test_skinlens_home_separates_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKINLENS_HOME", str(tmp_path / "a"))
    a = AppPaths.default()
    monkeypatch.setenv("SKINLENS_HOME", str(tmp_path / "b"))
    b = AppPaths.default()
    assert a.catalog_db != b.catalog_db and data_home() == tmp_path / "b"


def test_settings_round_trip_and_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    s = Settings(sync_server_url="https://sync.example", kiosk_mode=True)
    s.save(path)
    assert Settings.load(path) == s
    path.write_text("{broken")
    assert Settings.load(path) == Settings()
    assert (tmp_path / "settings.corrupt.json").exists()


def test_notifier_gets_thread_errors_and_survives_bad_listeners() -> None:
    import sys

    notifier = ErrorNotifier()
    seen: list[str] = []
    notifier.add_listener(lambda m, d: (_ for _ in ()).throw(RuntimeError("listener broke")))
    notifier.add_listener(lambda m, d: seen.append(m))
    old_sys, old_thread = sys.excepthook, threading.excepthook
    try:
        notifier.install()

        def boom() -> None:
            raise ValueError("disk full")

        t = threading.Thread(target=boom, name="worker-1")
        t.start()
        t.join()
    finally:
        sys.excepthook, threading.excepthook = old_sys, old_thread
    assert seen == ["Unexpected error in worker-1: disk full"]
    assert notifier.last and "ValueError" in notifier.last[1]


def test_task_state_progress_and_cancel() -> None:
    seen: list[tuple[float, str]] = []
    state = TaskState(on_progress=lambda f, m: seen.append((f, m)))
    state.progress(1.5, "x")
    assert seen == [(1.0, "x")]
    state.cancel()
    with pytest.raises(TaskCancelled):
        state.check_cancelled()
