"""The consent gate: the one check between a person and any scan.

Every way a scan can start (a photo opened with File → Open or Ctrl+O, dropped on the window, taken by the
camera) and every screen that captures or shows a person (the live camera, results, routine, history) asks
this gate first; until the person using the app has accepted the consent screen, the consent screen shows
instead and nothing is analysed. Consent is remembered once per user, and on a kiosk once per person: the
idle wipe's `Session.reset()` forgets it with everything else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desktop.services import Services
from desktop.session import Session
from desktop.ui.shell import Shell

GUARDED_PAGES = frozenset({"capture", "analysing", "results", "routine", "history"})


class ConsentGate:
    def __init__(self, services: Services, session: Session[Any], shell: Shell,
                 remember: Callable[[], None]) -> None:
        self.services, self.session, self.shell = services, session, shell
        self._remember = remember  # stores the consent (not on a kiosk) and opens the capture screen

    def given(self) -> bool:
        """Accepted in this session, or once before by this computer's user (never enough on a kiosk)."""
        settings = self.services.settings
        return self.session.consented or (settings.consent_given and not settings.kiosk_mode)

    def allows(self, page: str | None = None) -> bool:
        """Whether a scan (or, with `page`, that screen) may go ahead; if not, the consent screen shows."""
        if page not in GUARDED_PAGES and page is not None:
            return True
        if self.given():
            return True
        self.shell.show_page("consent")
        return False

    def accept(self) -> None:
        """The person accepted the consent screen."""
        self.session.consented = True
        self._remember()
