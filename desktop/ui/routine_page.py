"""The routine screen: morning and evening steps as product cards, with the reasons and warnings.

"Buy" hands the affiliate link to the system browser through the window's `buy_requested`; in kiosk mode a QR
code replaces the button, so the shopper continues on their own phone and the kiosk never opens a browser.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.recommend.engine import Pick, Routine
from desktop.ui.qr import QrCode

STEP_NAMES = {"cleanser": "Cleanse", "serum": "Serum", "treatment": "Treatment", "moisturizer": "Moisturise",
              "sunscreen": "Protect (sunscreen)", "eye": "Eye care"}
WHEN = {"all": "Morning and evening", "am": "Morning", "pm": "Evening"}
EXCLUDED = {"prohibited_in_eu": "with an ingredient banned in the EU", "fragrance": "with fragrance",
            "not_vegan": "not vegan", "over_budget": "over your budget", "other_currency": "in another currency",
            "avoided_ingredient": "with an ingredient you avoid", "not_in_pregnancy": "not advised in pregnancy"}


class ProductCard(QFrame):
    def __init__(self, pick: Pick, warnings: list[str], kiosk: bool, on_buy: SignalInstance) -> None:
        super().__init__()
        self.pick = pick
        self.setFrameShape(QFrame.Shape.StyledPanel)
        text = QLabel(f"<b>{html.escape(pick.brand)}</b> — {html.escape(pick.name)}<br>"
                      f"{pick.price:.2f} {html.escape(pick.currency)}<br>"
                      f"<small>Why: {html.escape('; '.join(pick.reasons) or 'a well-rated choice for this step')}"
                      "</small>" + "".join(f"<br><small>⚠ {html.escape(w)}</small>" for w in warnings))
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout(self)
        row.addWidget(text, 1)
        self.buy_button: QPushButton | None = None
        self.qr: QrCode | None = None
        if kiosk:
            self.qr = QrCode(pick.url, f"{pick.brand} {pick.name}")
            row.addWidget(self.qr)
        elif pick.url:
            self.buy_button = QPushButton("Buy")
            self.buy_button.setToolTip("Opens the shop in your browser")
            self.buy_button.setAccessibleName(f"Buy {pick.brand} {pick.name}")
            self.buy_button.clicked.connect(lambda: on_buy.emit(pick.url))
            row.addWidget(self.buy_button, 0, Qt.AlignmentFlag.AlignTop)


class RoutinePage(QWidget):
    buy_requested = Signal(str)
    filters_changed = Signal()  # the quick filters changed: recommend again
    answers_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kiosk = False
        self.routine: Routine | None = None
        self.cards: list[ProductCard] = []
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
        self.summary = QLabel("Take or import a photo to get a routine.")
        self.summary.setWordWrap(True)
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(self.body)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.summary)
        layout.addWidget(self.scroll_area, 1)

    def set_kiosk(self, kiosk: bool) -> None:
        """Cards made from now on show QR codes instead of Buy buttons (a kiosk never opens a browser)."""
        self.kiosk = kiosk

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
        self._render()
        self.scroll_area.verticalScrollBar().setValue(0)  # a new routine reads from its first step

    def _render(self) -> None:
        while self.body_layout.count():
            item = self.body_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # at once: deleteLater waits for the event loop
                widget.deleteLater()
        self.cards = []
        routine = self.routine
        if routine is None:
            return
        when = self.when.currentData()
        steps = [s for s in routine.steps if when == "all" or when in s.when]
        empty = [s.step for s in steps if not s.products]
        removed = "; ".join(f"{n} {EXCLUDED.get(k, k.replace('_', ' '))}" for k, n in routine.excluded.items() if n)
        self.summary.setText(
            ("".join(f"<p>⚠ {html.escape(w)}</p>" for w in routine.warnings if not _names_product(w, routine)))
            + (f"<p><small>Left out: {html.escape(removed)}.</small></p>" if removed else "")
            + (f"<p>No product in the catalog fits the {', '.join(empty)} step with these filters.</p>"
               if empty else ""))
        for step in steps:
            when_words = " & ".join(WHEN[w] for w in step.when)
            self.body_layout.addWidget(QLabel(f"<h3>{STEP_NAMES.get(step.step, step.step)} · {when_words}</h3>"))
            for pick in step.products:
                card = ProductCard(pick, [w for w in routine.warnings if f"{pick.brand} {pick.name}" in w],
                                   self.kiosk, self.buy_requested)
                self.cards.append(card)
                self.body_layout.addWidget(card)
        self.body_layout.addStretch(1)

    def forget(self) -> None:
        self.routine = None
        self._render()
        self.summary.setText("Take or import a photo to get a routine.")


def _names_product(warning: str, routine: Routine) -> bool:
    return any(f"{p.brand} {p.name}" in warning for s in routine.steps for p in s.products)
