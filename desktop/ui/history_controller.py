"""The person's own data as the window handles it: scans into history, saved answers, retention, the history
screen, PDF export, "Delete all my data", and a history that cannot be read (its key is missing).

Every read and write of personal data the UI makes goes through here, in the window's workers (database and
files never on the UI thread); the history screen only lays out what this hands it. A locked history is said
in plain words, once, with the offer to start afresh; until then nothing is saved and nothing is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktop import userdata
from desktop.recommend.questionnaire import Answers
from desktop.services import Services
from desktop.session import Session
from desktop.ui.history_page import HistoryEntry, HistoryPage
from desktop.ui.report_pdf import export_report
from desktop.ui.scan import Scan
from desktop.ui.shell import Shell


class HistoryController(QObject):
    history_loaded = Signal()
    data_deleted = Signal()
    pdf_written = Signal(str)
    locked_offered = Signal()  # the "your history cannot be read: start afresh?" box is open

    def __init__(self, services: Services, session: Session[Any], shell: Shell, page: HistoryPage,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services, self.session, self.shell, self.page = services, session, shell, page
        self.confirm_box: QMessageBox | None = None
        self.notice_box: QMessageBox | None = None
        page.delete_requested.connect(self.delete_scans)
        page.photos_requested.connect(self.load_photos)
        page.delete_all_requested.connect(self.confirm_delete_all)
        page.export_requested.connect(self.choose_pdf_path)

    # -- at start-up, and what each scan and routine leaves behind --------------------------------
    def start(self, on_saved_answers: Callable[[Answers], None]) -> None:
        """Retention applies and the saved answers load in one worker (a kiosk keeps no answers)."""
        history, settings = self.services.history, self.services.settings
        if history.locked is not None:
            self.offer_fresh_start()
            return
        if history.key_is_new and history.key_notice and not settings.kiosk_mode:
            self._tell("Where your history's key is kept", history.key_notice)

        def work(state: object) -> dict[str, Any] | None:
            userdata.apply_retention(history, settings.retention_days)
            return None if settings.kiosk_mode else history.load_profile()

        self.shell.tasks.run(work, lambda saved: on_saved_answers(Answers.from_dict(saved)) if saved else None)

    def _tell(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok,
                          self.shell.dialog_parent())
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.notice_box = box

    # -- a history that cannot be read ------------------------------------------------------------
    def offer_fresh_start(self) -> None:
        """Say why the history cannot be read and offer to start afresh (deleting only what cannot be read)."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Your history cannot be read",
                          f"{self.services.history.locked}\n\nYou can start afresh: the history that cannot be "
                          "read is deleted (with its photos and answers) and a new, empty one is made. Scans are "
                          "not saved until then.", QMessageBox.StandardButton.NoButton, self.shell.dialog_parent())
        fresh = box.addButton("Start afresh", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: self.start_fresh() if button is fresh else None)
        box.open()
        self.confirm_box = box
        self.locked_offered.emit()

    def start_fresh(self) -> None:
        history, paths = self.services.history, self.services.paths

        def done(_r: object) -> None:
            self.session.reset()
            self.shell.show_status("Started afresh: a new, empty history is ready.", 8000)
            self.data_deleted.emit()

        self.shell.tasks.run(lambda state: userdata.delete_all_user_data(history, paths), done)

    def _saving_locked(self) -> bool:
        if self.services.history.locked is None:
            return False
        self.shell.show_status("Not saved: your history cannot be read (see History to start afresh).", 8000)
        return True

    def apply_retention(self, days: int) -> None:
        history = self.services.history
        self.shell.tasks.run(lambda state: userdata.apply_retention(history, days), lambda _n: None)

    def save_scan(self, scan: Scan) -> None:
        if self._saving_locked():
            return
        history, report, jpeg = self.services.history, scan.report.to_dict(), scan.jpeg
        self.shell.tasks.run(lambda state: userdata.save_scan(history, report, jpeg), lambda _id: None)

    def save_answers(self, answers: Answers) -> None:
        if self.services.history.locked is not None:
            return
        history, data = self.services.history, answers.to_dict()
        self.shell.tasks.run(lambda state: history.save_profile(data), lambda _r: None)

    # -- the history screen -----------------------------------------------------------------------
    def load(self) -> None:
        history = self.services.history
        if history.locked is not None:
            self.page.show_entries([])
            self.offer_fresh_start()
            return

        def work(state: object) -> list[HistoryEntry]:
            return [HistoryEntry(*row) for row in history.analyses()]

        self.shell.tasks.run(work, self._loaded)

    def _loaded(self, entries: list[HistoryEntry]) -> None:
        self.page.show_entries(entries)
        self.history_loaded.emit()

    def delete_scans(self, ids: list[int]) -> None:
        history = self.services.history
        self.shell.tasks.run(lambda state: userdata.delete_scans(history, ids), lambda _n: self.load())

    def load_photos(self, ids: list[int]) -> None:
        history = self.services.history

        def work(state: object) -> dict[int, bytes]:
            return {i: photo for i in ids if (photo := history.photo(i)) is not None}

        self.shell.tasks.run(work, self.page.show_photos)

    def choose_pdf_path(self, entry: HistoryEntry) -> None:
        default = str(Path.home() / f"skinlens-{entry.when.replace(':', '').replace(' ', '-')}.pdf")
        path, _ = QFileDialog.getSaveFileName(self.shell.dialog_parent(), "Export PDF report", default,
                                              "PDF (*.pdf)")
        if path:
            self.export_pdf(entry, Path(path))

    def export_pdf(self, entry: HistoryEntry, path: Path) -> None:
        def done(written: Path) -> None:
            self.shell.show_status(f"Saved {written}", 8000)
            self.pdf_written.emit(str(written))

        services, answers = self.services, self.session.answers
        self.shell.tasks.run(lambda state: export_report(services, entry, path, answers), done)

    # -- delete all -------------------------------------------------------------------------------
    def confirm_delete_all(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Delete all my data",
                          "Delete your scan history, kept photos, answers and calibration from this computer, "
                          "and destroy the key that encrypts them? This cannot be undone. PDF reports you saved "
                          "outside SkinLens's data folder stay where you put them.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                          self.shell.dialog_parent())
        box.button(QMessageBox.StandardButton.Yes).setText("Delete everything")
        box.button(QMessageBox.StandardButton.No).setText("No, keep my data")
        box.setDefaultButton(QMessageBox.StandardButton.No)  # Enter must never delete
        box.setEscapeButton(QMessageBox.StandardButton.No)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(self.delete_all_data)
        box.open()
        self.confirm_box = box

    def delete_all_data(self) -> None:
        """Gone from disk first; then the session and the screens forget it too (the same reset as a kiosk's)."""
        history, paths = self.services.history, self.services.paths

        def done(deleted: userdata.Deleted) -> None:
            self.session.reset()
            kept = f" Reports you saved elsewhere were left there ({len(deleted.exports_kept)})." \
                if deleted.exports_kept else ""
            self.shell.show_status(f"All your data on this computer was deleted.{kept}", 8000)
            self.data_deleted.emit()

        self.shell.tasks.run(lambda state: userdata.delete_all_user_data(history, paths), done)
