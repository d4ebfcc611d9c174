"""The window's responsiveness, measured: live preview rate and the longest UI-thread stall during analysis.

python bench/bench_ui.py [--seconds 5] [--runs 10]   (offscreen by default; set QT_QPA_PLATFORM to change)

- Live preview: a file-backed camera delivers 640×480 frames at 30 fps (a typical webcam) and unthrottled;
  guidance (face + landmarks + every capture check) runs on the newest frame whenever it is free. Reported:
  frames painted per second and checks per second; also during the three-view scan's side step.
- Stall: a 1 ms QTimer on the UI thread records the gap between its ticks from the moment an analysis starts
  until its results and routine are on screen; the longest gap is how long the window was frozen. The models
  load in a worker shortly after start-up (importing onnxruntime holds the GIL once); that pause is reported
  separately.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def make_photo(size: tuple[int, int], folder: Path) -> Path:
    from PIL import Image

    from desktop.camera import demo_webcam_frame

    face = Image.fromarray(demo_webcam_frame())
    canvas = Image.new("RGB", size, (120, 120, 120))
    side = size[1]
    canvas.paste(face.resize((side, side)), ((size[0] - side) // 2, 0))
    path = folder / f"photo_{size[0]}x{size[1]}.jpg"
    canvas.save(path, quality=92)
    return path


class TickRecorder:
    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.worst = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def start(self) -> None:
        self.last, self.worst = time.perf_counter(), 0.0
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.worst * 1000


def wait(app: object, predicate: object, timeout: float = 60.0) -> None:
    from PySide6.QtCore import QCoreApplication

    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:  # type: ignore[operator]
        QCoreApplication.processEvents()
        time.sleep(0.001)


def run_for(seconds: float) -> None:
    from PySide6.QtCore import QCoreApplication

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QCoreApplication.processEvents()
        time.sleep(0.001)


def make_window(cameras: object, home: str) -> object:
    from desktop.app import build_services
    from desktop.settings import AppPaths, Settings
    from desktop.ui.main_window import MainWindow

    paths = AppPaths(Path(home))
    Settings(consent_given=True).save(paths.settings_file)
    window = MainWindow(build_services(paths, cameras=cameras))  # type: ignore[arg-type]
    window.capture.auto_box.setChecked(False)
    window.start()
    return window


def bench_preview(app: object, frame: Path, seconds: float, fps: float,
                  side_step: bool = False) -> tuple[float, float]:
    """With `side_step`, the three-view scan is on and past its front photo: frames are checked for the left
    cheek (the person still faces the camera, so the check runs in full every frame and never passes)."""
    from desktop.camera import FileCameras

    window = make_window(FileCameras([frame], fps=fps), tempfile.mkdtemp())
    live = window.live  # type: ignore[attr-defined]
    if side_step:
        window.capture.three_views.switch.setChecked(True)  # type: ignore[attr-defined]
        wait(app, lambda: live.target_view == "left")
    wait(app, lambda: live.checks_run > 2)
    shown, checks, start = live.frames_shown, live.checks_run, time.perf_counter()
    run_for(seconds)
    elapsed = time.perf_counter() - start
    result = ((live.frames_shown - shown) / elapsed, (live.checks_run - checks) / elapsed)
    window.close()  # type: ignore[attr-defined]
    return result


def bench_stall(app: object, photo: Path, runs: int) -> list[float]:
    from desktop.camera import NoCameras

    recorder = TickRecorder()
    window = make_window(NoCameras(), tempfile.mkdtemp())
    recorder.start()  # construction itself is launch time (bench_startup.py); from here the loop must run
    warmed: list[object] = []
    window.warmed_up.connect(lambda: warmed.append(1))  # type: ignore[attr-defined]
    wait(app, lambda: bool(warmed))
    worst = [recorder.stop()]  # first: window start and model warm-up (the onnxruntime import, once per process)
    for _ in range(runs):
        routines: list[object] = []
        window.routine_ready.connect(routines.append)  # type: ignore[attr-defined]
        recorder.start()
        window.analyze_file(photo)  # type: ignore[attr-defined]
        wait(app, lambda routines=routines: bool(routines))
        run_for(0.1)  # the paint of the results page
        worst.append(recorder.stop())
        window.routine_ready.disconnect(routines.append)  # type: ignore[attr-defined]
    window.close()  # type: ignore[attr-defined]
    return worst


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    folder = Path(tempfile.mkdtemp())
    frame = make_photo((640, 480), folder)
    for size in ((1920, 1080), (640, 480)):
        worst = bench_stall(app, make_photo(size, folder), args.runs)
        print(f"longest UI-thread stall during analysis {size[0]}x{size[1]}: "
              f"p50 {statistics.median(worst[1:]):.1f} ms, max {max(worst[1:]):.1f} ms "
              f"over {args.runs} runs (start-up model warm-up, before any scan: {worst[0]:.1f} ms)")
    for fps in (30.0, 0.0):
        shown, checks = bench_preview(app, frame, args.seconds, fps)
        label = f"{fps:.0f} fps camera" if fps else "unthrottled camera"
        print(f"live preview 640x480, {label}: {shown:.1f} frames painted/s, {checks:.1f} guidance checks/s")
    shown, checks = bench_preview(app, frame, args.seconds, 30.0, side_step=True)
    print(f"live preview 640x480, 30 fps camera, three-view scan at its side step: {shown:.1f} frames painted/s, "
          f"{checks:.1f} guidance checks/s")

if __name__ == "__main__":
    main()
