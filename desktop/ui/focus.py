"""A visible keyboard focus on every control: a ring in the palette's highlight colour around the focused widget.

Fusion shows focus on some controls only, faintly, and not at all on scroll areas, sliders or painted widgets,
so someone using the keyboard loses track of where they are. The ring is a mouse-transparent child of the
focused widget's parent, placed around it and raised above its siblings: it moves with it when a page scrolls,
follows the palette on a theme switch, and never takes focus or clicks itself.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QApplication, QWidget

RING_WIDTH = 2.5
RING_GAP = 3  # pixels between the control and the ring
FOLLOW = {QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Hide}


class _Ring(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("focus_ring")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self.palette().color(self.palette().ColorRole.Highlight), RING_WIDTH))
        inset = RING_WIDTH / 2
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(inset, inset, -inset, -inset), 4, 4)


class FocusRing(QObject):
    """Draws the ring around whichever widget inside `root` has the keyboard focus."""

    def __init__(self, root: QWidget) -> None:
        super().__init__(root)
        self.root = root
        self.ring = _Ring()
        self.target: QWidget | None = None
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if self.target is not None:
            self.target.removeEventFilter(self)
        self.target = new if self._inside(new) else None
        if self.target is None:
            self.ring.hide()
            return
        self.target.installEventFilter(self)
        self._place()

    def _inside(self, widget: QWidget | None) -> bool:
        try:
            return (widget is not None and widget is not self.root and widget.parentWidget() is not None
                    and widget.window() is self.root)
        except RuntimeError:  # the root is being destroyed
            return False

    def _place(self) -> None:
        target = self.target
        if target is None:
            return
        parent = target.parentWidget()
        if not target.isVisible() or parent is None:
            self.ring.hide()
            return
        if self.ring.parentWidget() is not parent:
            self.ring.setParent(parent)
        pad = RING_GAP + int(RING_WIDTH)
        self.ring.setGeometry(target.geometry().adjusted(-pad, -pad, pad, pad))
        self.ring.show()
        self.ring.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.target and event.type() in FOLLOW:
            self._place()
        return False
