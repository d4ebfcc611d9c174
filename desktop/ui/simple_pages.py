"""The two plain screens: consent before the first scan, and progress while a scan is analysed."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from desktop.ml.report import DISCLAIMER

CONSENT_HTML = f"""
<h1>Welcome to SkinLens</h1>
<p>SkinLens looks at a photo of your face and describes your skin: tone, redness, spots, shine, pores,
lines and texture. Then it suggests a simple routine from its product catalog, and says why.</p>
<ul>
<li><b>Your photo never leaves this computer.</b> The analysis runs here; nothing is uploaded.</li>
<li>Photos are not kept unless you turn that on in Settings. You can delete everything at any time.</li>
<li><b>{DISCLAIMER}</b> If something on your skin worries you, see a dermatologist.</li>
<li>The analysis model learned from synthetic (computer-made) skin images; its limits are in the model card.</li>
</ul>
"""


class ConsentPage(QWidget):
    accepted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        text = QLabel(CONSENT_HTML)
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setMaximumWidth(720)
        self.start_button = QPushButton("I understand — &start")
        self.start_button.setDefault(True)
        self.start_button.setMinimumHeight(44)
        self.start_button.clicked.connect(self.accepted)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(text, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)


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
