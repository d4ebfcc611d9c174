"""Launch to first window: wall time from process start to the main window's first paint (offscreen).

python bench/bench_startup.py [--runs 5]. Each run is a fresh process with a fresh SKINLENS_HOME except the
first-run demo seeding, which is measured separately ("first launch").
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from desktop.app import build_services
from desktop.ui.main_window import MainWindow
app = QApplication(sys.argv[:1])
window = MainWindow(build_services())
window.start()
QTimer.singleShot(0, lambda: (print(time.time(), flush=True), app.quit()))
app.exec()
"""


def launch(home: str) -> float:
    env = dict(os.environ, SKINLENS_HOME=home, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    start = time.time()
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=True)
    return (float(out.stdout.strip().splitlines()[-1]) - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    home = tempfile.mkdtemp()
    first = launch(home)
    later = [launch(home) for _ in range(args.runs)]
    print(f"first launch (seeds the demo catalog): {first:.0f} ms")
    print(f"launch to first window: p50 {statistics.median(later):.0f} ms, max {max(later):.0f} ms "
          f"over {args.runs} runs")


if __name__ == "__main__":
    main()
