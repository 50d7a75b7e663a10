"""Live transcription in the console: stream → pool → captions, findings, stored rows, incident."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db_writer import DbWriter
from app.services.incidents import Actor
from app.speech.service import LiveTranscriptionService
from app.speech.settings import SpeechSettings
from app.speech.testing import Planted
from app.speech.transcript import TranscriptLine
from models import Incident, TranscriptSegment, Venue
from models.db import make_engine, make_session_factory
from models.enums import IncidentSource

pytestmark = [pytest.mark.integration, pytest.mark.gui, pytest.mark.slow]


def test_live_venue_is_transcribed_analysed_and_raises_an_incident(
    qtbot: object, seeded_db_url: str, tiny_en_model: Path, en_planted: Planted, tmp_path: Path,
) -> None:
    engine = make_engine(seeded_db_url)
    sessions = make_session_factory(engine)
    writer = DbWriter(sessions)
    writer.start()
    with sessions() as session:
        venue = session.scalars(select(Venue).order_by(Venue.id)).first()
        assert venue is not None
        venue_id, venue_name = venue.id, venue.name
    media = en_planted.recording.save(tmp_path / "venue.wav")
    settings = SpeechSettings(model_dir=str(tiny_en_model), language="en", workers=1,
                              live_venues=1, finding_threshold=0.6)
    service = LiveTranscriptionService(settings, tmp_path / "data", writer=writer,
                                       actor=Actor("tester", "test"))
    lines: list[TranscriptLine] = []
    captions: list[str] = []
    states: list[tuple[int, str, str]] = []
    service.segment_committed.connect(lambda _v, line: lines.append(line))
    service.caption_changed.connect(lambda _v, text: captions.append(text))
    service.venue_state_changed.connect(lambda v, s, r: states.append((v, s, r)))
    added: list[tuple[int, str]] = []
    service.venue_added.connect(lambda v, name, _at: added.append((v, name)))
    try:
        with qtbot.waitSignal(service.model_state, timeout=20_000,  # type: ignore[attr-defined]
                              check_params_cb=lambda s, _d: s == "ready"):
            service.start()
        with qtbot.waitSignal(service.incident_raised,  # type: ignore[attr-defined]
                              timeout=90_000) as raised:  # a bound, not a speed target
            service.watch(venue_id, media, name=venue_name, realtime=True, speed=3.0)
        assert raised.args[0] == venue_id
        qtbot.waitUntil(lambda: len(lines) >= 4, timeout=30_000)  # type: ignore[attr-defined]
    finally:
        service.stop()
        writer.stop()
    assert states[0] == (venue_id, "active", "")
    assert added == [(venue_id, venue_name)]
    assert captions
    starts = [line.start_s for line in lines]
    assert starts == sorted(starts)
    text = " ".join(line.text for line in lines).lower()
    assert "casino" in text or "bets" in text
    assert service.started_at(venue_id) is None  # unwatched on stop
    with sessions() as session:
        incident = session.scalars(select(Incident).where(
            Incident.venue_id == venue_id,
            Incident.source == IncidentSource.TRANSCRIPT_FINDING)).one()
        assert "赌博" in incident.title
        stored = session.scalar(select(func.count()).select_from(TranscriptSegment).where(
            TranscriptSegment.venue_id == venue_id)) or 0
        assert stored >= len(lines) - 1
        first = session.scalars(select(TranscriptSegment).order_by(
            TranscriptSegment.start_at)).first()
        assert first is not None
        assert abs(first.start_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    engine.dispose()


@pytest.mark.expect_log_errors
def test_a_missing_model_is_reported_not_fatal(qtbot: object, tmp_path: Path) -> None:
    settings = SpeechSettings(model_dir=str(tmp_path / "none"))
    service = LiveTranscriptionService(settings, tmp_path)
    with qtbot.waitSignal(service.model_state, timeout=10_000,  # type: ignore[attr-defined]
                          check_params_cb=lambda s, _d: s == "missing") as blocker:
        service.start()
    assert "speech.model_dir" in blocker.args[1]
    # the headset either plays or says why not; nothing else is affected
    with qtbot.waitSignal(service.monitor_state, timeout=10_000) as monitor:  # type: ignore[attr-defined]
        service.request_monitor(1, -1)
    venue, error = monitor.args
    assert (venue == 1 and error == "") or (venue == -1 and error)
    service.stop()
