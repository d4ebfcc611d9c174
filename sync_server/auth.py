"""Device tokens (read-only, stored hashed, revocable) and the admin token (writes).

A request's token is checked before its body is read (sync_server.gate), against an in-memory set of every
valid token's hash that is reloaded every few seconds: a valid token never costs a database lookup, a revoked
one stops working within that time, and a wrong one costs a lookup only while its client still has failures
to spare (and never when it does not even look like a device token).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sync_server.models import DeviceToken

TOKEN_PREFIX = "slt_"
TOKEN_SHAPE = re.compile(r"^slt_[A-Za-z0-9_-]{43}$")  # what create_device_token makes
RELOAD_SECONDS = 5.0  # a revoked token stops working within this time on every worker


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_device_token(session: Session, name: str) -> str:
    """Create (or replace) the named token and return its plain value, which is never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    existing = session.get(DeviceToken, name)
    if existing is None:
        session.add(DeviceToken(name=name, token_hash=hash_token(token)))
    else:
        existing.token_hash, existing.revoked = hash_token(token), False
    return token


def revoke_device_token(session: Session, name: str) -> bool:
    existing = session.get(DeviceToken, name)
    if existing is None:
        return False
    existing.revoked = True
    return True


def admin_token_valid(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())


class TokenBook:
    """The hashes of every unrevoked device token, as of at most RELOAD_SECONDS ago."""

    def __init__(self, sessions: sessionmaker[Session], reload_seconds: float = RELOAD_SECONDS) -> None:
        self._sessions, self._reload_seconds = sessions, reload_seconds
        self._valid: frozenset[str] = frozenset()
        self._loaded = float("-inf")
        self._lock = threading.Lock()

    def known(self, digest: str) -> bool | None:
        """True or False from the set while it is fresh; None when it is stale (call reload)."""
        if time.monotonic() - self._loaded > self._reload_seconds:
            return None
        return digest in self._valid

    def reload(self) -> None:
        with self._lock:
            if time.monotonic() - self._loaded <= self._reload_seconds:
                return  # another request reloaded it while this one waited
            with self._sessions() as session:
                hashes = session.scalars(select(DeviceToken.token_hash).where(DeviceToken.revoked.is_(False)))
                self._valid, self._loaded = frozenset(hashes), time.monotonic()

    def look_up(self, digest: str) -> bool:
        """One indexed lookup of a token the set does not hold (created since the last reload?)."""
        with self._sessions() as session:
            found = session.scalars(select(DeviceToken.token_hash).where(
                DeviceToken.token_hash == digest, DeviceToken.revoked.is_(False))).first() is not None
        if found:
            with self._lock:
                self._valid = self._valid | {digest}
        return found

    def clear(self) -> None:
        """Drop the set (the next request reloads it): what a revocation reaches within RELOAD_SECONDS."""
        self._loaded = float("-inf")
