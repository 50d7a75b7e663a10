"""Assignment, the unit lifecycle from radio and dispatcher, reassign, cancel, close."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.dispatch import lifecycle, records
from app.dispatch.recommend import Exclusion, recommend
from app.dispatch.refusals import Refusal, RefusalCode
from app.services.incidents import Actor
from models import (
    AuditEvent,
    Incident,
    IncidentEvent,
    Jurisdiction,
    RadioMessage,
    RadioTerminal,
    Unit,
    UnitStatusChange,
)
from models.dispatch import IncidentOutcome
from models.enums import (
    AssignmentState,
    IncidentCategory,
    IncidentSource,
    IncidentStatus,
    RadioDirection,
    RadioMessageState,
    UnitStatus,
)

pytestmark = pytest.mark.integration

CITY = Jurisdiction()
CHAOYANG = "110105"
T0 = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)  # the world fixture's "now"


def issi_of(session: Session, unit: Unit) -> int:
    issi = records.unit_issi(session, unit.id)
    assert issi is not None
    return issi


def test_assign_writes_assignment_order_status_timeline_and_audit_together(
        session: Session, actor: Actor, world: Any) -> None:
    units = world.ready(CHAOYANG)
    incident = world.incident()
    result = lifecycle.assign(session, actor, CITY, incident.id, units[0].id, now=T0)
    assert not isinstance(result, Refusal)
    session.commit()

    message = session.get(RadioMessage, result.order.message_id)
    assert message is not None
    assert (message.direction, message.state) == (RadioDirection.OUTBOUND,
                                                  RadioMessageState.QUEUED)
    assert message.dest_issi == issi_of(session, units[0])
    assert incident.number in message.text and "【调度令】" in message.text
    assert units[0].call_sign in message.text
    assignment = incident.assignments[0]
    assert assignment.order_message_id == message.id
    assert assignment.state is AssignmentState.ACTIVE and assignment.assigned_by == actor.name
    assert units[0].status is UnitStatus.DISPATCHED and units[0].status_changed_at == T0
    change = session.scalars(select(UnitStatusChange).where(
        UnitStatusChange.unit_id == units[0].id).order_by(UnitStatusChange.id.desc())).first()
    assert change is not None and (change.from_status, change.to_status, change.source) == (
        UnitStatus.AVAILABLE, UnitStatus.DISPATCHED, "dispatch")
    assert incident.status is IncidentStatus.DISPATCHED
    assert [e.kind for e in incident.events] == ["created", "dispatched"]
    audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "incident.assign")).one()
    assert (audit.actor, audit.console_id, audit.target_id) == (
        actor.name, actor.console_id, incident.number)


def test_radio_statuses_walk_the_lifecycle_with_timestamps(session: Session,
                                                           actor: Actor, world: Any) -> None:
    unit = world.ready(CHAOYANG)[0]
    incident = world.incident()
    lifecycle.assign(session, actor, CITY, incident.id, unit.id, now=T0)
    issi = issi_of(session, unit)
    steps = [UnitStatus.DISPATCHED, UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE,
             UnitStatus.CLEARING, UnitStatus.AVAILABLE]
    for k, status in enumerate(steps, start=1):
        result = lifecycle.apply_radio_status(session, issi, status,
                                              now=T0 + dt.timedelta(minutes=k))
        assert not isinstance(result, Refusal), result
        assert result.to_status is status
    session.commit()
    changes = session.scalars(select(UnitStatusChange).where(
        UnitStatusChange.unit_id == unit.id, UnitStatusChange.source == "radio")
        .order_by(UnitStatusChange.at)).all()
    # "dispatched" again is the radio acknowledging the order: no status change, a timeline entry
    assert [(c.to_status, c.at) for c in changes] == [
        (s, T0 + dt.timedelta(minutes=k)) for k, s in enumerate(steps, start=1)][1:]
    kinds = [e.kind for e in incident.events]
    assert kinds == ["created", "dispatched", "order_acknowledged", "unit_en_route",
                     "unit_on_scene", "unit_clearing", "unit_released"]
    assert incident.status is IncidentStatus.IN_PROGRESS  # the dispatcher closes it
    assert incident.assignments[0].state is AssignmentState.COMPLETED
    assert incident.assignments[0].ended_at == T0 + dt.timedelta(minutes=5)


def test_invalid_radio_transition_is_refused_logged_and_not_applied(
        session: Session, actor: Actor, caplog: pytest.LogCaptureFixture, world: Any) -> None:
    unit = world.ready(CHAOYANG)[0]
    issi = issi_of(session, unit)
    before = session.scalar(select(UnitStatusChange.id).order_by(UnitStatusChange.id.desc()))
    with caplog.at_level(logging.WARNING, logger="app.dispatch"):
        result = lifecycle.apply_radio_status(session, issi, UnitStatus.CLEARING, now=T0)
    assert isinstance(result, Refusal) and result.code is RefusalCode.INVALID_TRANSITION
    assert dict(result.params) == {"call_sign": unit.call_sign, "from_status": "available",
                                   "to_status": "clearing"}
    assert unit.status is UnitStatus.AVAILABLE
    session.flush()
    assert session.scalar(select(UnitStatusChange.id)
                          .order_by(UnitStatusChange.id.desc())) == before
    assert any("refused" in r.getMessage() and str(issi) in r.getMessage()
               for r in caplog.records)


def test_unknown_radio_and_stray_dispatched_are_refused(session: Session, world: Any) -> None:
    assert isinstance(lifecycle.apply_radio_status(session, 9_999_999, UnitStatus.EN_ROUTE),
                      Refusal)
    unit = world.ready(CHAOYANG)[0]
    stray = lifecycle.apply_radio_status(session, issi_of(session, unit), UnitStatus.DISPATCHED)
    assert isinstance(stray, Refusal) and stray.code is RefusalCode.NO_ASSIGNMENT


def test_busy_units_and_other_districts_are_refused_with_a_reason(session: Session,
                                                                  actor: Actor, world: Any) -> None:
    units = world.ready(CHAOYANG)
    haidian = world.ready("110108")[0]
    incident = world.incident()
    units[1].status = UnitStatus.ON_SCENE
    busy = lifecycle.assign(session, actor, CITY, incident.id, units[1].id)
    assert isinstance(busy, Refusal) and busy.code is RefusalCode.UNIT_NOT_AVAILABLE
    other = lifecycle.assign(session, actor, CITY, incident.id, haidian.id)
    assert isinstance(other, Refusal)
    assert other.code is RefusalCode.UNIT_OUTSIDE_INCIDENT_DISTRICT
    district_console = lifecycle.assign(session, actor, Jurisdiction.parse("110108"),
                                        incident.id, haidian.id)
    assert isinstance(district_console, Refusal)
    assert district_console.code is RefusalCode.OUTSIDE_JURISDICTION
    assert incident.assignments == [] and haidian.status is UnitStatus.AVAILABLE
    ok = lifecycle.assign(session, actor, CITY, incident.id, units[0].id)
    assert not isinstance(ok, Refusal)
    again = lifecycle.assign(session, actor, CITY, incident.id, units[0].id)
    assert isinstance(again, Refusal) and again.code is RefusalCode.ALREADY_ASSIGNED


def test_city_console_sends_a_city_corps_unit_to_a_district_incident(
        session: Session, actor: Actor, world: Any) -> None:
    """Issue 17/9: idle city-corps units may serve a district; a district console has none."""
    corps = world.ready(None)[0]
    incident = world.incident()
    district = lifecycle.assign(session, actor, Jurisdiction.parse(CHAOYANG), incident.id,
                                corps.id)
    assert isinstance(district, Refusal) and district.code is RefusalCode.OUTSIDE_JURISDICTION
    ok = lifecycle.assign(session, actor, CITY, incident.id, corps.id)
    assert not isinstance(ok, Refusal) and corps.status is UnitStatus.DISPATCHED


def test_clearing_unit_takes_a_new_job_and_finishes_its_last(session: Session,
                                                             actor: Actor, world: Any) -> None:
    unit = world.ready(CHAOYANG)[0]
    first = world.incident()
    second = world.incident(category=IncidentCategory.GAMBLING)
    lifecycle.assign(session, actor, CITY, first.id, unit.id, now=T0)
    for status in (UnitStatus.ON_SCENE, UnitStatus.CLEARING):
        lifecycle.change_unit_status(session, actor, unit.id, status, now=T0)
    result = lifecycle.assign(session, actor, CITY, second.id, unit.id, now=T0)
    assert not isinstance(result, Refusal)
    assert first.assignments[0].state is AssignmentState.COMPLETED
    assert records.active_assignment(session, unit.id).incident_id == second.id  # type: ignore[union-attr]


def test_reassign_recalls_the_old_unit_and_orders_the_new(session: Session,
                                                          actor: Actor, world: Any) -> None:
    a, b = world.ready(CHAOYANG)[:2]
    incident = world.incident()
    lifecycle.assign(session, actor, CITY, incident.id, a.id, now=T0)
    result = lifecycle.reassign(session, actor, CITY, incident.id, a.id, b.id,
                                reason="距离更近", now=T0 + dt.timedelta(minutes=2))
    assert not isinstance(result, Refusal)
    session.commit()
    recall = session.get(RadioMessage, result.recall.message_id)
    assert recall is not None and recall.dest_issi == issi_of(session, a)
    assert "任务已撤销" in recall.text and "距离更近" in recall.text
    assert a.status is UnitStatus.AVAILABLE and b.status is UnitStatus.DISPATCHED
    states = sorted((x.unit_id, x.state) for x in incident.assignments)
    assert states == sorted([(a.id, AssignmentState.REASSIGNED), (b.id, AssignmentState.ACTIVE)])
    assert "reassigned" in [e.kind for e in incident.events]


def test_cancel_assignment_puts_the_incident_back_in_the_queue(session: Session,
                                                               actor: Actor, world: Any) -> None:
    unit = world.ready(CHAOYANG)[0]
    incident = world.incident()
    result = lifecycle.assign(session, actor, CITY, incident.id, unit.id, now=T0)
    assert not isinstance(result, Refusal)
    change = lifecycle.cancel_assignment(session, actor, CITY, result.assignment_id,
                                         reason="来电人撤回")
    assert not isinstance(change, Refusal)
    assert change.status is IncidentStatus.NEW and unit.status is UnitStatus.AVAILABLE
    assert len(change.recalls) == 1 and change.recalls[0].message_id is not None
    twice = lifecycle.cancel_assignment(session, actor, CITY, result.assignment_id)
    assert isinstance(twice, Refusal) and twice.code is RefusalCode.ASSIGNMENT_NOT_ACTIVE


def test_close_with_outcome_releases_units_and_refuses_a_second_close(
        session: Session, actor: Actor, world: Any) -> None:
    a, b = world.ready(CHAOYANG)[:2]
    incident = world.incident()
    lifecycle.assign(session, actor, CITY, incident.id, a.id, now=T0)
    lifecycle.assign(session, actor, CITY, incident.id, b.id, now=T0)
    lifecycle.change_unit_status(session, actor, a.id, UnitStatus.ON_SCENE, now=T0)
    change = lifecycle.close_incident(session, actor, CITY, incident.id,
                                      IncidentOutcome.CORRECTED_ON_SITE, note="已当场整改")
    assert not isinstance(change, Refusal)
    assert incident.status is IncidentStatus.CLOSED and incident.outcome == "corrected_on_site"
    assert incident.closed_at is not None
    assert a.status is UnitStatus.AVAILABLE and b.status is UnitStatus.AVAILABLE
    # only the unit still on its way is told by radio
    assert [r.call_sign for r in change.recalls] == [b.call_sign]
    again = lifecycle.close_incident(session, actor, CITY, incident.id,
                                     IncidentOutcome.NO_VIOLATION)
    assert isinstance(again, Refusal) and again.code is RefusalCode.INCIDENT_NOT_OPEN


def test_cancel_incident_recalls_its_units(session: Session, actor: Actor, world: Any) -> None:
    unit = world.ready(CHAOYANG)[0]
    incident = world.incident()
    lifecycle.assign(session, actor, CITY, incident.id, unit.id, now=T0)
    change = lifecycle.cancel_incident(session, actor, CITY, incident.id, reason="重复录入")
    assert not isinstance(change, Refusal)
    assert change.status is IncidentStatus.CANCELLED and len(change.recalls) == 1
    assert incident.assignments[0].state is AssignmentState.CANCELLED


def test_manual_dispatched_without_incident_and_unknown_unit_are_refused(
        session: Session, actor: Actor, world: Any) -> None:
    unit = world.ready(CHAOYANG)[0]
    refused = lifecycle.change_unit_status(session, actor, unit.id, UnitStatus.DISPATCHED)
    assert isinstance(refused, Refusal) and refused.code is RefusalCode.NO_ASSIGNMENT
    missing = lifecycle.change_unit_status(session, actor, 99_999, UnitStatus.AVAILABLE)
    assert isinstance(missing, Refusal) and missing.code is RefusalCode.UNIT_NOT_FOUND
    other = lifecycle.change_unit_status(session, actor, unit.id, UnitStatus.OFF_DUTY,
                                         jurisdiction=Jurisdiction.parse("110108"))
    assert isinstance(other, Refusal) and other.code is RefusalCode.OUTSIDE_JURISDICTION
    same = lifecycle.change_unit_status(session, actor, unit.id, UnitStatus.AVAILABLE)
    assert not isinstance(same, Refusal) and not same.changed


def test_emergency_raises_one_urgent_incident_at_the_unit(session: Session, actor: Actor,
                                                           world: Any) -> None:
    unit = world.ready(CHAOYANG)[0]
    issi = issi_of(session, unit)
    # from the radio, the radio service raises the incident (with the alarm): status only
    radio = lifecycle.apply_radio_status(session, issi, UnitStatus.EMERGENCY, now=T0)
    assert not isinstance(radio, Refusal) and radio.to_status is UnitStatus.EMERGENCY
    assert radio.emergency_incident == ""
    lifecycle.apply_radio_status(session, issi, UnitStatus.AVAILABLE, now=T0)
    # set by the dispatcher (a phone call from the crew): the incident is raised here
    result = lifecycle.change_unit_status(session, actor, unit.id, UnitStatus.EMERGENCY, now=T0)
    assert not isinstance(result, Refusal) and result.emergency_incident
    incident = session.scalars(select(Incident).where(
        Incident.number == result.emergency_incident)).one()
    assert (incident.source, incident.category, incident.priority) == (
        IncidentSource.RADIO_EMERGENCY, IncidentCategory.OFFICER_EMERGENCY, 1)
    assert (incident.district_adcode, incident.lat, incident.lon) == (
        CHAOYANG, unit.last_lat, unit.last_lon)
    assert unit.call_sign in incident.title
    # the emergency ends, then is signalled again within minutes: the same incident repeats
    lifecycle.change_unit_status(session, actor, unit.id, UnitStatus.AVAILABLE, now=T0)
    again = lifecycle.apply_radio_status(session, issi, UnitStatus.EMERGENCY,
                                         now=T0 + dt.timedelta(minutes=1),
                                         raise_emergency_incident=True)
    assert not isinstance(again, Refusal) and again.emergency_incident == incident.number
    assert "repeated" in [e.kind for e in session.scalars(
        select(IncidentEvent).where(IncidentEvent.incident_id == incident.id))]


def test_vehicle_radio_is_preferred_for_orders(session: Session, actor: Actor, world: Any) -> None:
    unit = world.ready(CHAOYANG)[0]
    session.add(RadioTerminal(issi=2_999_001, label="车载台", unit_id=unit.id))
    session.flush()
    incident = world.incident()
    result = lifecycle.assign(session, actor, CITY, incident.id, unit.id)
    assert not isinstance(result, Refusal) and result.order.dest_issi == 2_999_001


def test_recommendation_follows_jurisdiction_and_escalation(session: Session,
                                                            actor: Actor, world: Any) -> None:
    chaoyang = world.ready(CHAOYANG)
    world.ready("110108")
    incident = world.incident()
    chaoyang[0].status = UnitStatus.EN_ROUTE
    rs = recommend(session, incident.id, CITY, now=T0)
    assert not isinstance(rs, Refusal)
    # the city console offers the district's free units and the city corps (issue 17/9)
    city_corps = {u.call_sign for u in session.scalars(
        select(Unit).where(Unit.district_adcode.is_(None),
                           Unit.status.in_((UnitStatus.AVAILABLE, UnitStatus.CLEARING))))}
    assert city_corps
    assert {r.call_sign for r in rs.rows} == {u.call_sign for u in chaoyang[1:]} | city_corps
    assert [r.rank for r in rs.rows] == list(range(1, len(rs.rows) + 1))
    # the rest of the console's units are listed as not offered, each with why
    excluded = {r.call_sign: r.excluded for r in rs.excluded}
    assert excluded[chaoyang[0].call_sign] is Exclusion.STATUS
    assert any(r.district_adcode == "110108" and r.excluded is Exclusion.OTHER_DISTRICT
               for r in rs.excluded)
    assert not ({r.call_sign for r in rs.rows} & set(excluded))
    incident.escalated = True
    wide = recommend(session, incident.id, CITY, now=T0)
    assert not isinstance(wide, Refusal)
    assert any(r.district_adcode == "110108" and r.other_district for r in wide.rows)
    assert all(r.call_sign != chaoyang[0].call_sign for r in wide.rows)
    district = recommend(session, incident.id, Jurisdiction.parse(CHAOYANG), now=T0)
    assert not isinstance(district, Refusal)
    # a district console never sees (nor offers) the city corps or other districts
    assert {r.district_adcode for r in district.rows} == {CHAOYANG}
    assert {r.district_adcode for r in district.excluded} <= {CHAOYANG}
    hidden = recommend(session, incident.id, Jurisdiction.parse("110108"), now=T0)
    assert isinstance(hidden, Refusal) and hidden.code is RefusalCode.OUTSIDE_JURISDICTION
