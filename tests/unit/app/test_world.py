from __future__ import annotations

import json
from collections import Counter

from shapely.geometry import Point, shape
from sqlalchemy import func, select

from app.demo.world import KEY_VENUES, seed_world
from models import (
    BodyCamera,
    District,
    Officer,
    RadioTerminal,
    Unit,
    Vehicle,
    VehicleTerminal,
    Venue,
)
from models.db import make_engine, make_session_factory
from models.enums import CreditGrade, VenueClass


def _snapshot(url: str) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        rows = s.execute(select(Venue.name, Venue.licence_no, Venue.lat, Venue.lon, Venue.grade)
                         .order_by(Venue.id)).all()
        rows += s.execute(select(Officer.name, Officer.badge_no).order_by(Officer.id)).all()
    engine.dispose()
    return list(rows)


def test_the_world_is_deterministic_from_its_seed(empty_db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from models.db import prepare_database

    urls = [empty_db_url]
    other = f"sqlite:///{tmp_path / 'b.db'}"
    e = make_engine(other)
    prepare_database(e, auto_upgrade=True)
    e.dispose()
    urls.append(other)
    for url in urls:
        engine = make_engine(url)
        with make_session_factory(engine)() as s:
            seed_world(s, seed=7)
            s.commit()
        engine.dispose()
    assert _snapshot(urls[0]) == _snapshot(urls[1])


def test_the_world_has_what_the_console_needs(seeded_db_url: str) -> None:
    engine = make_engine(seeded_db_url)
    with make_session_factory(engine)() as s:
        count = lambda model: s.scalar(select(func.count()).select_from(model))  # noqa: E731
        assert count(District) == 16
        assert count(Venue) >= 400
        assert count(Officer) >= 80
        assert count(Unit) >= 30
        assert count(Vehicle) == count(Unit) == count(VehicleTerminal)
        assert count(RadioTerminal) == count(Officer)
        assert count(BodyCamera) >= count(Unit)
        venues = s.scalars(select(Venue)).all()
        districts = {d.adcode: shape(json.loads(d.boundary_geojson))
                     for d in s.scalars(select(District))}
        # every venue lies inside its own district's outline
        outside = [v.name for v in venues
                   if not districts[v.district_adcode].contains(Point(v.lon, v.lat))]
        assert outside == []
        # most venues are in the six central districts
        central = {"110101", "110102", "110105", "110106", "110107", "110108"}
        assert sum(v.district_adcode in central for v in venues) > 0.6 * len(venues)
        grades = Counter(v.grade for v in venues)
        assert grades[CreditGrade.A] > grades[CreditGrade.B] > grades[CreditGrade.C] > \
            grades[CreditGrade.D] > 0
        assert sum(v.venue_class is VenueClass.KEY for v in venues) == KEY_VENUES
        assert len({v.name for v in venues}) == len(venues)
        assert len({v.licence_no for v in venues}) == len(venues)
        # grade history ends in the current grade
        for v in venues[:50]:
            assert v.grade_history[-1].grade == v.grade
        # names and addresses are Chinese
        assert all(v.address.startswith("北京市") for v in venues)
        every_unit_crewed = s.scalars(select(Unit)).all()
        assert all(2 <= len(u.officers) <= 3 for u in every_unit_crewed)
    engine.dispose()
