"""The questionnaire as a form: reads and writes `Answers`, nothing else (the window saves and recommends)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from desktop.explain import SKIN_TYPE_WORDS
from desktop.recommend.profile import SKIN_TYPES
from desktop.recommend.questionnaire import GOALS, Answers, parse_avoid_list


class QuestionnaireForm(QWidget):
    submitted = Signal()

    def __init__(self, currency: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currency = currency
        self.skin_type = QComboBox()
        self.skin_type.setAccessibleName("Skin type")
        self.set_detected_type(None)
        self.sensitive = QCheckBox("My skin reacts easily (stinging, redness)")
        self.pregnant = QCheckBox("I am pregnant or breastfeeding")
        self.goals = {key: QCheckBox(label) for key, (label, _concerns) in GOALS.items()}
        goals = QWidget()
        grid = QGridLayout(goals)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, box in enumerate(self.goals.values()):
            grid.addWidget(box, i, 0)
        self.budget = QDoubleSpinBox()
        self.budget.setRange(0, 1000)
        self.budget.setDecimals(0)
        self.budget.setSpecialValueText("No limit")
        self.budget.setSuffix(f" {currency}")
        self.budget.setAccessibleName("Budget per product")
        self.fragrance_free = QCheckBox("Fragrance-free only")
        self.vegan = QCheckBox("Vegan only")
        self.avoid = QLineEdit()
        self.avoid.setPlaceholderText("e.g. alcohol denat., linalool")
        self.avoid.setAccessibleName("Ingredients to avoid")
        self.submit_button = QPushButton("Show my &routine")
        self.submit_button.setMinimumHeight(36)
        self.submit_button.clicked.connect(self.submitted)
        form = QFormLayout(self)
        form.addRow("Skin &type:", self.skin_type)
        form.addRow("", self.sensitive)
        form.addRow("", self.pregnant)
        form.addRow("Goals:", goals)
        form.addRow("&Budget per product:", self.budget)
        form.addRow("", self.fragrance_free)
        form.addRow("", self.vegan)
        form.addRow("&Avoid ingredients:", self.avoid)
        form.addRow("", self.submit_button)

    def set_detected_type(self, label: str | None, asked: bool = False) -> None:
        """`asked`: the photo could not tell the type (`source: "unknown"`), so the first choice says so."""
        chosen = self.skin_type.currentData() if self.skin_type.count() else None
        self.skin_type.blockSignals(True)
        self.skin_type.clear()
        detected = SKIN_TYPE_WORDS.get(label or "", "").split(":")[0]
        first = f"As measured ({detected.lower()})" if label else "Not told by the photo: choose" if asked \
            else "As measured"
        self.skin_type.addItem(first, None)
        for key in SKIN_TYPES:
            self.skin_type.addItem(SKIN_TYPE_WORDS.get(key, key).split(":")[0], key)
        self.skin_type.setCurrentIndex(max(0, self.skin_type.findData(chosen)) if chosen else 0)
        self.skin_type.blockSignals(False)

    def answers(self) -> Answers:
        return Answers(
            skin_type=self.skin_type.currentData(), sensitive=self.sensitive.isChecked(),
            pregnant=self.pregnant.isChecked(), goals=[k for k, box in self.goals.items() if box.isChecked()],
            budget_max=self.budget.value() or None, currency=self.currency,
            fragrance_free=self.fragrance_free.isChecked(), vegan=self.vegan.isChecked(),
            avoid=parse_avoid_list(self.avoid.text()),
        )

    def set_quick_filters(self, fragrance_free: bool, vegan: bool) -> None:
        """The routine screen's quick filters are these two answers."""
        self.fragrance_free.setChecked(fragrance_free)
        self.vegan.setChecked(vegan)

    def set_answers(self, answers: Answers) -> None:
        self.skin_type.setCurrentIndex(max(0, self.skin_type.findData(answers.skin_type))
                                       if answers.skin_type else 0)
        self.sensitive.setChecked(answers.sensitive)
        self.pregnant.setChecked(answers.pregnant)
        for key, box in self.goals.items():
            box.setChecked(key in answers.goals)
        self.budget.setValue(answers.budget_max or 0)
        self.fragrance_free.setChecked(answers.fragrance_free)
        self.vegan.setChecked(answers.vegan)
        self.avoid.setText(", ".join(answers.avoid))
