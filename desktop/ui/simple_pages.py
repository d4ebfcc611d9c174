"""The two plain screens: consent before the first scan, and progress while a scan is analysed."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.ml.report import DISCLAIMER

CONSENT_TITLE = "Welcome to SkinLens"
CONSENT_INTRO = ("SkinLens looks at a photo of your face and describes your skin: tone, redness, spots, shine, "
                 "pores, lines and texture. Then it suggests a simple routine from its product catalog, and says why.")
KEPT = {False: ("Photos are not kept", "unless you turn that on in Settings. You can delete everything at any time."),
        True: ("Nothing is kept on this kiosk.", "It forgets your photo and answers when you finish or step away.")}
CONSENT_POINTS = (
    ("Your photo never leaves this computer.", "The analysis runs here; nothing is uploaded."),
    KEPT[False],
    (DISCLAIMER, "If something on your skin worries you, see a dermatologist."),
    ("The analysis model learned from computer-made skin images and real faces with computer-drawn marks.",
     "Its acne score is validated on real graded photos; the others are estimates (see the model card)."),
)
TEXT_WIDTH = 720


class ConsentPage(QWidget):
    """What a person agrees to before the first scan: four points, each its own label so that none can end up
    hidden behind the button; the page scrolls rather than clip on a screen smaller than 1024×600."""

    accepted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel(f"<h1>{CONSENT_TITLE}</h1>")
        intro = QLabel(CONSENT_INTRO)
        self.points = [QLabel(_point_html(*point)) for point in CONSENT_POINTS]
        for label in (intro, *self.points):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
        self.start_button = QPushButton("I understand — &start")
        self.start_button.setDefault(True)
        self.start_button.setMinimumHeight(44)
        self.start_button.clicked.connect(self.accepted)
        content = QWidget()
        content.setMaximumWidth(TEXT_WIDTH)
        column = QVBoxLayout(content)
        column.setSpacing(10)
        column.addWidget(title)
        column.addWidget(intro)
        for label in self.points:
            column.addWidget(label)
        column.addSpacing(6)
        column.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignHCenter)
        centred = QWidget()
        row = QHBoxLayout(centred)
        row.addStretch(1)
        row.addWidget(content, 100)
        row.addStretch(1)
        wrapper = QVBoxLayout()
        wrapper.addStretch(1)
        wrapper.addWidget(centred)
        wrapper.addStretch(2)
        inner = QWidget()
        inner.setLayout(wrapper)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll_area.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll_area)

    def set_kiosk(self, kiosk: bool) -> None:
        """A kiosk keeps nothing, so its second point says so instead of pointing to Settings."""
        self.points[1].setText(_point_html(*KEPT[kiosk]))


def _point_html(bold: str, rest: str) -> str:
    return f"• <b>{html.escape(bold)}</b> {html.escape(rest)}"


class AnalysingPage(QWidget):
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("<h2>Analysing your photo…</h2>")
        self.message = QLabel("On this computer only.")
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(480)
        self.cancel_button = QPushButton("&Cancel")
        self.cancel_button.setShortcut(Qt.Key.Key_Escape)
        self.cancel_button.clicked.connect(self.cancel_requested)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for widget in (self.title, self.message, self.progress, self.cancel_button):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def reset(self, name: str) -> None:
        self.title.setText(f"<h2>Analysing {name}…</h2>")
        self.progress.setValue(0)
        self.message.setText("On this computer only.")

    def set_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(round(fraction * 100))
        self.message.setText(message.capitalize())
