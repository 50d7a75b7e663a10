"""A small SQLite :class:`~radio_bridge.outbox.OutboxStore` (stdlib ``sqlite3``) for the CLI.

One table of messages (the record as JSON plus indexed columns) and a one-row counter for SDS-TL
message references. WAL journal, ``synchronous=FULL``: a call returns only after the change is
on disk.
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
from pathlib import Path

from radio_bridge.outbox import OutboxMessage

__all__ = ["SqliteOutboxStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    destination INTEGER NOT NULL,
    state TEXT NOT NULL,
    final INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_unfinished ON outbox (final, seq);
CREATE TABLE IF NOT EXISTS outbox_meta (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""


class SqliteOutboxStore:
    """Outbox store in one SQLite file. Safe to use from several threads."""

    def __init__(self, path: str | Path) -> None:
        """Open (and create if needed) the database.

        Args:
            path: File path, or ``":memory:"``.
        """
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> SqliteOutboxStore:
        """Use as a context manager; closes on exit."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the database."""
        self.close()

    @staticmethod
    def _row(message: OutboxMessage) -> tuple[str, int, str, int, str, str, str]:
        return (
            message.id,
            message.destination,
            message.state.value,
            int(message.is_final),
            message.created_at.isoformat(),
            message.updated_at.isoformat(),
            json.dumps(message.to_dict(), ensure_ascii=False),
        )

    def add(self, message: OutboxMessage) -> None:
        """Insert a new message (sqlite3.IntegrityError if the id exists)."""
        with self._lock:
            self._db.execute(
                "INSERT INTO outbox (id, destination, state, final, created_at, updated_at, record)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                self._row(message),
            )

    def update(self, message: OutboxMessage) -> None:
        """Replace a stored message (KeyError if unknown)."""
        r = self._row(message)
        with self._lock:
            cur = self._db.execute(
                "UPDATE outbox SET destination=?, state=?, final=?, created_at=?, updated_at=?,"
                " record=? WHERE id=?",
                (*r[1:], r[0]),
            )
            if cur.rowcount != 1:
                raise KeyError(message.id)

    def get(self, message_id: str) -> OutboxMessage | None:
        """Return one message or None."""
        with self._lock:
            row = self._db.execute("SELECT record FROM outbox WHERE id=?", (message_id,)).fetchone()
        return None if row is None else OutboxMessage.from_dict(json.loads(row[0]))

    def unfinished(self) -> list[OutboxMessage]:
        """Return unfinished messages, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT record FROM outbox WHERE final=0 ORDER BY seq"
            ).fetchall()
        return [OutboxMessage.from_dict(json.loads(r[0])) for r in rows]

    def recent(self, limit: int = 50) -> list[OutboxMessage]:
        """Return the newest ``limit`` messages, newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT record FROM outbox ORDER BY seq DESC LIMIT ?", (limit,)
            ).fetchall()
        return [OutboxMessage.from_dict(json.loads(r[0])) for r in rows]

    def next_reference(self) -> int:
        """Return the next message reference 0–255 from a durable counter."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(
                    "SELECT value FROM outbox_meta WHERE name='reference'"
                ).fetchone()
                # a fresh file starts at a random reference, so a re-created database does not
                # repeat the references a receiver saw last
                ref = random.randrange(256) if row is None else int(row[0])
                self._db.execute(
                    "INSERT INTO outbox_meta (name, value) VALUES ('reference', ?)"
                    " ON CONFLICT(name) DO UPDATE SET value=excluded.value",
                    ((ref + 1) % 256,),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return ref
