"""Signed tree heads as plain values (from the database, an anchor file or an export)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from app.evidence.keys import verify_signature
from models.ledger import LedgerTreeHead, iso, sth_message


@dataclass(frozen=True, slots=True)
class TreeHead:
    """``(tree_size, root)`` at ``timestamp``, signed by ``key_id``."""

    tree_size: int
    root: str
    timestamp: str
    console_id: str
    key_id: str
    public_key: str
    signature: str

    @classmethod
    def from_row(cls, row: LedgerTreeHead) -> TreeHead:
        """From a ``ledger_tree_head`` row."""
        return cls(int(row.tree_size), row.root, iso(row.timestamp) or "", row.console_id,
                   row.key_id, row.public_key, row.signature)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TreeHead:
        """From :meth:`to_json`'s form; ``ValueError`` when a field is missing or mistyped."""
        try:
            return cls(int(data["tree_size"]), str(data["root_sha256"]), str(data["timestamp"]),
                       str(data.get("console_id", "")), str(data["key_id"]),
                       str(data["public_key"]), str(data["signature"]))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a signed tree head: {exc}") from exc

    def to_json(self) -> dict[str, Any]:
        """JSON-able, with the signed message spelled out for a reader."""
        data = asdict(self)
        data["root_sha256"] = data.pop("root")
        data["signed_message"] = self.message().decode("utf-8")
        data["signature_algorithm"] = "Ed25519"
        return data

    def message(self) -> bytes:
        """The bytes the signature covers."""
        return sth_message(self.tree_size, self.root, self.timestamp, self.key_id)

    def signature_valid(self) -> bool:
        """Whether the signature verifies under the recorded public key."""
        return verify_signature(self.public_key, self.message(), self.signature)
