"""The evidence list: what each console sees, newest first, with source and incident."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from app.media.evidence import EvidenceRow, load_evidence
from models import BodyCamera, Incident, Jurisdiction, MediaSource, Unit, Venue
from models.db import make_engine, make_session_factory
from models.enums import EvidenceKind, MediaKind, MediaOwnerKind
from models.media import EvidenceItem

T0 = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


@dataclass
class Stored:
    url: str
    number: str = ""
    ids: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, key: str) -> int:
        return self.ids[key]

    def load(self, j: Jurisdiction, console_id: str = "",
             kinds: tuple[EvidenceKind, ...] | None = None) -> list[EvidenceRow]:
        engine = make_engine(self.url)
        try:
            with make_session_factory(engine)() as s:
                return load_evidence(s, j, console_id=console_id, kinds=kinds)
        finally:
            engine.dispose()


@pytest.fixture
def evidence(seeded_db_url: str) -> Stored:
    """One item per way of belonging somewhere (see app.media.evidence)."""
    engine = make_engine(seeded_db_url)
    factory = make_session_factory(engine)
    stored = Stored(seeded_db_url)
    with factory() as s:
        venue = s.scalars(select(Venue).where(Venue.district_adcode == "110101")).first()
        unit = s.scalars(select(Unit).where(Unit.district_adcode == "110105")).first()
        incident = s.scalars(select(Incident).where(Incident.district_adcode == "110108")).first()
        assert venue is not None and unit is not None and incident is not None
        venue_src = MediaSource(name="惊蛰小剧场 舞台", url="file:///v.mp4", kind=MediaKind.FILE,
                                owner_kind=MediaOwnerKind.VENUE, owner_id=venue.id)
        cam_src = MediaSource(name="执法记录仪 测试", url="file:///c.mp4", kind=MediaKind.FILE,
                              owner_kind=MediaOwnerKind.BODY_CAMERA)
        s.add_all([venue_src, cam_src])
        s.flush()
        s.add(BodyCamera(serial="DSJ-TEST-1", unit_id=unit.id, media_source_id=cam_src.id))
        items = {
            "venue": EvidenceItem(kind=EvidenceKind.SNAPSHOT, path="/e/v.png", sha256="a" * 64,
                                  size_bytes=1200, captured_at=T0, media_source_id=venue_src.id),
            "camera": EvidenceItem(kind=EvidenceKind.CLIP, path="/e/c.mkv", sha256="b" * 64,
                                   size_bytes=2_400_000, captured_at=T0 + dt.timedelta(minutes=1),
                                   media_source_id=cam_src.id),
            # the incident decides, not the source
            "incident": EvidenceItem(kind=EvidenceKind.SNAPSHOT, path="/e/i.png",
                                     sha256="c" * 64, size_bytes=10,
                                     captured_at=T0 + dt.timedelta(minutes=2),
                                     media_source_id=venue_src.id, incident_id=incident.id),
            "mine": EvidenceItem(kind=EvidenceKind.CLIP, path="/e/m.mkv", sha256="d" * 64,
                                 size_bytes=10, captured_at=T0 + dt.timedelta(minutes=3),
                                 console_id="console-dongcheng"),
            "other": EvidenceItem(kind=EvidenceKind.RECORDING, path="/e/r.mkv",
                                  sha256="e" * 64, size_bytes=10,
                                  captured_at=T0 + dt.timedelta(minutes=4), console_id="x"),
        }
        s.add_all(items.values())
        s.commit()
        stored.ids = {k: v.id for k, v in items.items()}
        stored.number = incident.number
    engine.dispose()
    return stored


def test_the_city_sees_every_item_newest_first_with_source_and_incident(
        evidence: Stored) -> None:
    rows = evidence.load(Jurisdiction())
    assert [r.id for r in rows] == [evidence[k] for k in
                                    ("other", "mine", "incident", "camera", "venue")]
    by_id = {r.id: r for r in rows}
    venue = by_id[evidence["venue"]]
    assert venue.source_name == "惊蛰小剧场 舞台" and venue.district_adcode == "110101"
    assert venue.sha256 == "a" * 64 and venue.size_bytes == 1200
    assert venue.captured_at == T0 and venue.kind is EvidenceKind.SNAPSHOT
    assert by_id[evidence["camera"]].district_adcode == "110105"
    incident = by_id[evidence["incident"]]
    assert incident.incident_number == evidence.number
    assert incident.district_adcode == "110108"


def test_a_district_sees_its_own_and_what_it_captured_itself(evidence: Stored) -> None:
    dongcheng = evidence.load(Jurisdiction.parse("110101"), console_id="console-dongcheng")
    assert {r.id for r in dongcheng} == {evidence["venue"], evidence["mine"]}
    chaoyang = evidence.load(Jurisdiction.parse("110105"), console_id="console-chaoyang")
    assert {r.id for r in chaoyang} == {evidence["camera"]}
    haidian = evidence.load(Jurisdiction.parse("110108"))
    assert {r.id for r in haidian} == {evidence["incident"]}


def test_the_list_can_be_limited_to_kinds(evidence: Stored) -> None:
    rows = evidence.load(Jurisdiction(), kinds=(EvidenceKind.RECORDING,))
    assert [r.id for r in rows] == [evidence["other"]]
