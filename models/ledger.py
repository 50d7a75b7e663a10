"""The evidence ledger: an append-only Merkle tree (RFC 6962) of evidence items and audit events.

Every new ``evidence_item`` and ``audit_event`` row becomes one leaf, appended by a session
hook (:func:`_append_leaves`, ``after_flush``) in the same transaction as the row itself, so a
row without its leaf, or a leaf without its row, never commits. The leaf is the canonical
JSON of the row (:func:`evidence_leaf`, :func:`audit_leaf`: keys sorted, no spaces, UTF-8);
its hash is ``SHA-256(0x00 || leaf)``. ``ledger_head`` (one row, locked ``FOR UPDATE`` on
PostgreSQL so several consoles append in turn) holds the tree size, the evidence item count
and the right edge of the tree (:class:`~models.merkle.Frontier`), so an append is O(log n).

When the session carries a signer (``session.info["ledger_signer"]``: the console's Ed25519
key, kept outside the database) a signed tree head (``ledger_tree_head``) is added just before
the transaction commits. Leaves and tree heads are append-only: the database refuses UPDATE
and DELETE on them (migration 0008), as it does on ``audit_event``.

Evidence items are numbered in the order they enter the ledger, from 1 (``item_no``); that
number is the ITEM of ``python -m app evidence …``. The format is documented in
``app/evidence/README.md``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, ForeignKey, Integer, String, Text, event, insert, inspect, select
from sqlalchemy import update as sa_update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.audit import AuditEvent
from models.base import UTC, Base, utcnow
from models.digests import file_digests
from models.media import EvidenceItem
from models.merkle import Frontier, leaf_hash

log = logging.getLogger("models.ledger")

#: The leaf encoding's version (``"v"`` in every leaf).
LEAF_VERSION = 1
#: What a tree head signature covers starts with this (then canonical JSON, see sth_message).
STH_CONTEXT = b"CEDC-LEDGER-STH-v1\n"

KIND_EVIDENCE = "evidence"
KIND_AUDIT = "audit"


class LedgerLeaf(Base):
    """One leaf of the ledger, in order (``seq`` is the 0-based leaf index)."""

    __tablename__ = "ledger_leaf"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(10))
    #: ``evidence_item.id`` or ``audit_event.id``.
    ref_id: Mapped[int] = mapped_column(index=True)
    #: The evidence item's number (1, 2, …); None for audit leaves.
    item_no: Mapped[int | None] = mapped_column(unique=True)
    #: The canonical leaf bytes as UTF-8 text.
    leaf: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[str] = mapped_column(String(64))
    appended_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LedgerHead(Base):
    """The current size, item count, root and right edge of the tree (one row, id 1)."""

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tree_size: Mapped[int] = mapped_column(default=0)
    items: Mapped[int] = mapped_column(default=0)
    root: Mapped[str] = mapped_column(String(64))
    #: JSON ``[[size, hex], …]``: the roots of the perfect subtrees, largest first.
    frontier: Mapped[str] = mapped_column(Text, default="[]")


class LedgerTreeHead(Base):
    """A signed tree head: ``(tree_size, root, timestamp)`` signed with a console's key."""

    __tablename__ = "ledger_tree_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    tree_size: Mapped[int] = mapped_column(index=True)
    root: Mapped[str] = mapped_column(String(64))
    timestamp: Mapped[dt.datetime]
    console_id: Mapped[str] = mapped_column(String(40), default="")
    #: First 16 hex digits of SHA-256 of the raw public key.
    key_id: Mapped[str] = mapped_column(String(16))
    #: Raw Ed25519 public key, hex (also kept beside the private key, outside the database).
    public_key: Mapped[str] = mapped_column(String(64))
    #: Ed25519 signature of :func:`sth_message`, hex.
    signature: Mapped[str] = mapped_column(String(128))
    #: The leaf that was last when this head was signed (None: the empty tree).
    last_leaf: Mapped[int | None] = mapped_column(ForeignKey("ledger_leaf.seq"))


class Signer(Protocol):
    """What signs tree heads (the console's key; see ``app/evidence/keys.py``)."""

    @property
    def console_id(self) -> str:
        """Whose key (the console id)."""
        ...

    @property
    def key_id(self) -> str:
        """First 16 hex digits of SHA-256 of the raw public key."""
        ...

    @property
    def public_key_hex(self) -> str:
        """The raw Ed25519 public key, hex."""
        ...

    def sign(self, message: bytes) -> bytes:
        """The Ed25519 signature of ``message``."""
        ...


