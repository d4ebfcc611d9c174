"""Device tokens (read-only, stored hashed, revocable) and the admin token (writes)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync_server.models import DeviceToken


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_device_token(session: Session, name: str) -> str:
    """Create (or replace) the named token and return its plain value, which is never stored."""
    token = "slt_" + secrets.token_urlsafe(32)
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


def device_token_valid(session: Session, token: str) -> bool:
    row = session.scalars(select(DeviceToken).where(DeviceToken.token_hash == hash_token(token))).first()
    return row is not None and not row.revoked


def admin_token_valid(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())
