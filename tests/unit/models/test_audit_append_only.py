"""The audit log is append-only in the database itself, and old draws migrate to schema 0007."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

from app.services.incidents import Actor, record_audit
from models import AuditEvent
from models.db import make_engine, make_session_factory, prepare_database, upgrade
from models.dispatch import DrawState, InspectionDraw


def add_event(engine: Engine, what: str) -> int:
    with make_session_factory(engine)() as s:
        event = record_audit(s, Actor("王调度", "c1"), "incident.close", "incident", what,
                             note=what)
        s.commit()
        return event.id


def details(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT target_id FROM audit_event ORDER BY id")).scalars())


def test_the_database_refuses_to_change_or_delete_audit_events(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    first = add_event(engine, "20261127-0001")
    factory = make_session_factory(engine)
    with factory() as s:  # through the ORM
        event = s.get(AuditEvent, first)
        assert event is not None
        event.target_id = "forged"
        with pytest.raises(DBAPIError, match="append-only"):
            s.commit()
        s.rollback()
        s.delete(s.get(AuditEvent, first))
        with pytest.raises(DBAPIError, match="append-only"):
            s.commit()
    for statement in ("UPDATE audit_event SET actor = 'nobody'", "DELETE FROM audit_event"):
        with engine.begin() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text(statement))
    # appending still works, and nothing already recorded was lost or changed
    add_event(engine, "20261127-0002")
    assert details(engine) == ["20261127-0001", "20261127-0002"]
    engine.dispose()


def test_the_triggers_come_and_go_with_migration_0006(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    upgrade(engine, "0005")
    add_event(engine, "before")
    with engine.begin() as conn:  # 0005 did not protect the log yet
        conn.execute(text("UPDATE audit_event SET actor = 'x'"))
    upgrade(engine, "0006")
    with engine.begin() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text("DELETE FROM audit_event"))
    assert details(engine) == ["before"]
    engine.dispose()


def test_draws_made_before_0007_are_marked_not_committed(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    upgrade(engine, "0006")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO inspection_draw (number, created_at, actor, console_id, scope, seed, "
            "method, params_json, venue_candidates_json, inspector_candidates_json, "
            "result_json, record_sha256, result_sha256, venue_candidates, task_count) VALUES "
            "('SJ20261127-01', '2026-11-27 02:00:00.000000', '王调度', 'c1', 'city', "
            "'typed-by-hand', 'es-sha256-exact/v1', '{}', '{}', '[]', '{}', 'r', 'h', 3, 2)"))
    prepare_database(engine, auto_upgrade=True)
    with make_session_factory(engine)() as s:
        row = s.scalars(select(InspectionDraw)).one()
    engine.dispose()
    assert row.state is DrawState.DONE and row.seed_committed is False
    assert row.seed_sha256 == hashlib.sha256(b"typed-by-hand").hexdigest()
    assert row.drawn_at == row.created_at == dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)
    assert row.failure == "" and json.loads(row.result_json) == {}
