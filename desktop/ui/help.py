"""The Help menu: Keyboard shortcuts, every shortcut the window has, read from the window itself; and About.

The list is built from the live actions and buttons (menus, toolbar, each screen's buttons with a key), so it
can never drift from what the keys really do; the underlined letters (Alt+letter) are explained once.
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.ml.report import DISCLAIMER

FIXED = (("Tab / Shift+Tab", "Move to the next / previous control"),
         ("Space or Enter", "Press the focused button or tick the focused box"),
         ("Alt + underlined letter", "Go to the control with that letter underlined"),
         ("Esc", "Close a dialog, or cancel an analysis"))


def _words(text: str) -> str:
    """A control's text as a description: no mnemonic ampersands, no ellipsis, no "(Space)" key hint."""
    text = text.replace("&&", "\0").replace("&", "").replace("\0", "&").replace("…", "")
    return re.sub(r"\s*\([^)]*\)$", "", text).strip()


def shortcuts(window: QWidget) -> list[tuple[str, str]]:
    """(keys, what they do) for every action and button in `window` that has a shortcut, in the order the
    window made them (navigation first, then the menus, then each screen's buttons), then the general keys."""
    found: dict[str, str] = {keys: "" for keys, _what in FIXED}
    for action in window.findChildren(QAction):
        for sequence in action.shortcuts():
            keys = sequence.toString(QKeySequence.SequenceFormat.NativeText)
            if keys and _words(action.text()):
                found.setdefault(keys, _words(action.text()))
    for button in window.findChildren(QAbstractButton):
        keys = button.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys and not keys.startswith("Alt+") and _words(button.text()):
            found.setdefault(keys, _words(button.text()))
    return [(keys, what) for keys, what in found.items() if what] + list(FIXED)


def shortcuts_html(window: QWidget) -> str:
    rows = "".join(f"<tr><td><b>{html.escape(keys)}</b></td><td>{html.escape(what)}</td></tr>"
                   for keys, what in shortcuts(window))
    return f"<table cellpadding='4'>{rows}</table>"


class ShortcutsDialog(QDialog):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.text = QLabel(shortcuts_html(window))
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Keyboard shortcuts</h2>"))
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        self.resize(min(620, window.width()), min(560, window.height()))


def about_box(parent: QWidget) -> QMessageBox:
    """Version, the privacy promise, and the attribution of the data the app ships."""
    from desktop import __version__
    from desktop.resources import resource

    attribution = resource("ATTRIBUTION.md").read_text(encoding="utf-8")
    box = QMessageBox(QMessageBox.Icon.Information, "About SkinLens",
                      f"SkinLens {__version__}\n\nPhotos are analysed on this computer and never leave it.\n"
                      f"{DISCLAIMER}\n\nData sources and licences: see details.",
                      QMessageBox.StandardButton.Ok, parent)
    box.setDetailedText(attribution)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def open_shortcuts(parent: QWidget) -> ShortcutsDialog:
    """The shortcuts list, open without blocking (F1 again while it is open makes another)."""
    dialog = ShortcutsDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def error_box(parent: QWidget, message: str, details: str) -> QMessageBox:
    """A non-blocking message box (open(), not exec()), so a burst of errors never stacks modal loops."""
    box = QMessageBox(QMessageBox.Icon.Warning, "SkinLens", message, QMessageBox.StandardButton.Ok, parent)
    box.setDetailedText(details)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
