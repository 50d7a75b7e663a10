"""Engine and session factory, schema migrations and the schema-version guard.

SQLite (the embedded default) runs in WAL mode with foreign keys on and is upgraded on start.
A PostgreSQL database is shared by several consoles, so it is upgraded only by an explicit
``python -m app db upgrade``; a console refuses to start on a schema it does not know.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("models.db")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class SchemaError(RuntimeError):
    """The database schema does not match what this program knows."""


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA journal_mode=WAL")
        # FULL, not NORMAL: in WAL mode NORMAL syncs the WAL only at checkpoints, so a commit
        # survives a killed process but the last transactions can vanish on a power cut or an
        # OS crash. FULL syncs the WAL at every commit, so a committed transaction survives
        # both; the console acknowledges JT/T 808 reports only after their commit, and an
        # acknowledged report must survive a power cut. Writes are batched (one transaction
        # per position interval), so the price is about one fsync per batch.
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
    finally:
        cur.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit (rows are handed to other threads)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(engine: Engine) -> Config:
    """An Alembic config bound to ``engine`` (no alembic.ini needed at run time)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


@dataclass(frozen=True, slots=True)
class SchemaState:
    """Where a database stands against the migrations this program ships."""

    current: str | None
    head: str
    known: bool

    @property
    def up_to_date(self) -> bool:
        """The database is at this program's head revision."""
        return self.current == self.head


def schema_state(engine: Engine) -> SchemaState:
    """Read the database's revision and compare it with this program's migrations."""
    script = ScriptDirectory.from_config(alembic_config(engine))
    head = script.get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise SchemaError("this program ships no migrations")
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    known = current is None or _revision_known(script, current)
    return SchemaState(current=current, head=head, known=known)


def _revision_known(script: ScriptDirectory, rev: str) -> bool:
    try:
        return script.get_revision(rev) is not None
    except Exception:  # alembic raises several types for unknown revisions
        return False


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision``."""
    log.info("upgrading database schema to %s", revision)
    command.upgrade(alembic_config(engine), revision)


def prepare_database(engine: Engine, *, auto_upgrade: bool) -> SchemaState:
    """Check the schema before the console uses the database.

    SQLite is upgraded here when ``auto_upgrade``; a schema newer than this program is refused
    always; an older PostgreSQL schema is refused with the command that upgrades it.
    """
    state = schema_state(engine)
    if not state.known:
        raise SchemaError(
            f"the database schema (revision {state.current}) is newer than this program knows "
            f"(head {state.head}); install the newer console version"
        )
    if state.up_to_date:
        return state
    if auto_upgrade:
        upgrade(engine)
        return schema_state(engine)
    raise SchemaError(
        f"the database schema is at revision {state.current or 'empty'}, this program needs "
        f"{state.head}; run `python -m app db upgrade --db URL` once (shared databases are "
        "never upgraded implicitly)"
    )
