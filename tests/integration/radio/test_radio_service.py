"""The console's radio wiring against the simulated gateway radio on a real pty."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.db_writer import DbWriter
from app.radio.service import CallActivity, EmergencyNotice, RadioService
from app.services.incidents import Actor
from app.services.positions import PositionIngest, load_directory
from models import Incident, PositionFix, RadioMessage, RadioTerminal, Unit
from models.db import make_engine, make_session_factory
from models.enums import (
    IncidentSource,
    PositionSource,
    RadioDirection,
    RadioMessageState,
    UnitStatus,
)
from radio_bridge.session import SessionConfig
from radio_bridge.simulator import RadioModel, SimulatorServer

pytestmark = pytest.mark.integration

FAST = SessionConfig(baudrate=115200, group_ssis=frozenset({9001}), busy_retry_s=0.2,
                     retry_max_s=0.5)


def _wait(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@dataclass
class Rig:
    service: RadioService
    radio: SimulatorServer
    factory: sessionmaker[Session]
    ingest: PositionIngest
    links: list[str] = field(default_factory=list)
    emergencies: list[EmergencyNotice] = field(default_factory=list)
    calls: list[CallActivity] = field(default_factory=list)


@pytest.fixture
def rig(seeded_db_url: str, tmp_path: Path) -> Iterator[Rig]:
    if not hasattr(os, "openpty"):
        pytest.skip("needs a POSIX pty")
    model = RadioModel(seed=3, fleet=100, activity_interval=0.0, air_delay=0.02,
                       report_delay=0.05, talk_time=(0.05, 0.1), hang_time=0.2)
    radio = SimulatorServer(model, link=tmp_path / "tetra")
    radio.open_pty()
    radio.start()
    engine = make_engine(seeded_db_url)
    factory = make_session_factory(engine)
    writer = DbWriter(factory)
    writer.start()
    ingest = PositionIngest(writer, load_directory(factory), interval_s=0.1)
    ingest.start()
    links: list[str] = []
    emergencies: list[EmergencyNotice] = []
    calls: list[CallActivity] = []
    service = RadioService(str(tmp_path / "tetra"), factory, writer, ingest,
                           Actor("test", "console-r"), config=FAST,
                           on_link=lambda s, _d: links.append(s),
                           on_emergency=emergencies.append, on_call=calls.append)
    service.start()
    rig = Rig(service, radio, factory, ingest, links, emergencies, calls)
    assert _wait(lambda: "up" in links), f"radio link never came up: {links}"
    yield rig
    service.stop()
    ingest.stop()
    writer.stop()
    radio.stop()
    engine.dispose()


def _unit_radio(factory: sessionmaker[Session], call_sign: str) -> tuple[int, int]:
    with factory() as s:
        unit_id, issi = s.execute(
            select(Unit.id, RadioTerminal.issi)
            .join(RadioTerminal, RadioTerminal.unit_id == Unit.id)
            .where(Unit.call_sign == call_sign).limit(1)).one()
    return unit_id, issi


def _assignable_pair(factory: sessionmaker[Session]) -> tuple[int, int]:
    """A new incident and an available unit of its own district."""
    from models import Incident as IncidentModel
    from models.enums import IncidentStatus

    with factory() as s:
        for incident_id, district in s.execute(
                select(IncidentModel.id, IncidentModel.district_adcode)
                .where(IncidentModel.status == IncidentStatus.NEW)).all():
            unit_id = s.scalar(select(Unit.id).where(Unit.district_adcode == district,
                                                     Unit.status == UnitStatus.AVAILABLE))
            if unit_id is not None:
                return incident_id, unit_id
    raise AssertionError("the demo world has no new incident with an available unit")


def test_a_text_is_stored_first_and_confirmed_delivered(rig: Rig) -> None:
    _, issi = _unit_radio(rig.factory, "朝阳01")
    message_id = rig.service.send_text(issi, "请立即前往场所核查").result(10)

    def state() -> RadioMessageState | None:
        with rig.factory() as s:
            return s.scalar(select(RadioMessage.state)
                            .where(RadioMessage.outbox_key == message_id))

    assert _wait(lambda: state() is RadioMessageState.DELIVERED), state()
    with rig.factory() as s:
        row = s.scalars(select(RadioMessage).where(RadioMessage.outbox_key == message_id)).one()
    assert row.dest_issi == issi and row.text == "请立即前往场所核查"
    assert row.created_at <= row.accepted_at <= row.sent_at <= row.delivered_at
    assert row.message_ref is not None and row.record
    assert rig.radio.stats()["distinct"] == 1


def test_a_dispatch_order_queued_in_the_database_goes_out(rig: Rig) -> None:
    _, issi = _unit_radio(rig.factory, "海淀01")
    with rig.factory() as s:
        row = RadioMessage(direction=RadioDirection.OUTBOUND, kind="text", dest_issi=issi,
                           text="派单：20261127-0001", state=RadioMessageState.QUEUED)
        s.add(row)
        s.commit()
        row_id = row.id

    def delivered() -> bool:
        with rig.factory() as s:
            got = s.get(RadioMessage, row_id)
            return got is not None and got.state is RadioMessageState.DELIVERED

    assert _wait(delivered, 15)
    with rig.factory() as s:
        assert len(s.scalars(select(RadioMessage)
                             .where(RadioMessage.text == "派单：20261127-0001")).all()) == 1


def test_status_moves_the_unit_and_an_invalid_one_is_refused(rig: Rig) -> None:
    unit_id, issi = _unit_radio(rig.factory, "朝阳01")
    with rig.factory() as s:
        unit = s.get(Unit, unit_id)
        assert unit is not None
        unit.status = UnitStatus.DISPATCHED
        s.commit()
    rig.radio.call(lambda model, now: model.emit_status(issi, 0x8003, now))  # en route

    def status() -> UnitStatus | None:
        with rig.factory() as s:
            return s.scalar(select(Unit.status).where(Unit.id == unit_id))

    assert _wait(lambda: status() is UnitStatus.EN_ROUTE)
    rig.radio.call(lambda model, now: model.emit_status(issi, 0x8005, now))  # clearing: refused
    rig.radio.call(lambda model, now: model.emit_status(issi, 0x8004, now))  # on scene
    assert _wait(lambda: status() is UnitStatus.ON_SCENE)
    with rig.factory() as s:
        logged = s.scalars(select(RadioMessage.status_code)
                           .where(RadioMessage.direction == RadioDirection.INBOUND)).all()
    assert {0x8003, 0x8004, 0x8005} <= set(logged)  # all three are in the SDS log


def test_lip_positions_move_the_officer_and_an_emergency_raises_an_incident(rig: Rig) -> None:
    unit_id, issi = _unit_radio(rig.factory, "东城01")
    rig.radio.call(lambda model, now: model.emit_lip(issi, now))
    rig.radio.call(lambda model, now: model.emit_emergency(issi, now))
    assert _wait(lambda: bool(rig.emergencies))

    def lip_fixes() -> int:
        rig.ingest.flush()
        with rig.factory() as s:
            return len(s.scalars(select(PositionFix.id).where(
                PositionFix.source == PositionSource.LIP,
                PositionFix.device_id == str(issi))).all())

    assert _wait(lambda: lip_fixes() >= 2)  # the emergency's own LIP report (reason 2) too
    notice = rig.emergencies[0]
    assert notice.unit_id == unit_id and "东城01" in notice.party
    with rig.factory() as s:
        fix = s.scalars(select(PositionFix).where(PositionFix.source == PositionSource.LIP,
                                                  PositionFix.device_id == str(issi))).first()
        incident = s.scalars(select(Incident).where(
            Incident.source == IncidentSource.RADIO_EMERGENCY)).one()
        unit = s.get(Unit, unit_id)
    assert fix is not None and fix.unit_id == unit_id
    # status 0 and the LIP "emergency" report of one press are one emergency
    assert len(rig.emergencies) == 1
    assert incident.number == notice.incident_number and incident.priority == 1
    assert unit is not None and unit.status is UnitStatus.EMERGENCY


def test_group_call_shows_who_is_talking(rig: Rig) -> None:
    _, issi = _unit_radio(rig.factory, "西城01")
    done = threading.Event()
    rig.radio.call(lambda model, now: (model.emit_group_call(9001, [issi], now), done.set()))
    assert _wait(lambda: any(c.kind == "talking" and c.talker_issi == issi for c in rig.calls))
    talking = next(c for c in rig.calls if c.kind == "talking")
    assert "西城01" in talking.talker
    assert _wait(lambda: any(c.kind == "ended" for c in rig.calls))


def test_the_demo_radio_simulator_process_takes_commands(seeded_db_url: str,
                                                          tmp_path: Path) -> None:
    """The demo's path: the simulator as a child process on a pty, driven through stdin."""
    import sys

    from app.demo.simulators import SimulatorProcess

    link = tmp_path / "tetra"
    sim = SimulatorProcess(
        "radio simulator",
        lambda: ["-m", "radio_bridge.simulator", "--pty", "--link", str(link), "--fleet", "100",
                 "--seed", "1", "--quiet"],
        tmp_path / "sim.log", commands=True)
    engine = make_engine(seeded_db_url)
    factory = make_session_factory(engine)
    writer = DbWriter(factory)
    writer.start()
    emergencies: list[EmergencyNotice] = []
    links: list[str] = []
    service = RadioService(str(link), factory, writer, None, Actor("t", "c"), config=FAST,
                           on_emergency=emergencies.append, on_link=lambda s, _d: links.append(s))
    sim.start()
    try:
        assert sys.executable
        service.start()
        assert _wait(lambda: "up" in links, 20), (tmp_path / "sim.log").read_text()
        _, issi = _unit_radio(factory, "朝阳02")
        assert sim.send(f"emergency {issi}")
        assert _wait(lambda: bool(emergencies), 10)
        assert "朝阳02" in emergencies[0].party
    finally:
        service.stop()
        sim.stop()
        writer.stop()
        engine.dispose()
    assert not sim.running


