"""The routine screen: one product per step, the alternatives folded under it, why each fits, what a month costs.

"Buy" hands the affiliate link to the system browser through the window's `buy_requested`; when no browser
opens, `offer_link` shows the link with a "Copy link" button instead of failing silently. In kiosk mode a QR
code replaces the button, so the shopper continues on their own phone and the kiosk never opens a browser.
A person may swap in an alternative ("Use this instead"): the warnings and the monthly cost then follow what
they chose (the reviewer the window sets asks the recommender), never products they did not choose.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.recommend.engine import Pick, Routine, RoutineStep
from desktop.recommend.routine import money
from desktop.recommend.steps import STEP_TITLES, WHEN_WORDS
from desktop.ui.qr import QrCode

STEP_NAMES = STEP_TITLES  # the name other screens import
WHEN = {"all": "Morning and evening", "am": "Morning", "pm": "Evening"}
NO_ROUTINE_YET = "Take or import a photo, or answer the questions about your skin, to get a routine."
Reviewer = Callable[[Routine, dict[str, str]], list[str]]  # (routine, step -> chosen id) -> warnings


def price_line(pick: Pick) -> str:
    parts = [money(pick.price, pick.currency)] + ([pick.size] if pick.size else [])
    if pick.monthly_cost is not None:
        parts.append(f"about {money(pick.monthly_cost, pick.currency)} a month")
    return " · ".join(parts)


class ProductCard(QFrame):
    def __init__(self, pick: Pick, warnings: list[str], kiosk: bool, on_buy: SignalInstance,
                 on_choose: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.pick = pick
        self.setFrameShape(QFrame.Shape.StyledPanel)
        reasons = "".join(f"<li>{html.escape(r)}</li>" for r in pick.reasons)
        text = QLabel(f"<b>{html.escape(pick.brand)}</b> — {html.escape(pick.name)}<br>"
                      f"<small>{html.escape(price_line(pick))}</small>"
                      f"<ul style='margin-top:2px; margin-bottom:0px'>{reasons}</ul>"
                      + "".join(f"<small>⚠ {html.escape(w)}</small><br>" for w in warnings))
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout(self)
        row.addWidget(text, 1)
        buttons = QVBoxLayout()
        self.buy_button: QPushButton | None = None
        self.qr: QrCode | None = None
        self.choose_button: QPushButton | None = None
        if kiosk:
            self.qr = QrCode(pick.url, f"{pick.brand} {pick.name}")
            buttons.addWidget(self.qr)
        elif pick.url:
            self.buy_button = QPushButton("Buy")
            self.buy_button.setToolTip("Opens the shop in your browser")
            self.buy_button.setAccessibleName(f"Buy {pick.brand} {pick.name}")
            self.buy_button.clicked.connect(lambda: on_buy.emit(pick.url))
            buttons.addWidget(self.buy_button)
        if on_choose is not None:
            self.choose_button = QPushButton("Use this instead")
            self.choose_button.setAccessibleName(f"Use {pick.brand} {pick.name} instead")
            self.choose_button.clicked.connect(on_choose)
            buttons.addWidget(self.choose_button)
        buttons.addStretch(1)
        row.addLayout(buttons)


class LinkPanel(QFrame):
    """Shown when the browser did not open: the link, selectable, and a button that copies it."""

    def __init__(self) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.message = QLabel("Your browser could not be opened. Copy the link and open it yourself:")
        self.message.setWordWrap(True)
        self.link = QLineEdit()
        self.link.setReadOnly(True)
        self.link.setAccessibleName("Shop link")
        self.copy_button = QPushButton("&Copy link")
        self.copy_button.clicked.connect(self.copy)
        self.copied = QLabel("")
        row = QHBoxLayout()
        row.addWidget(self.link, 1)
        row.addWidget(self.copy_button)
        row.addWidget(self.copied)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(row)
        self.hide()

    def offer(self, url: str) -> None:
        self.link.setText(url)
        self.copied.setText("")
        self.show()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.link.text())
        self.copied.setText("Copied")


class RoutinePage(QWidget):
    buy_requested = Signal(str)
    filters_changed = Signal()  # the quick filters changed: recommend again
    answers_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kiosk = False
        self.routine: Routine | None = None
        self.chosen: dict[str, str] = {}  # step -> the product id a person swapped in
        self.reviewer: Reviewer | None = None
        self.cards: list[ProductCard] = []
        self.fold_buttons: dict[str, QToolButton] = {}
        self.when = QComboBox()
        for key, label in WHEN.items():
            self.when.addItem(label, key)
        self.when.setAccessibleName("Show steps for")
        self.when.currentIndexChanged.connect(self._render)
        self.fragrance_free = QCheckBox("&Fragrance-free")
        self.vegan = QCheckBox("&Vegan")
        for box in (self.fragrance_free, self.vegan):
            box.toggled.connect(self.filters_changed)
        answers = QPushButton("Change my &answers")
        answers.clicked.connect(self.answers_requested)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Show:"))
        filters.addWidget(self.when)
        filters.addWidget(self.fragrance_free)
        filters.addWidget(self.vegan)
        filters.addStretch(1)
        filters.addWidget(answers)
        self.link_panel = LinkPanel()
        self.summary = QLabel(NO_ROUTINE_YET)
        self.left_out = QLabel("")  # what the catalog left out and why, under the steps
        self.summary.setWordWrap(True)
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(self.body)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.link_panel)
        layout.addWidget(self.summary)
        layout.addWidget(self.scroll_area, 1)

    def set_kiosk(self, kiosk: bool) -> None:
        """Cards made from now on show QR codes instead of Buy buttons (a kiosk never opens a browser)."""
        self.kiosk = kiosk

    def set_reviewer(self, reviewer: Reviewer) -> None:
        """How the warnings of a person's own choice are worked out (the recommender's `review`)."""
        self.reviewer = reviewer

    def quick_filters(self) -> tuple[bool, bool]:
        """(fragrance-free, vegan) as ticked on this screen."""
        return self.fragrance_free.isChecked(), self.vegan.isChecked()

    def set_quick_filters(self, fragrance_free: bool, vegan: bool) -> None:
        for box, value in ((self.fragrance_free, fragrance_free), (self.vegan, vegan)):
            box.blockSignals(True)
            box.setChecked(value)
            box.blockSignals(False)

    def show_routine(self, routine: Routine) -> None:
        self.routine = routine
        self.chosen = {}
        self.link_panel.hide()
        self._render()
        self.scroll_area.verticalScrollBar().setValue(0)  # a new routine reads from its first step

    def show_no_routine(self, message: str = NO_ROUTINE_YET) -> None:
        """No scan and no answers yet: say what is needed instead of recommending for nobody."""
        self.forget()
        self.summary.setText(html.escape(message))

    def offer_link(self, url: str) -> None:
        self.link_panel.offer(url)

    def choose(self, step: str, product_id: str) -> None:
        self.chosen[step] = product_id
        self._render()

    def warnings(self) -> list[str]:
        """The warnings for what is chosen now (the routine's own picks never clash with each other)."""
        routine = self.routine
        if routine is None:
            return []
        if self.chosen and self.reviewer is not None:
            return self.reviewer(routine, dict(self.chosen))
        return list(routine.warnings)

    def _clear(self) -> None:
        while self.body_layout.count():
            item = self.body_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # at once: deleteLater waits for the event loop
                widget.deleteLater()
        self.cards = []
        self.fold_buttons = {}
        self.left_out = QLabel("")

    def _render(self) -> None:
        self._clear()
        routine = self.routine
        if routine is None:
            return
        warnings = self.warnings()
        when = self.when.currentData()
        steps = [s for s in routine.steps if when == "all" or when in s.when]
        shown = [f"{p.brand} {p.name}" for s in steps if (p := routine.chosen_pick(s, self.chosen)) is not None]
        general = [w for w in warnings if not any(name in w for name in shown)]  # the others go on their cards
        self.summary.setText(self._summary_html(routine, general, [s.step for s in steps if not s.products]))
        for step in steps:
            when_words = " & ".join(WHEN_WORDS[w] for w in step.when)
            self.body_layout.addWidget(QLabel(f"<h3>{STEP_NAMES.get(step.step, step.step)} · {when_words}</h3>"))
            if step.products:
                self._add_step(step, warnings)
        self.left_out = QLabel("".join(f"<p><small>{html.escape(line)}</small></p>" for line in routine.left_out()))
        self.left_out.setWordWrap(True)  # the fine print after the routine, so the first step shows at once
        self.body_layout.addWidget(self.left_out)
        self.body_layout.addStretch(1)

    def _add_step(self, step: RoutineStep, warnings: list[str]) -> None:
        assert self.routine is not None
        chosen = self.routine.chosen_pick(step, self.chosen) or step.products[0]
        self._add_card(chosen, warnings, self.body_layout, None)
        others = [p for p in step.products if p is not chosen]
        if not others:
            return
        fold = QToolButton()
        fold.setCheckable(True)
        fold.setArrowType(Qt.ArrowType.RightArrow)
        fold.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        fold.setText(f"{len(others)} alternative{'s' if len(others) != 1 else ''}")
        fold.setAccessibleName(f"Show alternatives for {STEP_NAMES.get(step.step, step.step)}")
        box = QWidget()
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(24, 0, 0, 0)
        for pick in others:
            self._add_card(pick, warnings, box_layout, self._chooser(step.step, pick.product_id))
        box.hide()

        def toggled(shown: bool) -> None:
            box.setVisible(shown)
            fold.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

        fold.toggled.connect(toggled)
        self.fold_buttons[step.step] = fold
        self.body_layout.addWidget(fold)
        self.body_layout.addWidget(box)

    def _chooser(self, step: str, product_id: str) -> Callable[[], None]:
        return lambda: self.choose(step, product_id)

    def _add_card(self, pick: Pick, warnings: list[str], layout: QVBoxLayout,
                  on_choose: Callable[[], None] | None) -> None:
        mine = [w for w in warnings if f"{pick.brand} {pick.name}" in w]
        card = ProductCard(pick, mine if on_choose is None else [], self.kiosk, self.buy_requested, on_choose)
        self.cards.append(card)
        layout.addWidget(card)

    def _summary_html(self, routine: Routine, warnings: list[str], empty: list[str]) -> str:
        total, currency, unknown = routine.monthly_cost(self.chosen)
        cost = f"<p><b>About {money(total, currency)} a month</b>"
        if unknown:
            cost += f" for the steps with a known pack size (not {', '.join(STEP_NAMES.get(s, s) for s in unknown)})"
        cost += f".<br><small>{html.escape(routine.cost_note)}</small></p>" if currency else ""
        return ("".join(f"<p>⚠ {html.escape(w)}</p>" for w in warnings)
                + "".join(f"<p>{html.escape(n)}</p>" for n in routine.notes)
                + (cost if currency else "")
                + (f"<p>No product in the catalog fits the {', '.join(empty)} step with these filters.</p>"
                   if empty else ""))

    def forget(self) -> None:
        self.routine = None
        self.chosen = {}
        self._clear()
        self.link_panel.hide()
        self.summary.setText(NO_ROUTINE_YET)
