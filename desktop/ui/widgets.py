"""Small painted widgets shared by the screens: the photo view with overlays, and the trend chart.

Everything is drawn with QPainter at the device pixel ratio, so photos, guides and charts stay sharp on
high-DPI screens. Pixels arrive ready to draw (converted and scaled in workers); painting only blits.
"""

from __future__ import annotations

import itertools

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.explain import CONCERN_NAMES

CONCERN_COLOURS = ("#e4572e", "#f3a712", "#a8c686", "#669bbc", "#29335c", "#8e7dbe", "#c08497", "#2a9d8f")


def to_qimage(rgb: np.ndarray) -> QImage:
    """An RGB or RGBA uint8 array as a QImage that owns its pixels (safe to pass between threads)."""
    array = np.ascontiguousarray(rgb)
    height, width = array.shape[:2]
    channels = array.shape[2] if array.ndim == 3 else 1
    fmt = {1: QImage.Format.Format_Grayscale8, 3: QImage.Format.Format_RGB888,
           4: QImage.Format.Format_RGBA8888}[channels]
    return QImage(array.data, width, height, array.strides[0], fmt).copy()


class PhotoView(QWidget):
    """A photo scaled to fit, with an optional heat-map overlay, face box and live capture guide."""

    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self.placeholder = placeholder
        self._image = QImage()
        self._overlay = QImage()
        self.overlay_opacity = 0.6
        self.face_box: tuple[int, int, int, int] | None = None
        self.box_ok = False
        self.show_guide = False
        self.hold_progress = 0.0
        self.mirrored = False

    def sizeHint(self) -> QSize:
        return QSize(640, 480)

    @property
    def image(self) -> QImage:
        return self._image

    def set_image(self, image: QImage | None) -> None:
        self._image = image if image is not None else QImage()
        self.update()

    def set_overlay(self, overlay: QImage | None, opacity: float | None = None) -> None:
        self._overlay = overlay if overlay is not None else QImage()
        if opacity is not None:
            self.overlay_opacity = opacity
        self.update()

    def clear(self) -> None:
        """Forget every pixel of the photo (the kiosk's wipe relies on this)."""
        self._image, self._overlay, self.face_box, self.hold_progress = QImage(), QImage(), None, 0.0
        self.update()

    def target_rect(self) -> QRectF:
        if self._image.isNull():
            return QRectF(self.rect())
        scale = min(self.width() / self._image.width(), self.height() / self._image.height())
        w, h = self._image.width() * scale, self._image.height() * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._image.isNull():
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.placeholder)
            return
        target = self.target_rect()
        if self.mirrored:  # a preview behaves like a mirror; captured photos are shown as taken
            painter.translate(target.center().x() * 2, 0)
            painter.scale(-1, 1)
        painter.drawImage(target, self._image)
        if not self._overlay.isNull():
            painter.setOpacity(self.overlay_opacity)
            painter.drawImage(target, self._overlay)
            painter.setOpacity(1.0)
        scale = target.width() / self._image.width()
        if self.face_box:
            x, y, w, h = self.face_box
            colour = QColor("#2e9e5b") if self.box_ok else QColor("#e0a100")
            painter.setPen(QPen(colour, 3))
            painter.drawRect(QRectF(target.x() + x * scale, target.y() + y * scale, w * scale, h * scale))
        if self.show_guide:
            self._paint_guide(painter, target)

    def _paint_guide(self, painter: QPainter, target: QRectF) -> None:
        """An oval where the face should be, and a ring that fills while auto-capture holds."""
        h = target.height() * 0.72
        guide = QRectF(0, 0, h * 0.72, h)
        guide.moveCenter(target.center())
        painter.setPen(QPen(QColor(255, 255, 255, 200), 2, Qt.PenStyle.DashLine))
        painter.drawEllipse(guide)
        if self.hold_progress > 0:
            painter.setPen(QPen(QColor("#2e9e5b"), 6))
            painter.drawArc(guide, 90 * 16, -round(360 * 16 * self.hold_progress))


class TrendChart(QWidget):
    """Concern scores over time: one line per concern, 0–100 on the y axis, scans in order on the x axis."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(180)
        self.series: dict[str, list[float | None]] = {}
        self.labels: list[str] = []

    def set_series(self, labels: list[str], series: dict[str, list[float | None]]) -> None:
        self.labels, self.series = labels, series
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(self.foregroundRole())
        area = QRectF(36, 10, max(10, self.width() - 180), max(10, self.height() - 30))
        painter.setPen(QPen(self.palette().color(self.palette().ColorRole.Mid), 1))
        for level in (0, 50, 100):
            y = area.bottom() - area.height() * level / 100
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.setPen(text)
            painter.drawText(QRectF(0, y - 8, 32, 16), Qt.AlignmentFlag.AlignRight, str(level))
            painter.setPen(QPen(self.palette().color(self.palette().ColorRole.Mid), 1))
        count = len(self.labels)
        if count == 0:
            painter.setPen(text)
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "No scans yet")
            return
        step = area.width() / max(1, count - 1)
        for i, (name, values) in enumerate(self.series.items()):
            colour = QColor(CONCERN_COLOURS[i % len(CONCERN_COLOURS)])
            painter.setPen(QPen(colour, 2))
            points = [QPointF(area.left() + step * j if count > 1 else area.center().x(),
                              area.bottom() - area.height() * v / 100) for j, v in enumerate(values) if v is not None]
            for a, b in itertools.pairwise(points):
                painter.drawLine(a, b)
            for p in points:
                painter.drawEllipse(p, 3, 3)
            painter.drawText(QRectF(area.right() + 10, area.top() + 16 * i, 130, 16),
                             Qt.AlignmentFlag.AlignLeft, CONCERN_NAMES.get(name, name))


def swatch_pixmap(rgb: tuple[int, int, int], size: int = 28) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(*rgb))
    return pixmap
