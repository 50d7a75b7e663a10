"""Double-random draws on the demo world: stored, queued as tasks, verifiable later."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.dispatch import draw
from app.dispatch.refusals import Refusal, RefusalCode
from app.services.incidents import Actor
from models import AuditEvent, Incident, Jurisdiction, Officer, Venue
from models.dispatch import InspectionDraw, InspectionTask
from models.enums import CreditGrade, IncidentCategory, IncidentSource, IncidentStatus

pytestmark = pytest.mark.integration

CITY = Jurisdiction()
T0 = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)


def test_a_draw_becomes_tasks_and_is_reproduced_from_its_seed(session: Session,
                                                              actor: Actor) -> None:
    params = draw.DrawParams(scope="110105", venue_count=6)
    outcome = draw.perform_draw(session, actor, CITY, params, seed="demo-2026", now=T0)
    assert not isinstance(outcome, Refusal)
    session.commit()
    record = outcome.record
    assert record.number == "SJ20261127-01" and record.seed == "demo-2026"
    assert draw.verify_draw(record)

    # the same seed over the same candidates gives the same venues and teams
    again = draw.run_draw("demo-2026", params, record.venue_candidates(),
                          record.inspector_candidates())
    assert again == record.result
    assert [t.venue_id for t in outcome.tasks] == list(record.result.venues)

    # every drawn venue is an inspection task in the queue with its two inspectors
    tasks = session.scalars(select(InspectionTask).order_by(InspectionTask.seq)).all()
    assert [t.venue_id for t in tasks] == list(record.result.venues)
    for task, team in zip(tasks, record.result.teams, strict=True):
        assert [i.officer_id for i in task.inspectors] == list(team)
        incident = session.get(Incident, task.incident_id)
        assert incident is not None
        assert (incident.source, incident.category, incident.status) == (
            IncidentSource.INSPECTION, IncidentCategory.INSPECTION, IncidentStatus.NEW)
        assert incident.district_adcode == "110105" and record.number in incident.description
        officers = [session.get(Officer, i) for i in team]
        assert len({o.unit_id for o in officers if o is not None}) == len(team)
        assert all(o is not None and o.district_adcode == "110105" for o in officers)
    audit = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "inspection.draw")).one()
    assert json.loads(audit.detail)["result_sha256"] == record.result_sha256


def test_a_stored_draw_still_verifies_after_venues_change(session: Session,
                                                          actor: Actor) -> None:
    outcome = draw.perform_draw(session, actor, CITY, draw.DrawParams(venue_count=10),
                                seed="s1", now=T0)
    assert not isinstance(outcome, Refusal)
    session.commit()
    for venue in session.scalars(select(Venue).limit(50)):
        venue.grade = CreditGrade.D
        venue.name += "（已更名）"
    session.add(Venue(name="新开业场所", licence_no="京网〔2026〕999号", venue_type="internet_cafe",
                      venue_class="regular", address="北京市朝阳区", lat=39.9, lon=116.4,
                      district_adcode="110105", grade=CreditGrade.D))
    session.commit()
    stored = draw.load_draw(session, CITY, outcome.record.id)
    assert not isinstance(stored, Refusal)
    assert stored.record == outcome.record
    assert draw.verify_draw(stored.record)
    assert [t.venue_name for t in stored.tasks] == [t.venue_name for t in outcome.tasks]
    # tampering with the stored candidates is found
    row = session.get(InspectionDraw, outcome.record.id)
    assert row is not None
    pool = json.loads(row.venue_candidates_json)
    pool["venues"][0]["weight"] += 1
    row.venue_candidates_json = draw.canonical_json(pool)
    session.commit()
    tampered = draw.load_draw(session, CITY, row.id)
    assert not isinstance(tampered, Refusal) and not draw.verify_draw(tampered.record)


def test_recently_inspected_venues_and_inspectors_are_excluded(session: Session,
                                                               actor: Actor) -> None:
    params = draw.DrawParams(scope="110101", venue_count=8, max_tasks_per_inspector=3)
    first = draw.perform_draw(session, actor, CITY, params, seed="a", now=T0)
    assert not isinstance(first, Refusal)
    later = T0 + dt.timedelta(days=7)
    second = draw.perform_draw(session, actor, CITY, params, seed="b", now=later)
    assert not isinstance(second, Refusal)
    assert not set(first.record.result.venues) & set(second.record.result.venues)
    excluded = {e["id"]: e["reason"] for e in second.record.excluded()}
    drawn_first = first.record.result.venues
    assert {v: excluded[v] for v in drawn_first} == dict.fromkeys(drawn_first,
                                                                  "recently_inspected")
    # each inspector of the first draw now avoids the venue they inspected
    avoid = {c.id: set(c.avoid_venues) for c in second.record.inspector_candidates()}
    for venue, team in zip(first.record.result.venues, first.record.result.teams, strict=True):
        assert all(venue in avoid[oid] for oid in team)
    assert second.record.number == "SJ20261204-01"
    history = draw.load_draws(session, CITY)
    assert [d.number for d in history] == ["SJ20261204-01", "SJ20261127-01"]


def test_draw_refusals(session: Session, actor: Actor) -> None:
    chaoyang = Jurisdiction.parse("110105")
    other = draw.perform_draw(session, actor, chaoyang, draw.DrawParams(scope="110108"))
    assert isinstance(other, Refusal) and other.code is RefusalCode.OUTSIDE_JURISDICTION
    too_many = draw.perform_draw(session, actor, CITY,
                                 draw.DrawParams(scope="110119", venue_count=50))
    assert isinstance(too_many, Refusal) and too_many.code is RefusalCode.NOT_ENOUGH_VENUES
    assert dict(too_many.params) == {"available": "4", "wanted": "50"}
    # 延庆 has one unit: no team of two from different units
    no_team = draw.perform_draw(session, actor, CITY,
                                draw.DrawParams(scope="110119", venue_count=1))
    assert isinstance(no_team, Refusal) and no_team.code is RefusalCode.NOT_ENOUGH_INSPECTORS
    bad_seed = draw.perform_draw(session, actor, CITY, draw.DrawParams(), seed="a b")
    assert isinstance(bad_seed, Refusal) and bad_seed.code is RefusalCode.INVALID_INPUT
    assert session.scalars(select(InspectionDraw)).all() == []
    hidden = draw.load_draws(session, Jurisdiction.parse("110108"))
    assert hidden == []


def test_grade_weights_shape_the_pool(session: Session, actor: Actor, world: Any) -> None:
    params = draw.DrawParams(scope="110105", venue_count=3,
                             grade_weights={"A": 0, "B": 0, "C": 0, "D": 7})
    outcome = draw.perform_draw(session, actor, CITY, params, seed="only-d", now=T0)
    assert not isinstance(outcome, Refusal)
    assert {t.grade for t in outcome.tasks} == {"D"} and {t.weight for t in outcome.tasks} == {7}
    reasons = {e["reason"] for e in outcome.record.excluded()}
    assert reasons == {"grade_weight_zero"}
    assert outcome.pool_weight == 7 * outcome.pool_size
