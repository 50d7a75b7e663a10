"""The schedule at work: a show is recorded, then analysed after it ends, with evidence clips."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from app.analysis.rules import load_rules
from app.db_writer import DbWriter
from app.services.incidents import Actor
from app.speech.engine import Recognizer
from app.speech.live_analysis import LiveScript
from app.speech.scheduler import PerformanceScheduler
from app.speech.settings import SpeechSettings
from app.speech.synth import ZH_LINES
from app.speech.testing import Planted
from app.speech.venue_stream import VenueStream
from models import Base, EvidenceItem, Finding, Incident, Venue
from models.db import make_engine, make_session_factory
from models.enums import EvidenceKind, IncidentSource
from models.speech_schedule import Performance

pytestmark = [pytest.mark.integration, pytest.mark.slow]

START = dt.datetime(2026, 11, 27, 11, 30, tzinfo=dt.UTC)


class _Live:
    """Records what the scheduler asks of the live service."""

    def __init__(self, venue_id: int) -> None:
        self.venue_id = venue_id
        self.recording: dict[int, bool] = {}
        self.scripts: dict[int, LiveScript | None] = {}

    def watched(self) -> list[int]:
        return [self.venue_id]

    def set_recording(self, venue_id: int, on: bool) -> None:
        self.recording[venue_id] = on

    def set_script(self, venue_id: int, script: LiveScript | None) -> None:
        self.scripts[venue_id] = script


def test_show_is_recorded_and_analysed_after_it_ends(
    seeded_db_url: str, zh_planted: Planted, zh_recognizer: Recognizer, tmp_path: Path,
) -> None:
    engine = make_engine(seeded_db_url)
    Base.metadata.create_all(engine, tables=[Base.metadata.tables["performance"]])
    sessions = make_session_factory(engine)
    writer = DbWriter(sessions)
    writer.start()
    data = tmp_path / "data"
    settings = SpeechSettings(recording_segment_s=20.0, finding_threshold=0.5)
    with sessions() as session:
        venue = session.scalars(select(Venue).order_by(Venue.id)).first()
        assert venue is not None
        venue_id = venue.id
        perf = Performance(approval_no="京文演〔2026〕0001号", venue_id=venue_id,
                           title="相声专场", troupe="测试社", performers="甲、乙",
                           script="\n".join(ZH_LINES), starts_at=START,
                           ends_at=START + dt.timedelta(minutes=2))
        session.add(perf)
        session.commit()
        perf_id = perf.id
    live = _Live(venue_id)
    shows: list[object] = []
    scheduler = PerformanceScheduler(
        sessions, writer, Actor("tester", "test"), live, settings, data,
        recognizer=lambda: zh_recognizer, rules=load_rules(), clock=lambda: START,
        on_analysed=shows.append,
    )
    try:
        # during the show: record, compare live with its script
        assert scheduler.tick(START + dt.timedelta(minutes=1)) == []
        assert live.recording == {venue_id: True}
        script = live.scripts[venue_id]
        assert script is not None and script.approval_no == "京文演〔2026〕0001号"

        # the venue stream is recorded in segments while the show is on
        media = zh_planted.recording.save(tmp_path / "venue.wav")
        # wall clock of a live stream: each segment opens when the previous one closes
        ticks = [0] + [t for k in range(1, 12) for t in (20 * k, 20 * k)]
        clock = iter([START + dt.timedelta(seconds=s) for s in ticks])
        ended = threading.Event()
        stream = VenueStream(media, venue_id, lambda _c: None,
                             record_dir=settings.resolved_recording_dir(data),
                             segment_s=settings.recording_segment_s,
                             on_state=lambda up, _d: None if up else ended.set(),
                             clock=lambda: next(clock))
        stream.set_recording(True)
        stream.start()
        assert ended.wait(30)
        stream.stop()

        # after the show: recording off, and the show is analysed from its segments
        assert scheduler.tick(START + dt.timedelta(minutes=5)) == [perf_id]
        assert live.recording == {venue_id: False} and live.scripts[venue_id] is None
        result = scheduler.analyse_performance(perf_id)
    finally:
        scheduler.stop()
        writer.stop()
    assert result.state == "done" and result.findings >= 1
    assert result.report is not None and "相声专场" in result.report.read_text(encoding="utf-8")
    assert result.incident_number
    planted = zh_planted.planted
    with sessions() as session:
        show = session.get(Performance, perf_id)
        assert show is not None and show.analysis_state == "done"
        assert show.report_path == str(result.report)
        finding = session.scalars(select(Finding).where(Finding.rule_id == zh_planted.rule_id,
                                                        Finding.venue_id == venue_id)).one()
        offset = (finding.start_at - START).total_seconds()
        assert planted.start_s - 1.5 <= offset <= planted.end_s + 1.0
        clip = session.get(EvidenceItem, finding.evidence_item_id)
        assert clip is not None and clip.kind is EvidenceKind.CLIP
        assert Path(clip.path).is_file() and len(clip.sha256) == 64
        incident = session.scalars(select(Incident).where(
            Incident.number == result.incident_number)).one()
        assert incident.source is IncidentSource.TRANSCRIPT_FINDING
        assert "相声专场" in incident.title
    engine.dispose()
