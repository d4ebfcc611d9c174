"""Screenshots of every screen, for docs/screenshots/ (run under Xvfb: see README).

xvfb-run -a -s "-screen 0 1366x768x24" python scripts/screenshot.py [OUT_DIR] [--dark] [--size 1366x768]
xvfb-run -a -s "-screen 0 1024x600x24" python scripts/screenshot.py docs/screenshots --size 1024x600 --small

The camera is the file-backed fake camera playing scikit-image's public-domain astronaut photo, so the pictures
are reproducible on any machine. Each screen is reached the way a user reaches it, through the real window,
which fills the screen as a maximised window would. The history holds three real analyses of that photo (as
taken, as a webcam framing, brighter), back-dated to three weeks, one week and now so that the time axis has
something to show. `--small` takes only the screens that matter most on a small screen (consent, results, and
the kiosk's), with the size in the file name.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DAY = 86_400.0


def wait(predicate: Callable[[], bool], timeout: float = 90.0) -> None:
    from PySide6.QtCore import QCoreApplication

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not reach the expected state")
        QCoreApplication.processEvents()
        time.sleep(0.005)


def settle(seconds: float = 0.5) -> None:
    end = time.monotonic() + seconds
    wait(lambda: time.monotonic() > end)


class Shot(Protocol):
    def __call__(self, widget: Any, name: str, pause: float = 0.5) -> None: ...  # file name without suffix


def _option(name: str, default: str) -> str:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv[:-1] else default


def main() -> int:
    size_text = _option("--size", "1366x768")
    args = [a for i, a in enumerate(sys.argv[1:], 1) if not a.startswith("--") and sys.argv[i - 1] != "--size"]
    dark, small = "--dark" in sys.argv, "--small" in sys.argv
    out = Path(args[0]) if args else Path("docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    width, height = (int(v) for v in size_text.split("x"))
    from PIL import Image
    from PySide6.QtWidgets import QApplication

    from desktop.app import build_services
    from desktop.camera import FileCameras, demo_webcam_frame
    from desktop.settings import AppPaths, Settings
    from desktop.ui.main_window import MainWindow
    from desktop.ui.theme import apply_theme

    home = Path(tempfile.mkdtemp())
    # the demo history's key: a throwaway key file, never the user's keyring or key folder
    os.environ["SKINLENS_KEY_DIR"] = tempfile.mkdtemp()
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    frame = home / "webcam.png"
    Image.fromarray(demo_webcam_frame()).save(frame)
    app = QApplication(sys.argv[:1])
    theme = "dark" if dark else "light"
    apply_theme(app, theme)
    suffix = ("_dark" if dark else "") + (f"_{size_text}" if small else "")

    def shot(widget: Any, name: str, pause: float = 0.5) -> None:
        """The window as a person sees it, `pause` seconds on; a dialog is painted over it where it sits (Xvfb
        composites nothing, so each top-level widget is grabbed on its own)."""
        from PySide6.QtGui import QPainter

        settle(pause)
        image = window.grab()
        if widget is not window:
            from PySide6.QtGui import QColor, QPen

            painter = QPainter(image)
            corner = widget.geometry().topLeft() - window.geometry().topLeft()
            painter.drawPixmap(corner, widget.grab())
            painter.setPen(QPen(QColor("#808080"), 1))  # the frame a window manager would draw
            painter.drawRect(corner.x() - 1, corner.y() - 1, widget.width() + 1, widget.height() + 1)
            painter.end()
        target = out / f"{name}{suffix}.png"
        image.save(str(target))
        print(f"saved {target}")

    paths = AppPaths(home)
    Settings(keep_photos=True, theme=theme).save(paths.settings_file)
    window = MainWindow(build_services(paths, cameras=FileCameras([frame])))
    window.start()
    window.setGeometry(0, 0, width, height)  # what a maximised window gets (Xvfb has no window manager)
    reports: list[object] = []
    window.analysis_done.connect(reports.append)
    shoot_scan_to_routine(window, shot, reports, small)
    if not small:
        shoot_history_and_settings(window, shot, reports)
    shoot_kiosk(window, shot, small)
    window.close()
    return 0


def shoot_scan_to_routine(window: Any, shot: Shot, reports: list[object], small: bool) -> None:
    """Consent, the live camera, analysing, the results with the top concern's heat map, the routine."""
    shot(window, "1_consent")
    window.pages["consent"].start_button.click()
    window.capture.auto_box.setChecked(False)
    wait(lambda: window.live.checks_run > 3)
    if not small:
        shot(window, "2_capture")
    window.capture.take_photo()
    if window.current_page == "analysing" and not small:
        shot(window, "3_analysing", pause=0.05)  # the analysis takes ~0.2 s: half a second shows its result
    wait(lambda: bool(reports) and window.session.routine is not None)
    shot(window, "4_results")
    if small:
        return
    window.results.split.setValue(55)
    shot(window, "4_results_before_after")
    window.results.split.setValue(100)
    window.form.goals["even_tone"].setChecked(True)
    window.form.fragrance_free.setChecked(True)
    window.session.routine = None
    window.form.submit_button.click()
    wait(lambda: window.current_page == "routine" and window.session.routine is not None)
    shot(window, "5_routine")


