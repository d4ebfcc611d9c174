"""How a score and a heat map's colours are shown: a level on a four-band scale, and the colour legend.

A 0–100 score is not progress towards anything, so it is not drawn as a bar filling up: it is a pointer over a
scale split into the bands people read (low, mild, moderate, marked), the band it falls in lit, next to its
number and band word. The bands wear the heat maps' colours, so the map and the score read on one scale; the
words are labels in the palette's text colour, and the pointer is drawn in it (it follows a theme switch).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from desktop.heatmap import colour_scale, legend_rgba
from desktop.ui.widgets import to_qimage
from desktop.vocabulary import LEVELS

# each band in the heat-map colour of its middle (12.5, 37.5, 62.5, 87.5 of 100)
BAND_COLOURS = [tuple(int(c) for c in colour_scale(np.array([m / 100]))[0, :3]) for m in (12.5, 37.5, 62.5, 87.5)]


class ScoreScale(QWidget):
    """A marker at `value` on a 0–100 track in four bands; no marker when the concern was not measured."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.value: float | None = None
        self.setMinimumWidth(120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(220, 22)

    def set_value(self, value: float | None) -> None:
        self.value = value
        self.setAccessibleDescription("not measured" if value is None else f"{value:.0f} of 100")
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        ink = self.palette().color(self.palette().ColorRole.WindowText)
        track = QRectF(6, self.height() - 11, self.width() - 12, 8)
        start, band_of_value = 0.0, _band(self.value)
        for i, (limit, _word) in enumerate(LEVELS):
            end = min(100.0, limit)
            colour = QColor(*BAND_COLOURS[i])
            colour.setAlphaF(1.0 if i == band_of_value else 0.28)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            left = track.left() + track.width() * start / 100
            painter.drawRoundedRect(QRectF(left, track.top(), track.width() * (end - start) / 100 - 2,
                                           track.height()), 2, 2)
            start = end
        if self.value is None:
            return
        x = track.left() + track.width() * max(0.0, min(100.0, self.value)) / 100
        painter.setPen(QPen(ink, 2))
        painter.drawLine(QPointF(x, track.top() - 1), QPointF(x, track.bottom() + 1))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(ink)
        painter.drawPolygon(QPolygonF([QPointF(x - 5, track.top() - 9), QPointF(x + 5, track.top() - 9),
                                       QPointF(x, track.top() - 2)]))


def _band(value: float | None) -> int:
    if value is None:
        return -1
    return next(i for i, (limit, _word) in enumerate(LEVELS) if value < limit)


class HeatLegend(QWidget):
    """The one colour scale of every heat map and score, from "low" to "marked", with its words as labels."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ramp = _Ramp()
        self.low = QLabel("low")
        self.high = QLabel("marked")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.low)
        row.addWidget(self.ramp, 1)
        row.addWidget(self.high)
        self.setAccessibleName("Heat map colours: light yellow for low, dark red for marked (as the scores)")


class _Ramp(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setMinimumSize(80, 12)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.image: QImage = to_qimage(legend_rgba(256, 1))

    def sizeHint(self) -> QSize:
        return QSize(200, 14)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        bar = QRectF(0, 1, self.width(), self.height() - 2)
        painter.drawImage(bar, self.image)
        painter.setPen(QPen(self.palette().color(self.palette().ColorRole.Mid), 1))
        painter.drawRect(bar)
