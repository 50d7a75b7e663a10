"""The shared database: the schema and the console's queries on a real PostgreSQL server.

A throw-away cluster is created in a temp directory (initdb as the ``postgres`` user when run as
root) and listens on 127.0.0.1 only. `make test` installs the server package.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.demo.world import seed_world
from app.services.directory import load_incidents, load_units
from models import FixedClock, Jurisdiction, Venue
from models.db import SchemaError, make_engine, make_session_factory, prepare_database, upgrade

pytestmark = pytest.mark.integration

_BIN = Path("/usr/lib/postgresql")


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for version in sorted(_BIN.glob("*"), reverse=True):
        candidate = version / "bin" / name
        if candidate.exists():
            return str(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def pg_server() -> Iterator[str]:
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("PostgreSQL server binaries not installed (make test installs them)")
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    base = Path(tempfile.mkdtemp(prefix="cedc-pg-"))
    data = base / "data"
    if as_root:
        shutil.chown(base, "postgres")
    port = _free_port()
    subprocess.run([*prefix, initdb, "-D", str(data), "-A", "trust", "-U", "postgres",
                    "-E", "UTF8", "--no-locale"], check=True, capture_output=True)
    subprocess.run([*prefix, pg_ctl, "-D", str(data), "-l", str(base / "log"), "-w", "-t", "60",
                    "-o", f"-p {port} -k {base} -c listen_addresses=127.0.0.1", "start"],
                   check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
                       check=False, capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh database on the server for one test."""
    name = f"t{time.monotonic_ns()}"
    admin = make_engine(pg_server)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = pg_server.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_a_shared_database_is_only_upgraded_explicitly(pg_url: str) -> None:
    engine = make_engine(pg_url)
    with pytest.raises(SchemaError, match="db upgrade"):
        prepare_database(engine, auto_upgrade=False)
    upgrade(engine)
    assert prepare_database(engine, auto_upgrade=False).up_to_date
    engine.dispose()


def test_the_console_queries_and_utc_times_work_on_postgresql(pg_url: str) -> None:
    engine = make_engine(pg_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    now = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)
    with factory() as s:
        summary = seed_world(s, now=now)
        s.commit()
    with factory() as s:
        units = load_units(s, Jurisdiction())
        chaoyang = load_units(s, Jurisdiction.parse("110105"))
        incidents = load_incidents(s, Jurisdiction(), clock=FixedClock(now))
        venue = s.scalars(select(Venue).order_by(Venue.id)).first()
        zone = s.execute(text("SHOW TIME ZONE")).scalar()
    engine.dispose()
    assert len(units) == summary.units and {u.district_adcode for u in chaoyang} == {"110105"}
    assert len(incidents) == summary.incidents
    assert venue is not None and venue.grade_updated_at.tzinfo is not None
    assert venue.grade_updated_at < now
    assert zone is not None  # whatever the server's zone, values come back as aware UTC
    assert all(i.reported_at.utcoffset() == dt.timedelta(0) for i in incidents)