def _add_past_scans(window: Any, reports: list[object]) -> None:
    """Two more real analyses of the astronaut (the photo as taken, and brighter), then the three scans are
    dated three weeks ago, one week ago and now."""
    import numpy as np
    from skimage import data

    photo = np.asarray(data.astronaut())
    brighter = np.clip(photo.astype(np.float32) * 1.12 + 6, 0, 255).astype(np.uint8)
    for expected, rgb in enumerate((photo, brighter), start=len(reports) + 1):
        window.analyze_frame(rgb)
        wait(lambda: len(reports) >= expected)  # noqa: B023 (waited for before the loop moves on)
    history = window.services.history
    wait(lambda: len(history.analyses()) >= 3)
    scans = history.analyses()[-3:]
    photos = [history.photo(scan.id) if scan.has_photo else None for scan in scans]
    history.delete_analyses([scan.id for scan in scans])  # the date is sealed with the scan: saved again, dated
    now = time.time()
    for scan, kept, when in zip(scans, photos, (now - 21 * DAY, now - 7 * DAY - 3 * 3600, now), strict=True):
        history.add_analysis(scan.report, kept, created_at=when)


def shoot_history_and_settings(window: Any, shot: Shot, reports: list[object]) -> None:
    """History with three dated scans and two of them compared; then the settings and the shortcuts page."""
    _add_past_scans(window, reports)
    loaded: list[int] = []
    window.history_controller.history_loaded.connect(lambda: loaded.append(1))
    window.show_page("history")
    wait(lambda: bool(loaded))
    window.history.select_ids([e.id for e in window.history.entries][:2])
    shot(window, "6_history")
    window.show_page("settings")
    shot(window, "7_settings")
    shoot_trust_question(window, shot)
    dialog = window.show_shortcuts()
    shot(dialog, "9_shortcuts")
    dialog.close()


def shoot_trust_question(window: Any, shot: Shot) -> None:
    """The first sync with a server whose key nothing trusts yet (a freshly made key; nothing is contacted)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from desktop.sync import keys
    from desktop.sync.login import ServerKey

    key = Ed25519PrivateKey.generate().public_key()
    window.sync_controller.ask_to_trust(ServerKey("https://sync.example.com", key, keys.fingerprint(key)))
    box = window.sync_controller.trust_box
    shot(box, "7_settings_trust")
    box.reject()


def shoot_kiosk(window: Any, shot: Shot, small: bool) -> None:
    """Kiosk mode on: consent, a scan, the routine with QR codes, the "Still there?" countdown; then off."""
    from desktop.settings import Settings, hash_pin

    theme = window.services.settings.theme
    window.settings_controller.save_settings(Settings(kiosk_mode=True, consent_given=True, theme=theme), "2468")
    settle()
    shot(window, "8_kiosk_consent")
    window.pages["consent"].start_button.click()
    wait(lambda: window.live.newest_frame() is not None)
    window.capture.take_photo()
    wait(lambda: window.session.scan is not None and window.session.routine is not None)
    if not small:
        shot(window, "8_kiosk_results")
    window.form.submit_button.click()
    wait(lambda: window.current_page == "routine")
    shot(window, "8_kiosk_routine_qr")
    idle = window.kiosk_controller.idle
    idle.timer.setInterval(10)
    idle.timer.start()
    wait(lambda: window.kiosk_controller.still_there.isVisible())
    shot(window, "8_kiosk_still_there")
    window.kiosk_controller.still_there.hide()
    window.session.admin_unlocked = True
    unlocked = Settings(kiosk_mode=False, consent_given=True, kiosk_pin_hash=hash_pin("2468"), theme=theme)
    window.settings_controller.save_settings(unlocked, "")


if __name__ == "__main__":
    raise SystemExit(main())
