from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from models import BEIJING_DISTRICTS, Incident, Jurisdiction, Unit, Venue, scope
from models.db import make_engine, make_session_factory


def test_city_and_every_district_parse() -> None:
    assert Jurisdiction.parse("city").is_city
    assert Jurisdiction.parse(" CITY ").is_city
    for adcode in BEIJING_DISTRICTS:
        assert Jurisdiction.parse(adcode).adcode == adcode
    assert len(BEIJING_DISTRICTS) == 16


@pytest.mark.parametrize("bad", ["110103", "110000", "", "chaoyang", "1101055"])
def test_bad_jurisdiction_is_refused_readably(bad: str) -> None:
    with pytest.raises(ValueError, match="city"):
        Jurisdiction.parse(bad)


@given(st.text(max_size=12))
def test_parse_raises_only_value_error(text: str) -> None:
    try:
        j = Jurisdiction.parse(text)
    except ValueError:
        return
    assert j.is_city or j.adcode in BEIJING_DISTRICTS


def test_district_console_sees_only_its_district(seeded_db_url: str) -> None:
    engine = make_engine(seeded_db_url)
    chaoyang = Jurisdiction.parse("110105")
    with make_session_factory(engine)() as s:
        all_units = s.scalars(scope(select(Unit), Unit, Jurisdiction())).all()
        units = s.scalars(scope(select(Unit), Unit, chaoyang)).all()
        venues = s.scalars(scope(select(Venue), Venue, chaoyang)).all()
        incidents = s.scalars(scope(select(Incident), Incident, chaoyang)).all()
    engine.dispose()
    assert units and all(u.district_adcode == "110105" for u in units)
    assert len(all_units) > len(units)
    assert any(u.district_adcode is None for u in all_units)  # city corps: city only
    assert venues and all(v.district_adcode == "110105" for v in venues)
    assert all(i.district_adcode == "110105" for i in incidents)
    assert chaoyang.covers("110105") and not chaoyang.covers("110101")
    assert not chaoyang.covers(None)
    assert Jurisdiction().covers("110101") and Jurisdiction().covers(None)
