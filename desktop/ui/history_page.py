"""The history screen: past scans, a trend chart per concern, two scans side by side, PDF export, deletion.

Reading and deleting go through the window's workers (database and files never on the UI thread); this view
only lays out what it is given.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.explain import CONCERN_NAMES
from desktop.ml.report import CONCERNS
from desktop.ui.charts import TrendChart
from desktop.ui.theme import change_colours

ID_ROLE = Qt.ItemDataRole.UserRole
NOTABLE_CHANGE = 5  # points: the stability target of the scores (README); smaller moves are noise


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    created_at: float
    report: dict[str, Any]
    has_photo: bool  # the photo itself is sealed on disk: the controller opens it when a screen shows it

    @property
    def when(self) -> str:
        return dt.datetime.fromtimestamp(self.created_at).strftime("%Y-%m-%d %H:%M")

    def score(self, concern: str) -> float | None:
        value = (self.report.get("concerns") or {}).get(concern)
        return float(value) if isinstance(value, int | float) else None


class HistoryPage(QWidget):
    delete_requested = Signal(list)  # ids
    delete_all_requested = Signal()
    export_requested = Signal(object)  # HistoryEntry
    photos_requested = Signal(list)  # ids of the compared scans whose photos were kept

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entries: list[HistoryEntry] = []
        self._compared: tuple[int, int] = (0, 0)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Date", "Skin type", "Tone (Monk)", "Most visible"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.concern = QComboBox()
        self.concern.addItem("All concerns", "")
        for concern in CONCERNS:
            self.concern.addItem(CONCERN_NAMES[concern], concern)
        self.concern.setAccessibleName("Concern in the trend chart")
        self.concern.currentIndexChanged.connect(self._update_chart)
        self.chart = TrendChart()
        self.compare = QLabel("Select two scans to compare them side by side.")
        self.compare.setWordWrap(True)
        self.compare.setTextFormat(Qt.TextFormat.RichText)
        self.photos = (QLabel(), QLabel())
        self.export_button = QPushButton("&Export PDF…")
        self.delete_button = QPushButton("&Delete selected")
        self.delete_all_button = QPushButton("Delete &all history")
        self.export_button.clicked.connect(self._export)
        self.delete_button.clicked.connect(lambda: self.delete_requested.emit(self.selected_ids()))
        self.delete_all_button.clicked.connect(self.delete_all_requested)
        self._build()
        self._selection_changed()

    def _build(self) -> None:
        buttons = QHBoxLayout()
        for button in (self.export_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_all_button)
        chart_row = QHBoxLayout()
        chart_row.addWidget(QLabel("Trend:"))
        chart_row.addWidget(self.concern)
        chart_row.addStretch(1)
        compare_row = QHBoxLayout()
        compare_row.addWidget(self.compare, 1)
        for label in self.photos:
            compare_row.addWidget(label)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.addLayout(chart_row)
        lower_layout.addWidget(self.chart, 1)
        lower_layout.addLayout(compare_row)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setSizes([220, 480])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

    def set_kiosk(self, kiosk: bool) -> None:
        """A kiosk keeps no history of its own, so it offers no "delete all" either."""
        self.delete_all_button.setVisible(not kiosk)

    def show_entries(self, entries: list[HistoryEntry]) -> None:
        self.entries = entries
        self.table.setRowCount(0)
        for entry in reversed(entries):  # newest first
            row = self.table.rowCount()
            self.table.insertRow(row)
            tone = entry.report.get("tone") or {}
            top = sorted(((entry.score(c) or 0.0, c) for c in CONCERNS), reverse=True)[:3]
            cells = [entry.when, str((entry.report.get("skin_type") or {}).get("label") or "—"),
                     str(tone.get("monk", "—")), ", ".join(f"{CONCERN_NAMES[c]} {s:.0f}" for s, c in top if s)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, entry.id)
                self.table.setItem(row, column, item)
        self._update_chart()
        self._selection_changed()

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [int(_cell(self.table, r).data(ID_ROLE)) for r in rows]

    def select_ids(self, ids: list[int]) -> None:
        self.table.clearSelection()
        mode = self.table.selectionMode()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for row in range(self.table.rowCount()):
            if _cell(self.table, row).data(ID_ROLE) in ids:
                self.table.selectRow(row)
        self.table.setSelectionMode(mode)

    def _entry(self, entry_id: int) -> HistoryEntry:
        return next(e for e in self.entries if e.id == entry_id)

    def _update_chart(self) -> None:
        chosen = self.concern.currentData()
        concerns = [chosen] if chosen else list(CONCERNS)
        self.chart.set_series([e.created_at for e in self.entries],
                              {c: [e.score(c) for e in self.entries] for c in concerns})

    def _selection_changed(self) -> None:
        ids = self.selected_ids()
        self.export_button.setEnabled(len(ids) == 1)
        self.delete_button.setEnabled(bool(ids))
        self.delete_all_button.setEnabled(bool(self.entries))
        for label in self.photos:
            label.clear()
        if len(ids) != 2:
            self.compare.setText("Select two scans (Ctrl+click) to compare them side by side.")
            return
        older, newer = sorted((self._entry(i) for i in ids), key=lambda e: e.created_at)
        self.compare.setText(comparison_html(older, newer, *change_colours(self.palette())))
        self._compared = (older.id, newer.id)
        wanted = [e.id for e in (older, newer) if e.has_photo]
        if wanted:
            self.photos_requested.emit(wanted)

    def show_photos(self, photos: dict[int, bytes]) -> None:
        """The kept photos of the compared scans, opened by the controller (JPEG bytes by scan id)."""
        for label, scan_id in zip(self.photos, self._compared, strict=True):
            pixmap = QPixmap()
            if scan_id in photos and pixmap.loadFromData(photos[scan_id]):
                label.setPixmap(pixmap.scaledToHeight(170, Qt.TransformationMode.SmoothTransformation))

    def changeEvent(self, event: QEvent) -> None:
        """The compare colours are picked for the palette: pick them again after a theme switch."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "compare"):
            self._selection_changed()

    def _export(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            self.export_requested.emit(self._entry(ids[0]))


def _cell(table: QTableWidget, row: int) -> QTableWidgetItem:
    item = table.item(row, 0)
    assert item is not None
    return item


def change_words(before: float | None, after: float | None) -> tuple[str, int]:
    """How a score moved between two scans, as people read it, and its direction: -1 better (less visible),
    +1 worse, 0 no real change. Whole points are compared, so a change that rounds to nothing is "same", never
    "-0"; a few points either way are within what light and camera alone move, so they are not called a change."""
    if before is None or after is None:
        return "—", 0
    delta = round(after) - round(before)
    if delta == 0:
        return "same", 0
    if abs(delta) < NOTABLE_CHANGE:
        return f"{delta:+d} (about the same)", 0
    return (f"▼ {-delta} better", -1) if delta < 0 else (f"▲ {delta} worse", 1)


def comparison_html(older: HistoryEntry, newer: HistoryEntry, better: str, worse: str) -> str:
    """Two scans side by side; changes in `better` / `worse` colours (chosen for the palette's contrast) and
    in words with an arrow, so they read the same without colour."""
    rows = []
    for concern in CONCERNS:
        a, b = older.score(concern), newer.score(concern)
        words, direction = change_words(a, b)
        cell = html.escape(words) if direction == 0 else \
            f"<span style='color:{better if direction < 0 else worse}'><b>{html.escape(words)}</b></span>"
        rows.append(f"<tr><td>{html.escape(CONCERN_NAMES[concern])}</td><td align='right'>"
                    f"{'—' if a is None else f'{a:.0f}'}</td><td align='right'>{'—' if b is None else f'{b:.0f}'}"
                    f"</td><td align='right'>{cell}</td></tr>")
    return (f"<table cellpadding='3'><tr><th></th><th>{older.when}</th><th>{newer.when}</th><th>change</th></tr>"
            + "".join(rows) + "</table><small>Lower is less visible, which is better. Lighting and camera changes "
            "move scores too: compare scans taken in the same place.</small>")
