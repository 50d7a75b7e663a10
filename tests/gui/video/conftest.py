"""Fixtures for the wall: generated clips served on 127.0.0.1 and a media service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.media.directory import CameraLink, MediaDirectory
from app.media.reader import ReaderConfig
from app.media.servers import DemoMediaServer
from app.media.service import MediaService
from app.media.testmedia import TEST_CAMERA, TEST_VENUE, GeneratedClip, MediaCache
from app.media.types import SourceSpec
from models.enums import MediaKind, MediaOwnerKind


@pytest.fixture(scope="session")
def clips() -> list[GeneratedClip]:
    """The short test clips (generated once per test session)."""
    cache = MediaCache()
    return [cache.clip(TEST_CAMERA), cache.clip(TEST_VENUE)]


@pytest.fixture
def server(clips: list[GeneratedClip]) -> Iterator[DemoMediaServer]:
    """A running demo media server with the test clips."""
    srv = DemoMediaServer(clips)
    srv.start()
    yield srv
    srv.close()


@pytest.fixture
def directory(server: DemoMediaServer) -> MediaDirectory:
    """Unit 1 with two body cameras (FLV, MJPEG), unit 2 with one that is off, and a venue
    (HLS, file)."""
    u = server.urls()
    sources = {
        1: SourceSpec(1, "执法记录仪 DSJ-朝阳01-1", u["test-cam-flv"], MediaKind.HTTP_FLV,
                      MediaOwnerKind.BODY_CAMERA, 11, True),
        2: SourceSpec(2, "执法记录仪 DSJ-朝阳01-2", u["test-cam-mjpeg"], MediaKind.HTTP_MJPEG,
                      MediaOwnerKind.BODY_CAMERA, 12),
        3: SourceSpec(3, "执法记录仪 DSJ-朝阳02-1", u["offline"], MediaKind.HTTP_MJPEG,
                      MediaOwnerKind.BODY_CAMERA, 21),
        4: SourceSpec(4, "天桥剧场 舞台", u["test-venue-hls"], MediaKind.HLS,
                      MediaOwnerKind.VENUE, 100, True),
        5: SourceSpec(5, "天桥剧场 后台", u["test-venue-file"], MediaKind.FILE,
                      MediaOwnerKind.VENUE, 100, True),
    }
    cameras = {11: CameraLink(11, "DSJ-朝阳01-1", 1, 1), 12: CameraLink(12, "DSJ-朝阳01-2", 1, 2),
               21: CameraLink(21, "DSJ-朝阳02-1", 2, 3)}
    return MediaDirectory(sources=sources, cameras=cameras,
                          unit_cameras={1: (11, 12), 2: (21,)}, venue_sources={100: (4, 5)},
                          unit_names={1: "朝阳01", 2: "朝阳02"}, venue_names={100: "天桥剧场"})


@pytest.fixture
def media(tmp_path: Path, directory: MediaDirectory) -> Iterator[MediaService]:
    """A running media service that knows ``directory``."""
    config = ReaderConfig(open_timeout_s=2, read_timeout_s=2, backoff_initial_s=0.1,
                          backoff_max_s=0.5)
    service = MediaService(evidence_dir=tmp_path / "evidence", config=config, linger_s=0,
                           poll_ms=100)
    service.start()
    service.set_directory(directory)
    yield service
    service.stop()