def test_an_assignment_order_goes_out_over_the_radio_and_is_confirmed(rig: Rig) -> None:
    """Issue 8: assign → order SDS queued with the assignment → sent → delivered."""
    from app.dispatch.lifecycle import AssignResult, assign
    from models import Jurisdiction

    incident_id, unit_id = _assignable_pair(rig.factory)
    result = rig.service._writer.submit(  # the console's writer, as DispatchService uses it
        lambda s: assign(s, Actor("调度员", "c1"), Jurisdiction(), incident_id, unit_id)
    ).result(10)
    assert isinstance(result, AssignResult), result
    assert result.order.message_id is not None

    def state() -> RadioMessageState | None:
        with rig.factory() as s:
            return s.scalar(select(RadioMessage.state)
                            .where(RadioMessage.id == result.order.message_id))

    assert _wait(lambda: state() is RadioMessageState.DELIVERED, 15), state()
    with rig.factory() as s:
        unit = s.get(Unit, unit_id)
        message = s.get(RadioMessage, result.order.message_id)
    assert unit is not None and unit.status is UnitStatus.DISPATCHED
    assert message is not None and result.incident_number in message.text
    assert message.delivered_at is not None and message.outbox_key is not None


def test_a_crew_answers_its_order_with_en_route_then_on_scene(seeded_db_url: str,
                                                              tmp_path: Path) -> None:
    """The demo's simulated crews report back, so the dispatcher sees the status change."""
    from app.dispatch.lifecycle import AssignResult, assign
    from models import Incident as IncidentModel
    from models import Jurisdiction
    from models.enums import IncidentStatus

    model = RadioModel(seed=5, fleet=100, activity_interval=0.0, air_delay=0.02,
                       report_delay=0.05, crew_response=(0.3, 0.8))
    radio = SimulatorServer(model, link=tmp_path / "tetra")
    radio.open_pty()
    radio.start()
    engine = make_engine(seeded_db_url)
    factory = make_session_factory(engine)
    writer = DbWriter(factory)
    writer.start()
    links: list[str] = []
    service = RadioService(str(tmp_path / "tetra"), factory, writer, None, Actor("t", "c"),
                           config=FAST, on_link=lambda s, _d: links.append(s))
    service.start()
    try:
        assert _wait(lambda: "up" in links)
        incident_id, unit_id = _assignable_pair(factory)
        result = writer.submit(lambda s: assign(s, Actor("调度员", "c1"), Jurisdiction(),
                                                incident_id, unit_id)).result(10)
        assert isinstance(result, AssignResult)

        def status() -> UnitStatus | None:
            with factory() as s:
                return s.scalar(select(Unit.status).where(Unit.id == unit_id))

        assert _wait(lambda: status() is UnitStatus.ON_SCENE, 15), status()
        with factory() as s:
            incident = s.get(IncidentModel, incident_id)
            assert incident is not None and incident.status is IncidentStatus.IN_PROGRESS
    finally:
        service.stop()
        writer.stop()
        radio.stop()
        engine.dispose()


