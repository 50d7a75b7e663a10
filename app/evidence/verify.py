"""Verifying the evidence ledger against the database rows, the files and the signed heads.

:func:`verify_ledger` checks, and names the item (or audit event) of every failure:

- every leaf is where it should be (``seq`` 0, 1, 2, … without gaps), its stored hash is
  ``SHA-256(0x00 || leaf)`` of its bytes, and evidence items are numbered 1, 2, 3, … in order;
- the Merkle root of every prefix that a signed tree head covers equals that head's root,
  and each head's Ed25519 signature verifies (a removed, inserted, altered or reordered leaf
  changes the root of every head from there on; the first head that disagrees bounds where);
- heads anchored outside the database (:mod:`app.evidence.anchor`) are still extended by the
  ledger (a truncated or rebuilt ledger is not);
- every evidence and audit row still encodes to exactly its leaf (a changed or deleted row
  is named), and every row has a leaf (a row added behind the console's back is named);
- every evidence file is there with its recorded size, SHA-256 and SM3.

Leaves after the newest signed head are reported as a warning (the console signs at every
commit, so there are none unless rows were written without a key, e.g. by a migration).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.evidence.anchor import Anchor
from app.evidence.keys import key_id_of
from app.evidence.sth import TreeHead
from models.audit import AuditEvent
from models.digests import file_digests
from models.ledger import (
    KIND_AUDIT,
    KIND_EVIDENCE,
    LedgerHead,
    LedgerLeaf,
    LedgerTreeHead,
    audit_leaf,
    columns_of,
    evidence_leaf,
)
from models.media import EvidenceItem
from models.merkle import Frontier, inclusion_path, leaf_hash, verify_inclusion


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing that does not verify; ``item`` names the evidence item when there is one."""

    message: str
    item: int | None = None
    audit_id: int | None = None

    def text(self) -> str:
        """The line a report prints."""
        if self.item is not None:
            return f"item {self.item}: {self.message}"
        if self.audit_id is not None:
            return f"audit event {self.audit_id}: {self.message}"
        return self.message


