"""The results screen: the photo with a heat map per concern, scores in plain words, tone, type, questions."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.explain import CONCERN_NAMES, SKIN_TYPE_WORDS, meaning
from desktop.ml.colour import monk_palette_rgb
from desktop.ml.report import CONCERNS, DISCLAIMER
from desktop.ui.questionnaire_form import QuestionnaireForm
from desktop.ui.scan import Scan
from desktop.ui.widgets import PhotoView, swatch_pixmap


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
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(60)
        self.opacity.setAccessibleName("Heat map opacity")
        self.opacity.valueChanged.connect(self._show_overlay)
        self.tone_swatch = QLabel()
        self.tone_text = QLabel()
        self.type_text = QLabel()
        self.quality_text = QLabel()
        for label in (self.tone_text, self.type_text, self.quality_text):
            label.setWordWrap(True)
        self.bars: dict[str, tuple[QProgressBar, QLabel]] = {}
        self._build()
        form.submitted.connect(self.routine_requested)

    def _build(self) -> None:
        overlay_row = QHBoxLayout()
        heat_label = QLabel("&Heat map:")
        heat_label.setBuddy(self.overlay_box)
        overlay_row.addWidget(heat_label)
        overlay_row.addWidget(self.overlay_box, 1)
        overlay_row.addWidget(QLabel("Opacity:"))
        overlay_row.addWidget(self.opacity, 1)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.view, 1)
        left_layout.addLayout(overlay_row)

        scores = QGridLayout()
        for row, concern in enumerate(CONCERNS):
            bar = QProgressBar()
            bar.setRange(0, 100)
            bar.setFormat("%v")
            line = QLabel()
            line.setWordWrap(True)
            line.setStyleSheet("color: palette(placeholder-text);")
            scores.addWidget(QLabel(CONCERN_NAMES[concern]), row * 2, 0)
            scores.addWidget(bar, row * 2, 1)
            scores.addWidget(line, row * 2 + 1, 0, 1, 2)
            self.bars[concern] = (bar, line)
        tone_row = QHBoxLayout()
        tone_row.addWidget(self.tone_swatch)
        tone_row.addWidget(self.tone_text, 1)
        disclaimer = QLabel(f"<i>{DISCLAIMER}</i>")
        right = QWidget()
        column = QVBoxLayout(right)
        column.addWidget(QLabel("<h2>Your skin today</h2>"))
        column.addLayout(tone_row)
        column.addWidget(self.type_text)
        column.addWidget(self.quality_text)
        column.addLayout(scores)
        column.addWidget(disclaimer)
        column.addWidget(QLabel("<h3>A few questions for your routine</h3>"))
        column.addWidget(self.form)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(right)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(scroll)
        splitter.setSizes([560, 520])
        QVBoxLayout(self).addWidget(splitter)

    def show_scan(self, scan: Scan) -> None:
        self.scan = scan
        report = scan.report
        self.view.set_image(scan.photo)
        self.overlay_box.blockSignals(True)
        self.overlay_box.clear()
        self.overlay_box.addItem("None", "")
        for name in sorted(scan.overlays, key=lambda n: CONCERNS.index(n) if n in CONCERNS else 99):
            self.overlay_box.addItem(CONCERN_NAMES.get(name, name), name)
        self.overlay_box.blockSignals(False)
        self._show_overlay()
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
        for concern, (bar, line) in self.bars.items():
            score = report.concerns.get(concern)
            bar.setValue(round(score) if score is not None else 0)
            bar.setEnabled(score is not None)
            line.setText(meaning(concern, score))

    def _show_overlay(self) -> None:
        name = self.overlay_box.currentData()
        overlay = self.scan.overlays.get(name) if self.scan and name else None
        self.view.set_overlay(overlay, self.opacity.value() / 100)

    def forget(self) -> None:
        self.scan = None
        self.view.clear()
        self.overlay_box.clear()
        self.tone_swatch.clear()
        for label in (self.tone_text, self.type_text, self.quality_text):
            label.clear()
        for bar, line in self.bars.values():
            bar.setValue(0)
            line.clear()


def _monk_rgb(level: int) -> tuple[int, int, int]:
    palette = monk_palette_rgb()
    if not 1 <= level <= len(palette):
        return (128, 128, 128)
    r, g, b = (int(v) for v in palette[level - 1])
    return (r, g, b)
