"""The main window: consent → capture → analysing → results (+ questions) → routine; history and settings.

A thin view over the services it is handed: long work runs through the TaskRunner, what the person did lives
in the Qt-free `Session`, and kiosk, history, sync and settings behaviour live in their controllers (which
reach the window only through `Shell`). This file stays about navigation and the scan flow.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox, QStackedWidget, QWidget

from desktop.capture import LiveGuide
from desktop.ml.report import DISCLAIMER, AnalysisFailure
from desktop.recommend.engine import Routine
from desktop.recommend.questionnaire import Answers, missing_basis
from desktop.services import Services
from desktop.session import Session
from desktop.ui.capture_page import CapturePage, pick_photo_file
from desktop.ui.consent import ConsentGate
from desktop.ui.focus import FocusRing
from desktop.ui.help import ShortcutsDialog, about_box, error_box, open_shortcuts
from desktop.ui.history_controller import HistoryController
from desktop.ui.history_page import HistoryPage
from desktop.ui.kiosk import KioskController
from desktop.ui.live import LivePreview
from desktop.ui.questionnaire_form import QuestionnaireForm
from desktop.ui.results_page import ResultsPage
from desktop.ui.routine_page import RoutinePage
from desktop.ui.scan import Scan, analyse_file_task, analyse_frame_task, analyse_views_task
from desktop.ui.settings_controller import SettingsController
from desktop.ui.settings_page import SettingsPage
from desktop.ui.simple_pages import AnalysingPage, ConsentPage
from desktop.ui.sync_controller import SyncController
from desktop.ui.tasks import TaskHandle, TaskRunner
from desktop.ui.theme import KIOSK_PROPERTY, KIOSK_STYLE, repolish_style_sheet
from desktop.ui.window_state import first_size, restore_geometry, save_geometry

NAV = (("capture", "&Scan", "Ctrl+1"), ("results", "&Results", "Ctrl+2"), ("routine", "R&outine", "Ctrl+3"),
       ("history", "&History", "Ctrl+4"), ("settings", "Se&ttings", "Ctrl+,"))
WARM_UP_DELAY_MS = 300  # after the first paint
PRIVACY_LINE = "Photos are analysed on this computer and never leave it."


class MainWindow(QMainWindow):
    analysis_done = Signal(object)  # SkinReport | AnalysisFailure
    routine_ready = Signal(object)  # Routine
    error_raised = Signal(str, str)  # from any thread; shown on the UI thread
    page_changed = Signal(str)
    warmed_up = Signal()  # the face and concern models and the catalog index are loaded

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.tasks = TaskRunner(services.notifier)
        self._current: TaskHandle | None = None
        self.session: Session[Scan] = Session()
        self.setWindowTitle("SkinLens")
        self.setAcceptDrops(True)
        first_size(self)
        self.live = LivePreview(services.cameras, LiveGuide(services.analyzer.faces), services.notifier)
        self.form = QuestionnaireForm(services.settings.currency)
        self.capture = CapturePage(self.live, services.cameras, self.tasks)
        self.results = ResultsPage(self.form)
        self.routine_page = RoutinePage()
        self.history = HistoryPage()
        self.settings_page = SettingsPage()
        self.pages: dict[str, Any] = {
            "consent": ConsentPage(), "capture": self.capture, "analysing": AnalysingPage(),
            "results": self.results, "routine": self.routine_page, "history": self.history,
            "settings": self.settings_page,
        }
        self.stack = QStackedWidget()
        for page in self.pages.values():
            self.stack.addWidget(page)
        self.setCentralWidget(self.stack)
        self.nav: dict[str, QAction] = {}
        self._build_menus()
        self._build_controllers()
        self._connect()
        self.session.on_reset(self._forget_views)
        self.focus_ring = FocusRing(self)
        self.error_raised.connect(self._show_error, Qt.ConnectionType.QueuedConnection)
        services.notifier.add_listener(self.error_raised.emit)
        self.statusBar().showMessage(PRIVACY_LINE)

    # -- pages and navigation -------------------------------------------------------------------
    @property
    def current_page(self) -> str:
        widget = self.stack.currentWidget()
        return next(name for name, page in self.pages.items() if page is widget)

    def _build_menus(self) -> None:
        toolbar = self.addToolBar("Navigate")
        toolbar.setObjectName("navigate")
        toolbar.setMovable(False)
        for name, label, shortcut in NAV:
            action = QAction(label.replace("&", ""), self)
            action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(lambda _checked=False, n=name: self.request_page(n))
            toolbar.addAction(action)
            self.nav[name] = action
        file_menu = self.menuBar().addMenu("&File")
        self.open_action = file_menu.addAction("&Open photo…")
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self.choose_photo)
        self.quit_action = file_menu.addAction("&Quit")
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        help_menu = self.menuBar().addMenu("&Help")
        self.shortcuts_action = help_menu.addAction("&Keyboard shortcuts")
        self.shortcuts_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        help_menu.addAction("&About SkinLens").triggered.connect(self.show_about)

    def _build_controllers(self) -> None:
        services, session = self.services, self.session
        self.kiosk_controller = KioskController(services, session, self, self)
        self.history_controller = HistoryController(services, session, self, self.history, self)
        self.sync_controller = SyncController(services, self, self.settings_page, self)
        self.settings_controller = SettingsController(services, self, self.settings_page, self.capture,
                                                      self.kiosk_controller, self.history_controller,
                                                      self.sync_controller, self)
        self.consent = ConsentGate(services, session, self, remember=self.settings_controller.consent_given)

    def _connect(self) -> None:
        self.pages["consent"].accepted.connect(self.consent.accept)
        self.settings_page.delete_all_requested.connect(self.history_controller.confirm_delete_all)
        self.capture.frame_captured.connect(self.analyze_frame)
        self.capture.views_captured.connect(self.analyze_views)
        self.capture.import_requested.connect(self.choose_photo)
        self.pages["analysing"].cancel_requested.connect(self.cancel_analysis)
        self.results.routine_requested.connect(lambda: self.refresh_routine(show=True))
        self.routine_page.buy_requested.connect(self.buy)
        self.routine_page.set_reviewer(lambda routine, chosen: self.services.recommender.review(routine, None, chosen))
        self.routine_page.filters_changed.connect(self._quick_filters_changed)
        self.routine_page.answers_requested.connect(lambda: self.show_page("results"))

    def start(self) -> None:
        """Show the window the way the settings ask (kiosk: fullscreen, consent every session)."""
        self.settings_controller.apply_theme()
        restore_geometry(self, self.services.paths.window_state_file)
        self.kiosk_controller.apply_mode()
        self.show_page("capture")  # or the consent screen, if the person has not accepted it
        self.history_controller.start(self._restore_answers)
        self.sync_controller.schedule()
        QTimer.singleShot(WARM_UP_DELAY_MS, self, self.warm_up)

    def warm_up(self) -> None:
        """Load the face and concern models in a worker soon after the window shows: importing onnxruntime
        holds the GIL for a moment, and done here that pause never lands in the middle of someone's scan."""
        analyzer, recommender = self.services.analyzer, self.services.recommender

        def work(state: object) -> None:
            analyzer.faces.find(np.zeros((64, 64, 3), np.uint8))
            _ = analyzer.concern_model
            recommender.warm_up()

        self.tasks.run(work, lambda _r: self.warmed_up.emit())

    @property
    def kiosk(self) -> bool:
        return self.services.settings.kiosk_mode

    def request_page(self, name: str) -> None:
        """Navigation from the toolbar: the kiosk guards settings behind the admin PIN (and `show_page` every
        screen that shows a person behind the consent gate)."""
        if self.kiosk and name == "history":
            return
        if self.kiosk and name == "settings":
            self.kiosk_controller.ask_admin("open settings", lambda: self.show_page("settings"))
            return
        self.show_page(name)

    def show_page(self, name: str) -> None:
        if not self.consent.allows(name):
            return
        if name != "capture":
            self.capture.stop_camera()
        self.stack.setCurrentWidget(self.pages[name])
        if name == "capture":
            self.capture.activate(self.services.settings.camera_index)
        elif name == "history":
            self.history_controller.load()
        elif name == "settings":
            self.settings_controller.load()
        self.page_changed.emit(name)

    # -- the scan flow --------------------------------------------------------------------------
    @property
    def import_allowed(self) -> bool:
        """A kiosk is camera-only (no file dialog onto the machine) unless staff allowed photo import."""
        return not self.kiosk or self.services.settings.kiosk_allow_import

    def choose_photo(self) -> None:
        if not self.consent.allows() or not self.import_allowed:
            return
        path = pick_photo_file(self)
        if path is not None:
            self.analyze_file(path)

    def analyze_file(self, path: Path) -> TaskHandle | None:
        """Analyse a photo file in a worker; the result arrives through `analysis_done` (None: no consent)."""
        return self._start_analysis(path.name, analyse_file_task(self.services.analyzer, path, self._keep_photo))

    def analyze_frame(self, rgb: np.ndarray) -> TaskHandle | None:
        return self._start_analysis("your photo", analyse_frame_task(self.services.analyzer, rgb, self._keep_photo))

    def analyze_views(self, photos: list[tuple[str, np.ndarray]]) -> TaskHandle | None:
        """The guided three-view scan: one combined report, shown, saved and used for the routine like any."""
        return self._start_analysis("your three views",
                                    analyse_views_task(self.services.analyzer, photos, self._keep_photo))

    @property
    def _keep_photo(self) -> bool:
        return self.services.settings.keep_photos and not self.kiosk

    def _start_analysis(self, name: str, work: Any) -> TaskHandle | None:
        if not self.consent.allows():
            return None
        self.cancel_analysis()
        analysing: AnalysingPage = self.pages["analysing"]
        analysing.reset(name)
        self.show_page("analysing")
        ticket = self.session.ticket()

        def finished(result: Scan | AnalysisFailure) -> None:
            if self.session.is_current(ticket):
                self._analysis_finished(result)

        self._current = self.tasks.run(work, finished, on_progress=analysing.set_progress,
                                       on_error=lambda _m: self.show_page("capture"), on_cancel=self._cancelled)
        return self._current

    def cancel_analysis(self) -> None:
        if self._current is not None:
            self._current.cancel()
            self._current = None

    def _cancelled(self) -> None:
        if self.current_page == "analysing":
            self.show_page("capture")
            self.statusBar().showMessage("Analysis cancelled.")

    def _analysis_finished(self, result: Scan | AnalysisFailure) -> None:
        self._current = None
        if isinstance(result, AnalysisFailure):
            self.show_page("capture")
            self.capture.say(f"This photo could not be analysed: {result.error}")
            self.statusBar().showMessage(f"This photo could not be analysed: {result.error}", 15_000)
            self.analysis_done.emit(result)
            return
        self.session.scan = result
        self.results.show_scan(result)
        self.show_page("results")
        total = result.report.timings_ms.get("total", 0.0)
        self.statusBar().showMessage(f"Analysed in {total:.0f} ms on this computer · {DISCLAIMER}")
        if not self.kiosk:
            self.history_controller.save_scan(result)
        self.analysis_done.emit(result.report)
        self.refresh_routine(show=False)

    # -- routine --------------------------------------------------------------------------------
    def refresh_routine(self, show: bool = True) -> TaskHandle | None:
        answers = self.session.answers = self.form.answers()
        self.routine_page.set_quick_filters(answers.fragrance_free, answers.vegan)
        missing = missing_basis(answers, self.session.report_dict())
        if missing is not None:  # nothing known about this person's skin: no routine for nobody
            self.routine_page.show_no_routine(missing)
            if show:
                self.show_page("routine")
            return None
        profile = answers.to_profile(self.session.report_dict())
        recommender = self.services.recommender
        if not self.kiosk:
            self.history_controller.save_answers(answers)
        ticket = self.session.ticket()

        def arrived(routine: Routine) -> None:
            if self.session.is_current(ticket):  # else a reset happened while recommending
                self._show_routine(routine)

        handle = self.tasks.run(lambda state: recommender.recommend(profile), arrived)
        self.session.show_routine_next = show
        return handle

    def _quick_filters_changed(self) -> None:
        self.form.set_quick_filters(*self.routine_page.quick_filters())
        self.refresh_routine(show=True)

    def _show_routine(self, routine: Routine) -> None:
        self.session.routine = routine
        self.routine_page.show_routine(routine)
        if self.session.show_routine_next:
            self.show_page("routine")
        self.routine_ready.emit(routine)

    def _restore_answers(self, answers: Answers) -> None:
        self.session.answers = answers
        self.form.set_answers(answers)

    def _forget_views(self) -> None:
        """After `Session.reset`: every screen lets go of what it showed of the person, pixels and frames
        included, and work still running for them stops."""
        self.cancel_analysis()
        self.capture.forget()
        self.results.forget()
        self.routine_page.forget()
        answers = self.session.answers
        self.form.set_answers(answers)
        self.form.set_detected_type(None)
        self.routine_page.set_quick_filters(answers.fragrance_free, answers.vegan)
        self.history.show_entries([])
        self.statusBar().showMessage(PRIVACY_LINE)  # not the last person's "Analysed in …"
        gc.collect()

    def buy(self, url: str) -> bool:
        """Open a product's affiliate link in the system browser (never in kiosk mode: QR codes there)."""
        if self.kiosk or not url:
            return False
        opener = self.services.open_url or (lambda link: bool(QDesktopServices.openUrl(QUrl(link))))
        opened = opener(url)
        if not opened:  # no browser here: the link to copy, not silence
            self.routine_page.offer_link(url)
        return opened

    # -- what controllers may ask of the window (desktop.ui.shell.Shell) -------------------------
    def show_status(self, message: str, msecs: int = 0) -> None:
        self.statusBar().showMessage(message, msecs)

    def set_kiosk(self, kiosk: bool) -> None:
        """Kiosk chrome: fullscreen, touch-sized controls, no history, camera only unless import is allowed."""
        self.routine_page.set_kiosk(kiosk)
        self.pages["consent"].set_kiosk(kiosk)
        self.nav["history"].setVisible(not kiosk)
        self.history.set_kiosk(kiosk)
        self.capture.set_import_allowed(self.import_allowed)
        self.open_action.setEnabled(self.import_allowed)
        self.setProperty(KIOSK_PROPERTY, kiosk)
        self.setStyleSheet(KIOSK_STYLE if kiosk else "")  # (re)polishes every control, scroll bars included
        self.quit_action.setText("&Quit (staff)" if kiosk else "&Quit")
        if kiosk:
            self.showFullScreen()
            return
        if self.isFullScreen():
            self.showNormal()
        self.show()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            repolish_style_sheet(self)  # the kiosk's sheet would keep the old theme's colours

    def close_message_boxes(self) -> None:
        for dialog in self.findChildren(QMessageBox):
            dialog.close()

    def dialog_parent(self) -> QWidget:
        return self

    # -- drag & drop, errors, about, close ------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and self.current_page not in ("consent", "analysing") and self.import_allowed:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = [u for u in event.mimeData().urls() if u.isLocalFile()] if self.import_allowed else []
        if urls:
            self.analyze_file(Path(urls[0].toLocalFile()))

    def _show_error(self, message: str, details: str) -> None:
        self.last_error_box = error_box(self, message, details)

    def show_shortcuts(self) -> ShortcutsDialog:
        self.shortcuts_dialog = open_shortcuts(self)
        return self.shortcuts_dialog

    def show_about(self) -> QMessageBox:
        return about_box(self)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.kiosk and not self.session.admin_unlocked:
            event.ignore()
            self.kiosk_controller.ask_admin("exit", self.close)
            return
        self.cancel_analysis()
        self.live.stop(wait=1.0)
        if not self.kiosk:
            save_geometry(self, self.services.paths.window_state_file)
        self.tasks.wait_all(5000)
        self.tasks.close()
        super().closeEvent(event)

