"""Where a history's data key lives: the system keyring; without one, a passphrase or a key file outside the home.

The history file records only which of these holds its key (and a key id), never the key. A keyring keeps the
key under the user's login; a key file (mode 0600, outside the data folder so that copying or backing up the
data folder does not copy the key with it) is weaker, because anyone who can read the file as that user, or a
backup of it, can read the history; a passphrase (scrypt) is as strong as the passphrase and must be given on
every start. Where no keyring exists the user is told so in plain words (`notice`).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from desktop.history.crypto import KEY_BYTES, new_key

KEYRING_SERVICE = "SkinLens history key"
KEY_DIR_ENV = "SKINLENS_KEY_DIR"
PASSPHRASE_ENV = "SKINLENS_PASSPHRASE"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
KEY_FILE_HEADER = "skinlens history key v1"


class KeyUnavailable(Exception):
    """The key cannot be had here; the message says why, for people."""


@dataclass(frozen=True)
class KeyInfo:
    """What the history file says about its key: not secret."""

    key_id: str
    source: str  # "keyring", "file" or "passphrase"
    salt: bytes = b""  # the passphrase's scrypt salt


def keyring_usable() -> bool:
    """False on machines with no keyring service (headless Linux, many kiosks): keyring's 'fail' backend."""
    import keyring
    from keyring.backends import chainer, fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        return False
    return not (isinstance(backend, chainer.ChainerBackend) and not backend.backends)


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


class KeyVault:
    def __init__(self, home: Path, key_dir: Path | None = None, passphrase: str | None = None) -> None:
        self.home = home
        self.key_dir = key_dir or Path(platformdirs.user_config_dir("SkinLens", "SkinLens")) / "keys"
        self.passphrase = passphrase or None

    @classmethod
    def default(cls, home: Path) -> KeyVault:
        """The vault as the environment sets it: $SKINLENS_KEY_DIR and $SKINLENS_PASSPHRASE (provisioning)."""
        key_dir = os.environ.get(KEY_DIR_ENV)
        return cls(home, Path(key_dir).expanduser() if key_dir else None, os.environ.get(PASSPHRASE_ENV))

    # -- a new key ----------------------------------------------------------------------------
    def create(self) -> tuple[KeyInfo, bytes]:
        """A new data key, kept where it is safest here: keyring, else passphrase, else key file."""
        key_id = uuid.uuid4().hex
        if keyring_usable():
            key = new_key()
            if self._keyring_set(key_id, key):
                return KeyInfo(key_id, "keyring"), key
        if self.passphrase:
            info = KeyInfo(key_id, "passphrase", os.urandom(16))
            return info, self._derive(info)
        key = new_key()
        self._write_key_file(key_id, key)
        return KeyInfo(key_id, "file"), key

    def _keyring_set(self, key_id: str, key: bytes) -> bool:
        import keyring
        from keyring.errors import KeyringError

        try:
            keyring.set_password(KEYRING_SERVICE, key_id, base64.b64encode(key).decode())
        except KeyringError:
            return False
        return True

    def _derive(self, info: KeyInfo) -> bytes:
        assert self.passphrase
        return hashlib.scrypt(self.passphrase.encode(), salt=info.salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                              maxmem=64 * 1024 * 1024, dklen=KEY_BYTES)

    def key_file(self, key_id: str) -> Path:
        return self.key_dir / f"{key_id}.key"

    def _write_key_file(self, key_id: str, key: bytes) -> None:
        path = self.key_file(key_id)
        if _inside(path, self.home):
            raise KeyUnavailable(f"The key folder {self.key_dir} is inside the SkinLens data folder; a key kept "
                                 f"next to the data it unlocks protects nothing. Set {KEY_DIR_ENV} to a folder "
                                 "outside it.")
        self.key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(f"{KEY_FILE_HEADER}\n{base64.b64encode(key).decode()}\n")
        os.replace(tmp, path)

    # -- the key of an existing history -------------------------------------------------------
    def load(self, info: KeyInfo) -> bytes:
        """The key `info` names; `KeyUnavailable` says in plain words why it cannot be had."""
        if info.source == "keyring":
            return self._keyring_get(info.key_id)
        if info.source == "passphrase":
            if not self.passphrase:
                raise KeyUnavailable("Your history is protected by a passphrase, and none was given "
                                     f"(set {PASSPHRASE_ENV}).")
            return self._derive(info)
        if info.source == "file":
            return self._read_key_file(info.key_id)
        raise KeyUnavailable(f"Your history names a kind of key this SkinLens does not know ({info.source}).")

    def _keyring_get(self, key_id: str) -> bytes:
        import keyring
        from keyring.errors import KeyringError

        if not keyring_usable():
            raise KeyUnavailable("Your history's key is kept in the system keyring, and no keyring is available "
                                 "on this computer now.")
        try:
            text = keyring.get_password(KEYRING_SERVICE, key_id)
        except KeyringError as exc:
            raise KeyUnavailable(f"The system keyring could not be read ({exc}).") from None
        if text is None:
            raise KeyUnavailable("The key that unlocks your history is not in this computer's keyring (it was "
                                 "removed, or this history was copied from another computer or user).")
        return _decode_key(text, "the keyring's entry")

    def _read_key_file(self, key_id: str) -> bytes:
        path = self.key_file(key_id)
        try:
            lines = path.read_text(encoding="ascii").split()
        except (OSError, UnicodeDecodeError):
            raise KeyUnavailable(f"The key file that unlocks your history ({path}) is missing or "
                                 "unreadable.") from None
        if os.name == "posix" and path.stat().st_mode & 0o077:
            path.chmod(0o600)  # someone widened it: narrow it again before using it
        return _decode_key(lines[-1] if lines else "", str(path))

    def forget(self, info: KeyInfo) -> None:
        """Destroy a key that no longer opens anything (after a wipe): what it sealed is gone for good."""
        if info.source == "keyring" and keyring_usable():
            import keyring
            from keyring.errors import KeyringError, PasswordDeleteError

            with contextlib.suppress(PasswordDeleteError, KeyringError):  # already gone
                keyring.delete_password(KEYRING_SERVICE, info.key_id)
        elif info.source == "file":
            path = self.key_file(info.key_id)
            if path.exists():
                path.write_bytes(b"\0" * path.stat().st_size)
                path.unlink(missing_ok=True)

    def notice(self, info: KeyInfo) -> str | None:
        """Plain words for the user when the key is not in a keyring (None when it is)."""
        if info.source == "file":
            return ("There is no system keyring on this computer, so the key that encrypts your history is kept "
                    f"in a file readable only by your user account: {self.key_file(info.key_id)}. That is weaker "
                    "than a keyring: anyone who can read that file (or a backup of it) can read your history.")
        if info.source == "passphrase":
            return ("There is no system keyring on this computer, so your history is encrypted with your "
                    "passphrase. It is as strong as the passphrase, and it is needed on every start.")
        return None


def _decode_key(text: str, where: str) -> bytes:
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise KeyUnavailable(f"The key in {where} is damaged.")
    return key
