"""Findings into the database: rows, the venue's incident, merging, and the threshold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.analysis.engine import ContentFinding
from app.analysis.incidents import record_findings
from app.services.incidents import Actor
from app.speech.transcript import TranscriptLine
from models import Finding, Incident, IncidentEvent, TranscriptSegment, Venue
from models.db import make_engine, make_session_factory
from models.enums import IncidentCategory, IncidentPriority, IncidentSource

ACTOR = Actor("tester", "test-console")
BASE = dt.datetime(2026, 11, 27, 11, 30, tzinfo=dt.UTC)


def _finding(category: int = 10, confidence: float = 0.8, start: float = 64.0,
             tag: str = "赌博", rule: str = "c10-gambling") -> ContentFinding:
    return ContentFinding(category, tag, rule, start, start + 2, "赌博", "赌博", "exact",
                          confidence, "他们在后台赌博")


@pytest.fixture
def session(seeded_db_url: str) -> Iterator[Session]:
    engine = make_engine(seeded_db_url)
    with make_session_factory(engine)() as s:
        yield s
    engine.dispose()


def _venue(session: Session) -> Venue:
    venue = session.scalars(select(Venue).order_by(Venue.id)).first()
    assert venue is not None
    return venue


def test_serious_findings_raise_one_incident_for_the_venue(session: Session) -> None:
    venue = _venue(session)
    lines = [TranscriptLine(60.0, 66.0, "他们在后台赌博", 0.7)]
    rec = record_findings(session, ACTOR, venue_id=venue.id, findings=[_finding()],
                          base_time=BASE, threshold=0.6, lines=lines, title_hint="相声专场")
    session.commit()
    incident = session.get(Incident, rec.incident_id)
    assert incident is not None and rec.created_incident
    assert incident.source is IncidentSource.TRANSCRIPT_FINDING
    assert incident.category is IncidentCategory.PROHIBITED_CONTENT
    assert incident.priority == int(IncidentPriority.HIGH)
    assert incident.venue_id == venue.id and incident.district_adcode == venue.district_adcode
    assert venue.name in incident.title and "《相声专场》" in incident.title
    assert "19:31:04" in incident.description and "第10项" in incident.description
    (finding,) = session.scalars(select(Finding).where(Finding.id.in_(rec.finding_ids)))
    assert finding.incident_id == incident.id and finding.category_no == 10
    assert finding.start_at == BASE + dt.timedelta(seconds=64)
    (segment,) = session.scalars(select(TranscriptSegment)
                                 .where(TranscriptSegment.id.in_(rec.segment_ids)))
    assert segment.text == "他们在后台赌博" and segment.venue_id == venue.id

    # more findings during the same show extend the open incident instead of a new one
    again = record_findings(session, ACTOR, venue_id=venue.id,
                            findings=[_finding(3, 0.9, 300.0, "民族歧视", "c3-ethnic-hatred")],
                            base_time=BASE, threshold=0.6)
    session.commit()
    assert again.incident_id == incident.id and not again.created_incident
    session.refresh(incident)
    assert incident.priority == int(IncidentPriority.URGENT)
    kinds = session.scalars(select(IncidentEvent.kind)
                            .where(IncidentEvent.incident_id == incident.id)).all()
    assert kinds.count("finding") == 1


def test_findings_under_the_threshold_are_stored_without_an_incident(session: Session) -> None:
    venue = _venue(session)
    before = session.scalar(select(Incident.id).order_by(Incident.id.desc()))
    rec = record_findings(session, ACTOR, venue_id=venue.id,
                          findings=[_finding(confidence=0.5)], base_time=BASE, threshold=0.6)
    session.commit()
    assert rec.incident_id is None
    assert session.scalar(select(Incident.id).order_by(Incident.id.desc())) == before
    assert session.get(Finding, rec.finding_ids[0]).incident_id is None  # type: ignore[union-attr]


def test_script_deviation_alone_is_an_unapproved_performance(session: Session) -> None:
    venue = _venue(session)
    deviation = ContentFinding(0, "未经审批内容", "script-deviation", 100.0, 130.0, "临时加段",
                               "", "unscripted", 0.85, "临时加段")
    rec = record_findings(session, ACTOR, venue_id=venue.id, findings=[deviation],
                          base_time=BASE, threshold=0.6)
    session.commit()
    incident = session.get(Incident, rec.incident_id)
    assert incident is not None
    assert incident.category is IncidentCategory.UNAPPROVED_PERFORMANCE
    assert incident.priority == int(IncidentPriority.NORMAL)


def test_naive_base_time_is_refused(session: Session) -> None:
    with pytest.raises(ValueError, match="aware"):
        record_findings(session, ACTOR, venue_id=None, findings=[], base_time=dt.datetime(
            2026, 1, 1), threshold=0.6)
