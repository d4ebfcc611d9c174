"""Light and dark palettes on the Fusion style, switchable while the app runs, with WCAG AA contrast.

Both palettes are written out in full (not the platform's), so every text role reaches at least 4.5:1 against
the background it is drawn on, in both themes; `contrast_ratio` is the WCAG formula the tests check them with.
Screens colour text only through palette roles (never a style sheet with a colour, which would not follow a
switch); the few colours that carry meaning (better / worse) come from `change_colours` for the palette in use.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleFactory, QStyleOption, QWidget

Role, Group = QPalette.ColorRole, QPalette.ColorGroup
LIGHT = {
    Role.Window: "#efefef", Role.WindowText: "#1b1b1b", Role.Base: "#ffffff", Role.AlternateBase: "#f4f4f4",
    Role.Text: "#1b1b1b", Role.Button: "#e4e4e4", Role.ButtonText: "#1b1b1b", Role.Highlight: "#1f62a8",
    Role.HighlightedText: "#ffffff", Role.ToolTipBase: "#ffffdc", Role.ToolTipText: "#1b1b1b",
    Role.PlaceholderText: "#595959", Role.Link: "#0b57d0", Role.LinkVisited: "#6a1b9a", Role.BrightText: "#ffffff",
    Role.Light: "#ffffff", Role.Midlight: "#e8e8e8", Role.Mid: "#8c8c8c", Role.Dark: "#6e6e6e",
    Role.Shadow: "#3c3c3c",
}
DARK = {
    Role.Window: "#202124", Role.WindowText: "#e8eaed", Role.Base: "#2b2d31", Role.AlternateBase: "#32353a",
    Role.Text: "#e8eaed", Role.Button: "#34373c", Role.ButtonText: "#e8eaed", Role.Highlight: "#8ab4f8",
    Role.HighlightedText: "#202124", Role.ToolTipBase: "#34373c", Role.ToolTipText: "#e8eaed",
    Role.PlaceholderText: "#a8adb3", Role.Link: "#8ab4f8", Role.LinkVisited: "#d7aefb", Role.BrightText: "#ffffff",
    Role.Light: "#5f6368", Role.Midlight: "#4a4d52", Role.Mid: "#8a8f96", Role.Dark: "#9aa0a6",
    Role.Shadow: "#000000",
}
DISABLED_TEXT = {"light": "#8a8a8a", "dark": "#80868b"}
# Text colours for a change between two scans: (better, worse), each ≥ 4.5:1 on its theme's window colour.
CHANGE_COLOURS = {"light": ("#176b2c", "#b3261e"), "dark": ("#81c995", "#f28b82")}


# Kiosk: controls a finger can hit (WCAG 2.5.5 asks 44 px; 48 leaves room) and text readable from a step away.
# Sizes only, no colours: the palette still decides those, so both themes keep their contrast.
TOUCH_TARGET = 48
KIOSK_PROPERTY = "kiosk"  # set on the main window in kiosk mode
KIOSK_STYLE = f"""
QWidget {{ font-size: 16px; }}
QPushButton, QToolButton, QComboBox, QLineEdit, QAbstractSpinBox {{ min-height: {TOUCH_TARGET}px; }}
QPushButton, QToolButton {{ min-width: {TOUCH_TARGET}px; padding: 0 14px; }}
QCheckBox, QRadioButton {{ min-height: {TOUCH_TARGET}px; spacing: 12px; }}
QCheckBox::indicator, QRadioButton::indicator {{ width: 26px; height: 26px; }}
QSlider {{ min-height: {TOUCH_TARGET}px; }}
"""


def repolish_style_sheet(widget: QWidget) -> None:
    """Apply a widget's style sheet again after a theme switch: a style sheet keeps the palette it was polished
    with, so without this the kiosk would keep the old theme's colours."""
    sheet = widget.styleSheet()
    if sheet:
        widget.setStyleSheet("")
        widget.setStyleSheet(sheet)


def wants_dark(theme: str) -> bool:
    if theme in ("light", "dark"):
        return theme == "dark"
    hints = QGuiApplication.styleHints()
    return bool(hints is not None and hints.colorScheme() == Qt.ColorScheme.Dark)


def palette_for(dark: bool) -> QPalette:
    palette = QPalette()
    for role, colour in (DARK if dark else LIGHT).items():
        palette.setColor(role, QColor(colour))
    disabled = QColor(DISABLED_TEXT["dark" if dark else "light"])
    for role in (Role.WindowText, Role.Text, Role.ButtonText, Role.PlaceholderText):
        palette.setColor(Group.Disabled, role, disabled)
    return palette


class SkinLensStyle(QProxyStyle):
    """Fusion, with check boxes and radio buttons outlined in the text colour (Fusion draws their edge a shade
    darker than the window, which on a dark window is no edge at all; WCAG asks 3:1 for a control's edge), and
    scroll bars a finger can hold in a window marked as a kiosk (the `KIOSK_PROPERTY` property)."""

    def __init__(self) -> None:
        super().__init__(QStyleFactory.create("Fusion"))

    def pixelMetric(self, metric: QStyle.PixelMetric, option: QStyleOption | None = None,
                    widget: QWidget | None = None) -> int:
        if (metric == QStyle.PixelMetric.PM_ScrollBarExtent and widget is not None
                and bool(widget.window().property(KIOSK_PROPERTY))):
            return TOUCH_TARGET
        return int(super().pixelMetric(metric, option, widget))

    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption, painter: QPainter,
                      widget: QWidget | None = None) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if element not in (QStyle.PrimitiveElement.PE_IndicatorCheckBox,
                           QStyle.PrimitiveElement.PE_IndicatorRadioButton):
            return
        edge = QColor(option.palette.color(Role.WindowText))
        edge.setAlphaF(0.75)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(edge, 1.2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        box = QRectF(option.rect).adjusted(0.6, 0.6, -0.6, -0.6)
        if element == QStyle.PrimitiveElement.PE_IndicatorRadioButton:
            painter.drawEllipse(box)
        else:
            painter.drawRoundedRect(box, 2, 2)
        painter.restore()


def apply_theme(app: QApplication, theme: str) -> None:
    """Set the style and the palette for `theme` ("light", "dark" or "system"); safe to call while the window
    is open: every widget takes the new palette (and repaints) at once."""
    if not isinstance(app.style(), SkinLensStyle):
        app.setStyle(SkinLensStyle())
    app.setPalette(palette_for(wants_dark(theme)))


def is_dark(palette: QPalette) -> bool:
    return palette.color(Role.Window).lightnessF() < 0.5


def change_colours(palette: QPalette) -> tuple[str, str]:
    return CHANGE_COLOURS["dark" if is_dark(palette) else "light"]


def relative_luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast_ratio(foreground: QColor, background: QColor) -> float:
    """WCAG 2 contrast ratio; a translucent foreground is first blended over the background, as it is drawn."""
    alpha = foreground.alphaF()
    if alpha < 1.0:
        foreground = QColor.fromRgbF(*(alpha * f + (1 - alpha) * b for f, b in zip(
            (foreground.redF(), foreground.greenF(), foreground.blueF()),
            (background.redF(), background.greenF(), background.blueF()), strict=True)))
    high, low = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)
