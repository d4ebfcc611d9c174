"""What every screen owes a person: the consent points in view at 1024×600, a window that fits the screen,
WCAG AA text contrast in both themes after a switch at run time, a visible keyboard focus, the shortcuts page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QAction, QColor, QKeySequence, QPalette
from PySide6.QtWidgets import QAbstractButton, QApplication, QCheckBox, QGroupBox, QLabel, QRadioButton, QWidget

from desktop.settings import hash_pin
from desktop.ui.theme import apply_theme, contrast_ratio
from desktop.ui.window_state import fitting_size, restore_geometry

pytestmark = pytest.mark.gui
AA = 4.5
INLINE_COLOUR = re.compile(r"color\s*:\s*(#[0-9a-fA-F]{6})")


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[QApplication]:
    """The app in the light theme (the app's own style and palette); whatever a test switches to, the next test
    starts from the light palette again."""
    apply_theme(qapp, "light")
    yield qapp
    apply_theme(qapp, "light")


@pytest.mark.parametrize(("kiosk", "theme"), [(False, "light"), (False, "dark"), (True, "light"), (True, "dark")])
def test_every_consent_point_is_visible_at_1024x600(qtbot, make_window, themed, kiosk: bool, theme: str) -> None:  # type: ignore[no-untyped-def]
    window = make_window(kiosk_mode=kiosk, kiosk_pin_hash=hash_pin("2468") if kiosk else "", theme=theme)
    assert (themed.palette().color(QPalette.ColorRole.Window).lightness() < 128) is (theme == "dark")
    if kiosk:
        window.showNormal()  # the test screen is 800×800: size the kiosk as it would be on a 1024×600 panel
    window.resize(1024, 600)
    qtbot.waitUntil(lambda: window.size() == QSize(1024, 600))
    assert window.current_page == "consent"
    page = window.pages["consent"]
    viewport = page.scroll_area.viewport()
    qtbot.waitUntil(lambda: page.start_button.isVisible())
    assert page.scroll_area.verticalScrollBar().maximum() == 0  # nothing to scroll to: all of it is in view
    shown = [*page.points, page.start_button]
    for widget in shown:
        rect = QRect(widget.mapTo(viewport, QPoint(0, 0)), widget.size())
        assert widget.isVisible() and viewport.rect().contains(rect), widget.text()
        if isinstance(widget, QLabel):
            assert widget.height() >= widget.heightForWidth(widget.width()), "text cut off: " + widget.text()
    rects = [QRect(w.mapTo(viewport, QPoint(0, 0)), w.size()) for w in shown]
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])  # nothing behind anything
    assert ("Nothing is kept" in page.points[1].text()) is kiosk


def test_the_window_fits_the_screen_it_opens_on(qtbot, make_window, skinlens_home: Path) -> None:  # type: ignore[no-untyped-def]
    for screen, most in ((QSize(1366, 768), QSize(1280, 768)), (QSize(1024, 600), QSize(1024, 600))):
        size = fitting_size(screen)
        assert size.width() <= most.width() and size.height() < most.height()
    window = make_window()
    free = window.screen().availableGeometry()
    assert free.contains(window.frameGeometry())
    for kiosk in (False, True):
        window.set_kiosk(kiosk)  # the kiosk's touch-sized controls included
        hint = window.minimumSizeHint()
        assert hint.width() <= 1024 and hint.height() <= 600, (kiosk, hint)
    window.set_kiosk(False)
    state = window.services.paths.window_state_file
    window.resize(3000, 2000)  # saved on a big monitor, opened on a small one
    geometry = bytes(window.saveGeometry().toBase64().data()).decode()
    state.write_text(json.dumps({"geometry": geometry}), encoding="utf-8")
    restore_geometry(window, state)
    assert window.width() <= free.width() and window.height() <= free.height()
    state.write_text("not json", encoding="utf-8")
    restore_geometry(window, state)  # a bad file: the first size, no error
    assert QByteArray(window.saveGeometry()) and window.height() <= free.height()


def _background(widget: QWidget) -> QColor:
    """The colour behind `widget`'s text: its own button face for push and tool buttons, else the nearest
    ancestor that paints a background (the window at the top)."""
    if isinstance(widget, QAbstractButton) and not isinstance(widget, QCheckBox | QRadioButton):
        return widget.palette().color(QPalette.ColorRole.Button)
    node: QWidget | None = widget
    while node is not None:
        if node.autoFillBackground() or node.isWindow():
            return node.palette().color(node.backgroundRole())
        node = node.parentWidget()
    return widget.palette().color(QPalette.ColorRole.Window)


def _text(widget: QWidget) -> str:
    if isinstance(widget, QGroupBox):
        return widget.title()
    return widget.text() if isinstance(widget, QLabel | QAbstractButton) else ""


def _low_contrast(root: QWidget) -> list[str]:
    """Every visible, enabled text in `root` below AA: palette colour against the background, and each inline
    colour of rich text against the same background. A style sheet that sets a colour is a failure by itself
    (the palette would then not be what is drawn, and it would not follow a theme switch)."""
    found = []
    for widget in root.findChildren(QWidget):
        text = _text(widget)
        if not text.strip() or not widget.isVisible() or not widget.isEnabled():
            continue
        assert "color" not in widget.styleSheet(), f"style sheet colour on {text!r}"
        background = _background(widget)
        colours = [widget.palette().color(widget.foregroundRole())]
        if isinstance(widget, QAbstractButton) and not isinstance(widget, QCheckBox | QRadioButton):
            colours = [widget.palette().color(QPalette.ColorRole.ButtonText)]
        colours += [QColor(hex_) for hex_ in INLINE_COLOUR.findall(text)]
        for colour in colours:
            ratio = contrast_ratio(colour, background)
            if ratio < AA:
                found.append(f"{ratio:.2f} {colour.name()} on {background.name()}: {text[:60]!r}")
    return found


def _every_screen(qtbot, window) -> list[str]:  # type: ignore[no-untyped-def]
    problems = []
    for name in ("capture", "results", "routine", "history", "settings"):
        window.show_page(name)
        qtbot.wait(50)
        problems += [f"{name}: {p}" for p in _low_contrast(window)]
    return problems


def test_every_label_meets_aa_contrast_in_both_themes_after_a_switch(qtbot, make_window, themed, photo_dir) -> None:  # type: ignore[no-untyped-def]
    window = make_window(consent_given=True)
    with qtbot.waitSignal(window.routine_ready, timeout=60_000):
        window.analyze_file(photo_dir / "astronaut.jpg")
    history = window.services.history
    history.add_analysis({"concerns": {"acne": 40, "redness": 10, "dark_spots": 30}})  # better and worse
    qtbot.waitUntil(lambda: len(history.analyses()) == 2)
    with qtbot.waitSignal(window.history_controller.history_loaded, timeout=10_000):
        window.show_page("history")
    window.history.select_ids([e.id for e in window.history.entries])
    compare = window.history.compare.text()
    assert "better" in compare and "worse" in compare and "color:" in compare
    assert _every_screen(qtbot, window) == []
    for theme in ("dark", "light"):
        window.show_page("settings")
        page = window.settings_page
        page.theme.setCurrentIndex(page.theme.findData(theme))
        page.save_button.click()  # the switch a person makes, while the window is open
        assert (QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128) is (theme == "dark")
        assert _every_screen(qtbot, window) == [], theme


def test_keyboard_focus_is_visible_on_every_stop(qtbot, make_window, themed, photo_dir) -> None:  # type: ignore[no-untyped-def]
    window = make_window(consent_given=True)
    with qtbot.waitSignal(window.analysis_done, timeout=60_000):
        window.analyze_file(photo_dir / "astronaut.jpg")
    window.activateWindow()
    window.results.overlay_box.setFocus(Qt.FocusReason.TabFocusReason)
    ring = window.focus_ring.ring
    seen = set()
    for _ in range(8):
        focused = QApplication.focusWidget()
        assert focused is not None and focused.window() is window
        qtbot.waitUntil(lambda f=focused: ring.isVisible() and ring.parentWidget() is f.parentWidget())
        assert ring.geometry().contains(focused.geometry())
        colour = ring.palette().color(QPalette.ColorRole.Highlight)
        assert contrast_ratio(colour, window.palette().color(QPalette.ColorRole.Window)) >= 3.0  # WCAG 1.4.11
        seen.add(type(focused).__name__)
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    assert {"QComboBox", "QPushButton", "QSlider"} <= seen


def test_help_lists_every_shortcut_of_the_window(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(consent_given=True)
    dialog = window.show_shortcuts()
    text = dialog.text.text()
    keys = {s.toString(QKeySequence.SequenceFormat.NativeText) for a in window.findChildren(QAction)
            for s in a.shortcuts() if a.text()}
    assert keys and all(k in text for k in keys), keys
    assert "Ctrl+O" in text and "Open photo" in text and window.shortcuts_action.shortcut().toString() == "F1"
    dialog.close()
