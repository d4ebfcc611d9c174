"""The settings screen syncs the catalog from a real sync server (uvicorn + PostgreSQL) in a worker, and asks
before it trusts a server's signing key for the first time."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.resources import resource
from desktop.sync import keys
from desktop.sync.client import SyncClient
from tests.gui.conftest import make_window, shared_analyzer, webcam_frames  # noqa: F401  (fixtures)
from tests.integration.conftest import LiveServer, Recording, run_server_cli, start_server

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


def test_a_server_with_its_own_key_is_trusted_only_after_the_user_compares_its_fingerprint(  # type: ignore[no-untyped-def]
        qtbot, make_window, database_url: str, tmp_path: Path) -> None:  # noqa: F811
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from PySide6.QtWidgets import QMessageBox

    from sync_server.signing import Signer

    key_file = tmp_path / "server-key.pem"
    made = run_server_cli(database_url, "keygen", str(key_file))
    assert made.returncode == 0, made.stderr
    expected = Signer.from_file(key_file).fingerprint()  # what the administrator reads out
    header, first = resource("catalog", "demo_catalog.csv").read_text(encoding="utf-8").splitlines()[:2]
    (tmp_path / "one.csv").write_text(f"{header}\n{first}\n")
    own_key = {"SKINLENS_SIGNING_KEY_PATH": str(key_file)}  # the server and its admin CLI sign with it
    assert run_server_cli(database_url, "import", str(tmp_path / "one.csv"), env=own_key).returncode == 0
    token = run_server_cli(database_url, "token", "create", "kiosk").stdout.strip()
    server = start_server(database_url, env=own_key)
    try:
        window = make_window(consent_given=True)
        http = Recording()  # every path the window requests from the server
        asked = http.paths
        window.services.make_sync_client = lambda url, tok: SyncClient(url, tok, session=http)
        store, controller = window.services.store, window.sync_controller
        demo = store.count()
        window.nav["settings"].trigger()
        page = window.settings_page
        page.server_url.setText(server.url)
        page.token.setText(token)
        page.save_token_button.click()
        with qtbot.waitSignal(controller.sync_finished, timeout=60_000) as automatic:
            controller.auto_sync()  # nobody may be at the screen (or a customer is): it never asks
        assert "not trusted yet" in automatic.args[0] and controller.trust_box is None
        asked.clear()

        page.sync_button.click()
        qtbot.waitUntil(lambda: controller.trust_box is not None, timeout=60_000)
        box = controller.trust_box
        assert expected in box.text() and server.url in box.text()
        assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)  # Enter never trusts
        with qtbot.waitSignal(controller.sync_finished, timeout=10_000) as refused:
            box.button(QMessageBox.StandardButton.No).click()
        assert "not trusted" in refused.args[0]
        assert keys.pinned_key(store, server.url) is None and store.count() == demo  # nothing pinned or fetched
        assert asked == ["catalog/key"]  # the key alone was asked for before the user's answer

        page.sync_button.click()
        qtbot.waitUntil(lambda: controller.trust_box is not None, timeout=60_000)
        other = Ed25519PrivateKey.generate().public_key()
        keys.pin(store, server.url, other)  # as if `skinlens login` pinned another key while the box was open
        with qtbot.waitSignal(controller.sync_finished, timeout=10_000) as clash:
            controller.trust_box.button(QMessageBox.StandardButton.Yes).click()
        assert "Another key" in clash.args[0] and keys.pinned_key(store, server.url) == other  # not overwritten
        store.set_state_now(keys.PINS, "{}")

        page.sync_button.click()
        qtbot.waitUntil(lambda: controller.trust_box is not None, timeout=60_000)
        with qtbot.waitSignal(controller.sync_finished, timeout=60_000) as synced:
            controller.trust_box.button(QMessageBox.StandardButton.Yes).click()
        assert synced.args[0].startswith("Synced") and f"signature verified with {expected}" in synced.args[0]
        pinned = keys.pinned_key(store, server.url)
        assert pinned is not None and keys.fingerprint(pinned) == expected  # as `skinlens login` pins it
        assert [p.id for p in store.products()] == [first.split(",")[0]]
        with qtbot.waitSignal(controller.sync_finished, timeout=60_000) as again:
            page.sync_button.click()  # pinned now: no question the second time
        assert again.args[0].startswith("Synced") and controller.trust_box is None
    finally:
        server.process.terminate()
        server.process.wait(10)
