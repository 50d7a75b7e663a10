"""City and districts (escalate, hand over, acknowledge, re-alert), intake, duplicates, timers,
ETA calibration from stored positions, and the audit log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.dispatch import audit, escalation, intake, lifecycle, timers
from app.dispatch.duplicates import find_duplicates
from app.dispatch.recommend import DEFAULT_SPEEDS_KMH, calibrate_from_history
from app.dispatch.refusals import Refusal, RefusalCode
from app.services.incidents import Actor
from models import Incident, Jurisdiction, PositionFix
from models.dispatch import Escalation, EscalationKind
from models.enums import (
    IncidentCategory,
    IncidentPriority,
    IncidentSource,
    IncidentStatus,
    PositionSource,
    UnitStatus,
)

pytestmark = pytest.mark.integration

CITY = Jurisdiction()
CHAOYANG = Jurisdiction.parse("110105")
HAIDIAN = Jurisdiction.parse("110108")
T0 = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)
FIVE_MIN = dt.timedelta(minutes=5)


def test_escalation_opens_other_districts_and_realerts_until_acknowledged(
        session: Session, actor: Actor, world: Any) -> None:
    world.ready("110105")
    haidian_unit = world.ready("110108")[0]
    incident = world.incident()
    city_actor = Actor("市调度", "console-city")
    # before escalating, the city may not send a Haidian unit to Chaoyang
    assert isinstance(lifecycle.assign(session, city_actor, CITY, incident.id, haidian_unit.id),
                      Refusal)
    row = escalation.escalate(session, actor, CHAOYANG, incident.id, reason="警力不足", now=T0)
    assert not isinstance(row, Refusal)
    assert (row.kind, row.from_scope, row.to_scope) == (EscalationKind.ESCALATE, "110105", "city")
    assert incident.escalated and incident.status is IncidentStatus.ESCALATED
    twice = escalation.escalate(session, actor, CHAOYANG, incident.id)
    assert isinstance(twice, Refusal) and twice.code is RefusalCode.ALREADY_ESCALATED
    assert isinstance(escalation.escalate(session, actor, CITY, incident.id), Refusal)

    # the city is alerted at once, then again each 5 minutes while nobody acknowledges
    assert [r.id for r in escalation.due_realerts(session, CITY, T0, FIVE_MIN)] == [row.id]
    assert escalation.due_realerts(session, CHAOYANG, T0, FIVE_MIN) == []
    escalation.mark_realerted(session, [row.id], T0)
    assert escalation.due_realerts(session, CITY, T0 + dt.timedelta(minutes=4), FIVE_MIN) == []
    due = escalation.due_realerts(session, CITY, T0 + FIVE_MIN, FIVE_MIN)
    assert [(r.id, r.alert_count) for r in due] == [(row.id, 1)]

    # a district cannot acknowledge for the city; the city dispatches any unit, which
    # acknowledges the escalation
    assert isinstance(escalation.acknowledge_escalation(session, actor, CHAOYANG, row.id),
                      Refusal)
    done = lifecycle.assign(session, city_actor, CITY, incident.id, haidian_unit.id)
    assert not isinstance(done, Refusal)
    esc = session.get(Escalation, row.id)
    assert esc is not None and esc.acknowledged_by == "市调度"
    assert escalation.due_realerts(session, CITY, T0 + dt.timedelta(hours=1), FIVE_MIN) == []
    again = escalation.acknowledge_escalation(session, city_actor, CITY, row.id)
    assert isinstance(again, Refusal) and again.code is RefusalCode.ALREADY_ACKNOWLEDGED


def test_acknowledging_puts_an_escalated_incident_back_in_the_city_queue(
        session: Session, actor: Actor, world: Any) -> None:
    incident = world.incident()
    row = escalation.escalate(session, actor, CHAOYANG, incident.id, reason="跨区")
    assert not isinstance(row, Refusal)
    assert [r.id for r in escalation.open_escalations(session, CITY)] == [row.id]
    acked = escalation.acknowledge_escalation(session, Actor("市调度", "c"), CITY, row.id)
    assert not isinstance(acked, Refusal) and acked.acknowledged_by == "市调度"
    assert incident.status is IncidentStatus.NEW and incident.escalated
    assert escalation.open_escalations(session, CITY) == []


def test_hand_over_moves_the_incident_and_needs_the_receiver_to_acknowledge(
        session: Session, actor: Actor, world: Any) -> None:
    unit = world.ready("110105")[0]
    incident = world.incident()
    lifecycle.assign(session, actor, CHAOYANG, incident.id, unit.id)
    busy = escalation.hand_over(session, actor, CHAOYANG, incident.id, "110108")
    assert isinstance(busy, Refusal) and busy.code is RefusalCode.HAS_ACTIVE_UNITS
    lifecycle.cancel_assignment(session, actor, CHAOYANG, incident.assignments[0].id)
    bad = escalation.hand_over(session, actor, CHAOYANG, incident.id, "999999")
    assert isinstance(bad, Refusal) and bad.code is RefusalCode.INVALID_DISTRICT
    row = escalation.hand_over(session, actor, CHAOYANG, incident.id, "110108",
                               reason="场所实际位于海淀", now=T0)
    assert not isinstance(row, Refusal)
    assert incident.district_adcode == "110108" and incident.status is IncidentStatus.NEW
    # Chaoyang no longer reaches it; Haidian is alerted and acknowledges
    assert isinstance(lifecycle.assign(session, actor, CHAOYANG, incident.id, unit.id), Refusal)
    assert [r.id for r in escalation.due_realerts(session, HAIDIAN, T0, FIVE_MIN)] == [row.id]
    acked = escalation.acknowledge_escalation(session, Actor("海淀调度", "hd"), HAIDIAN, row.id)
    assert not isinstance(acked, Refusal)
    same = escalation.hand_over(session, actor, HAIDIAN, incident.id, "110108")
    assert isinstance(same, Refusal) and same.code is RefusalCode.SAME_DISTRICT


def test_intake_links_venue_and_district_and_respects_jurisdiction(
        session: Session, actor: Actor, world: Any) -> None:
    venue = world.venue("110105")
    request = intake.IntakeRequest(
        source=IncidentSource.HOTLINE_12345, category=IncidentCategory.NOISE_NUISANCE,
        priority=IncidentPriority.LOW, description="深夜噪声", caller_name="李女士",
        caller_phone="+86 138-0013-8000", venue_id=venue.id)
    result = intake.submit_intake(session, actor, CHAOYANG, request, now=T0)
    assert not isinstance(result, Refusal)
    incident = session.get(Incident, result.incident_id)
    assert incident is not None
    assert (incident.venue_id, incident.district_adcode, incident.caller_phone) == (
        venue.id, "110105", "13800138000")
    assert incident.title == f"噪声扰民（{venue.name}）"
    other = intake.submit_intake(session, actor, HAIDIAN, request, now=T0)
    assert isinstance(other, Refusal) and other.code is RefusalCode.OUTSIDE_JURISDICTION
    bad_phone = intake.submit_intake(session, actor, CITY,
                                     intake.IntakeRequest(
                                         source=IncidentSource.HOTLINE_12318,
                                         category=IncidentCategory.OTHER,
                                         priority=IncidentPriority.NORMAL,
                                         caller_phone="call me", district_adcode="110105"))
    assert isinstance(bad_phone, Refusal) and bad_phone.code is RefusalCode.INVALID_INPUT
    no_venue = intake.submit_intake(session, actor, CHAOYANG, intake.IntakeRequest(
        source=IncidentSource.PATROL, category=IncidentCategory.OTHER,
        priority=IncidentPriority.NORMAL, lat=39.93, lon=116.45))
    assert not isinstance(no_venue, Refusal) and no_venue.district_adcode == "110105"


def test_duplicate_calls_are_found_and_merged(session: Session, actor: Actor,
                                              world: Any) -> None:
    venue = world.venue("110105", 3)
    first = intake.submit_intake(session, actor, CITY, intake.IntakeRequest(
        source=IncidentSource.HOTLINE_12318, category=IncidentCategory.OVER_HOURS,
        priority=IncidentPriority.NORMAL, venue_id=venue.id), now=T0)
    assert not isinstance(first, Refusal)
    later = T0 + dt.timedelta(hours=2)
    dups = find_duplicates(session, CITY, venue_id=venue.id,
                           category=IncidentCategory.OVER_HOURS, now=later, within_hours=6)
    assert [d.number for d in dups] == [first.number]
    assert find_duplicates(session, CITY, venue_id=venue.id,
                           category=IncidentCategory.GAMBLING, now=later) == []
    assert find_duplicates(session, CITY, venue_id=venue.id,
                           category=IncidentCategory.OVER_HOURS, now=later,
                           within_hours=1) == []
    assert find_duplicates(session, HAIDIAN, venue_id=venue.id,
                           category=IncidentCategory.OVER_HOURS, now=later) == []
    second = intake.submit_intake(session, actor, CITY, intake.IntakeRequest(
        source=IncidentSource.HOTLINE_12345, category=IncidentCategory.OVER_HOURS,
        priority=IncidentPriority.HIGH, venue_id=venue.id, caller_name="张先生",
        merge_into=first.incident_id), now=later)
    assert not isinstance(second, Refusal) and second.merged_into == first.number
    merged = session.get(Incident, second.incident_id)
    survivor = session.get(Incident, first.incident_id)
    assert merged is not None and survivor is not None
    assert merged.status is IncidentStatus.MERGED and merged.merged_into_id == survivor.id
    assert survivor.priority == int(IncidentPriority.HIGH)  # the more urgent call wins
    assert "merged_from" in [e.kind for e in survivor.events]
    # merging into something closed is refused before anything is written
    lifecycle.cancel_incident(session, actor, CITY, survivor.id)
    count = session.query(Incident).count()
    refused = intake.submit_intake(session, actor, CITY, intake.IntakeRequest(
        source=IncidentSource.HOTLINE_12345, category=IncidentCategory.OVER_HOURS,
        priority=IncidentPriority.HIGH, venue_id=venue.id, merge_into=survivor.id))
    assert isinstance(refused, Refusal) and session.query(Incident).count() == count


def test_automatic_incidents_repeat_instead_of_duplicating(session: Session, actor: Actor,
                                                          world: Any) -> None:
    venue = world.venue("110101")
    a = intake.incident_from_finding(session, actor, venue_id=venue.id, summary="低俗表演",
                                     now=T0)
    b = intake.incident_from_finding(session, actor, venue_id=venue.id, summary="低俗表演",
                                     now=T0 + dt.timedelta(minutes=10))
    assert not isinstance(a, Refusal) and not isinstance(b, Refusal)
    assert a.created and not b.created and a.number == b.number
    unit = world.ready("110105")[0]
    g = intake.incident_from_geofence(session, actor, unit_id=unit.id, fence_name="朝阳区界",
                                      transition="驶出", lat=39.9, lon=116.6, now=T0)
    assert not isinstance(g, Refusal) and g.created
    incident = session.get(Incident, g.incident_id)
    assert incident is not None and incident.source is IncidentSource.GEOFENCE
    assert isinstance(intake.incident_from_finding(session, actor, venue_id=999_999,
                                                   summary="x"), Refusal)


def test_timer_inputs_follow_dispatch_and_arrival(session: Session, actor: Actor,
                                                  world: Any) -> None:
    unit = world.ready("110105")[0]
    incident = world.incident()
    lifecycle.assign(session, actor, CITY, incident.id, unit.id, now=T0 + FIVE_MIN)
    lifecycle.change_unit_status(session, actor, unit.id, UnitStatus.ON_SCENE,
                                 now=T0 + 4 * FIVE_MIN)
    session.commit()
    inputs = {i.id: i for i in timers.load_timer_inputs(session, CHAOYANG)}
    mine = inputs[incident.id]
    assert (mine.dispatched_at, mine.on_scene_at) == (T0 + FIVE_MIN, T0 + 4 * FIVE_MIN)
    reading = timers.timer_reading(mine, T0 + 5 * FIVE_MIN)
    assert reading.phase is timers.TimerPhase.ON_SCENE
    assert all(session.get(Incident, i).district_adcode == "110105"  # type: ignore[union-attr]
               for i in inputs)


def test_eta_model_is_calibrated_from_stored_positions(session: Session, world: Any) -> None:
    unit = world.ready("110105")[0]
    # a unit zig-zagging east at 30 km/h along its path: two legs per kilometre of progress
    start = T0 - dt.timedelta(hours=2)
    lat, lon = 39.9, 116.4
    fixes = []
    for k in range(240):  # 30 s apart, 2 hours
        leg = k % 4
        dlat = {0: 0.0012, 1: 0.0, 2: -0.0012, 3: 0.0}[leg]
        dlon = {0: 0.0, 1: 0.0016, 2: 0.0, 3: 0.0016}[leg]
        lat, lon = lat + dlat, lon + dlon
        fixes.append(PositionFix(source=PositionSource.JT808, device_id="x", unit_id=unit.id,
                                 ts=start + dt.timedelta(seconds=30 * k), lat=lat, lon=lon))
    session.add_all(fixes)
    session.commit()
    model = calibrate_from_history(session, now=T0)
    assert model.calibrated
    # legs of 133 m north/south and 136 m east: path ≈ 2 × straight east progress…
    # legs of 133 m north/south and 136 m east: the path is about twice the progress…
    assert 1.85 < model.detour_factor < 2.1
    # …at 16 km/h along the path in Beijing's 08:00 and 09:00 (00:00–02:00 UTC)
    assert model.speeds_kmh[8] == model.speeds_kmh[9] == pytest.approx(16.2, abs=0.3)
    # hours without data follow the default profile, scaled to this (slow) fleet
    scale = 16.2 / ((DEFAULT_SPEEDS_KMH[8] + DEFAULT_SPEEDS_KMH[9]) / 2)
    assert model.speeds_kmh[3] == pytest.approx(DEFAULT_SPEEDS_KMH[3] * scale, rel=0.03)


def test_audit_log_filters_and_exports(session: Session, actor: Actor, world: Any,
                                       tmp_path: Path) -> None:
    unit = world.ready("110105")[0]
    incident = world.incident()
    lifecycle.assign(session, actor, CITY, incident.id, unit.id)
    lifecycle.change_unit_status(session, Actor("=cmd|' /C calc'!A0", "c2"), unit.id,
                                 UnitStatus.EN_ROUTE)
    session.commit()
    rows = audit.load_audit(session, audit.AuditFilter(action="incident."))
    assert rows and all(r.action.startswith("incident.") for r in rows)
    mine = audit.load_audit(session, audit.AuditFilter(actor=actor.name,
                                                       text=incident.number))
    assert {r.action for r in mine} >= {"incident.create", "incident.assign"}
    assert all(r.actor == actor.name for r in mine)
    assert audit.load_audit(session, audit.AuditFilter(text="100%_no_such")) == []
    assert "unit.status" in audit.audit_actions(session)
    everything = audit.load_audit(session, audit.AuditFilter(since=T0 - dt.timedelta(days=3)))
    path = tmp_path / "audit.csv"
    assert audit.export_audit_csv(everything, path) == len(everything)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets on Chinese Windows read UTF-8
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("时间（北京时间）")
    assert "'=cmd" in text and ",=cmd" not in text  # a formula stays text
    assert not list(tmp_path.glob("*.part"))
    assert session.scalars(select(Incident).where(Incident.id == incident.id)).one()
