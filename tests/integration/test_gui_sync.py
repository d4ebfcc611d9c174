"""The settings screen syncs the catalog from a real sync server (uvicorn + PostgreSQL) in a worker."""

from __future__ import annotations

import pytest

from desktop.resources import resource
from desktop.sync import keys
from tests.gui.conftest import make_window, shared_analyzer, webcam_frames  # noqa: F401  (fixtures)
from tests.integration.conftest import LiveServer, run_server_cli

pytestmark = pytest.mark.gui


def test_sync_now_from_settings(qtbot, make_window, live_server: LiveServer, tmp_path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    header, first = resource("catalog", "demo_catalog.csv").read_text(encoding="utf-8").splitlines()[:2]
    (tmp_path / "one.csv").write_text(f"{header}\n{first}\n")  # one product from an allowed retailer
    imported = run_server_cli(live_server.database_url, "import", str(tmp_path / "one.csv"))
    assert imported.returncode == 0 and "imported 1 products" in imported.stdout, imported.stdout + imported.stderr
    token = run_server_cli(live_server.database_url, "token", "create", "kiosk").stdout.strip()

    window = make_window(consent_given=True)
    window.nav["settings"].trigger()
    page = window.settings_page
    page.server_url.setText(live_server.url)
    page.token.setText(token)
    page.save_token_button.click()
    with qtbot.waitSignal(window.sync_controller.sync_finished, timeout=60_000) as status:
        page.sync_button.click()
    assert status.args[0].startswith("Synced"), status.args[0]
    # the key the catalog verified with, as the administrator's `skinlens-server key` prints it
    assert f"signature verified with {keys.fingerprint(keys.key_for(live_server.url, window.services.store))}" \
        in status.args[0]
    # the server's catalog replaced the demo one
    assert [p.id for p in window.services.store.products()] == [first.split(",")[0]]
    assert window.services.store.get_state("last_sync_at")
