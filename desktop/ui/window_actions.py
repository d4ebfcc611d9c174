"""What the window does besides the scan flow: history, settings, sync, privacy and kiosk mode.

Each action runs its disk, database or network work through the window's TaskRunner and applies the result on
the UI thread. Kept apart from main_window.py so each file stays about one thing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QByteArray, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from desktop import userdata
from desktop.recommend.questionnaire import Answers
from desktop.settings import Settings, hash_pin, verify_pin
from desktop.sync.client import SyncError, store_token, token_for
from desktop.ui.history_page import HistoryEntry
from desktop.ui.kiosk import IdleWatch, ask_pin
from desktop.ui.report_pdf import write_pdf
from desktop.ui.scan import Scan
from desktop.ui.theme import apply_theme

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow

AUTO_SYNC_MS = 6 * 3600 * 1000
FIRST_AUTO_SYNC_MS = 5_000
WARM_UP_DELAY_MS = 300  # after the first paint


class WindowActions(QObject):
    history_loaded = Signal()
    sync_finished = Signal(str)  # status line
    wiped = Signal()
    data_deleted = Signal()
    pdf_written = Signal(str)
    warmed_up = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.services = window.services
        self.admin_unlocked = False
        self.idle = IdleWatch(self.services.settings.kiosk_idle_seconds, self)
        self.idle.idle.connect(self.wipe_session)
        self.auto_sync_timer = QTimer(self)
        self.auto_sync_timer.timeout.connect(self.sync_now)
        self.syncing = False
        page = window.settings_page
        page.save_requested.connect(self.save_settings)
        page.token_save_requested.connect(self.save_token)
        page.sync_requested.connect(self.sync_now)
        page.delete_all_requested.connect(self.confirm_delete_all)
        window.capture.cameras_listed.connect(lambda cams: setattr(self, "cameras", cams))
        history = window.history
        history.delete_requested.connect(self.delete_scans)
        history.delete_all_requested.connect(self.confirm_delete_all)
        history.export_requested.connect(self.choose_pdf_path)
        self.cameras: list[Any] = []
        self._applied_theme = self.services.settings.theme

    # -- start-up and mode ------------------------------------------------------------------------
    def startup_tasks(self) -> None:
        """Retention and the saved answers load in a worker; auto-sync starts a few seconds after launch."""
        history, settings = self.services.history, self.services.settings

        def work(state: object) -> dict[str, Any] | None:
            userdata.apply_retention(history, settings.retention_days)
            return None if settings.kiosk_mode else history.load_profile()

        self.w.tasks.run(work, lambda saved: self.w.form.set_answers(Answers.from_dict(saved)) if saved else None)
        self._schedule_auto_sync()
        QTimer.singleShot(WARM_UP_DELAY_MS, self, self.warm_up)

    def warm_up(self) -> None:
        """Load the face and concern models in a worker soon after the window shows. Importing onnxruntime holds
        the GIL for ~80 ms; done here, that pause never lands in the middle of someone's scan."""
        analyzer, recommender = self.services.analyzer, self.services.recommender

        def work(state: object) -> None:
            analyzer.faces.find(np.zeros((64, 64, 3), np.uint8))
            _ = analyzer.concern_model
            recommender.warm_up()

        self.w.tasks.run(work, lambda _r: self.warmed_up.emit())

    def _schedule_auto_sync(self) -> None:
        settings = self.services.settings
        if settings.auto_sync and settings.sync_server_url:
            QTimer.singleShot(FIRST_AUTO_SYNC_MS, self, self.sync_now)
            self.auto_sync_timer.start(AUTO_SYNC_MS)
        else:
            self.auto_sync_timer.stop()

    def apply_mode(self) -> None:
        kiosk = self.services.settings.kiosk_mode
        self.w.routine_page.kiosk = kiosk
        self.w.nav["history"].setVisible(not kiosk)
        self.w.history.delete_all_button.setVisible(not kiosk)
        self.w.quit_action.setText("&Quit (staff)" if kiosk else "&Quit")
        self.idle.set_seconds(self.services.settings.kiosk_idle_seconds)
        if kiosk:
            self.admin_unlocked = False
            self.w.showFullScreen()
            self.idle.start()
        else:
            self.idle.stop()
            if self.w.isFullScreen():
                self.w.showNormal()
            self.w.show()

    def consent_given(self) -> None:
        settings = self.services.settings
        if not settings.consent_given and not settings.kiosk_mode:
            self._save_settings_file(dataclasses.replace(settings, consent_given=True))
        self.w.show_page("capture")

    def ask_admin(self, purpose: str, then: Callable[[], None]) -> None:
        def check(pin: str) -> None:
            if self.unlock(pin):
                then()
            else:
                self.w.statusBar().showMessage("Wrong PIN.", 5000)

        self.pin_dialog = ask_pin(self.w, purpose, check)

    def unlock(self, pin: str) -> bool:
        self.admin_unlocked = verify_pin(pin, self.services.settings.kiosk_pin_hash)
        return self.admin_unlocked

    def wipe_session(self) -> None:
        """Kiosk idle: forget the person who just used it — photo, frames, report, answers, routine."""
        w = self.w
        w.cancel_analysis()
        w.capture.forget()
        w.results.forget()
        w.routine_page.forget()
        w.form.set_answers(Answers())
        w.form.set_detected_type(None)
        w.scan, w.routine = None, None
        self.admin_unlocked = False
        for dialog in w.findChildren(QMessageBox):
            dialog.close()
        gc.collect()
        w.show_page("consent")
        self.wiped.emit()

    # -- history ----------------------------------------------------------------------------------
    def save_scan(self, scan: Scan) -> None:
        history, paths, report, jpeg = self.services.history, self.services.paths, scan.report.to_dict(), scan.jpeg
        self.w.tasks.run(lambda state: userdata.save_scan(history, paths, report, jpeg), lambda _id: None)

    def save_answers(self, answers: Answers) -> None:
        history, data = self.services.history, answers.to_dict()
        self.w.tasks.run(lambda state: history.save_profile(data), lambda _r: None)

    def load_history(self) -> None:
        history = self.services.history

        def work(state: object) -> list[HistoryEntry]:
            return [HistoryEntry(*row) for row in history.analyses()]

        self.w.tasks.run(work, self._history_loaded)

    def _history_loaded(self, entries: list[HistoryEntry]) -> None:
        self.w.history.show_entries(entries)
        self.history_loaded.emit()

    def delete_scans(self, ids: list[int]) -> None:
        history = self.services.history
        self.w.tasks.run(lambda state: userdata.delete_scans(history, ids), lambda _n: self.load_history())

    def choose_pdf_path(self, entry: HistoryEntry) -> None:
        default = str(Path.home() / f"skinlens-{entry.when.replace(':', '').replace(' ', '-')}.pdf")
        path, _ = QFileDialog.getSaveFileName(self.w, "Export PDF report", default, "PDF (*.pdf)")
        if path:
            self.export_pdf(entry, Path(path))

    def export_pdf(self, entry: HistoryEntry, path: Path) -> None:
        def done(written: Path) -> None:
            self.w.statusBar().showMessage(f"Saved {written}", 8000)
            self.pdf_written.emit(str(written))

        self.w.tasks.run(lambda state: write_pdf(path, entry.report, entry.when, entry.photo_path), done)

    def confirm_delete_all(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Delete all my data",
                          "Delete your scan history, kept photos, answers and calibration from this computer? "
                          "This cannot be undone.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self.w)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(self.delete_all_data)
        box.open()
        self.confirm_box = box

    def delete_all_data(self) -> None:
        history, paths = self.services.history, self.services.paths

        def done(_r: object) -> None:
            self.w.scan, self.w.routine = None, None
            self.w.results.forget()
            self.w.routine_page.forget()
            self.w.form.set_answers(Answers())
            self.w.history.show_entries([])
            self.w.statusBar().showMessage("All your data on this computer was deleted.", 8000)
            self.data_deleted.emit()

        self.w.tasks.run(lambda state: userdata.delete_all_user_data(history, paths), done)

    # -- settings and sync ------------------------------------------------------------------------
    def load_settings(self) -> None:
        self.w.settings_page.load(self.services.settings, self.cameras)
        self._show_sync_state()

    def _show_sync_state(self) -> None:
        store = self.services.store
        self.w.tasks.run(lambda state: (store.count(), store.get_state("last_sync_at")), self._sync_state_loaded)

    def _sync_state_loaded(self, state: tuple[int, str]) -> None:
        count, last = state
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(float(last))) if last else "never"
        if not self.syncing:
            self.w.settings_page.sync_status.setText(f"{count} products on this computer · last synced: {when}")

    def save_settings(self, settings: Settings, pin: str) -> None:
        if pin:
            settings = dataclasses.replace(settings, kiosk_pin_hash=hash_pin(pin))
        was_kiosk = self.services.settings.kiosk_mode
        retention_changed = settings.retention_days != self.services.settings.retention_days
        self._save_settings_file(settings)
        if retention_changed:
            history, days = self.services.history, settings.retention_days
            self.w.tasks.run(lambda state: userdata.apply_retention(history, days), lambda _n: None)
        self.w.capture.preferred_camera = settings.camera_index
        self.w.settings_page.load(settings, self.cameras)
        self.w.settings_page.message.setText("Saved.")
        app = QApplication.instance()
        if isinstance(app, QApplication) and settings.theme != self._applied_theme:
            apply_theme(app, settings.theme)
            self._applied_theme = settings.theme
        self._schedule_auto_sync()
        if settings.kiosk_mode != was_kiosk:
            self.apply_mode()
            if settings.kiosk_mode:
                self.wipe_session()

    def _save_settings_file(self, settings: Settings) -> None:
        self.services.settings = settings
        try:
            settings.save(self.services.paths.settings_file)
        except OSError as exc:
            self.services.notifier.notify_exception(exc, "Settings could not be saved")

    def save_token(self, url: str, token: str) -> None:
        page = self.w.settings_page
        if not url or not token:
            page.sync_status.setText("Enter the server URL and the token first.")
            return
        try:
            store_token(url, token)
        except SyncError as exc:
            page.sync_status.setText(str(exc))
            return
        page.token.clear()
        page.sync_status.setText("Token saved in the system keyring.")

    def sync_now(self) -> None:
        settings, page = self.services.settings, self.w.settings_page
        url = page.server_url.text().strip() or settings.sync_server_url
        if self.syncing:
            return
        if not url:
            page.sync_status.setText("Set the sync server URL first.")
            self.sync_finished.emit(page.sync_status.text())
            return
        store, make_client = self.services.store, self.services.make_sync_client

        def work(state: Any) -> str:
            state.progress(0.0, "contacting the server")
            result = make_client(url, token_for(url)).pull(store)
            store.set_state_now("last_sync_at", str(time.time()))
            return f"Synced: {result.summary()}"

        def finished(message: str) -> None:
            self.syncing = False
            page.sync_button.setEnabled(True)
            page.sync_status.setText(message)
            self.sync_finished.emit(message)

        self.syncing = True
        page.sync_button.setEnabled(False)
        page.sync_status.setText("Syncing…")
        self.w.tasks.run(_quiet(work, SyncError), finished)

    # -- window state (kept apart from preferences) ----------------------------------------------
    def restore_window_state(self) -> None:
        try:
            state = json.loads(self.services.paths.window_state_file.read_text(encoding="utf-8"))
            self.w.restoreGeometry(QByteArray.fromBase64(state["geometry"].encode()))
        except (OSError, ValueError, KeyError, TypeError):
            pass  # first start or a bad file: default geometry

    def save_window_state(self) -> None:
        if self.services.settings.kiosk_mode:
            return
        geometry = bytes(self.w.saveGeometry().toBase64().data()).decode()
        with contextlib.suppress(OSError):  # losing the window size is not worth an error message
            self.services.paths.window_state_file.write_text(json.dumps({"geometry": geometry}), encoding="utf-8")


def _quiet(work: Callable[[Any], str], expected: type[Exception]) -> Callable[[Any], str]:
    """Expected failures (no network, wrong token) become a status line; anything else reaches the notifier."""

    def run(state: Any) -> str:
        try:
            return work(state)
        except expected as exc:
            return f"Not synced: {exc} The catalog on this computer is unchanged."

    return run
