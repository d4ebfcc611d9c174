"""The history's trend chart: concern scores on a real time axis.

Scans are placed by when they were taken, not one after the other, so a month's gap looks like a month and
three scans in one evening sit together. Colours come from the current palette's lightness (one set for light
backgrounds, one for dark), so the lines stay visible after a theme switch; every line is also named in the
legend in the palette's text colour.
"""

from __future__ import annotations

import datetime as dt
import itertools

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from desktop.explain import CONCERN_NAMES

LIGHT_BACKGROUND_COLOURS = ("#c0392b", "#b35900", "#2e7d32", "#1565c0", "#6a1b9a", "#00796b", "#ad1457", "#4e342e")
DARK_BACKGROUND_COLOURS = ("#ff8a80", "#ffb74d", "#9ccc65", "#64b5f6", "#ce93d8", "#4dd0e1", "#f48fb1", "#d7ccc8")
HOUR, DAY = 3600.0, 86_400.0
TICK_STEPS = (HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY, 365 * DAY)
MAX_TICKS = 6
LEGEND_WIDTH = 150


def series_colours(window: QColor) -> tuple[str, ...]:
    return DARK_BACKGROUND_COLOURS if window.lightnessF() < 0.5 else LIGHT_BACKGROUND_COLOURS


def time_ticks(start: float, end: float, max_ticks: int = MAX_TICKS) -> list[tuple[float, str]]:
    """Round moments between `start` and `end` (epoch seconds) and their labels, at most `max_ticks`."""
    span = max(end - start, HOUR)
    step = next((s for s in TICK_STEPS if span / s <= max_ticks), span / max_ticks)
    first = dt.datetime.fromtimestamp(start)
    if step >= DAY:
        first = first.replace(hour=0, minute=0, second=0, microsecond=0)
    else:
        first = first.replace(minute=0, second=0, microsecond=0)
    fmt = "%H:%M" if step < DAY else "%d %b" if step < 30 * DAY else "%b %Y"
    ticks: list[tuple[float, str]] = []
    moment = first.timestamp()
    while moment <= end + 1 and len(ticks) < max_ticks * 2:
        if moment >= start - 1:
            ticks.append((moment, dt.datetime.fromtimestamp(moment).strftime(fmt).lstrip("0")))
        moment += step
    return ticks


class TrendChart(QWidget):
    """Concern scores over time: one line per concern, 0–100 up, time (with dated ticks) across."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(160)
        self.series: dict[str, list[float | None]] = {}
        self.times: list[float] = []
        self.setAccessibleName("Trend of your scores over time")

    def set_series(self, times: list[float], series: dict[str, list[float | None]]) -> None:
        self.times, self.series = list(times), series
        self.update()

    def plot_area(self) -> QRectF:
        return QRectF(40, 10, max(10.0, self.width() - 50 - LEGEND_WIDTH), max(10.0, self.height() - 36))

    def x_positions(self) -> list[float]:
        """Where each scan sits across the plot: proportional to when it was taken."""
        area = self.plot_area()
        if not self.times:
            return []
        start, end = min(self.times), max(self.times)
        if end - start < 1:
            return [area.center().x()] * len(self.times)
        return [area.left() + area.width() * (t - start) / (end - start) for t in self.times]

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text, grid = palette.color(palette.ColorRole.WindowText), palette.color(palette.ColorRole.Mid)
        area = self.plot_area()
        for level in (0, 25, 50, 75, 100):
            y = area.bottom() - area.height() * level / 100
            painter.setPen(QPen(grid, 1, Qt.PenStyle.SolidLine if level in (0, 100) else Qt.PenStyle.DotLine))
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.setPen(text)
            painter.drawText(QRectF(0, y - 8, 34, 16), Qt.AlignmentFlag.AlignRight, str(level))
        if not self.times:
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "No scans yet")
            return
        self._paint_time_axis(painter, area, text, grid)
        xs = self.x_positions()
        colours = series_colours(palette.color(palette.ColorRole.Window))
        for i, (name, values) in enumerate(self.series.items()):
            colour = QColor(colours[i % len(colours)])
            painter.setPen(QPen(colour, 2))
            painter.setBrush(colour)
            points = [QPointF(x, area.bottom() - area.height() * v / 100) for x, v in zip(xs, values, strict=True)
                      if v is not None]
            for a, b in itertools.pairwise(points):
                painter.drawLine(a, b)
            for p in points:
                painter.drawEllipse(p, 3.5, 3.5)
            legend_y = area.top() + 18 * i
            painter.drawLine(QPointF(area.right() + 12, legend_y + 8), QPointF(area.right() + 28, legend_y + 8))
            painter.setPen(text)
            painter.drawText(QRectF(area.right() + 34, legend_y, LEGEND_WIDTH - 36, 16),
                             Qt.AlignmentFlag.AlignLeft, CONCERN_NAMES.get(name, name))

    def _paint_time_axis(self, painter: QPainter, area: QRectF, text: QColor, grid: QColor) -> None:
        start, end = min(self.times), max(self.times)
        if end - start < 1:
            label = dt.datetime.fromtimestamp(start).strftime("%d %b %Y").lstrip("0")
            painter.setPen(text)
            painter.drawText(QRectF(area.left(), area.bottom() + 4, area.width(), 18), Qt.AlignmentFlag.AlignHCenter,
                             label)
            return
        for moment, label in time_ticks(start, end):
            x = area.left() + area.width() * (moment - start) / (end - start)
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(x, area.bottom()), QPointF(x, area.bottom() + 4))
            painter.setPen(text)
            painter.drawText(QRectF(x - 40, area.bottom() + 6, 80, 18), Qt.AlignmentFlag.AlignHCenter, label)
