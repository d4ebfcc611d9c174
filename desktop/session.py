"""What the app holds about the person using it that is not a widget's: their scan, routine, answers and
consent, the staff unlock of a kiosk, and where the next routine goes.

The kiosk's idle wipe and "Delete all my data" must forget the same things, so both call the one `reset()`;
the window registers, once, how its screens forget what they show (`on_reset`). Free of Qt (an import-linter
contract keeps it so): the window stores its displayable scan here, and this module only needs its report.
Work started before a reset must not bring the previous person back when it finishes late: it takes a
`ticket()` when it starts and delivers only while `is_current(ticket)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from desktop.recommend.questionnaire import Answers

if TYPE_CHECKING:
    from desktop.ml.report import SkinReport
    from desktop.recommend.engine import Routine


class ShownScan(Protocol):
    """A scan as the screens show it; the session only reads its report."""

    @property
    def report(self) -> SkinReport: ...


ScanT = TypeVar("ScanT", bound=ShownScan)


@dataclass
class Session(Generic[ScanT]):
    scan: ScanT | None = None
    routine: Routine | None = None
    answers: Answers = field(default_factory=Answers)  # as loaded at start or last used for a routine
    consented: bool = False  # the person accepted the consent screen in this session (desktop.ui.consent)
    admin_unlocked: bool = False  # kiosk: staff typed the PIN since the last wipe
    show_routine_next: bool = False  # the routine being made opens the routine screen when it arrives
    _generation: int = 0
    _listeners: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def on_reset(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every reset, when the session is already empty."""
        self._listeners.append(listener)

    def reset(self) -> None:
        """Forget the person: scan, report, routine, answers, their consent and the staff unlock; then the
        screens forget."""
        self.scan = None
        self.routine = None
        self.answers = Answers()
        self.consented = False
        self.admin_unlocked = False
        self.show_routine_next = False
        self._generation += 1
        for listener in list(self._listeners):
            listener()

    def ticket(self) -> int:
        return self._generation

    def is_current(self, ticket: int) -> bool:
        """False when a reset happened since `ticket` was taken: the result belongs to someone forgotten."""
        return ticket == self._generation

    def report_dict(self) -> dict[str, Any] | None:
        return self.scan.report.to_dict() if self.scan is not None else None
