"""Take a screenshot of the main window after analysing a photo (run under Xvfb: see README).

python scripts/screenshot.py OUT.png [PHOTO]   (PHOTO defaults to scikit-image's public-domain astronaut)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication


def main() -> int:
    out = Path(sys.argv[1])
    photo = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    if photo is None:
        from PIL import Image
        from skimage import data

        photo = Path(tempfile.mkdtemp()) / "astronaut.jpg"
        Image.fromarray(data.astronaut()).save(photo, quality=92)
    from desktop.app import build_services
    from desktop.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    window = MainWindow(build_services())
    window.show()

    def grab(*_: object) -> None:
        QTimer.singleShot(300, lambda: (window.grab().save(str(out)), app.quit()))

    window.routine_ready.connect(grab)
    window.analysis_done.connect(lambda r: None if r.ok else grab())
    window.analyze_file(photo)
    QTimer.singleShot(60_000, app.quit)
    app.exec()
    print(f"saved {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
