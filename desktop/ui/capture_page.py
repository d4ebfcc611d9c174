"""The capture screen: live preview with a face guide, spoken-style instructions and auto-capture.

Frames and checks come from `LivePreview` (threads); this view only paints the newest frame and reacts to the
newest guidance. When no camera exists it says so and offers photo import, which always works.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.camera import CameraInfo, CameraProvider
from desktop.capture import AutoCapture, Guidance
from desktop.ui.live import LivePreview
from desktop.ui.tasks import TaskRunner
from desktop.ui.three_view_panel import ThreeViewPanel
from desktop.ui.widgets import PhotoView

NO_CAMERA = ("No camera was found on this computer.\nImport a photo instead (Ctrl+O or drag one here), "
             "or connect a camera and press Refresh.")
NO_CAMERA_KIOSK = "No camera is working on this kiosk.\nPlease ask a member of staff."
PHOTO_FILTER = "Photos (*.jpg *.jpeg *.png *.webp *.bmp *.tif *.tiff *.gif);;All files (*)"


def pick_photo_file(parent: QWidget) -> Path | None:
    """The file dialog for "Open photo", starting in the user's Pictures folder when there is one."""
    pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    start = pictures if pictures and Path(pictures).is_dir() else str(Path.home())
    path, _ = QFileDialog.getOpenFileName(parent, "Open a photo", start, PHOTO_FILTER)
    return Path(path) if path else None


