"""The history chart of the printed report: the main concerns' scores over time, on a real time axis (a scan a
day after the last one sits close to it, one three months later far away)."""

from __future__ import annotations

from datetime import datetime

from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.units import mm

from desktop.explain import CONCERN_NAMES

SERIES_COLOURS = (colors.HexColor("#b23a12"), colors.HexColor("#1f5fa8"), colors.HexColor("#2e7d32"))
DAY = 86_400.0


def trend_chart(points: list[tuple[float, dict[str, float | None]]], concerns: list[str],
                width: float = 178 * mm, height: float = 70 * mm) -> Drawing | None:
    """A line per concern (score 0–100 against the date); None when no concern has two scored scans."""
    start = points[0][0]
    series, names = [], []
    for concern in concerns:
        line = [((t - start) / DAY, float(v)) for t, scores in points if (v := scores.get(concern)) is not None]
        if len(line) >= 2:
            series.append(line)
            names.append(CONCERN_NAMES.get(concern, concern))
    if not series:
        return None
    drawing = Drawing(width, height)
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 12 * mm, 14 * mm, width - 50 * mm, height - 20 * mm
    plot.data = series
    span = max(1.0 / 24, (points[-1][0] - start) / DAY)  # at least an hour
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = 0.0, span
    plot.xValueAxis.valueSteps = [span * i / 4 for i in range(5)]
    shape = "%d %b %H:%M" if span < 2 else "%d %b %y"  # scans on one day: the hours tell them apart
    plot.xValueAxis.labelTextFormat = lambda days: datetime.fromtimestamp(start + days * DAY).strftime(shape)
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax, plot.yValueAxis.valueStep = 0, 100, 25
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.labels.fontName, axis.labels.fontSize = "DejaVuSans", 7
    for i, colour in enumerate(SERIES_COLOURS[:len(series)]):
        plot.lines[i].strokeColor = colour
        plot.lines[i].strokeWidth = 1.5
        plot.lines[i].symbol = makeMarker("FilledCircle", size=4, fillColor=colour, strokeColor=colour)
    drawing.add(plot)
    legend = Legend()
    legend.x, legend.y = width - 34 * mm, height - 10 * mm
    legend.fontName, legend.fontSize = "DejaVuSans", 8
    legend.colorNamePairs = list(zip(SERIES_COLOURS, names, strict=False))
    drawing.add(legend)
    return drawing
