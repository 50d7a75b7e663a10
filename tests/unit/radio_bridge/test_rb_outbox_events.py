"""Outbox records and stores; event JSON."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from radio_bridge import MemoryOutboxStore, OutboxState, SqliteOutboxStore
from radio_bridge import events as ev
from radio_bridge.outbox import (
    MessageKind,
    OutboxMessage,
    OutboxStore,
    aggregate_state,
    new_message,
)

Q, A, S, D, F = (OutboxState.QUEUED, OutboxState.ACCEPTED, OutboxState.SENT,
                 OutboxState.DELIVERED, OutboxState.FAILED)


def two_part_text() -> OutboxMessage:
    return new_message(kind=MessageKind.TEXT, destination=2269001, ai_service=12,
                       parts=[("8A04", 16), ("8A05", 16)], references=[4, 5],
                       report_requested=True, text="long text")


def test_aggregate_state() -> None:
    assert aggregate_state((A, S)) == A
    assert aggregate_state((D, D)) == D
    assert aggregate_state((D, F)) == F
    assert aggregate_state(()) == Q


def test_message_moves_through_states_with_utc_timestamps() -> None:
    msg = two_part_text()
    assert msg.state == Q and not msg.is_final
    msg = msg.with_part_state(0, A, "+CMGS: 0")
    assert msg.state == Q  # one part still queued
    msg = msg.with_part_state(1, A, "+CMGS: 1")
    assert msg.state == A
    msg = msg.with_part_state(0, S).with_part_state(1, S).with_part_state(0, D)
    assert msg.state == S and not msg.is_final  # report requested: not final at "sent"
    msg = msg.with_part_state(1, D, "report")
    assert msg.state == D and msg.is_final
    assert [h.state for h in msg.history] == [Q, A, S, D]
    assert all(h.at.tzinfo is not None and h.at.utcoffset().total_seconds() == 0
               for h in msg.history)
    assert msg.timestamp(S) is not None and msg.timestamp(F) is None
    failed = two_part_text().with_part_state(1, F, "+CME ERROR 34: parameter out of range")
    assert failed.state == F and failed.is_final
    assert failed.last_error == "+CME ERROR 34: parameter out of range"


def test_record_round_trips_through_dict() -> None:
    msg = two_part_text().with_part_state(0, A, "x")
    assert OutboxMessage.from_dict(json.loads(json.dumps(msg.to_dict()))) == msg
    with pytest.raises(ValueError, match="bad outbox record"):
        OutboxMessage.from_dict({"id": "x"})


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OutboxStore]:
    if request.param == "memory":
        yield MemoryOutboxStore(first_reference=250)
        return
    with SqliteOutboxStore(tmp_path / "outbox.sqlite3") as s:
        yield s


def test_store_contract(store: OutboxStore) -> None:
    assert isinstance(store, OutboxStore)
    a, b = two_part_text(), two_part_text()
    store.add(a)
    store.add(b)
    assert [m.id for m in store.unfinished()] == [a.id, b.id]
    done = a.with_part_state(0, F, "bad")
    store.update(done)
    assert store.get(a.id) == done
    assert [m.id for m in store.unfinished()] == [b.id]
    assert store.get("nope") is None
    with pytest.raises(KeyError):
        store.update(two_part_text())
    refs = [store.next_reference() for _ in range(300)]
    assert all(0 <= r <= 255 for r in refs)
    assert all((y - x) % 256 == 1 for x, y in itertools.pairwise(refs))


def test_sqlite_store_survives_reopen_and_threads(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "outbox.sqlite3"
    msg = two_part_text()
    with SqliteOutboxStore(path) as s:
        s.add(msg)
        last = s.next_reference()
        errors: list[Exception] = []

        def worker() -> None:
            try:
                for _ in range(20):
                    s.update(s.get(msg.id) or msg)
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
    with SqliteOutboxStore(path) as s:
        assert s.unfinished() == [msg]
        assert s.next_reference() == (last + 1) % 256
        assert s.recent(1)[0].id == msg.id


def test_event_json_has_type_source_fields_and_utc_time() -> None:
    e = ev.LocationReport(source=2269001, destination=2000001, latitude=39.9, longitude=116.4,
                          speed_kmh=None, heading_deg=None, position_error_m=20, reason=129,
                          reason_text="periodic",
                          at=datetime(2025, 1, 1, tzinfo=UTC))
    line = e.to_json()
    assert "\n" not in line
    data = json.loads(line)
    assert list(data)[:2] == ["type", "source"]
    assert data["type"] == "location" and data["source"] == 2269001
    assert data["latitude"] == 39.9 and data["speed_kmh"] is None
    assert data["at"] == "2025-01-01T00:00:00+00:00"
    text = json.loads(ev.TextMessageReceived(source=1, destination=2, text="收到", pid=0x82,
                                             coding=26).to_json())
    assert text["text"] == "收到"
    change = json.loads(ev.OutboxStateChanged(
        message_id="m", kind=MessageKind.TEXT, destination=5, state=S, previous_state=A,
        references=(1, None)).to_json())
    assert change["state"] == "sent" and change["references"] == [1, None]
    assert "source" not in change


def test_every_event_type_is_frozen_and_named() -> None:
    names = {cls.event_type for cls in ev.EVENT_TYPES}
    assert len(names) == len(ev.EVENT_TYPES)
    e = ev.TxCeased(cc_instance=1)
    with pytest.raises(AttributeError):
        e.cc_instance = 2  # type: ignore[misc]
