"""The main window: open a photo, analyse it in a worker, show results and a routine with "Buy" buttons.

A thin view: analysis, database and network work run through the TaskRunner, never on the UI thread.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, Qt, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QImage,
    QKeySequence,
    QPainter,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.app import Services
from desktop.ml.report import DISCLAIMER, AnalysisFailure, SkinReport
from desktop.recommend.engine import Routine
from desktop.recommend.profile import Profile
from desktop.tasks import TaskState
from desktop.ui.tasks import TaskHandle, TaskRunner

PHOTO_FILTER = "Photos (*.jpg *.jpeg *.png *.webp *.bmp *.tif *.tiff *.gif);;All files (*)"
URL_ROLE = Qt.ItemDataRole.UserRole


class MainWindow(QMainWindow):
    analysis_done = Signal(object)  # SkinReport | AnalysisFailure
    routine_ready = Signal(object)  # Routine
    error_raised = Signal(str, str)  # from any thread; shown on the UI thread

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.tasks = TaskRunner(services.notifier)
        self._current: TaskHandle | None = None
        self.report: SkinReport | None = None
        self.setWindowTitle("SkinLens")
        self.setAcceptDrops(True)
        self.resize(1100, 720)
        self._build()
        self.error_raised.connect(self._show_error, Qt.ConnectionType.QueuedConnection)
        services.notifier.add_listener(self.error_raised.emit)

    # -- layout ---------------------------------------------------------------------------------
    def _build(self) -> None:
        open_action = QAction("&Open photo…", self)
        open_action.setShortcut(QKeySequence.StandardKey.Open)
        open_action.triggered.connect(self.choose_photo)
        self.addToolBar("Main").addAction(open_action)
        about_action = QAction("&About SkinLens", self)
        about_action.triggered.connect(self.show_about)
        self.menuBar().addMenu("&Help").addAction(about_action)

        self.photo = QLabel("Open a photo (Ctrl+O) or drop one here.\nIt is analysed on this computer only.")
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo.setMinimumSize(420, 420)

        self.results = QLabel()
        self.results.setWordWrap(True)
        self.results.setTextFormat(Qt.TextFormat.RichText)
        self.results.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.products = QListWidget()
        self.products.setWordWrap(True)
        self.products.currentItemChanged.connect(self._update_buy)
        self.products.itemActivated.connect(lambda _item: self.buy_selected())
        self.buy_button = QPushButton("Buy (opens the shop in your browser)")
        self.buy_button.setEnabled(False)
        self.buy_button.clicked.connect(self.buy_selected)
        disclaimer = QLabel(DISCLAIMER)
        disclaimer.setStyleSheet("color: palette(mid);")

        right = QWidget()
        column = QVBoxLayout(right)
        column.addWidget(self.results)
        column.addWidget(QLabel("<b>Your routine</b>"))
        column.addWidget(self.products, 1)
        column.addWidget(self.buy_button)
        column.addWidget(disclaimer)
        splitter = QSplitter()
        splitter.addWidget(self.photo)
        splitter.addWidget(right)
        splitter.setSizes([560, 540])
        self.setCentralWidget(splitter)

        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel_analysis)
        status = QWidget()
        row = QHBoxLayout(status)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.progress)
        row.addWidget(self.cancel_button)
        self.statusBar().addPermanentWidget(status)
        count = self.services.store.count()
        self.statusBar().showMessage(f"{count} products in the local catalog · nothing leaves this computer")

    # -- analysis -------------------------------------------------------------------------------
    def choose_photo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a photo", str(Path.home()), PHOTO_FILTER)
        if path:
            self.analyze_file(Path(path))

    def analyze_file(self, path: Path) -> TaskHandle:
        """Start analysing `path` in a worker; the result arrives through `analysis_done`."""
        self.cancel_analysis()
        self._show_photo(QImage(str(path)), None)
        self.results.setText(f"Analysing <i>{html.escape(path.name)}</i>…")
        self.products.clear()
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        analyzer = self.services.analyzer

        def work(state: TaskState) -> SkinReport | AnalysisFailure:
            return analyzer.analyze(path, progress=state.progress, cancelled=lambda: state.cancelled)

        self._current = self.tasks.run(work, self._analysis_finished, on_progress=self._on_progress,
                                       on_error=lambda _m: self._end_busy(), on_cancel=self._cancelled)
        self._current_path = path
        return self._current

    def cancel_analysis(self) -> None:
        if self._current is not None:
            self._current.cancel()
            self._current = None

    def _on_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(round(fraction * 100))
        self.statusBar().showMessage(message.capitalize())

    def _end_busy(self) -> None:
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)

    def _cancelled(self) -> None:
        self._end_busy()
        self.results.setText("Analysis cancelled.")

    def _analysis_finished(self, result: SkinReport | AnalysisFailure) -> None:
        self._end_busy()
        self._current = None
        if isinstance(result, AnalysisFailure):
            self.report = None
            self.results.setText(f"<b>This photo could not be analysed.</b><br>{html.escape(result.error)}")
            self.analysis_done.emit(result)
            return
        self.report = result
        self._show_photo(QImage(str(self._current_path)), result.face.get("box"))
        self.results.setText(_report_html(result))
        self.statusBar().showMessage(f"Analysed in {result.timings_ms.get('total', 0):.0f} ms on this computer")
        self.analysis_done.emit(result)
        self.refresh_routine(Profile.from_report(result.to_dict()))

    # -- routine --------------------------------------------------------------------------------
    def refresh_routine(self, profile: Profile) -> None:
        recommender = self.services.recommender
        self.tasks.run(lambda state: recommender.recommend(profile), self._show_routine)

    def _show_routine(self, routine: Routine) -> None:
        self.products.clear()
        for step in routine.steps:
            header = QListWidgetItem(f"{step.step.capitalize()} · {' & '.join(w.upper() for w in step.when)}")
            header.setFlags(Qt.ItemFlag.NoItemFlags)
            self.products.addItem(header)
            for pick in step.products:
                why = "; ".join(pick.reasons) or "a well-rated choice for this step"
                item = QListWidgetItem(f"   {pick.brand} — {pick.name}   {pick.price:.2f} {pick.currency}\n"
                                       f"      why: {why}")
                item.setData(URL_ROLE, pick.url)
                self.products.addItem(item)
        for warning in routine.warnings:
            item = QListWidgetItem(f"⚠ {warning}")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.products.addItem(item)
        self.routine_ready.emit(routine)

    def _update_buy(self, current: QListWidgetItem | None, _previous: Any = None) -> None:
        self.buy_button.setEnabled(bool(current and current.data(URL_ROLE)))

    def buy_selected(self) -> bool:
        item = self.products.currentItem()
        url = item.data(URL_ROLE) if item else None
        if not url:
            return False
        if self.services.open_url is not None:
            return self.services.open_url(url)
        return bool(QDesktopServices.openUrl(QUrl(url)))

    # -- photo, drag & drop, errors -------------------------------------------------------------
    def _show_photo(self, image: QImage, box: list[int] | None) -> None:
        if image.isNull():
            self.photo.setText("(preview not available)")
            return
        pixmap = QPixmap.fromImage(image)
        if box:
            painter = QPainter(pixmap)
            pen = QPen(Qt.GlobalColor.green)
            pen.setWidth(max(2, pixmap.width() // 250))
            painter.setPen(pen)
            painter.drawRect(QRect(*box))
            painter.end()
        self.photo.setPixmap(pixmap.scaled(self.photo.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = [u for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.analyze_file(Path(urls[0].toLocalFile()))

    def _show_error(self, message: str, details: str) -> None:
        """Non-blocking message box (open(), not exec()), so a burst of errors never stacks modal loops."""
        box = QMessageBox(QMessageBox.Icon.Warning, "SkinLens", message, QMessageBox.StandardButton.Ok, self)
        box.setDetailedText(details)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.last_error_box = box

    def show_about(self) -> QMessageBox:
        """Version, the privacy promise, and the attribution of the data the app ships."""
        from desktop import __version__
        from desktop.resources import resource

        attribution = resource("ATTRIBUTION.md").read_text(encoding="utf-8")
        box = QMessageBox(QMessageBox.Icon.Information, "About SkinLens",
                          f"SkinLens {__version__}\n\nPhotos are analysed on this computer and never leave it.\n"
                          f"{DISCLAIMER}\n\nData sources and licences: see details.",
                          QMessageBox.StandardButton.Ok, self)
        box.setDetailedText(attribution)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def closeEvent(self, event: Any) -> None:
        self.cancel_analysis()
        self.tasks.wait_all(5000)
        super().closeEvent(event)


def _report_html(report: SkinReport) -> str:
    parts = ["<h3>Your skin today</h3>"]
    if report.tone:
        t = report.tone
        parts.append(f"Skin tone: ITA {t.ita:.1f}° (<i>{t.category}</i>), Monk scale {t.monk}, "
                     f"{t.undertone} undertone")
    if report.quality.ok:
        parts.append("Photo quality: good")
    else:
        tips = "".join(f"<li>{html.escape(i)}</li>" for i in report.quality.instructions)
        parts.append(f"Photo quality could be better:<ul>{tips}</ul>")
    measured = {k: v for k, v in report.concerns.items() if v is not None}
    if measured:
        parts.append("<br>".join(f"{k.replace('_', ' ')}: {v:.0f}/100" for k, v in measured.items()))
    return "<br>".join(parts)
