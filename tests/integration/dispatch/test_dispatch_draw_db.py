"""Double-random draws on the demo world: stored, queued as tasks, verifiable later."""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import json
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.dispatch import draw
from app.dispatch.refusals import Refusal, RefusalCode
from app.services.incidents import Actor
from models import AuditEvent, Incident, Jurisdiction, Officer, Venue
from models.clock import FixedClock
from models.dispatch import DrawState, InspectionDraw, InspectionTask
from models.enums import CreditGrade, IncidentCategory, IncidentSource, IncidentStatus

pytestmark = pytest.mark.integration

CITY = Jurisdiction()
T0 = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)


def official(session: Session, actor: Actor, jurisdiction: Jurisdiction,
             params: draw.DrawParams, at: dt.datetime = T0) -> draw.DrawOutcome | Refusal:
    """An official draw as the console makes it: commit (one transaction), then run."""
    prepared = draw.prepare_draw(session, actor, jurisdiction, params, clock=FixedClock(at))
    if isinstance(prepared, Refusal):
        return prepared
    session.commit()
    return draw.complete_draw(session, actor, jurisdiction, prepared.outcome.record.id,
                              prepared.seed, clock=FixedClock(at))


def audits(session: Session, action: str) -> list[dict[str, Any]]:
    return [json.loads(a.detail) for a in session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


def test_a_draw_becomes_tasks_and_is_reproduced_from_its_seed(session: Session,
                                                              actor: Actor) -> None:
    params = draw.DrawParams(scope="110105", venue_count=6)
    outcome = official(session, actor, CITY, params)
    assert not isinstance(outcome, Refusal)
    session.commit()
    record = outcome.record
    assert record.number == "SJ20261127-01" and record.state is DrawState.DONE
    assert record.seed_committed and record.seed_sha256 == draw.seed_hash(record.seed)
    assert draw.verify_draw(record)

    # the same seed over the same candidates gives the same venues and teams
    again = draw.run_draw(record.seed, params, record.venue_candidates(),
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
    (audit,) = audits(session, "inspection.draw")
    assert audit["result_sha256"] == record.result_sha256 and audit["seed"] == record.seed
    (commit,) = audits(session, "inspection.draw_commit")
    assert commit["seed_sha256"] == record.seed_sha256 and "seed" not in commit


def test_a_stored_draw_still_verifies_after_venues_change(session: Session,
                                                          actor: Actor) -> None:
    outcome = official(session, actor, CITY, draw.DrawParams(venue_count=10))
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
    first = official(session, actor, CITY, params)
    assert not isinstance(first, Refusal)
    later = T0 + dt.timedelta(days=7)
    second = official(session, actor, CITY, params, later)
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
    other = draw.prepare_draw(session, actor, chaoyang, draw.DrawParams(scope="110108"))
    assert isinstance(other, Refusal) and other.code is RefusalCode.OUTSIDE_JURISDICTION
    too_many = draw.prepare_draw(session, actor, CITY,
                                 draw.DrawParams(scope="110119", venue_count=50))
    assert isinstance(too_many, Refusal) and too_many.code is RefusalCode.NOT_ENOUGH_VENUES
    assert dict(too_many.params) == {"available": "4", "wanted": "50"}
    # 延庆 has one unit: no team of two from different units, whatever the seed
    no_team = draw.prepare_draw(session, actor, CITY,
                                draw.DrawParams(scope="110119", venue_count=1))
    assert isinstance(no_team, Refusal) and no_team.code is RefusalCode.NOT_ENOUGH_INSPECTORS
    bad = draw.prepare_draw(session, actor, CITY, draw.DrawParams(venue_count=0))
    assert isinstance(bad, Refusal) and bad.code is RefusalCode.INVALID_INPUT
    assert session.scalars(select(InspectionDraw)).all() == []
    assert audits(session, "inspection.draw_commit") == []
    hidden = draw.load_draws(session, Jurisdiction.parse("110108"))
    assert hidden == []


def test_grade_weights_shape_the_pool(session: Session, actor: Actor, world: Any) -> None:
    params = draw.DrawParams(scope="110105", venue_count=3,
                             grade_weights={"A": 0, "B": 0, "C": 0, "D": 7})
    outcome = official(session, actor, CITY, params)
    assert not isinstance(outcome, Refusal)
    assert {t.grade for t in outcome.tasks} == {"D"} and {t.weight for t in outcome.tasks} == {7}
    reasons = {e["reason"] for e in outcome.record.excluded()}
    assert reasons == {"grade_weight_zero"}
    assert outcome.pool_weight == 7 * outcome.pool_size


# --------------------------------------------------------------------------- commit, then reveal
def test_the_seed_hash_is_stored_before_the_result_exists(
        session: Session, actor: Actor, factory: sessionmaker[Session],
        monkeypatch: pytest.MonkeyPatch) -> None:
    drawn_from_os: list[str] = []
    real_token_hex = draw.secrets.token_hex

    def token_hex(nbytes: int | None = None) -> str:
        drawn_from_os.append(real_token_hex(nbytes))
        return drawn_from_os[-1]

    monkeypatch.setattr(draw.secrets, "token_hex", token_hex)
    params = draw.DrawParams(scope="110105", venue_count=4)
    prepared = draw.prepare_draw(session, actor, CITY, params, clock=FixedClock(T0))
    assert not isinstance(prepared, Refusal)
    session.commit()
    # the seed is the operating system's, and only its hash is in the database
    assert drawn_from_os == [prepared.seed] and prepared.seed not in repr(prepared)
    committed = hashlib.sha256(prepared.seed.encode()).hexdigest()
    with factory() as other:  # what another console (or a crash) would find now
        row = other.scalars(select(InspectionDraw)).one()
        assert row.state is DrawState.PENDING and row.seed_committed
        assert row.seed_sha256 == committed and row.seed == ""
        assert (row.result_json, row.result_sha256, row.task_count) == ("", "", 0)
        assert other.scalar(select(func.count()).select_from(InspectionTask)) == 0
        assert audits(other, "inspection.draw") == []
        assert [a["seed_sha256"] for a in audits(other, "inspection.draw_commit")] == [committed]
        assert prepared.seed not in json.dumps(audits(other, "inspection.draw_commit"))
        pending = draw.load_draw(other, CITY, row.id)
        assert not isinstance(pending, Refusal) and pending.tasks == ()
        assert pending.record.seed_sha256 == committed and pending.record.seed == ""
        assert [d.state for d in draw.load_draws(other, CITY)] == [DrawState.PENDING]

    ran_at = T0 + dt.timedelta(seconds=40)
    outcome = draw.complete_draw(session, actor, CITY, prepared.outcome.record.id,
                                 prepared.seed, clock=FixedClock(ran_at))
    assert not isinstance(outcome, Refusal)
    session.commit()
    record = outcome.record
    assert record.seed == prepared.seed and record.seed_sha256 == committed
    assert (record.created_at, record.drawn_at) == (T0, ran_at)
    assert len(outcome.tasks) == 4 and draw.verify_draw(record)


def test_a_typed_seed_cannot_make_an_official_draw(session: Session, actor: Actor) -> None:
    # no official entry point takes a seed from its caller
    assert "seed" not in inspect.signature(draw.prepare_draw).parameters
    assert not hasattr(draw, "perform_draw")
    prepared = draw.prepare_draw(session, actor, CITY,
                                 draw.DrawParams(scope="110105", venue_count=3))
    assert not isinstance(prepared, Refusal)
    session.commit()
    draw_id = prepared.outcome.record.id
    typed = draw.complete_draw(session, actor, CITY, draw_id, "my-lucky-seed-7")
    assert isinstance(typed, Refusal) and typed.code is RefusalCode.SEED_NOT_COMMITTED
    session.commit()
    row = session.get(InspectionDraw, draw_id)
    assert row is not None and row.state is DrawState.PENDING and row.result_json == ""
    assert session.scalar(select(func.count()).select_from(InspectionTask)) == 0
    # the committed seed runs it, once
    assert not isinstance(draw.complete_draw(session, actor, CITY, draw_id, prepared.seed),
                          Refusal)
    again = draw.complete_draw(session, actor, CITY, draw_id, prepared.seed)
    assert isinstance(again, Refusal) and again.code is RefusalCode.DRAW_ALREADY_RUN


def test_verification_with_a_typed_seed_never_makes_a_draw(session: Session,
                                                           actor: Actor) -> None:
    outcome = official(session, actor, CITY, draw.DrawParams(scope="110105", venue_count=5))
    assert not isinstance(outcome, Refusal)
    session.commit()
    number, seed = outcome.record.number, outcome.record.seed

    right = draw.reproduce_draw(session, actor, CITY, number, seed)
    assert not isinstance(right, Refusal) and right.ok and right.venues == 5
    assert right.committed_sha256 == right.seed_sha256 == outcome.record.seed_sha256
    wrong = draw.reproduce_draw(session, actor, CITY, number, seed[:-1] + "x")
    assert not isinstance(wrong, Refusal) and not wrong.ok
    assert any("committed" in p for p in wrong.problems)
    session.commit()
    # a verification is audited and is never a draw or tasks
    assert session.scalar(select(func.count()).select_from(InspectionDraw)) == 1
    assert session.scalar(select(func.count()).select_from(InspectionTask)) == 5
    assert [(a["official"], a["ok"]) for a in audits(session, "inspection.draw_verify")] == [
        (False, True), (False, False)]

    # a stored result altered afterwards fails even with the right seed
    row = session.get(InspectionDraw, outcome.record.id)
    assert row is not None
    result = json.loads(row.result_json)
    result["venues"][0], result["venues"][1] = result["venues"][1], result["venues"][0]
    row.result_json = draw.canonical_json(result)
    session.commit()
    altered = draw.reproduce_draw(session, actor, CITY, number, seed)
    assert not isinstance(altered, Refusal) and not altered.ok
    assert any("different result" in p for p in altered.problems)
    # and so does a seed hash replaced to fit another seed
    row.result_json = outcome.record.result_json
    row.seed_sha256 = draw.seed_hash("other")
    session.commit()
    swapped = draw.reproduce_draw(session, actor, CITY, number, seed)
    assert not isinstance(swapped, Refusal) and not swapped.ok

    missing = draw.reproduce_draw(session, actor, CITY, "SJ19990101-01", seed)
    assert isinstance(missing, Refusal) and missing.code is RefusalCode.DRAW_NOT_FOUND
    hidden = draw.reproduce_draw(session, actor, Jurisdiction.parse("110108"), number, seed)
    assert isinstance(hidden, Refusal) and hidden.code is RefusalCode.DRAW_NOT_FOUND
    pending = draw.prepare_draw(session, actor, CITY, draw.DrawParams(scope="110101"))
    assert not isinstance(pending, Refusal)
    early = draw.reproduce_draw(session, actor, CITY, pending.outcome.record.number,
                                pending.seed)
    assert isinstance(early, Refusal) and early.code is RefusalCode.DRAW_NOT_RUN


def test_a_draw_that_draws_nothing_is_stored_failed_with_its_seed(session: Session,
                                                                  actor: Actor) -> None:
    # 朝阳 has 7 inspectors: five teams of two with one task each cannot be staffed
    params = draw.DrawParams(scope="110105", venue_count=5, max_tasks_per_inspector=1)
    outcome = official(session, actor, CITY, params)
    assert not isinstance(outcome, Refusal)
    session.commit()
    record = outcome.record
    assert record.state is DrawState.FAILED and outcome.tasks == ()
    refusal = record.failure_refusal()
    assert refusal is not None and refusal.code is RefusalCode.NOT_ENOUGH_INSPECTORS
    assert record.seed and record.seed_sha256 == draw.seed_hash(record.seed)
    assert draw.verify_draw(record)
    assert session.scalar(select(func.count()).select_from(InspectionTask)) == 0
    assert [a["seed"] for a in audits(session, "inspection.draw_failed")] == [record.seed]
    rep = draw.reproduce_draw(session, actor, CITY, record.number, record.seed)
    assert not isinstance(rep, Refusal) and rep.ok and rep.venues == 0