@dataclass
class Report:
    """What :func:`verify_ledger` found."""

    tree_size: int = 0
    items: int = 0
    audit_events: int = 0
    root: str = ""
    signed_size: int = 0
    signed_heads: int = 0
    anchored_heads: int = 0
    items_checked: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing failed."""
        return not self.problems

    def add(self, message: str, *, item: int | None = None, audit_id: int | None = None) -> None:
        """Record a problem."""
        self.problems.append(Problem(message, item, audit_id))

    def bad_items(self) -> list[int]:
        """The evidence items named by a problem, in order."""
        return sorted({p.item for p in self.problems if p.item is not None})

    def to_json(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "ok": self.ok, "tree_size": self.tree_size, "items": self.items,
            "audit_events": self.audit_events, "root_sha256": self.root,
            "signed_size": self.signed_size, "signed_heads": self.signed_heads,
            "anchored_heads": self.anchored_heads, "items_checked": self.items_checked,
            "bad_items": self.bad_items(),
            "problems": [p.text() for p in self.problems], "warnings": self.warnings,
        }


@dataclass(frozen=True, slots=True)
class _Leaf:
    seq: int
    kind: str
    ref_id: int
    item_no: int | None
    data: bytes
    hash: bytes  # recomputed from data
    content: dict[str, Any]


def _label(leaf: _Leaf) -> dict[str, int | None]:
    if leaf.kind == KIND_EVIDENCE:
        return {"item": leaf.item_no}
    return {"audit_id": leaf.ref_id}


def _describe(leaves: Iterable[_Leaf]) -> str:
    items = [str(lf.item_no) for lf in leaves if lf.kind == KIND_EVIDENCE]
    audits = [str(lf.ref_id) for lf in leaves if lf.kind != KIND_EVIDENCE]
    parts = []
    if items:
        parts.append("items " + ", ".join(items))
    if audits:
        shown = audits[:20] + (["…"] if len(audits) > 20 else [])
        parts.append("audit events " + ", ".join(shown))
    return "; ".join(parts) or "no leaves"


def load_leaves(session: Session, report: Report) -> list[_Leaf]:
    """Every leaf in order, checked for gaps, hash and index columns."""
    leaves: list[_Leaf] = []
    expected = 0
    for row in session.scalars(select(LedgerLeaf).order_by(LedgerLeaf.seq)):
        if row.seq != expected:
            report.add(f"ledger leaves {expected}…{row.seq - 1} are missing (deleted from the "
                       "ledger)")
            expected = row.seq
        expected += 1
        data = row.leaf.encode("utf-8")
        h = leaf_hash(data)
        try:
            content = json.loads(data)
            if not isinstance(content, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            content = {}
            report.add(f"ledger leaf {row.seq} is not a valid leaf: {exc}")
        leaf = _Leaf(row.seq, row.kind, int(row.ref_id), row.item_no, data, h, content)
        if h.hex() != row.leaf_hash:
            report.add(f"ledger leaf {row.seq} was altered (its bytes no longer hash to the "
                       "stored leaf hash)", **_label(leaf))
        if content and (content.get("type") != row.kind or content.get("id") != row.ref_id
                        or content.get("item") != row.item_no):
            report.add(f"ledger leaf {row.seq}: its index columns (kind, row id, item number) "
                       "disagree with its content", **_label(leaf))
        leaves.append(leaf)
    items = 0
    for leaf in leaves:
        if leaf.kind == KIND_EVIDENCE:
            items += 1
            if leaf.item_no != items:
                report.add(f"ledger leaf {leaf.seq} holds item {leaf.item_no} where item "
                           f"{items} belongs: items removed, inserted or reordered",
                           item=leaf.item_no)
                items = leaf.item_no or items
        elif leaf.kind != KIND_AUDIT:
            report.add(f"ledger leaf {leaf.seq} has an unknown kind {leaf.kind!r}")
    return leaves


def _check_heads(session: Session, leaves: list[_Leaf], report: Report,
                 anchors: Anchor | None, trusted_keys: dict[str, str] | None,
                 strict_keys: bool) -> TreeHead | None:
    """Compare every signed and anchored head with the prefix roots; the newest signed head."""
    heads = [(f"signed tree head #{row.id}", TreeHead.from_row(row)) for row in
             session.scalars(select(LedgerTreeHead).order_by(LedgerTreeHead.tree_size,
                                                             LedgerTreeHead.id))]
    report.signed_heads = len(heads)
    anchored: list[tuple[str, TreeHead]] = []
    if anchors is not None:
        scan = getattr(anchors, "scan", None)
        if scan is not None:
            for path, head, error in scan():
                if head is None:
                    report.add(f"anchored tree head {path.name} is unreadable: {error}")
                else:
                    anchored.append((f"anchored tree head {path.name}", head))
        else:
            anchored = [(f"anchored tree head {name}", head) for name, head in anchors.heads()]
    report.anchored_heads = len(anchored)
    wanted = {h.tree_size for _, h in (*heads, *anchored)}
    roots: dict[int, bytes] = {}
    frontier = Frontier()
    if 0 in wanted:
        roots[0] = frontier.root()
    for leaf in leaves:
        frontier.append(leaf.hash)
        if frontier.size in wanted:
            roots[frontier.size] = frontier.root()
    report.tree_size, report.root = frontier.size, frontier.root().hex()
    n = frontier.size
    good_size = 0
    for name, head in sorted((*heads, *anchored), key=lambda t: t[1].tree_size):
        if (not _hex_ok(head.public_key, 32)
                or key_id_of(bytes.fromhex(head.public_key)) != head.key_id):
            report.add(f"{name}: its key id does not belong to its public key")
            continue
        if not head.signature_valid():
            report.add(f"{name} (size {head.tree_size}): the signature does not verify")
            continue
        if trusted_keys and head.key_id not in trusted_keys:
            text = (f"{name} is signed by key {head.key_id} ({head.console_id}), which is not "
                    "among this site's trusted public keys")
            if strict_keys:
                report.add(text)
            else:
                report.warnings.append(text)
        if head.tree_size > n:
            report.add(f"{name} covers {head.tree_size} leaves but the ledger has only {n}: "
                       f"leaves {n}…{head.tree_size - 1} were removed")
            continue
        if roots[head.tree_size].hex() != head.root:
            span = [lf for lf in leaves if good_size <= lf.seq < head.tree_size]
            report.add(f"the ledger no longer matches {name} (size {head.tree_size}, signed "
                       f"{head.timestamp}): a leaf among {good_size}…{head.tree_size - 1} was "
                       f"altered, removed, inserted or reordered ({_describe(span)})")
        else:
            good_size = max(good_size, head.tree_size)
    newest = heads[-1][1] if heads else None
    if newest is not None:
        report.signed_size = newest.tree_size
    if not heads:
        report.warnings.append("no signed tree head yet: nothing vouches for the ledger "
                               "(`python -m app evidence sign`)")
    elif report.signed_size < n:
        tail = [lf for lf in leaves if lf.seq >= report.signed_size]
        report.warnings.append(f"leaves {report.signed_size}…{n - 1} are not yet covered by "
                               f"a signed tree head ({_describe(tail)})")
    head_row = session.get(LedgerHead, 1)
    if head_row is None:
        if leaves:
            report.add("the ledger head row is missing")
    elif head_row.tree_size != n or head_row.root != frontier.root().hex():
        report.add(f"the ledger head says {head_row.tree_size} leaves with root "
                   f"{head_row.root[:16]}…, the leaves give {n} with {frontier.root().hex()[:16]}…")
    return newest


def _hex_ok(text: str, size: int) -> bool:
    try:
        return len(bytes.fromhex(text)) == size
    except ValueError:
        return False


def _diff(stored: dict[str, Any], now: bytes) -> str:
    current = json.loads(now)
    fields = sorted(k for k in set(stored) | set(current) if stored.get(k) != current.get(k))
    return ", ".join(fields)


def _check_evidence(session: Session, leaves: list[_Leaf], report: Report,
                    only: int | None, check_files: bool) -> None:
    ev = [lf for lf in leaves if lf.kind == KIND_EVIDENCE and (only is None
                                                              or lf.item_no == only)]
    ids = [lf.ref_id for lf in ev]
    rows: dict[int, EvidenceItem] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows.update({r.id: r for r in session.scalars(
            select(EvidenceItem).where(EvidenceItem.id.in_(chunk)))})
    for leaf in ev:
        item = leaf.item_no
        report.items_checked.append(item or 0)
        row = rows.get(leaf.ref_id)
        if row is None:
            report.add(f"its evidence row (id {leaf.ref_id}) was deleted", item=item)
            continue
        now = evidence_leaf(columns_of(row), item or 0)
        if now != leaf.data:
            report.add(f"its evidence row (id {leaf.ref_id}) was changed: "
                       f"{_diff(leaf.content, now)}", item=item)
        if check_files:
            _check_file(leaf, report)


def _check_file(leaf: _Leaf, report: Report) -> None:
    item, c = leaf.item_no, leaf.content
    path = Path(str(c.get("path", "")))
    try:
        size = path.stat().st_size
        sha, sm3 = file_digests(path)
    except OSError as exc:
        report.add(f"its file {path} cannot be read ({exc.strerror or exc}): it was removed "
                   "or moved", item=item)
        return
    if size != c.get("size"):
        report.add(f"its file {path} has {size} bytes, {c.get('size')} were recorded",
                   item=item)
    if sha != c.get("sha256"):
        report.add(f"its file {path} was altered: SHA-256 {sha}, recorded {c.get('sha256')}",
                   item=item)
    if c.get("sm3") and sm3 != c.get("sm3"):
        report.add(f"its file {path} was altered: SM3 {sm3}, recorded {c.get('sm3')}",
                   item=item)
    if not c.get("sm3"):
        report.warnings.append(f"item {item}: no SM3 was recorded (filed before SM3, with its "
                               "file already gone or changed)")


def _check_audit(session: Session, leaves: list[_Leaf], report: Report) -> None:
    au = [lf for lf in leaves if lf.kind == KIND_AUDIT]
    rows = {r.id: r for r in session.scalars(select(AuditEvent))}
    for leaf in au:
        row = rows.get(leaf.ref_id)
        if row is None:
            report.add("its row was deleted from the audit log", audit_id=leaf.ref_id)
            continue
        now = audit_leaf(columns_of(row))
        if now != leaf.data:
            report.add(f"its audit row was changed: {_diff(leaf.content, now)}",
                       audit_id=leaf.ref_id)
    report.audit_events = len(au)


def _check_unledgered(session: Session, leaves: list[_Leaf], report: Report) -> None:
    seen: dict[tuple[str, int], _Leaf] = {}
    for leaf in leaves:
        key = (leaf.kind, leaf.ref_id)
        if key in seen:
            report.add(f"ledger leaf {leaf.seq} repeats the row of leaf {seen[key].seq}",
                       **_label(leaf))
        seen[key] = leaf
    for (rid, kind, captured) in session.execute(
            select(EvidenceItem.id, EvidenceItem.kind, EvidenceItem.captured_at)
            .order_by(EvidenceItem.id)):
        if (KIND_EVIDENCE, rid) not in seen:
            report.add(f"evidence row id {rid} ({kind}, {captured:%Y-%m-%d %H:%M:%S} UTC) is "
                       "not in the ledger: it was added behind the console's back")
    for (rid, action) in session.execute(select(AuditEvent.id, AuditEvent.action)
                                         .order_by(AuditEvent.id)):
        if (KIND_AUDIT, rid) not in seen:
            report.add(f"audit row {action!r} is not in the ledger: it was added behind the "
                       "console's back", audit_id=rid)


def verify_ledger(session: Session, *, item: int | None = None, anchors: Anchor | None = None,
                  trusted_keys: dict[str, str] | None = None, strict_keys: bool = False,
                  check_files: bool = True) -> Report:
    """Verify the whole ledger (``item`` None) or one evidence item (with the ledger's
    structure, heads and anchors, which are cheap next to hashing files)."""
    report = Report()
    leaves = load_leaves(session, report)
    report.items = sum(1 for lf in leaves if lf.kind == KIND_EVIDENCE)
    newest = _check_heads(session, leaves, report, anchors, trusted_keys, strict_keys)
    if item is None:
        _check_evidence(session, leaves, report, None, check_files)
        _check_audit(session, leaves, report)
        _check_unledgered(session, leaves, report)
        return report
    target = next((lf for lf in leaves if lf.kind == KIND_EVIDENCE and lf.item_no == item),
                  None)
    if target is None:
        report.add("there is no such item in the ledger", item=item)
        return report
    _check_evidence(session, leaves, report, item, check_files)
    if newest is not None and target.seq < newest.tree_size <= len(leaves):
        hashes = [lf.hash for lf in leaves[:newest.tree_size]]
        path = inclusion_path(target.seq, hashes)
        if not verify_inclusion(target.hash, target.seq, newest.tree_size, path,
                                bytes.fromhex(newest.root)):
            report.add(f"its inclusion proof in the signed tree of {newest.tree_size} does not "
                       "verify", item=item)
    elif newest is None or newest.tree_size <= target.seq:
        report.warnings.append(f"item {item} is not yet covered by a signed tree head")
    return report
