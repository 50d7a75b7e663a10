"""The media directory over the demo world: cameras, units, venues, incidents, jurisdiction."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.media.demo import OFFLINE_EVERY, attach_demo_sources
from app.media.directory import incident_source_ids, load_media_directory
from models import Assignment, BodyCamera, Incident, Jurisdiction, MediaSource
from models.db import make_engine, make_session_factory
from models.enums import AssignmentState, MediaKind

URLS = {
    **{f"bodycam-{i}-{p}": f"http://127.0.0.1:9/{p}/bodycam-{i}" for i in range(1, 5)
       for p in ("mjpeg", "flv", "hls")},
    **{f"venue-{i}-{p}": f"http://127.0.0.1:9/{p}/venue-{i}" for i in range(1, 4)
       for p in ("hls", "flv")},
    **{f"venue-{i}-file": f"/cache/venue-{i}.mp4" for i in range(1, 4)},
    "offline": "http://127.0.0.1:9/offline/camera",
}


@pytest.fixture
def session(seeded_db_url: str) -> Iterator[Session]:
    engine = make_engine(seeded_db_url)
    with make_session_factory(engine)() as s:
        attach_demo_sources(s, URLS)
        s.commit()
        yield s
    engine.dispose()


def test_every_camera_and_key_venue_gets_a_source(session: Session) -> None:
    cams = session.scalar(select(func.count()).select_from(BodyCamera))
    d = load_media_directory(session, Jurisdiction())
    assert len(d.cameras) == cams and all(c.source_id for c in d.cameras.values())
    assert len(d.venue_sources) == 57
    kinds = {s.kind for s in d.sources.values()}
    assert {MediaKind.HTTP_FLV, MediaKind.HTTP_MJPEG, MediaKind.HLS, MediaKind.FILE} <= kinds
    offline = [s for s in d.sources.values() if s.url == URLS["offline"]]
    assert len(offline) == cams // OFFLINE_EVERY
    assert all(s.has_audio == (s.kind is not MediaKind.HTTP_MJPEG) for s in d.sources.values())
    unit_id, cam_ids = next(iter(d.unit_cameras.items()))
    assert d.sources_for("unit", unit_id) == [d.cameras[c].source_id for c in cam_ids]
    assert d.sources_for("camera", cam_ids[0]) == [d.cameras[cam_ids[0]].source_id]
    venue_id = next(iter(d.venue_sources))
    assert d.sources_for("venue", venue_id) == list(d.venue_sources[venue_id])
    assert d.sources_for("venue", -1) == [] and d.sources_for("spaceship", 1) == []


def test_attaching_again_updates_addresses_without_new_rows(session: Session) -> None:
    before = session.scalar(select(func.count()).select_from(MediaSource))
    moved = {k: v.replace(":9/", ":10/") for k, v in URLS.items()}
    attach_demo_sources(session, moved)
    session.commit()
    assert session.scalar(select(func.count()).select_from(MediaSource)) == before
    urls = set(session.scalars(select(MediaSource.url)))
    assert not any(":9/" in u for u in urls)


def test_a_district_console_sees_its_own_district_only(session: Session) -> None:
    city = load_media_directory(session, Jurisdiction())
    chaoyang = load_media_directory(session, Jurisdiction("110105"))
    assert 0 < len(chaoyang.sources) < len(city.sources)
    assert set(chaoyang.sources) <= set(city.sources)
    assert all(city.unit_names[u].startswith("朝阳") for u in chaoyang.unit_cameras)


def test_incident_opens_its_units_cameras_then_its_venue(session: Session) -> None:
    d = load_media_directory(session, Jurisdiction())
    row = session.execute(
        select(Assignment.incident_id, Assignment.unit_id)
        .join(Incident, Incident.id == Assignment.incident_id)
        .where(Assignment.state == AssignmentState.ACTIVE, Incident.venue_id.is_not(None))
    ).first()
    assert row is not None, "the demo world has an assigned incident at a venue"
    incident_id, unit_id = row
    ids = incident_source_ids(session, incident_id, d)
    unit_sources = d.sources_for("unit", unit_id)
    assert ids[:len(unit_sources)] == unit_sources
    incident = session.get(Incident, incident_id)
    assert incident is not None and incident.venue_id is not None
    assert ids[len(ids) - len(d.sources_for("venue", incident.venue_id)):] == \
        d.sources_for("venue", incident.venue_id)
    assert incident_source_ids(session, 10**9, d) == []
