"""SHA-256 and SM3 (GB/T 32905-2016, the national standard hash) of evidence files.

SM3 comes from OpenSSL through :mod:`hashlib` where the linked OpenSSL provides it (OpenSSL
1.1.1 and 3.x do; it runs at C speed), otherwise from ``gmssl`` (pure Python, pinned in
pyproject.toml), which the standalone verifier of an export also uses. Both implementations
are checked against each other and against the standard's test vector in the test suite.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

CHUNK = 1 << 20


class _Hash(Protocol):
    def update(self, data: bytes, /) -> None: ...

    def hexdigest(self) -> str: ...


class _GmsslSm3:
    """Incremental front for gmssl's one-shot ``sm3_hash`` (it buffers the bytes)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def update(self, data: bytes, /) -> None:
        self._parts.append(bytes(data))

    def hexdigest(self) -> str:
        from gmssl import func, sm3  # type: ignore[import-untyped]

        return str(sm3.sm3_hash(func.bytes_to_list(b"".join(self._parts))))


def openssl_has_sm3() -> bool:
    """Whether :mod:`hashlib` (OpenSSL) computes SM3 here."""
    try:
        hashlib.new("sm3")
    except ValueError:
        return False
    return True


def new_sm3(*, implementation: str = "auto") -> _Hash:
    """An SM3 hash object: ``openssl``, ``gmssl`` or ``auto`` (OpenSSL when it has SM3)."""
    if implementation == "gmssl" or (implementation == "auto" and not openssl_has_sm3()):
        return _GmsslSm3()
    return hashlib.new("sm3")


def sm3_hex(data: bytes, *, implementation: str = "auto") -> str:
    """Hex SM3 of ``data``."""
    h = new_sm3(implementation=implementation)
    h.update(data)
    return h.hexdigest()


def digests_of_bytes(data: bytes) -> tuple[str, str]:
    """``(sha256 hex, sm3 hex)`` of ``data``."""
    return hashlib.sha256(data).hexdigest(), sm3_hex(data)


def file_digests(path: Path, chunk: int = CHUNK) -> tuple[str, str]:
    """``(sha256 hex, sm3 hex)`` of a file's bytes, read once."""
    sha = hashlib.sha256()
    sm3 = new_sm3()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            sha.update(block)
            sm3.update(block)
    return sha.hexdigest(), sm3.hexdigest()
