"""Recording retention: old and earlier-demo recordings go, evidence never does."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.speech.recorder import segment_name
from app.speech.retention import RecordingRetention
from models.clock import FixedClock

NOW = dt.datetime(2026, 11, 27, 20, 0, tzinfo=dt.UTC)


def _segment(folder: Path, venue: int, at: dt.datetime) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / segment_name(venue, at)
    path.write_bytes(b"\x1aE\xdf\xa3 recording")
    return path


def _evidence(data: Path) -> list[Path]:
    """A snapshot and a dispatcher's clip (old) and an after-show clip, as the console names
    them; the clip's name is even shaped like a segment's, in the clips folder."""
    snap = data / "evidence" / "20251001" / "src3-101500-123-snapshot-a1b2c3.png"
    clip = data / "evidence" / "20251001" / "src3-101500-456-clip-d4e5f6.mkv"
    after_show = data / "clips" / segment_name(7, NOW - dt.timedelta(days=400))
    for p in (snap, clip, after_show):
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"evidence")
    return [snap, clip, after_show]


def test_recordings_older_than_the_retention_go_and_evidence_stays(tmp_path: Path) -> None:
    recordings = tmp_path / "data" / "recordings"
    old = _segment(recordings, 7, NOW - dt.timedelta(days=31))
    recent = _segment(recordings, 7, NOW - dt.timedelta(days=29))
    evidence = _evidence(tmp_path / "data")
    retention = RecordingRetention(recordings, dt.timedelta(days=30), clock=FixedClock(NOW),
                                   evidence_dirs=[tmp_path / "data" / "evidence",
                                                  tmp_path / "data" / "clips"])
    assert retention.prune_now() == [old]
    assert not old.exists() and recent.exists()
    assert all(p.exists() for p in evidence)


def test_the_demo_deletes_every_recording_of_earlier_sessions_on_start(tmp_path: Path) -> None:
    recordings = tmp_path / "data" / "demo" / "recordings"
    clock = FixedClock(NOW)
    earlier = [_segment(recordings, 7, NOW - dt.timedelta(minutes=m)) for m in (5, 60, 600)]
    evidence = _evidence(tmp_path / "data")
    retention = RecordingRetention(recordings, dt.timedelta(days=30), clock=clock,
                                   interval_s=3600, purge_before=clock.now(),
                                   evidence_dirs=[tmp_path / "data" / "evidence"])
    retention.start()
    try:
        assert not any(p.exists() for p in earlier)
        assert all(p.exists() for p in evidence)
        # this session's own recordings stay until the retention period is over
        clock.advance(dt.timedelta(minutes=10))
        mine = _segment(recordings, 7, clock.now())
        clock.advance(dt.timedelta(days=1))
        assert retention.prune_now() == [] and mine.exists()
        clock.advance(dt.timedelta(days=30))
        assert retention.prune_now() == [mine]
    finally:
        retention.stop()


@pytest.mark.expect_log_errors
def test_a_recordings_folder_inside_the_evidence_folder_is_never_pruned(tmp_path: Path) -> None:
    evidence_dir = tmp_path / "evidence"
    inside = evidence_dir / "recordings"
    old = _segment(inside, 7, NOW - dt.timedelta(days=400))
    retention = RecordingRetention(inside, dt.timedelta(days=30), clock=FixedClock(NOW),
                                   purge_before=NOW, evidence_dirs=[evidence_dir])
    assert retention.prune_now() == []
    assert old.exists()
