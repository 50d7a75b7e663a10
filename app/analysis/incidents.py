"""Findings into the database: Finding and TranscriptSegment rows, and the venue's incident.

Run inside a :class:`~app.db_writer.DbWriter` job (``writer.submit(lambda s: record_findings(s,
…))``). Findings at or above the threshold raise an incident for the venue; while the venue
already has an open transcript-finding incident from the same performance window, new findings
are added to it (one timeline entry each) instead of opening another.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.analysis.engine import ContentFinding
from app.analysis.rules import UNSCRIPTED, category_label
from app.services.incidents import Actor, create_incident, record_audit
from app.speech.transcript import TranscriptLine, format_timecode
from models import Finding, Incident, IncidentEvent, TranscriptSegment, Venue
from models.base import utcnow
from models.enums import IncidentCategory, IncidentPriority, IncidentSource, IncidentStatus

log = logging.getLogger("app.analysis.incidents")

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: An open finding incident of the venue younger than this takes new findings.
MERGE_WINDOW = dt.timedelta(hours=4)
EVIDENCE_PREFIX = "evidence:"


@dataclass(slots=True)
class RecordedFindings:
    """Ids written by :func:`record_findings`."""

    incident_id: int | None = None
    incident_number: str = ""
    created_incident: bool = False
    finding_ids: list[int] = field(default_factory=list)
    segment_ids: list[int] = field(default_factory=list)


def _priority(findings: Sequence[ContentFinding]) -> IncidentPriority:
    numbers = {f.category_no for f in findings}
    if numbers & {1, 2, 3}:
        return IncidentPriority.URGENT
    if numbers - {UNSCRIPTED}:
        return IncidentPriority.HIGH
    return IncidentPriority.NORMAL


def _describe(f: ContentFinding, base: dt.datetime) -> str:
    at = (base + dt.timedelta(seconds=f.start_s)).astimezone(SHANGHAI)
    return (f"{at:%H:%M:%S}（{format_timecode(f.start_s)}）{category_label(f.category_no)}"
            f"〔{f.tag}〕「{f.matched_text}」置信度 {f.confidence:.2f}")


def record_findings(
    session: Session,
    actor: Actor,
    *,
    venue_id: int | None,
    findings: Sequence[ContentFinding],
    base_time: dt.datetime,
    threshold: float,
    lines: Sequence[TranscriptLine] = (),
    language: str = "zh",
    media_source_id: int | None = None,
    recording_id: int | None = None,
    title_hint: str = "",
) -> RecordedFindings:
    """Store transcript lines and findings; raise or extend the venue's incident.

    Args:
        base_time: aware time of second 0 of the transcript (stream or recording start).
        threshold: findings at or above it raise the incident.
        title_hint: e.g. the performance title, put into the incident title.
    """
    if base_time.tzinfo is None:
        raise ValueError("base_time must be timezone-aware")
    out = RecordedFindings()

    def at(seconds: float) -> dt.datetime:
        return base_time + dt.timedelta(seconds=seconds)

    for line in lines:
        seg = TranscriptSegment(
            media_source_id=media_source_id, venue_id=venue_id, recording_id=recording_id,
            start_at=at(line.start_s), end_at=at(max(line.end_s, line.start_s)),
            text=line.text, language=language, confidence=line.confidence,
        )
        session.add(seg)
        session.flush()
        out.segment_ids.append(seg.id)
    serious = [f for f in findings if f.confidence >= threshold]
    incident: Incident | None = None
    if serious:
        venue = session.get(Venue, venue_id) if venue_id is not None else None
        incident = _open_incident(session, venue_id, utcnow())
        if incident is None:
            rule_hits = [f for f in serious if f.category_no != UNSCRIPTED]
            category = (IncidentCategory.PROHIBITED_CONTENT if rule_hits
                        else IncidentCategory.UNAPPROVED_PERFORMANCE)
            top = max(rule_hits or serious, key=lambda f: f.confidence)
            where = venue.name if venue is not None else "未知场所"
            kind = "演出内容疑似违规" if rule_hits else "演出内容与审批不符"
            title = f"{kind}：{where}" + (f"《{title_hint}》" if title_hint else "") \
                + f"（{top.tag}）"
            incident = create_incident(
                session, actor, source=IncidentSource.TRANSCRIPT_FINDING, category=category,
                title=title[:200], priority=_priority(serious), venue=venue,
                description="\n".join(_describe(f, base_time) for f in serious),
            )
            out.created_incident = True
        else:
            for f in serious:
                session.add(IncidentEvent(incident_id=incident.id, at=utcnow(), kind="finding",
                                          detail=_describe(f, base_time), actor=actor.name))
            priority = min(int(incident.priority), int(_priority(serious)))
            incident.priority = priority
            incident.updated_at = utcnow()
        out.incident_id = incident.id
        out.incident_number = incident.number
    for f in findings:
        evidence_id = None
        if f.evidence.startswith(EVIDENCE_PREFIX):
            try:
                evidence_id = int(f.evidence[len(EVIDENCE_PREFIX):])
            except ValueError:
                evidence_id = None
        row = Finding(
            venue_id=venue_id, media_source_id=media_source_id, category_no=f.category_no,
            tag=f.tag[:40], start_at=at(f.start_s), end_at=at(max(f.end_s, f.start_s)),
            matched_text=f.matched_text, rule_id=f.rule_id[:60], confidence=f.confidence,
            evidence_item_id=evidence_id,
            incident_id=incident.id if incident is not None and f.confidence >= threshold
            else None,
        )
        session.add(row)
        session.flush()
        out.finding_ids.append(row.id)
    if findings:
        record_audit(session, actor, "findings.record", "venue", str(venue_id or ""),
                     findings=len(findings), serious=len(serious), incident=out.incident_number)
    if out.created_incident:
        log.info("incident %s raised for venue %s: %d finding(s)", out.incident_number,
                 venue_id, len(serious), extra={"event": "finding_incident",
                                                "incident": out.incident_number})
    return out


def _open_incident(session: Session, venue_id: int | None, now: dt.datetime) -> Incident | None:
    if venue_id is None:
        return None
    open_states = [s for s in IncidentStatus if s.is_open]
    return session.scalar(
        select(Incident)
        .where(Incident.venue_id == venue_id,
               Incident.source == IncidentSource.TRANSCRIPT_FINDING,
               Incident.status.in_(open_states),
               Incident.reported_at >= now - MERGE_WINDOW)
        .order_by(Incident.reported_at.desc())
        .limit(1)
    )