def _cancel_when_not_in_hand(rig: Rig, row_id: int) -> None:
    from radio_bridge.errors import CancelRefused

    for _ in range(200):
        try:
            rig.service.cancel(row_id).result(10)
            return
        except CancelRefused as exc:  # handed to the radio at this very moment: again
            assert "right now" in exc.reason
    raise AssertionError("never cancellable")


def test_a_queued_text_is_cancelled_audited_and_never_sent_and_a_sent_one_is_refused(
        rig: Rig) -> None:
    from app.services.directory import load_radio_log
    from models import AuditEvent
    from radio_bridge.errors import CancelRefused
    from radio_bridge.simulator import Misbehaviour

    _, issi = _unit_radio(rig.factory, "东城01")
    rig.radio.call(lambda m, _n: setattr(m, "misbehaviour", Misbehaviour(busy=1.0)))
    key = rig.service.send_text(issi, "撤回：误派").result(10)
    with rig.factory() as s:
        row_id = s.scalars(select(RadioMessage.id).where(RadioMessage.outbox_key == key)).one()
    # and a dispatch order written by dispatch, not yet (or just) taken by the radio
    with rig.factory() as s:
        order = RadioMessage(direction=RadioDirection.OUTBOUND, kind="text", dest_issi=issi,
                             text="派单：撤回", state=RadioMessageState.QUEUED)
        s.add(order)
        s.commit()
        order_id = order.id
    _cancel_when_not_in_hand(rig, row_id)
    _cancel_when_not_in_hand(rig, order_id)
    rig.radio.call(lambda m, _n: setattr(m, "misbehaviour", Misbehaviour()))
    sent_key = rig.service.send_text(issi, "照发").result(10)

    def state_of(k: str) -> RadioMessageState | None:
        with rig.factory() as s:
            return s.scalar(select(RadioMessage.state).where(RadioMessage.outbox_key == k))

    assert _wait(lambda: state_of(sent_key) is RadioMessageState.DELIVERED)
    with rig.factory() as s:
        sent_id = s.scalars(select(RadioMessage.id)
                            .where(RadioMessage.outbox_key == sent_key)).one()
        states = {r.id: r.state for r in s.scalars(
            select(RadioMessage).where(RadioMessage.id.in_([row_id, order_id])))}
        audits = s.scalars(select(AuditEvent).where(AuditEvent.action == "radio.cancel")).all()
        log = {r.id: r for r in load_radio_log(s)}
    assert states == {row_id: RadioMessageState.CANCELLED, order_id: RadioMessageState.CANCELLED}
    assert sorted(a.target_id for a in audits) == sorted([str(row_id), str(order_id)])
    assert all(a.actor == "test" for a in audits)
    assert log[row_id].state is RadioMessageState.CANCELLED
    assert log[row_id].state_at >= log[row_id].at
    assert rig.radio.stats()["distinct"] == 1  # only the text that was not cancelled
    with pytest.raises(CancelRefused, match="already delivered"):
        rig.service.cancel(sent_id).result(10)


def test_a_text_to_a_talkgroup_asks_for_no_report_and_ends_at_sent(rig: Rig) -> None:
    key = rig.service.send_text(9001, "全体注意").result(10)

    def row() -> RadioMessage | None:
        with rig.factory() as s:
            return s.scalars(select(RadioMessage).where(RadioMessage.outbox_key == key)).first()

    assert _wait(lambda: (r := row()) is not None and r.state is RadioMessageState.SENT)
    got = row()
    assert got is not None and got.to_group and got.delivered_at is None
    assert '"report_requested": false' in (got.record or "")
