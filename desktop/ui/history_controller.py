"""The person's own data as the window handles it: scans into history, saved answers, retention, the history
screen, PDF export and "Delete all my data".

Every read and write of personal data the UI makes goes through here, in the window's workers (database and
files never on the UI thread); the history screen only lays out what this hands it.
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

    def __init__(self, services: Services, session: Session[Any], shell: Shell, page: HistoryPage,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services, self.session, self.shell, self.page = services, session, shell, page
        self.confirm_box: QMessageBox | None = None
        page.delete_requested.connect(self.delete_scans)
        page.delete_all_requested.connect(self.confirm_delete_all)
        page.export_requested.connect(self.choose_pdf_path)

    # -- at start-up, and what each scan and routine leaves behind --------------------------------
    def start(self, on_saved_answers: Callable[[Answers], None]) -> None:
        """Retention applies and the saved answers load in one worker (a kiosk keeps no answers)."""
        history, settings = self.services.history, self.services.settings

        def work(state: object) -> dict[str, Any] | None:
            userdata.apply_retention(history, settings.retention_days)
            return None if settings.kiosk_mode else history.load_profile()

        self.shell.tasks.run(work, lambda saved: on_saved_answers(Answers.from_dict(saved)) if saved else None)

    def apply_retention(self, days: int) -> None:
        history = self.services.history
        self.shell.tasks.run(lambda state: userdata.apply_retention(history, days), lambda _n: None)

    def save_scan(self, scan: Scan) -> None:
        history, paths, report, jpeg = self.services.history, self.services.paths, scan.report.to_dict(), scan.jpeg
        self.shell.tasks.run(lambda state: userdata.save_scan(history, paths, report, jpeg), lambda _id: None)

    def save_answers(self, answers: Answers) -> None:
        history, data = self.services.history, answers.to_dict()
        self.shell.tasks.run(lambda state: history.save_profile(data), lambda _r: None)

    # -- the history screen -----------------------------------------------------------------------
    def load(self) -> None:
        history = self.services.history

        def work(state: object) -> list[HistoryEntry]:
            return [HistoryEntry(*row) for row in history.analyses()]

        self.shell.tasks.run(work, self._loaded)

    def _loaded(self, entries: list[HistoryEntry]) -> None:
        self.page.show_entries(entries)
        self.history_loaded.emit()

    def delete_scans(self, ids: list[int]) -> None:
        history = self.services.history
        self.shell.tasks.run(lambda state: userdata.delete_scans(history, ids), lambda _n: self.load())

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
                          "Delete your scan history, kept photos, answers and calibration from this computer? "
                          "This cannot be undone.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                          self.shell.dialog_parent())
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(self.delete_all_data)
        box.open()
        self.confirm_box = box

    def delete_all_data(self) -> None:
        """Gone from disk first; then the session and the screens forget it too (the same reset as a kiosk's)."""
        history, paths = self.services.history, self.services.paths

        def done(_r: object) -> None:
            self.session.reset()
            self.shell.show_status("All your data on this computer was deleted.", 8000)
            self.data_deleted.emit()

        self.shell.tasks.run(lambda state: userdata.delete_all_user_data(history, paths), done)
