from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.services.directory import load_incidents, load_units
from app.services.incidents import Actor, create_incident, next_incident_number
from models import Incident, Jurisdiction, SystemClock, Venue
from models.db import make_engine, make_session_factory
from models.enums import IncidentCategory, IncidentSource, IncidentStatus


def test_units_rows_carry_crew_vehicle_radios_and_scope(seeded_db_url: str) -> None:
    engine = make_engine(seeded_db_url)
    with make_session_factory(engine)() as s:
        city = load_units(s, Jurisdiction())
        haidian = load_units(s, Jurisdiction.parse("110108"))
    engine.dispose()
    assert len(city) >= 30
    assert {r.district_name for r in haidian} == {"海淀区"}
    row = haidian[0]
    assert row.members and row.vehicle_plate.startswith("京A") and row.radio_issis
    assert row.camera_count >= 1
    assert any(r.active_incident for r in city)


def test_incident_rows_show_open_and_recently_closed_in_scope(seeded_db_url: str) -> None:
    engine = make_engine(seeded_db_url)
    with make_session_factory(engine)() as s:
        rows = load_incidents(s, Jurisdiction(), clock=SystemClock())
        total = len(s.scalars(select(Incident)).all())
    engine.dispose()
    assert len(rows) == total
    assert any(r.status is IncidentStatus.CLOSED for r in rows)
    assert any(r.units for r in rows)
    assert all(r.venue_name for r in rows)


def test_incident_numbers_count_per_beijing_day(seeded_db_url: str) -> None:
    engine = make_engine(seeded_db_url)
    actor = Actor("tester", "console-1")
    with make_session_factory(engine)() as s:
        venue = s.scalars(select(Venue).limit(1)).one()
        # 23:30 UTC on 1 Jan is 07:30 on 2 Jan in Beijing
        when = dt.datetime(2030, 1, 1, 23, 30, tzinfo=dt.UTC)
        a = create_incident(s, actor, source=IncidentSource.HOTLINE_12318,
                            category=IncidentCategory.OTHER, title="a", venue=venue,
                            reported_at=when)
        b = create_incident(s, actor, source=IncidentSource.MANUAL,
                            category=IncidentCategory.OTHER, title="b", reported_at=when)
        s.commit()
        assert (a.number, b.number) == ("20300102-0001", "20300102-0002")
        assert next_incident_number(s, when) == "20300102-0003"
        assert a.district_adcode == venue.district_adcode and a.lat == venue.lat
        assert [e.kind for e in a.events] == ["created"]
    engine.dispose()
