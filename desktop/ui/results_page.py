"""The results screen: the photo with a heat map on the skin, what stands out in words, every score, tone, type,
and the questions for the routine.

The heat map opens on the concern that scored highest, zoomed to the face; a divider slides between the photo
with the map and the photo alone, and the legend says what the colours mean (one scale for every concern).
When several faces are in the photo, the one analysed is outlined. Each new scan starts at the top of the page.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.explain import CONCERN_NAMES, SKIN_TYPE_WORDS, level, meaning
from desktop.ml.colour import monk_palette_rgb
from desktop.ml.report import CONCERNS, DISCLAIMER
from desktop.ui.questionnaire_form import QuestionnaireForm
from desktop.ui.scan import Scan
from desktop.ui.scores import HeatLegend, ScoreScale
from desktop.ui.summary import ESTIMATE_WORDS, is_validated, summary_html
from desktop.ui.widgets import PhotoView, swatch_pixmap

ZOOM_MARGIN = 0.4  # of the face's size, on each side, when zoomed to the face


@dataclass
class ScoreRow:
    name: QLabel
    scale: ScoreScale
    value: QLabel
    meaning: QLabel


def quiet(label: QLabel) -> QLabel:
    """Secondary text in the palette's placeholder colour (a role, not a style sheet: it follows a theme switch)."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