# --------------------------------------------------------------------------- leaf encoding


def canonical(obj: Any) -> bytes:
    """Canonical JSON: keys sorted, no spaces, UTF-8 (no ASCII escaping)."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def iso(at: dt.datetime | None) -> str | None:
    """``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC (microseconds, as both databases keep them)."""
    if at is None:
        return None
    if at.tzinfo is None:  # SQLite hands back naive UTC through raw reflection
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _enum_value(value: Any) -> str:
    return str(getattr(value, "value", value))


def evidence_leaf(row: Mapping[str, Any], item_no: int) -> bytes:
    """The leaf of an ``evidence_item`` row (its columns by name) numbered ``item_no``."""
    return canonical({
        "v": LEAF_VERSION,
        "type": KIND_EVIDENCE,
        "item": item_no,
        "id": int(row["id"]),
        "kind": _enum_value(row["kind"]),
        "path": row["path"],
        "file": Path(str(row["path"])).name,
        "size": int(row["size_bytes"]),
        "sha256": row["sha256"],
        "sm3": row["sm3"] or "",
        "captured_at": iso(row["captured_at"]),
        "content_start": iso(row["content_start"]),
        "content_end": iso(row["content_end"]),
        "source": row["media_source_id"],
        "incident": row["incident_id"],
        "captured_by": row["captured_by"] or "",
        "console": row["console_id"] or "",
        "note": row["note"] or "",
    })


def audit_leaf(row: Mapping[str, Any]) -> bytes:
    """The leaf of an ``audit_event`` row (its columns by name)."""
    return canonical({
        "v": LEAF_VERSION,
        "type": KIND_AUDIT,
        "id": int(row["id"]),
        "at": iso(row["at"]),
        "actor": row["actor"],
        "console": row["console_id"],
        "action": row["action"],
        "target_kind": row["target_kind"] or "",
        "target_id": row["target_id"] or "",
        "detail": row["detail"] or "",
    })


EVIDENCE_COLUMNS = ("id", "kind", "path", "size_bytes", "sha256", "sm3", "captured_at",
                    "content_start", "content_end", "media_source_id", "incident_id",
                    "captured_by", "console_id", "note")
AUDIT_COLUMNS = ("id", "at", "actor", "console_id", "action", "target_kind", "target_id",
                 "detail")


def columns_of(obj: EvidenceItem | AuditEvent) -> dict[str, Any]:
    """An ORM row's columns as :func:`evidence_leaf` / :func:`audit_leaf` read them."""
    names = EVIDENCE_COLUMNS if isinstance(obj, EvidenceItem) else AUDIT_COLUMNS
    return {name: getattr(obj, name) for name in names}


def sth_message(tree_size: int, root_hex: str, timestamp: dt.datetime | str,
                key_id: str) -> bytes:
    """The bytes a tree head signature covers."""
    stamp = timestamp if isinstance(timestamp, str) else iso(timestamp)
    return STH_CONTEXT + canonical({"tree_size": tree_size, "root_sha256": root_hex,
                                    "timestamp": stamp, "key_id": key_id})


# --------------------------------------------------------------------------- appending


class LedgerError(RuntimeError):
    """The ledger cannot be appended to (a damaged head)."""


_READY: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()
_DIRTY = "ledger_dirty"
SIGNER_KEY = "ledger_signer"


def _ledger_present(session: Session) -> bool:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    if _READY.get(engine):
        return True
    present = inspect(session.connection()).has_table(LedgerHead.__tablename__)
    if present:
        _READY[engine] = True
    return present


def lock_head(session: Session) -> tuple[Frontier, int]:
    """The head's frontier and item count, the row locked until the transaction ends
    (PostgreSQL ``SELECT … FOR UPDATE``; SQLite holds its one write lock already)."""
    conn = session.connection()
    row = conn.execute(select(LedgerHead.frontier, LedgerHead.items, LedgerHead.tree_size)
                       .where(LedgerHead.id == 1).with_for_update()).one_or_none()
    if row is None:
        conn.execute(insert(LedgerHead).values(id=1, tree_size=0, items=0,
                                               root=Frontier().root().hex(), frontier="[]"))
        return Frontier(), 0
    frontier = Frontier.load(json.loads(row.frontier))
    if frontier.size != row.tree_size:
        raise LedgerError(f"ledger head damaged: frontier covers {frontier.size} leaves, "
                          f"tree_size says {row.tree_size}")
    return frontier, int(row.items)


