"""Is a sync server address safe to send the device token to? One check for the settings screen and sync.

The token authenticates this device to the catalog server; over plain http:// anyone on the network path can
read it. So only https:// is accepted, except for this computer itself (localhost, 127.0.0.0/8, ::1), where
the request never crosses a network: a server run locally for testing or in-store behind a proxy.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def server_url_problem(url: str) -> str | None:
    """None when `url` is fine (or empty: no sync), else what is wrong with it and how to write it."""
    url = url.strip()
    if not url:
        return None
    if "://" not in url:
        return f"Start the server address with https:// (for example https://{url.split('/')[0]})."
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname, parts.port  # a bad port raises ValueError
    except ValueError:
        return "This server address is not valid. Write it like https://sync.example.com"
    if parts.scheme not in ("http", "https") or not host:
        return "The server address must start with https:// and name a server, like https://sync.example.com"
    if parts.scheme == "http" and not is_loopback(host):
        return ("Use https:// for this server: over plain http:// the device token would travel unencrypted. "
                "(http:// is accepted only for this computer, e.g. http://127.0.0.1:8000.)")
    return None