class ResultsPage(QWidget):
    routine_requested = Signal()

    def __init__(self, form: QuestionnaireForm, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scan: Scan | None = None
        self.form = form
        self.view = PhotoView("No scan yet. Take or import a photo first.")
        self.overlay_box = QComboBox()
        self.overlay_box.setAccessibleName("Heat map")
        self.overlay_box.currentIndexChanged.connect(self._show_overlay)
        self.zoom_button = QPushButton("&Zoom to face")
        self.zoom_button.setCheckable(True)
        self.zoom_button.setChecked(True)
        self.zoom_button.toggled.connect(self._apply_zoom)
        self.split = QSlider(Qt.Orientation.Horizontal)
        self.split.setRange(0, 100)
        self.split.setValue(100)
        self.split.setAccessibleName("Before and after: how much of the photo shows the heat map")
        self.split.valueChanged.connect(lambda v: self.view.set_split(v / 100))
        self.view.split_dragged.connect(lambda f: self.split.setValue(round(f * 100)))
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(20, 100)
        self.opacity.setValue(80)
        self.opacity.setAccessibleName("Heat map strength")
        self.opacity.valueChanged.connect(self._show_overlay)
        self.legend = HeatLegend()
        self.faces_note = quiet(QLabel())
        self.faces_note.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.tone_swatch = QLabel()
        self.tone_text = QLabel()
        self.type_text = QLabel()
        self.quality_text = QLabel()
        for label in (self.tone_text, self.type_text, self.quality_text):
            label.setWordWrap(True)
        self.scores: dict[str, ScoreRow] = {}
        self.scroll_area = QScrollArea()
        self._build()
        form.submitted.connect(self.routine_requested)

    def _build(self) -> None:
        maps_row = QHBoxLayout()
        heat_label = QLabel("&Heat map:")
        heat_label.setBuddy(self.overlay_box)
        maps_row.addWidget(heat_label)
        maps_row.addWidget(self.overlay_box, 1)
        maps_row.addWidget(self.zoom_button)
        compare_row = QHBoxLayout()
        split_label = QLabel("Photo")
        split_label.setBuddy(self.split)
        compare_row.addWidget(split_label)
        compare_row.addWidget(self.split, 2)
        compare_row.addWidget(QLabel("Map"))
        compare_row.addSpacing(12)
        strength = QLabel("Strength:")
        strength.setBuddy(self.opacity)
        compare_row.addWidget(strength)
        compare_row.addWidget(self.opacity, 1)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.view, 1)
        left_layout.addWidget(self.faces_note)
        left_layout.addLayout(maps_row)
        left_layout.addLayout(compare_row)
        left_layout.addWidget(self.legend)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self._details())
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([540, 540])
        QVBoxLayout(self).addWidget(splitter)

    def _details(self) -> QScrollArea:
        scores = QGridLayout()
        scores.setColumnStretch(1, 1)
        for row, concern in enumerate(CONCERNS):
            line = quiet(QLabel())
            line.setWordWrap(True)
            score_row = ScoreRow(QLabel(CONCERN_NAMES[concern]), ScoreScale(), QLabel(), line)
            score_row.scale.setAccessibleName(CONCERN_NAMES[concern])
            scores.addWidget(score_row.name, row * 2, 0)
            scores.addWidget(score_row.scale, row * 2, 1)
            scores.addWidget(score_row.value, row * 2, 2)
            scores.addWidget(line, row * 2 + 1, 0, 1, 3)
            self.scores[concern] = score_row
        tone_row = QHBoxLayout()
        tone_row.addWidget(self.tone_swatch)
        tone_row.addWidget(self.tone_text, 1)
        right = QWidget()
        column = QVBoxLayout(right)
        column.addWidget(QLabel("<h2>Your skin today</h2>"))
        column.addWidget(self.summary)
        column.addLayout(tone_row)
        column.addWidget(self.type_text)
        column.addWidget(self.quality_text)
        column.addWidget(QLabel("<h3>Every score</h3>"))
        column.addWidget(quiet(QLabel("0–100: how visible each thing is in this photo (not a grade).")))
        column.addLayout(scores)
        column.addWidget(QLabel(f"<i>{html.escape(DISCLAIMER)}</i>"))
        column.addWidget(QLabel("<h3>A few questions for your routine</h3>"))
        column.addWidget(self.form)
        column.addStretch(1)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(right)
        return self.scroll_area

    def show_scan(self, scan: Scan) -> None:
        self.scan = scan
        report = scan.report
        self.view.set_image(scan.photo)
        several = scan.face_count > 1 and bool(scan.face_outline)
        self.view.set_outline(scan.face_outline if several else [])
        self.faces_note.setText(f"{scan.face_count} faces were found: the outlined one was analysed."
                                if several else "")
        self.faces_note.setVisible(several)
        self._fill_overlays(scan)
        self._apply_zoom(self.zoom_button.isChecked())
        self.summary.setText(summary_html(report, scan.where))
        self._show_tone_and_type(scan)
        for concern, row in self.scores.items():
            score = report.concerns.get(concern)
            row.scale.set_value(score)
            row.value.setText("—" if score is None else f"{score:.0f} · {level(score)}")
            estimate = "" if score is None or is_validated(report, concern) else f" · {ESTIMATE_WORDS}"
            row.meaning.setText(meaning(concern, score) + estimate)
        self.scroll_area.verticalScrollBar().setValue(0)

    def _fill_overlays(self, scan: Scan) -> None:
        """One entry per concern map, opening on the one that scored highest."""
        names = sorted(scan.overlays, key=lambda n: CONCERNS.index(n) if n in CONCERNS else 99)
        self.overlay_box.blockSignals(True)
        self.overlay_box.clear()
        self.overlay_box.addItem("None", "")
        for name in names:
            self.overlay_box.addItem(CONCERN_NAMES.get(name, name), name)
        scored = [n for n in names if scan.report.concerns.get(n) is not None]
        top = max(scored, key=lambda n: scan.report.concerns[n] or 0.0) if scored else ""
        self.overlay_box.setCurrentIndex(max(0, self.overlay_box.findData(top)))
        self.overlay_box.blockSignals(False)
        self._show_overlay()

    def _show_tone_and_type(self, scan: Scan) -> None:
        report = scan.report
        tone = report.tone
        if tone:
            self.tone_swatch.setPixmap(swatch_pixmap(_monk_rgb(tone.monk), 40))
            self.tone_text.setText(f"<b>Skin tone</b>: Monk {tone.monk} of 10 · ITA {tone.ita:.0f}° "
                                   f"({html.escape(tone.category)}) · {html.escape(tone.undertone)} undertone")
        else:
            self.tone_swatch.clear()
            self.tone_text.setText("<b>Skin tone</b>: not measured (too little visible skin).")
        label = report.skin_type.get("label")
        probability = report.skin_type.get("probabilities", {}).get(label, 0.0) if label else 0.0
        unknown = report.skin_type.get("source") == "unknown"
        untold = "the photo cannot tell: choose yours below" if unknown else "not measured"
        self.type_text.setText(f"<b>Skin type</b>: {html.escape(SKIN_TYPE_WORDS.get(label or '', untold))}"
                               + (f" ({probability:.0%} likely). Correct it below if it is wrong." if label else ""))
        self.form.set_detected_type(label, asked=unknown)
        if report.quality.ok:
            self.quality_text.setText("<b>Photo quality</b>: good.")
        else:
            tips = "".join(f"<li>{html.escape(t)}</li>" for t in report.quality.instructions)
            self.quality_text.setText("<b>Photo quality could be better</b> (scores are less reliable):"
                                      f"<ul>{tips}</ul>")

    def _show_overlay(self) -> None:
        name = self.overlay_box.currentData()
        overlay = self.scan.overlays.get(name) if self.scan and name else None
        self.view.set_overlay(overlay, self.opacity.value() / 100)
        for widget in (self.split, self.opacity, self.legend):
            widget.setEnabled(overlay is not None)

    def _apply_zoom(self, on: bool) -> None:
        self.view.set_zoom(self.face_rect() if on else None)

    def face_rect(self) -> QRectF | None:
        """The face that was analysed with a margin around it (photo pixels), for "Zoom to face"."""
        if self.scan is None or not self.scan.face_outline:
            return None
        xs = [p[0] for p in self.scan.face_outline]
        ys = [p[1] for p in self.scan.face_outline]
        w, h = max(xs) - min(xs), max(ys) - min(ys)
        return QRectF(min(xs) - w * ZOOM_MARGIN, min(ys) - h * ZOOM_MARGIN, w * (1 + 2 * ZOOM_MARGIN),
                      h * (1 + 2 * ZOOM_MARGIN))

    def forget(self) -> None:
        self.scan = None
        self.view.clear()
        self.overlay_box.clear()
        self.tone_swatch.clear()
        self.faces_note.clear()
        for label in (self.tone_text, self.type_text, self.quality_text, self.summary):
            label.clear()
        for row in self.scores.values():
            row.scale.set_value(None)
            row.value.clear()
            row.meaning.clear()


def _monk_rgb(level_: int) -> tuple[int, int, int]:
    palette = monk_palette_rgb()
    if not 1 <= level_ <= len(palette):
        return (128, 128, 128)
    r, g, b = (int(v) for v in palette[level_ - 1])
    return (r, g, b)
