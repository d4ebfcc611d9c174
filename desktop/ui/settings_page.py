"""The settings screen: sync server and token, camera, privacy and retention, appearance, kiosk mode.

It edits a copy of `Settings` and asks the window to save it; the token goes to the system keyring (never to
the settings file) and sync runs in a worker, reporting back through `set_sync_status`. A server address that
would send the token in clear is refused here, before anything is saved or sent. The page scrolls, so that on a
1024×600 screen nothing is out of reach.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.camera import CameraInfo
from desktop.settings import Settings
from desktop.ui.server_url import server_url_problem

RETENTION = {0: "Until I delete it", 30: "30 days", 90: "90 days", 365: "1 year"}
THEMES = {"system": "Follow the system", "light": "Light", "dark": "Dark"}


class SettingsPage(QWidget):
    save_requested = Signal(object, str)  # Settings, new kiosk PIN ("" = unchanged)
    token_save_requested = Signal(str, str)  # server URL, token
    sync_requested = Signal()
    delete_all_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = Settings()
        self.server_url = QLineEdit()
        self.server_url.setPlaceholderText("https://sync.example.com")
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("device token from your administrator")
        self.save_token_button = QPushButton("Save &token in the keyring")
        self.save_token_button.clicked.connect(
            lambda: self.token_save_requested.emit(self.server_url.text().strip(), self.token.text().strip()))
        self.auto_sync = QCheckBox("Sync &automatically (at start and every 6 hours)")
        self.sync_button = QPushButton("Sync &now")
        self.sync_button.clicked.connect(self.sync_requested)
        self.sync_status = QLabel("Not synced yet: the bundled demo catalog is in use.")
        self.sync_status.setWordWrap(True)
        self.sync_status.setTextFormat(Qt.TextFormat.PlainText)
        self.camera = QComboBox()
        self.keep_photos = QCheckBox("Keep &photos with my history (off: only the scores are kept)")
        self.retention = QComboBox()
        for days, label in RETENTION.items():
            self.retention.addItem(label, days)
        self.theme = QComboBox()
        for key, label in THEMES.items():
            self.theme.addItem(label, key)
        self.kiosk = QCheckBox("&Kiosk mode: fullscreen, QR codes instead of a browser, nothing kept")
        self.kiosk_import = QCheckBox("Allow photo &files in kiosk mode (otherwise camera only)")
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText("new admin PIN (4+ digits); empty keeps the current one")
        self.idle = QSpinBox()
        self.idle.setRange(20, 3600)
        self.idle.setSuffix(" s")
        self.save_button = QPushButton("&Save settings")
        self.save_button.clicked.connect(self._save)
        self.delete_button = QPushButton("&Delete all my data…")
        self.delete_button.clicked.connect(self.delete_all_requested)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self._build()

    def _build(self) -> None:
        sync = QFormLayout()
        sync.addRow("Server &URL:", self.server_url)
        token_row = QHBoxLayout()
        token_row.addWidget(self.token, 1)
        token_row.addWidget(self.save_token_button)
        sync.addRow("Device token:", token_row)
        sync.addRow("", self.auto_sync)
        sync_row = QHBoxLayout()
        sync_row.addWidget(self.sync_button)
        sync_row.addWidget(self.sync_status, 1)
        sync.addRow("", sync_row)
        privacy = QFormLayout()
        privacy.addRow("&Camera:", self.camera)
        privacy.addRow("", self.keep_photos)
        privacy.addRow("Keep &history:", self.retention)
        privacy.addRow("Appearance:", self.theme)
        privacy.addRow("", self.delete_button)
        kiosk = QFormLayout()
        kiosk.addRow("", self.kiosk)
        kiosk.addRow("", self.kiosk_import)
        kiosk.addRow("Admin &PIN:", self.pin)
        kiosk.addRow("Wipe after &idle:", self.idle)
        content = QWidget()
        layout = QVBoxLayout(content)
        for title, form in (("Catalog sync", sync), ("Camera and privacy", privacy), ("Kiosk", kiosk)):
            box = QGroupBox(title)
            box.setLayout(form)
            layout.addWidget(box)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.save_button)
        outer = QVBoxLayout(self)
        outer.addWidget(scroll, 1)
        outer.addLayout(buttons)

    def load(self, settings: Settings, cameras: list[CameraInfo]) -> None:
        self._settings = settings
        self.server_url.setText(settings.sync_server_url)
        self.token.clear()
        self.auto_sync.setChecked(settings.auto_sync)
        self.set_cameras(cameras, settings.camera_index)
        self.keep_photos.setChecked(settings.keep_photos)
        self.retention.setCurrentIndex(max(0, self.retention.findData(settings.retention_days)))
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme)))
        self.kiosk.setChecked(settings.kiosk_mode)
        self.kiosk_import.setChecked(settings.kiosk_allow_import)
        self.idle.setValue(settings.kiosk_idle_seconds)
        self.pin.clear()
        self.message.clear()

    def set_cameras(self, cameras: list[CameraInfo], current: int) -> None:
        self.camera.clear()
        for info in cameras:
            self.camera.addItem(info.name, info.index)
        if not cameras:
            self.camera.addItem("No camera found", current)
        self.camera.setCurrentIndex(max(0, self.camera.findData(current)))

    def entered_server_url(self) -> str:
        return self.server_url.text().strip()

    def entered_token(self) -> str:
        return self.token.text().strip()

    def set_sync_status(self, text: str) -> None:
        self.sync_status.setText(text)

    def set_syncing(self, syncing: bool) -> None:
        """One sync at a time: the button stays off until the running one reports back."""
        self.sync_button.setEnabled(not syncing)
        if syncing:
            self.sync_status.setText("Syncing…")

    def token_stored(self, message: str = "Token saved in the system keyring.") -> None:
        """The token is in the keyring (or kept for this session): it never stays in a text field."""
        self.token.clear()
        self.sync_status.setText(message)

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    def edited(self) -> Settings:
        return dataclasses.replace(
            self._settings, sync_server_url=self.server_url.text().strip(), auto_sync=self.auto_sync.isChecked(),
            camera_index=int(self.camera.currentData() or 0), keep_photos=self.keep_photos.isChecked(),
            retention_days=int(self.retention.currentData()), theme=str(self.theme.currentData()),
            kiosk_mode=self.kiosk.isChecked(), kiosk_idle_seconds=self.idle.value(),
            kiosk_allow_import=self.kiosk_import.isChecked())

    def _save(self) -> None:
        pin = self.pin.text().strip()
        if pin and (len(pin) < 4 or not pin.isdigit()):
            self.message.setText("The PIN must be at least 4 digits.")
            return
        settings = self.edited()
        problem = server_url_problem(settings.sync_server_url)
        if problem:
            self.message.setText(problem)
            return
        if settings.kiosk_mode and not (pin or settings.kiosk_pin_hash):
            self.message.setText("Set an admin PIN before turning on kiosk mode.")
            return
        self.save_requested.emit(settings, pin)