def test_the_audit_log_is_append_only_on_postgresql(pg_url: str) -> None:
    from sqlalchemy.exc import DBAPIError

    from app.services.incidents import Actor, record_audit
    from models import AuditEvent

    engine = make_engine(pg_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with factory() as s:
        record_audit(s, Actor("王调度", "c1"), "incident.close", "incident", "20261127-0001")
        s.commit()
    with factory() as s:
        event = s.scalars(select(AuditEvent)).one()
        event.actor = "forged"
        with pytest.raises(DBAPIError, match="append-only: UPDATE refused"):
            s.commit()
    for statement, op in (("UPDATE audit_event SET detail = '{}'", "UPDATE"),
                          ("DELETE FROM audit_event", "DELETE"),
                          ("TRUNCATE audit_event", "TRUNCATE")):
        with engine.begin() as conn, pytest.raises(DBAPIError, match=f"append-only: {op}"):
            conn.execute(text(statement))
    with factory() as s:
        record_audit(s, Actor("王调度", "c1"), "incident.close", "incident", "20261127-0002")
        s.commit()
        assert [(e.actor, e.target_id) for e in s.scalars(
            select(AuditEvent).order_by(AuditEvent.id))] == [
            ("王调度", "20261127-0001"), ("王调度", "20261127-0002")]
    engine.dispose()


def test_a_draw_is_committed_then_run_and_verified_on_postgresql(pg_url: str) -> None:
    from app.dispatch import draw
    from app.dispatch.refusals import Refusal
    from app.services.incidents import Actor
    from models.dispatch import DrawState, InspectionDraw

    engine = make_engine(pg_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    now = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)
    actor, city = Actor("王调度", "c1"), Jurisdiction()
    with factory() as s:
        seed_world(s, now=now)
        s.commit()
    with factory() as s:
        prepared = draw.prepare_draw(s, actor, city, draw.DrawParams(scope="110105",
                                                                     venue_count=3),
                                     clock=FixedClock(now))
        assert not isinstance(prepared, Refusal)
        s.commit()
    with factory() as s:
        pending = s.scalars(select(InspectionDraw)).one()
        assert pending.state is DrawState.PENDING and pending.seed == ""
        assert pending.seed_sha256 == draw.seed_hash(prepared.seed)
        done = draw.complete_draw(s, actor, city, pending.id, prepared.seed,
                                  clock=FixedClock(now))
        assert not isinstance(done, Refusal) and len(done.tasks) == 3
        s.commit()
    with factory() as s:
        rep = draw.reproduce_draw(s, actor, city, done.record.number, prepared.seed)
        assert not isinstance(rep, Refusal) and rep.ok
        s.commit()
        stored = draw.load_draw(s, city, done.record.id)
        assert not isinstance(stored, Refusal) and draw.verify_draw(stored.record)
    engine.dispose()


def test_the_evidence_ledger_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    """Two consoles append at once (the head row is locked FOR UPDATE), leaves are
    append-only, and a rewritten audit row is named by the verifier."""
    import threading

    from sqlalchemy.exc import DBAPIError

    from app.evidence.keys import load_or_create_signer
    from app.evidence.verify import verify_ledger
    from app.services.incidents import Actor, record_audit
    from models.ledger import SIGNER_KEY

    engine = make_engine(pg_url)
    upgrade(engine)
    errors: list[BaseException] = []

    def console(name: str) -> None:
        own = make_engine(pg_url)
        sessions = make_session_factory(own)
        sessions.configure(info={SIGNER_KEY: load_or_create_signer(tmp_path / name, name)})
        try:
            for i in range(20):
                with sessions() as s:
                    record_audit(s, Actor(name, name), "unit.status", "unit", str(i))
                    s.commit()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=console, args=(f"c{i}",), name=f"c{i}")
               for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    factory = make_session_factory(engine)
    with factory() as s:
        report = verify_ledger(s)
    assert report.ok, report.problems
    assert report.tree_size == report.signed_size == 40 and report.audit_events == 40
    for statement, op in (("UPDATE ledger_leaf SET leaf = '{}'", "UPDATE"),
                          ("DELETE FROM ledger_tree_head", "DELETE"),
                          ("TRUNCATE ledger_leaf CASCADE", "TRUNCATE")):
        with engine.begin() as conn, pytest.raises(DBAPIError, match=f"append-only: {op}"):
            conn.execute(text(statement))
    with engine.begin() as conn:  # the database owner removes the guard and rewrites history
        conn.execute(text("DROP TRIGGER audit_event_no_update_delete ON audit_event"))
        conn.execute(text("UPDATE audit_event SET actor = 'forged' WHERE id = 7"))
    with factory() as s:
        report = verify_ledger(s)
    assert [p.text() for p in report.problems] == [
        "audit event 7: its audit row was changed: actor"]
    engine.dispose()
