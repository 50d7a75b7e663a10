"""Anchoring signed tree heads outside the database (司法链 or a write-once folder).

An :class:`Anchor` takes signed tree heads and keeps them where the database's owner cannot
rewrite them; :func:`app.evidence.verify.verify_ledger` checks that the ledger still extends
every anchored head (a truncated or rewritten ledger no longer does).

:class:`FileAnchor` is the offline site's anchor: one JSON file per head in a folder, each
created exclusively (``O_EXCL``), never overwritten, read-only (mode 0444), fsynced. Put the
folder on write-once media or a WORM share for the full guarantee.

Plugging in a real judicial evidence chain: implement :class:`Anchor` (``anchor`` submits the
head's signed message and returns the chain's receipt, e.g. its transaction id; ``heads``
returns what was anchored, fetched from the chain) and hand it to :class:`PeriodicAnchor`
in ``app/core.py`` where ``FileAnchor`` is built now. Nothing else changes.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from pathlib import Path
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.evidence.sth import TreeHead
from models.ledger import LedgerTreeHead

log = logging.getLogger("app.evidence.anchor")


class Anchor(Protocol):
    """Somewhere outside the database that keeps signed tree heads."""

    def anchor(self, head: TreeHead) -> str:
        """Keep ``head``; a receipt (file name, transaction id)."""
        ...

    def heads(self) -> list[tuple[str, TreeHead]]:
        """Every head kept, with its receipt, by tree size."""
        ...


class FileAnchor:
    """Signed tree heads in a write-once folder (see the module text)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def anchor(self, head: TreeHead) -> str:
        """Write ``head`` to a new read-only file; its name. Never overwrites."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = re.sub(r"[^0-9TZ]", "", head.timestamp)
        name = f"sth-{head.tree_size:010d}-{head.key_id}-{stamp}.json"
        data = json.dumps(head.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
        fd = os.open(self.folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            dir_fd = os.open(self.folder, os.O_RDONLY)
        except OSError:  # pragma: no cover - a folder that cannot be opened (Windows)
            pass
        else:
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        log.info("anchored tree head %d (%s) in %s", head.tree_size, head.root[:16], name,
                 extra={"event": "ledger_anchored", "tree_size": head.tree_size})
        return name

    def heads(self) -> list[tuple[str, TreeHead]]:
        """Every readable head, by tree size; unreadable files are logged and skipped (and
        reported by the verifier as problems)."""
        out: list[tuple[str, TreeHead]] = []
        for path, head, error in self.scan():
            if head is not None:
                out.append((path.name, head))
            else:
                log.error("anchor file %s is unreadable: %s", path, error)
        return out

    def scan(self) -> list[tuple[Path, TreeHead | None, str]]:
        """Every ``sth-*.json`` file with its head, or None and why not."""
        if not self.folder.is_dir():
            return []
        found: list[tuple[Path, TreeHead | None, str]] = []
        for path in sorted(self.folder.glob("sth-*.json")):
            try:
                head = TreeHead.from_json(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, AttributeError) as exc:
                found.append((path, None, str(exc)))
            else:
                found.append((path, head, ""))
        found.sort(key=lambda t: (t[1].tree_size if t[1] else -1, t[0].name))
        return found


def latest_head(session: Session) -> TreeHead | None:
    """The newest signed tree head in the database."""
    row = session.scalars(select(LedgerTreeHead).order_by(LedgerTreeHead.tree_size.desc(),
                                                          LedgerTreeHead.id.desc())
                          .limit(1)).first()
    return TreeHead.from_row(row) if row is not None else None


class PeriodicAnchor:
    """Anchors the newest signed tree head every ``interval_s`` (monotonic), when it grew,
    and once more at stop. A thread of its own; an anchor failure is logged and retried."""

    def __init__(self, sessions: sessionmaker[Session], anchor: Anchor, *,
                 interval_s: float = 300.0) -> None:
        self._sessions = sessions
        self._anchor = anchor
        self._interval = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.anchored_size = -1

    def start(self) -> None:
        """Start the thread."""
        self._thread = threading.Thread(target=self._run, name="ledger-anchor", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Anchor once more and stop."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def anchor_now(self) -> str | None:
        """Anchor the newest head if it is newer than the last anchored; the receipt."""
        with self._sessions() as session:
            head = latest_head(session)
        if head is None or head.tree_size <= self.anchored_size:
            return None
        receipt = self._anchor.anchor(head)
        self.anchored_size = head.tree_size
        return receipt

    def _run(self) -> None:
        next_at = time.monotonic()
        while True:
            stopping = self._stop.wait(max(0.0, next_at - time.monotonic()))
            try:
                self.anchor_now()
            except Exception as exc:  # an unreachable anchor must not stop the console
                log.error("anchoring the ledger's tree head failed: %s", exc,
                          extra={"event": "ledger_anchor_failed"})
            if stopping:
                return
            next_at = time.monotonic() + self._interval
