"""Catalog sync as the window runs it: the device token, "Sync now", auto-sync, and the status line.

The pull runs in a worker; expected failures (no network, wrong token) become a status line, anything else
reaches the notifier. The settings screen shows what this tells it and never starts a sync itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.services import Services
from desktop.sync.client import SyncError, store_token, token_for
from desktop.ui.settings_page import SettingsPage
from desktop.ui.shell import Shell

AUTO_SYNC_MS = 6 * 3600 * 1000
FIRST_AUTO_SYNC_MS = 5_000


class SyncController(QObject):
    sync_finished = Signal(str)  # status line

    def __init__(self, services: Services, shell: Shell, page: SettingsPage, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services, self.shell, self.page = services, shell, page
        self.syncing = False
        self.auto_sync_timer = QTimer(self)
        self.auto_sync_timer.timeout.connect(self.sync_now)
        page.token_save_requested.connect(self.save_token)
        page.sync_requested.connect(self.sync_now)

    def schedule(self) -> None:
        """Auto-sync, when on and a server is set: a few seconds after launch, then every six hours."""
        settings = self.services.settings
        if settings.auto_sync and settings.sync_server_url:
            QTimer.singleShot(FIRST_AUTO_SYNC_MS, self, self.sync_now)
            self.auto_sync_timer.start(AUTO_SYNC_MS)
        else:
            self.auto_sync_timer.stop()

    def show_state(self) -> None:
        store = self.services.store
        self.shell.tasks.run(lambda state: (store.count(), store.get_state("last_sync_at")), self._state_loaded)

    def _state_loaded(self, state: tuple[int, str]) -> None:
        count, last = state
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(float(last))) if last else "never"
        if not self.syncing:
            self.page.set_sync_status(f"{count} products on this computer · last synced: {when}")

    def save_token(self, url: str, token: str) -> None:
        if not url or not token:
            self.page.set_sync_status("Enter the server URL and the token first.")
            return
        try:
            store_token(url, token)
        except SyncError as exc:
            self.page.set_sync_status(str(exc))
            return
        self.page.token_stored()

    def sync_now(self) -> None:
        url = self.page.entered_server_url() or self.services.settings.sync_server_url
        if self.syncing:
            return
        if not url:
            message = "Set the sync server URL first."
            self.page.set_sync_status(message)
            self.sync_finished.emit(message)
            return
        store, make_client = self.services.store, self.services.make_sync_client

        def work(state: Any) -> str:
            state.progress(0.0, "contacting the server")
            result = make_client(url, token_for(url)).pull(store)
            store.set_state_now("last_sync_at", str(time.time()))
            return f"Synced: {result.summary()}"

        def finished(message: str) -> None:
            self.syncing = False
            self.page.set_syncing(False)
            self.page.set_sync_status(message)
            self.sync_finished.emit(message)

        self.syncing = True
        self.page.set_syncing(True)
        self.shell.tasks.run(_quiet(work, SyncError), finished)


def _quiet(work: Callable[[Any], str], expected: type[Exception]) -> Callable[[Any], str]:
    """Expected failures (no network, wrong token) become a status line; anything else reaches the notifier."""

    def run(state: Any) -> str:
        try:
            return work(state)
        except expected as exc:
            return f"Not synced: {exc} The catalog on this computer is unchanged."

    return run