def append_rows(session: Session, rows: list[EvidenceItem | AuditEvent]) -> None:
    """Append one leaf per row (already flushed, so they have ids), in the given order."""
    conn = session.connection()
    frontier, items = lock_head(session)
    leaves = []
    for obj in rows:
        if isinstance(obj, EvidenceItem):
            items += 1
            data, kind, item_no = evidence_leaf(columns_of(obj), items), KIND_EVIDENCE, items
        else:
            data, kind, item_no = audit_leaf(columns_of(obj)), KIND_AUDIT, None
        h = leaf_hash(data)
        leaves.append({"seq": frontier.size, "kind": kind, "ref_id": int(obj.id),
                       "item_no": item_no, "leaf": data.decode("utf-8"), "leaf_hash": h.hex(),
                       "appended_at": utcnow()})
        frontier.append(h)
    conn.execute(insert(LedgerLeaf), leaves)
    conn.execute(sa_update(LedgerHead).where(LedgerHead.id == 1)
                 .values(tree_size=frontier.size, items=items, root=frontier.root().hex(),
                         frontier=json.dumps(frontier.dump())))


def sign_head(session: Session, signer: Signer, *, at: dt.datetime | None = None) -> int:
    """Add a signed tree head for the current head; its id."""
    conn = session.connection()
    frontier, _items = lock_head(session)
    size, root = frontier.size, frontier.root().hex()
    stamp = (at or utcnow()).astimezone(UTC)
    signature = signer.sign(sth_message(size, root, stamp, signer.key_id))
    result = conn.execute(insert(LedgerTreeHead).values(
        tree_size=size, root=root, timestamp=stamp, console_id=signer.console_id,
        key_id=signer.key_id, public_key=signer.public_key_hex, signature=signature.hex(),
        last_leaf=size - 1 if size else None))
    return int(result.inserted_primary_key[0]) if result.inserted_primary_key else 0


def sign_if_behind(session: Session, signer: Signer) -> bool:
    """Sign the current head if leaves were appended after the newest signed head (rows
    written without a key: the demo's seeding, a migration); whether it signed."""
    size = session.scalar(select(LedgerHead.tree_size).where(LedgerHead.id == 1))
    if not size:
        return False
    signed = session.scalar(select(LedgerTreeHead.tree_size)
                            .order_by(LedgerTreeHead.tree_size.desc()).limit(1))
    if signed is not None and signed >= size:
        return False
    sign_head(session, signer)
    return True


@event.listens_for(Session, "before_flush")
def _hash_new_evidence(session: Session, _ctx: Any, _instances: Any) -> None:
    """A new evidence row without SM3 gets it from its file (callers that hash at capture
    set it themselves)."""
    for obj in session.new:
        if isinstance(obj, EvidenceItem) and not obj.sm3 and obj.path:
            path = Path(obj.path)
            try:
                sha, sm3 = file_digests(path)
            except OSError as exc:
                log.warning("evidence file %s cannot be read for its SM3 (the ledger "
                            "records none; `evidence verify` names the item): %s", path, exc)
                continue
            if obj.sha256 and sha != obj.sha256:
                log.warning("evidence file %s does not have the SHA-256 recorded at capture "
                            "(%s, recorded %s): no SM3; `evidence verify` names the item",
                            path, sha, obj.sha256, extra={"event": "evidence_hash_mismatch"})
                continue  # the SM3 would describe other bytes; leave it empty
            obj.sm3 = sm3


@event.listens_for(Session, "after_flush")
def _append_leaves(session: Session, _ctx: Any) -> None:
    rows = [o for o in session.new if isinstance(o, (EvidenceItem, AuditEvent))]
    if not rows or not _ledger_present(session):
        return
    rows.sort(key=lambda o: (isinstance(o, AuditEvent), o.id))
    append_rows(session, rows)
    session.info[_DIRTY] = True


@event.listens_for(Session, "before_commit")
def _sign_on_commit(session: Session) -> None:
    signer = session.info.get(SIGNER_KEY)
    if signer is None:
        session.info.pop(_DIRTY, None)
        return
    session.flush()  # objects added since the last flush get their leaves before signing
    if session.info.pop(_DIRTY, False):
        sign_head(session, signer)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_DIRTY, None)