class CapturePage(QWidget):
    frame_captured = Signal(object)  # np.ndarray RGB
    views_captured = Signal(list)  # the guided three-view scan: list[tuple[view, np.ndarray RGB]]
    import_requested = Signal()
    cameras_listed = Signal(list)  # list[CameraInfo]

    def __init__(self, live: LivePreview, cameras: CameraProvider, tasks: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.live, self._cameras, self._tasks = live, cameras, tasks
        self.auto = AutoCapture()
        self.preferred_camera = 0
        self.import_allowed = True
        self.last_guidance: Guidance | None = None
        self.view = PhotoView("Starting the camera…")
        self.view.mirrored = True
        self.view.show_guide = True
        self.instruction = QLabel(" ")
        self.instruction.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.instruction.font()  # a font, not a style sheet: style sheets freeze the palette
        font.setPixelSize(18)
        font.setBold(True)
        self.instruction.setFont(font)
        self.camera_box = QComboBox()
        self.camera_box.setAccessibleName("Camera")
        self.camera_box.activated.connect(lambda _i: self.start_camera())
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.clicked.connect(self.list_cameras)
        self.auto_box = QCheckBox("&Auto-capture when the photo is good")
        self.auto_box.setChecked(True)
        self.shutter = QPushButton("Take &photo (Space)")
        self.shutter.setShortcut(QKeySequence(Qt.Key.Key_Space))
        self.shutter.setMinimumHeight(40)
        self.shutter.clicked.connect(self.take_photo)
        self.import_button = QPushButton("&Import a photo…")
        self.import_button.clicked.connect(self.import_requested)
        self.three_views = ThreeViewPanel(live)
        self.three_views.switch.toggled.connect(lambda _on: self._restart_views())
        self.three_views.view_taken.connect(self._view_taken)
        self.three_views.finished.connect(self._views_finished)
        self._build()
        live.preview_ready.connect(self._show_preview)
        live.guidance_ready.connect(self._on_guidance)
        live.stopped.connect(self._on_stopped)
        self.cameras_listed.connect(self._fill_cameras)

    def _build(self) -> None:
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Camera:"))
        controls.addWidget(self.camera_box, 1)
        controls.addWidget(self.refresh_button)
        controls.addWidget(self.auto_box)
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        buttons.addWidget(self.shutter)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.three_views)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.instruction)
        layout.addLayout(buttons)

    # -- cameras ----------------------------------------------------------------------------------
    def activate(self, preferred_camera: int) -> None:
        """The screen is shown: look for cameras the first time (preferring the one in the settings), else
        restart the one chosen."""
        if self.camera_box.count() == 0:
            self.preferred_camera = preferred_camera
            self.list_cameras()
        else:
            self.start_camera()

    def set_preferred_camera(self, index: int) -> None:
        self.preferred_camera = index

    def set_import_allowed(self, allowed: bool) -> None:
        """A kiosk is camera-only unless staff allow import: no import button, no hint to import."""
        self.import_allowed = allowed
        self.import_button.setVisible(allowed)

    @property
    def no_camera_message(self) -> str:
        return NO_CAMERA if self.import_allowed else NO_CAMERA_KIOSK

    def say(self, text: str) -> None:
        """Put a message where the live instructions go (e.g. why the last photo could not be analysed)."""
        self.instruction.setText(text)

    def list_cameras(self) -> None:
        """Probing devices can take a second, so it runs in a worker."""
        self.view.placeholder = "Looking for cameras…"
        self.view.update()
        cameras = self._cameras
        self._tasks.run(lambda state: cameras.available(), self.cameras_listed.emit)

    def _fill_cameras(self, cameras: list[CameraInfo]) -> None:
        self.camera_box.clear()
        for info in cameras:
            self.camera_box.addItem(info.name, info.index)
        if not cameras:
            self._no_camera(self.no_camera_message)
            return
        position = max(0, self.camera_box.findData(self.preferred_camera))
        self.camera_box.setCurrentIndex(position)
        if self.isVisible():
            self.start_camera()

    def start_camera(self) -> None:
        index = self.camera_box.currentData()
        if index is None:
            self._no_camera(self.no_camera_message)
            return
        self.auto.reset()
        self.three_views.restart()
        self.shutter.setEnabled(True)
        self.view.placeholder = "Starting the camera…"
        self.instruction.setText(self.three_views.session.prompt() if self.three_views.active
                                 else "Look at the camera")
        self.live.start(int(index))

    def stop_camera(self) -> None:
        self.live.stop()

    def _no_camera(self, message: str) -> None:
        self.live.stop()
        self.view.clear()
        self.view.placeholder = message
        self.instruction.setText("Import a photo to continue" if self.import_allowed else "Camera unavailable")
        self.shutter.setEnabled(False)
        if self.import_allowed:
            self.import_button.setFocus()

    def _on_stopped(self, reason: str) -> None:
        if reason:
            self._no_camera(reason + ("\n\nYou can still import a photo." if self.import_allowed
                                      else "\n\nPlease ask a member of staff."))

    # -- frames and guidance ----------------------------------------------------------------------
    def _show_preview(self) -> None:
        image = self.live.take_preview()
        if image is not None:
            self.view.set_image(image)

    def _on_guidance(self, guidance: Guidance) -> None:
        if not self.live.running:
            return
        self.last_guidance = guidance
        self.view.face_box = guidance.box
        self.view.box_ok = guidance.ok
        if self.three_views.active:
            self.instruction.setText(self.three_views.instruction(guidance))
            self.three_views.on_guidance(guidance, self.live.checked_frame)
            self.view.hold_progress = self.three_views.progress() if self.live.running else 0.0
            return
        self.instruction.setText(guidance.message)
        if self.auto_box.isChecked() and self.auto.update(guidance.ok):
            self._capture(self.live.checked_frame)
            return
        self.view.hold_progress = self.auto.progress() if self.auto_box.isChecked() else 0.0

    def take_photo(self) -> None:
        """The manual shutter: the newest frame, good or not (the analysis reports quality issues)."""
        if self.three_views.active:
            self.three_views.take(self.live.newest_frame())
            return
        self._capture(self.live.newest_frame())

    def _capture(self, frame: np.ndarray | None) -> None:
        if frame is None:
            return
        self.live.stop()
        self.auto.reset()
        self.view.hold_progress = 0.0
        self.frame_captured.emit(frame.copy())

    def _restart_views(self) -> None:
        self.auto.reset()
        self.view.hold_progress = 0.0
        if self.live.running:
            self.instruction.setText(self.three_views.session.prompt() if self.three_views.active
                                     else "Look at the camera")

    def _view_taken(self, view: str) -> None:
        self.view.hold_progress = 0.0
        if not self.three_views.session.done:
            self.instruction.setText(self.three_views.session.prompt())

    def _views_finished(self, photos: list[tuple[str, np.ndarray]]) -> None:
        self.live.stop()
        self.view.hold_progress = 0.0
        self.views_captured.emit(photos)

    def forget(self) -> None:
        """Drop the frames on screen and in the pipeline (kiosk wipe)."""
        self.live.stop()
        self.live.forget_frames()
        self.view.clear()
        self.last_guidance = None
        self.three_views.restart()
