"""Preferences as the window applies them: consent, the settings screen's Save, theme, camera, retention and
the switch into or out of kiosk mode.

Settings are saved at once (a lost preference is an error the user is told about); what a change means for
the rest of the app is handed to the controller that owns it.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from desktop.camera import CameraInfo
from desktop.services import Services
from desktop.settings import Settings, hash_pin
from desktop.ui.capture_page import CapturePage
from desktop.ui.history_controller import HistoryController
from desktop.ui.kiosk import KioskController
from desktop.ui.settings_page import SettingsPage
from desktop.ui.shell import Shell
from desktop.ui.sync_controller import SyncController
from desktop.ui.theme import apply_theme


class SettingsController(QObject):
    def __init__(self, services: Services, shell: Shell, page: SettingsPage, capture: CapturePage,
                 kiosk: KioskController, history: HistoryController, sync: SyncController,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services, self.shell, self.page, self.capture = services, shell, page, capture
        self.kiosk, self.history, self.sync = kiosk, history, sync
        self.cameras: list[CameraInfo] = []
        self._applied_theme = services.settings.theme
        page.save_requested.connect(self.save_settings)
        capture.cameras_listed.connect(self._cameras_listed)

    def _cameras_listed(self, cameras: list[CameraInfo]) -> None:
        self.cameras = cameras

    def consent_given(self) -> None:
        """Remembered once per user; a kiosk asks every session and so never stores it."""
        settings = self.services.settings
        if not settings.consent_given and not settings.kiosk_mode:
            self._save_settings_file(dataclasses.replace(settings, consent_given=True))
        self.shell.show_page("capture")

    def apply_theme(self) -> None:
        """The style and the palette of the chosen theme, for the whole app (at start, and when it changes)."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, self.services.settings.theme)
            self._applied_theme = self.services.settings.theme

    def load(self) -> None:
        self.page.load(self.services.settings, self.cameras)
        self.sync.show_state()

    def save_settings(self, settings: Settings, pin: str) -> None:
        if pin:
            settings = dataclasses.replace(settings, kiosk_pin_hash=hash_pin(pin))
        was_kiosk, could_import = self.services.settings.kiosk_mode, self.services.settings.kiosk_allow_import
        retention_changed = settings.retention_days != self.services.settings.retention_days
        self._save_settings_file(settings)
        if retention_changed:
            self.history.apply_retention(settings.retention_days)
        self.capture.set_preferred_camera(settings.camera_index)
        self.page.load(settings, self.cameras)
        self.page.show_message("Saved.")
        if settings.theme != self._applied_theme:
            self.apply_theme()
        self.sync.schedule()
        if settings.kiosk_mode != was_kiosk:
            self.kiosk.apply_mode()
            if settings.kiosk_mode:
                self.kiosk.wipe()
        elif settings.kiosk_mode and settings.kiosk_allow_import != could_import:
            self.shell.set_kiosk(True)  # import on or off at once

    def _save_settings_file(self, settings: Settings) -> None:
        self.services.settings = settings
        try:
            settings.save(self.services.paths.settings_file)
        except OSError as exc:
            self.services.notifier.notify_exception(exc, "Settings could not be saved")
