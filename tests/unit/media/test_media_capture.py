"""Evidence capture: files hashed at capture, rows written through the database writer."""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import partial
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db_writer import DbWriter
from app.media.capture import (
    caption_band,
    evidence_base_path,
    record_evidence,
    sha256_file,
    write_snapshot,
)
from app.media.testmedia import TEST_CAMERA, MediaCache
from app.media.types import Capture
from app.services.incidents import Actor
from models import AuditEvent, EvidenceItem, MediaSource
from models.db import make_engine, make_session_factory
from models.enums import EvidenceKind, MediaKind, MediaOwnerKind

T0 = dt.datetime(2026, 11, 27, 2, 0, 0, 123000, tzinfo=dt.UTC)


def test_sha256_of_a_file(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    data = bytes(range(256)) * 5000
    path.write_bytes(data)
    assert sha256_file(path, chunk=1000) == hashlib.sha256(data).hexdigest()


def test_paths_are_per_beijing_day_and_unique(tmp_path: Path) -> None:
    late = dt.datetime(2026, 11, 27, 17, 30, tzinfo=dt.UTC)  # 01:30 on the 28th in Beijing
    a = evidence_base_path(tmp_path, 7, EvidenceKind.SNAPSHOT, late)
    b = evidence_base_path(tmp_path, 7, EvidenceKind.SNAPSHOT, late)
    assert a.parent == tmp_path / "20261128" and a.name.startswith("src7-013000-000-snapshot")
    assert a != b


def test_caption_band_keeps_every_pixel_of_the_scene() -> None:
    scene = np.random.default_rng(1).integers(0, 255, (90, 160, 3), dtype=np.uint8)
    out = caption_band(scene, "SRC 1 2026-11-27 10:00:00")
    assert out.shape == (90 + 28, 160, 3) and np.array_equal(out[:90], scene)
    assert out[90:].max() > 0  # the caption is drawn in the band


def test_snapshot_is_png_of_the_decoded_picture_hashed_at_capture(tmp_path: Path) -> None:
    clip = MediaCache().clip(TEST_CAMERA)
    with av.open(str(clip.mp4)) as c:
        frame = next(c.decode(video=0))
        capture = write_snapshot(frame, T0, 3, tmp_path / "snap")
        expected = frame.to_ndarray(format="bgr24")
    assert capture.path == tmp_path / "snap.png" and capture.kind is EvidenceKind.SNAPSHOT
    data = capture.path.read_bytes()
    assert capture.sha256 == hashlib.sha256(data).hexdigest() and capture.size_bytes == len(data)
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert np.array_equal(image[:360], expected)  # lossless: exactly what was decoded
    assert capture.content_start == capture.content_end == T0
    with pytest.raises(FileExistsError):  # evidence is never overwritten
        write_snapshot(frame, T0, 3, tmp_path / "snap")


def test_evidence_row_through_the_writer(seeded_db_url: str, tmp_path: Path) -> None:
    engine = make_engine(seeded_db_url)
    factory = make_session_factory(engine)
    writer = DbWriter(factory)
    writer.start()
    try:
        def add_source(session: Session) -> int:
            src = MediaSource(name="执法记录仪 DSJ-1", url="http://127.0.0.1:1/x",
                              kind=MediaKind.HTTP_FLV, owner_kind=MediaOwnerKind.BODY_CAMERA)
            session.add(src)
            session.flush()
            return src.id

        source_id = writer.submit(add_source).result(10)
        path = tmp_path / "clip.mp4"
        path.write_bytes(b"\x00" * 1000)
        capture = Capture(EvidenceKind.CLIP, source_id, path, sha256_file(path), 1000, T0,
                          T0 - dt.timedelta(seconds=30), T0 + dt.timedelta(seconds=10))
        actor = Actor("王调度", "console-07")
        record = partial(record_evidence, capture=capture, actor=actor, note="现场取证")
        item_id = writer.submit(lambda s: record(s).id).result(10)
    finally:
        writer.stop()
    with factory() as session:
        item = session.get(EvidenceItem, item_id)
        assert item is not None
        assert (item.sha256, item.size_bytes, item.kind) == (capture.sha256, 1000,
                                                              EvidenceKind.CLIP)
        assert item.content_start == capture.content_start and item.captured_by == "王调度"
        audit = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "evidence.capture")).one()
        assert audit.target_id == str(item_id) and capture.sha256 in audit.detail
    engine.dispose()
