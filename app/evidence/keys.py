"""The console's (or gateway's) Ed25519 key for signing ledger tree heads.

Kept OUTSIDE the database, in the user config directory (``<config>/ledger-keys/``): someone
who can rewrite the database cannot sign a tree head that this console's public key accepts.
``<name>.ed25519.pem`` is the private key (PKCS #8, file mode 0600, created exclusively on
first use, never overwritten); ``<name>.ed25519.pub`` is the raw public key in hex, which is
also recorded with every tree head it signs and may be handed to auditors.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

log = logging.getLogger("app.evidence.keys")

KEY_DIR_NAME = "ledger-keys"


def key_id_of(public_raw: bytes) -> str:
    """First 16 hex digits of SHA-256 of the raw public key."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def _file_name(console_id: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", console_id) or "console"
    return f"{safe}.ed25519"


@dataclass(frozen=True)
class LedgerSigner:
    """Signs tree heads (satisfies :class:`models.ledger.Signer`)."""

    console_id: str
    key_id: str
    public_key_hex: str
    _key: Ed25519PrivateKey

    def sign(self, message: bytes) -> bytes:
        """The Ed25519 signature of ``message``."""
        return self._key.sign(message)


def load_or_create_signer(key_dir: Path, console_id: str) -> LedgerSigner:
    """This console's signer from ``key_dir``, creating the key pair on first use."""
    key_dir.mkdir(parents=True, exist_ok=True)
    private_path = key_dir / (_file_name(console_id) + ".pem")
    if not private_path.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        try:
            fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use that one
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
                fh.flush()
                os.fsync(fh.fileno())
            log.info("created the ledger signing key %s", private_path,
                     extra={"event": "ledger_key_created"})
    loaded = serialization.load_pem_private_key(private_path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{private_path} is not an Ed25519 private key")
    raw = loaded.public_key().public_bytes(serialization.Encoding.Raw,
                                          serialization.PublicFormat.Raw)
    public_path = key_dir / (_file_name(console_id) + ".pub")
    if not public_path.exists():
        public_path.write_text(raw.hex() + "\n", encoding="ascii")
    return LedgerSigner(console_id, key_id_of(raw), raw.hex(), loaded)


def trusted_public_keys(key_dir: Path) -> dict[str, str]:
    """``key_id → public key hex`` of every ``*.pub`` in ``key_dir`` (keys this site trusts)."""
    keys: dict[str, str] = {}
    if not key_dir.is_dir():
        return keys
    for pub in sorted(key_dir.glob("*.pub")):
        try:
            raw = bytes.fromhex(pub.read_text(encoding="ascii").strip())
        except (OSError, ValueError) as exc:
            log.error("ignoring public key file %s: %s", pub, exc)
            continue
        if len(raw) != 32:
            log.error("ignoring public key file %s: not 32 bytes", pub)
            continue
        keys[key_id_of(raw)] = raw.hex()
    return keys


def verify_signature(public_key_hex: str, message: bytes, signature_hex: str) -> bool:
    """Whether ``signature_hex`` is a valid Ed25519 signature of ``message``."""
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        key.verify(bytes.fromhex(signature_hex), message)
    except (ValueError, InvalidSignature):
        return False
    return True
