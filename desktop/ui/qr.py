"""A QR code to buy on a kiosk: always the same size on screen, with a caption saying what it is for.

A code's module count grows with the length of its link, so codes drawn at a fixed module size come out in
different sizes next to each other; a phone needs a big enough code, and a shopper needs to be told to scan it.
"""

from __future__ import annotations

import io

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

QR_SIDE = 168  # pixels on screen, whatever the link
CAPTION = "Scan to buy"


def qr_pixmap(url: str, side: int = QR_SIDE) -> QPixmap:
    """The link as a QR code exactly `side` pixels square (whole pixels per module, quiet zone included)."""
    import segno

    code = segno.make(url, error="m")
    modules = code.symbol_size(scale=1, border=2)[0]
    scale = max(1, side // modules)
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=scale, border=2)
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue(), "PNG")
    if pixmap.width() != side:
        pixmap = pixmap.scaled(side, side, Qt.AspectRatioMode.IgnoreAspectRatio,
                               Qt.TransformationMode.FastTransformation)
    return pixmap


class QrCode(QWidget):
    """The code and its caption under it; `pixmap()` is the code as shown."""

    def __init__(self, url: str, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.code = QLabel()
        self.code.setPixmap(qr_pixmap(url))
        self.code.setFixedSize(QR_SIDE, QR_SIDE)
        self.code.setAccessibleName(f"QR code to buy {what}")
        self.caption = QLabel(CAPTION)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.setToolTip("Scan with your phone's camera to buy")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.code)
        layout.addWidget(self.caption)
        self.setFixedWidth(QR_SIDE)

    def pixmap(self) -> QPixmap:
        return self.code.pixmap()
