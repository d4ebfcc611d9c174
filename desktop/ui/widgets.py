"""Painted widgets shared by the screens: the photo view with its overlays, and small pixel helpers.

Everything is drawn with QPainter at the device pixel ratio, so photos, guides and charts stay sharp on
high-DPI screens. Pixels arrive ready to draw (converted and scaled in workers); painting only blits.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget


def to_qimage(rgb: np.ndarray) -> QImage:
    """An RGB or RGBA uint8 array as a QImage that owns its pixels (safe to pass between threads)."""
    array = np.ascontiguousarray(rgb)
    height, width = array.shape[:2]
    channels = array.shape[2] if array.ndim == 3 else 1
    fmt = {1: QImage.Format.Format_Grayscale8, 3: QImage.Format.Format_RGB888,
           4: QImage.Format.Format_RGBA8888}[channels]
    return QImage(array.data, width, height, array.strides[0], fmt).copy()


class PhotoView(QWidget):
    """A photo scaled to fit, with an optional heat-map overlay, face outline or box and live capture guide.

    `zoom` shows a part of the photo (image pixels) instead of all of it; `split` (0..1) draws the overlay only
    on the left of a divider the person drags across the photo, so the same skin is seen with and without it.
    """

    split_dragged = Signal(float)

    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(240, 180)
        self.placeholder = placeholder
        self._image = QImage()
        self._overlay = QImage()
        self.overlay_opacity = 0.8
        self.split = 1.0
        self.zoom: QRectF | None = None
        self.outline: list[QPointF] = []
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

    @property
    def overlay(self) -> QImage:
        return self._overlay

    def set_image(self, image: QImage | None) -> None:
        self._image = image if image is not None else QImage()
        self.update()

    def set_overlay(self, overlay: QImage | None, opacity: float | None = None) -> None:
        self._overlay = overlay if overlay is not None else QImage()
        if opacity is not None:
            self.overlay_opacity = opacity
        self.update()

    def set_split(self, fraction: float) -> None:
        self.split = min(1.0, max(0.0, fraction))
        self.update()

    def set_zoom(self, rect: QRectF | None) -> None:
        self.zoom = rect
        self.update()

    def set_outline(self, points: list[tuple[float, float]]) -> None:
        self.outline = [QPointF(x, y) for x, y in points]
        self.update()

    def clear(self) -> None:
        """Forget every pixel of the photo (the kiosk's wipe relies on this)."""
        self._image, self._overlay, self.face_box, self.hold_progress = QImage(), QImage(), None, 0.0
        self.zoom, self.outline = None, []
        self.update()

    def source_rect(self) -> QRectF:
        full = QRectF(0, 0, self._image.width(), self._image.height())
        return self.zoom.intersected(full) if self.zoom is not None and not self.zoom.isEmpty() else full

    def target_rect(self) -> QRectF:
        if self._image.isNull():
            return QRectF(self.rect())
        source = self.source_rect()
        scale = min(self.width() / source.width(), self.height() / source.height())
        w, h = source.width() * scale, source.height() * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def to_view(self, x: float, y: float) -> QPointF:
        """A point of the image (pixels) where it is drawn in this widget."""
        source, target = self.source_rect(), self.target_rect()
        scale = target.width() / source.width()
        return QPointF(target.x() + (x - source.x()) * scale, target.y() + (y - source.y()) * scale)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._image.isNull():
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.placeholder)
            return
        target, source = self.target_rect(), self.source_rect()
        if self.mirrored:  # a preview behaves like a mirror; captured photos are shown as taken
            painter.translate(target.center().x() * 2, 0)
            painter.scale(-1, 1)
        painter.drawImage(target, self._image, source)
        if not self._overlay.isNull() and self.split > 0:
            self._paint_overlay(painter, target, source)
        if self.outline:
            painter.setPen(QPen(QColor("#ffffff"), 2.5, Qt.PenStyle.DashLine))
            painter.drawPolygon(QPolygonF([self.to_view(p.x(), p.y()) for p in self.outline]))
        if self.face_box:
            x, y, w, h = self.face_box
            colour = QColor("#2e9e5b") if self.box_ok else QColor("#e0a100")
            painter.setPen(QPen(colour, 3))
            painter.drawRect(QRectF(self.to_view(x, y), self.to_view(x + w, y + h)))
        if self.show_guide:
            self._paint_guide(painter, target)

    def _paint_overlay(self, painter: QPainter, target: QRectF, source: QRectF) -> None:
        painter.save()
        divider = target.left() + target.width() * self.split
        if self.split < 1.0:
            painter.setClipRect(QRectF(target.left(), target.top(), divider - target.left(), target.height()))
        painter.setOpacity(self.overlay_opacity)
        painter.drawImage(target, self._overlay, source)
        painter.restore()
        if self.split < 1.0:
            painter.setPen(QPen(QColor("#ffffff"), 2))
            painter.drawLine(QPointF(divider, target.top()), QPointF(divider, target.bottom()))
            painter.setBrush(QColor("#ffffff"))
            painter.drawEllipse(QPointF(divider, target.center().y()), 7, 7)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._drag(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._drag(event)

    def _drag(self, event: QMouseEvent) -> None:
        if self._overlay.isNull():
            return
        target = self.target_rect()
        self.split_dragged.emit(min(1.0, max(0.0, (event.position().x() - target.left()) / target.width())))

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


def swatch_pixmap(rgb: tuple[int, int, int], size: int = 28) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(*rgb))
    return pixmap
