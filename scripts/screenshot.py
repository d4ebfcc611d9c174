"""Screenshots of every screen, for docs/screenshots/ (run under Xvfb: see README).

xvfb-run -a -s "-screen 0 1280x800x24" python scripts/screenshot.py [OUT_DIR] [--dark]

The camera is the file-backed fake camera playing scikit-image's public-domain astronaut photo, so the pictures
are reproducible on any machine. Each screen is reached the way a user reaches it, through the real window.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def wait(predicate: Callable[[], bool], timeout: float = 60.0) -> None:
    from PySide6.QtCore import QCoreApplication

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not reach the expected state")
        QCoreApplication.processEvents()
        time.sleep(0.005)


def settle(seconds: float = 0.4) -> None:
    end = time.monotonic() + seconds
    wait(lambda: time.monotonic() > end)


Shot = Callable[[Any, str], None]  # (window, file name without suffix)


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    dark = "--dark" in sys.argv
    out = Path(args[0]) if args else Path("docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    from PIL import Image
    from PySide6.QtWidgets import QApplication

    from desktop.app import build_services
    from desktop.camera import FileCameras, demo_webcam_frame
    from desktop.settings import AppPaths, Settings
    from desktop.ui.main_window import MainWindow
    from desktop.ui.theme import apply_theme

    home = Path(tempfile.mkdtemp())
    frame = home / "webcam.png"
    Image.fromarray(demo_webcam_frame()).save(frame)
    app = QApplication(sys.argv[:1])
    apply_theme(app, "dark" if dark else "light")
    suffix = "_dark" if dark else ""

    def shot(window: MainWindow, name: str) -> None:
        settle()
        window.grab().save(str(out / f"{name}{suffix}.png"))
        print(f"saved {out / f'{name}{suffix}.png'}")

    paths = AppPaths(home)
    Settings(keep_photos=True).save(paths.settings_file)
    window = MainWindow(build_services(paths, cameras=FileCameras([frame])))
    window.resize(1240, 780)
    window.start()
    reports: list[object] = []
    window.analysis_done.connect(reports.append)
    shoot_scan_to_routine(window, shot, reports)
    shoot_history_and_settings(window, shot, reports)
    shoot_kiosk(window, shot)
    window.close()
    return 0


def shoot_scan_to_routine(window: Any, shot: Shot, reports: list[object]) -> None:
    """Consent, the live camera, analysing, the results with a heat map, then the routine."""
    shot(window, "1_consent")
    window.pages["consent"].start_button.click()
    window.capture.auto_box.setChecked(False)
    wait(lambda: window.live.checks_run > 3)
    shot(window, "2_capture")
    window.capture.take_photo()
    shot(window, "3_analysing") if window.current_page == "analysing" else None
    wait(lambda: bool(reports) and window.session.routine is not None)
    window.results.overlay_box.setCurrentIndex(window.results.overlay_box.findData("oiliness"))
    shot(window, "4_results")
    window.form.goals["even_tone"].setChecked(True)
    window.form.fragrance_free.setChecked(True)
    window.session.routine = None
    window.form.submit_button.click()
    wait(lambda: window.current_page == "routine" and window.session.routine is not None)
    shot(window, "5_routine")


def shoot_history_and_settings(window: Any, shot: Shot, reports: list[object]) -> None:
    """A second scan, so the history has two to compare; then the settings."""
    window.show_page("capture")
    wait(lambda: window.live.newest_frame() is not None)
    window.capture.take_photo()
    wait(lambda: len(reports) == 2)
    wait(lambda: len(window.services.history.analyses()) == 2)
    loaded: list[int] = []
    window.history_controller.history_loaded.connect(lambda: loaded.append(1))
    window.show_page("history")
    wait(lambda: bool(loaded))
    window.history.select_ids([e.id for e in window.history.entries])
    shot(window, "6_history")
    window.show_page("settings")
    shot(window, "7_settings")


def shoot_kiosk(window: Any, shot: Shot) -> None:
    """Kiosk mode on, a scan, the routine with QR codes; then kiosk mode off again."""
    from desktop.settings import Settings, hash_pin

    window.settings_controller.save_settings(Settings(kiosk_mode=True, consent_given=True), "2468")
    window.resize(1240, 780)
    window.pages["consent"].start_button.click()
    wait(lambda: window.live.newest_frame() is not None)
    window.capture.take_photo()
    wait(lambda: window.session.scan is not None and window.session.routine is not None)
    window.form.submit_button.click()
    wait(lambda: window.current_page == "routine")
    shot(window, "8_kiosk_routine_qr")
    window.session.admin_unlocked = True
    unlocked = Settings(kiosk_mode=False, consent_given=True, kiosk_pin_hash=hash_pin("2468"))
    window.settings_controller.save_settings(unlocked, "")


if __name__ == "__main__":
    raise SystemExit(main())
