"""The media service with real sources: sharing, closing, sound, evidence, recorder check."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.db_writer import DbWriter
from app.media.demo import attach_demo_sources
from app.media.directory import CameraLink, MediaDirectory, incident_source_ids
from app.media.reader import ReaderConfig
from app.media.recorder import RecorderMonitor
from app.media.servers import DemoMediaServer
from app.media.service import MediaService
from app.media.types import Capture, SourceSpec, SourceState
from app.services.incidents import Actor
from models import Assignment, EvidenceItem, Jurisdiction, MediaSource
from models.db import make_engine, make_session_factory
from models.enums import AssignmentState, EvidenceKind, MediaKind, MediaOwnerKind, UnitStatus

pytestmark = [pytest.mark.integration, pytest.mark.gui]


@pytest.fixture
def media(tmp_path: Path, fast: ReaderConfig) -> Iterator[MediaService]:
    service = MediaService(evidence_dir=tmp_path / "evidence", config=fast, linger_s=0.2,
                           poll_ms=100)
    service.start()
    yield service
    service.stop()


def _threads(prefix: str) -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(prefix)]


def test_tiles_share_one_connection_closed_after_the_last(
        qtbot: QtBot, server: DemoMediaServer, media: MediaService) -> None:
    url = server.urls()["test-venue-flv"]
    media.set_directory(MediaDirectory(sources={7: SourceSpec(7, "剧场", url,
                                                              MediaKind.HTTP_FLV)}))
    a = media.attach(7, 320, 180)
    b = media.attach(7, 640, 360)
    assert media.open_sources() == [7] and _threads("media-") == ["media-7"]
    qtbot.waitUntil(lambda: a.published > 5 and b.published > 5, timeout=5000)
    fa, fb = a.take(), b.take()
    assert fa is not None and fb is not None
    assert (fa.image.width(), fb.image.width()) == (320, 640)  # each scaled to its tile

    chunks: list[int] = []
    sub = media.subscribe_audio(7, lambda s, t: chunks.append(len(s)))
    media.detach(a)
    media.detach(b)
    qtbot.waitUntil(lambda: len(chunks) > 5, timeout=5000)
    assert media.is_open(7)  # the listener still holds it
    with qtbot.waitSignal(media.state_changed, timeout=5000,
                          check_params_cb=lambda sid, state: state == "closed"):
        sub.close()
    qtbot.waitUntil(lambda: not _threads("media-"), timeout=5000)
    assert media.stats(7).state is SourceState.CLOSED


def test_unknown_source_and_stopped_service_are_refused(media: MediaService) -> None:
    from app.media.types import MediaError

    with pytest.raises(MediaError, match="unknown"):
        media.attach(99, 100, 100)
    fut = media.snapshot(99)
    assert isinstance(fut.exception(timeout=1), MediaError)


@dataclasses.dataclass(frozen=True)
class _Unit:
    id: int
    call_sign: str
    status: UnitStatus
    status_changed_at: dt.datetime


def test_recorder_check_warns_and_clears(qtbot: QtBot, server: DemoMediaServer,
                                         media: MediaService) -> None:
    urls = server.urls()
    cams = {1: CameraLink(11, "DSJ-朝阳01-1", 1, 101), 2: CameraLink(21, "DSJ-朝阳02-1", 2, 201)}
    sources = {101: SourceSpec(101, "执法记录仪 1", urls["offline"], MediaKind.HTTP_MJPEG),
               201: SourceSpec(201, "执法记录仪 2", urls["test-cam-flv"], MediaKind.HTTP_FLV)}
    media.set_directory(MediaDirectory(sources=sources, cameras={11: cams[1], 21: cams[2]},
                                       unit_cameras={1: (11,), 2: (21,)}))
    monitor = RecorderMonitor(media, grace_s=0, min_down_s=0.3, interval_ms=100)
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    monitor.set_units([_Unit(1, "朝阳01", UnitStatus.ON_SCENE, long_ago),
                       _Unit(2, "朝阳02", UnitStatus.ON_SCENE, long_ago),
                       _Unit(3, "朝阳03", UnitStatus.AVAILABLE, long_ago)])
    with qtbot.waitSignal(monitor.warning_raised, timeout=5000) as raised:
        monitor.start()
    warning = raised.args[0]
    assert warning.unit_id == 1 and warning.problems[0].serial == "DSJ-朝阳01-1"
    assert sorted(media.open_sources()) == [101, 201]  # watched without any tile
    qtbot.waitUntil(lambda: media.stats(201).state is SourceState.LIVE, timeout=5000)
    assert [w.unit_id for w in monitor.evaluate()] == [1]

    # the officer switches the camera on: its stream becomes reachable
    fixed = dict(sources)
    fixed[101] = dataclasses.replace(sources[101], url=urls["test-cam-mjpeg"])
    with qtbot.waitSignal(monitor.warning_cleared, timeout=8000) as cleared:
        media.set_directory(dataclasses.replace(media.directory, sources=fixed))
    assert cleared.args == [1] and monitor.warnings == []
    monitor.set_units([_Unit(1, "朝阳01", UnitStatus.CLEARING, long_ago)])
    qtbot.waitUntil(lambda: not media.open_sources(), timeout=5000)  # watches released
    monitor.stop()


def test_snapshot_and_clip_become_evidence(qtbot: QtBot, server: DemoMediaServer,
                                           seeded_db_url: str, tmp_path: Path,
                                           fast: ReaderConfig) -> None:
    from concurrent.futures import ThreadPoolExecutor

    engine = make_engine(seeded_db_url)
    factory = make_session_factory(engine)
    writer = DbWriter(factory)
    writer.start()
    pool = ThreadPoolExecutor(1, thread_name_prefix="test-reader")
    writer.submit(partial(attach_demo_sources, urls=server.urls())).result(10)
    media = MediaService(evidence_dir=tmp_path / "evidence", sessions=factory,
                         jurisdiction=Jurisdiction(), writer=writer,
                         actor=Actor("王调度", "console-07"), executor=pool, config=fast,
                         linger_s=0, poll_ms=100)
    try:
        media.start()
        with factory() as session:
            flv = session.scalars(select(MediaSource).where(
                MediaSource.kind == MediaKind.HTTP_FLV,
                MediaSource.owner_kind == MediaOwnerKind.BODY_CAMERA)).first()
            assert flv is not None
            source_id = flv.id
            row = session.execute(select(Assignment.incident_id, Assignment.unit_id).where(
                Assignment.state == AssignmentState.ACTIVE)).first()
            assert row is not None
            incident_id, unit_id = row
            expected = incident_source_ids(session, incident_id, media.directory)
        sink = media.attach(source_id, 320, 180)
        qtbot.waitUntil(lambda: sink.published > 3, timeout=5000)
        captures: list[Capture] = []
        media.capture_done.connect(captures.append)
        snap = media.snapshot(source_id, incident_id=incident_id).result(10)
        assert snap.kind is EvidenceKind.SNAPSHOT and snap.path.suffix == ".png"
        assert hashlib.sha256(snap.path.read_bytes()).hexdigest() == snap.sha256
        clip = media.clip(source_id, 1.0, 0.5, note="现场").result(10)
        assert clip.path.suffix == ".mp4"
        assert hashlib.sha256(clip.path.read_bytes()).hexdigest() == clip.sha256
        assert clip.content_end - clip.content_start >= dt.timedelta(seconds=0.5)
        qtbot.waitUntil(lambda: len(captures) == 2, timeout=3000)
        with factory() as session:
            rows = {e.id: e for e in session.scalars(select(EvidenceItem))}
        assert snap.evidence_id in rows and clip.evidence_id in rows
        assert rows[snap.evidence_id].sha256 == snap.sha256
        assert rows[snap.evidence_id].incident_id == incident_id
        assert rows[clip.evidence_id].media_source_id == source_id
        assert rows[clip.evidence_id].captured_by == "王调度"

        with qtbot.waitSignal(media.incident_sources, timeout=5000) as answer:
            media.request_incident_sources(incident_id)
        assert answer.args == [incident_id, expected] and expected
        assert media.sources_for("unit", unit_id) == expected[:len(media.sources_for(
            "unit", unit_id))]
        media.detach(sink)
    finally:
        media.stop()
        writer.stop()
        pool.shutdown()
        engine.dispose()
