from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text

from models import Base, District, Venue
from models.db import SchemaError, make_engine, make_session_factory, prepare_database, schema_state
from models.enums import CreditGrade, VenueClass, VenueType


def test_migrations_build_exactly_the_orm_schema(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    state = prepare_database(engine, auto_upgrade=True)
    assert state.up_to_date
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == [], "the ORM and the migrations disagree: add a migration"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_a_schema_newer_than_the_program_is_refused(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    with pytest.raises(SchemaError, match="newer than this program"):
        prepare_database(engine, auto_upgrade=True)
    engine.dispose()


def test_an_outdated_shared_database_is_not_upgraded_implicitly(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with pytest.raises(SchemaError, match="db upgrade"):
        prepare_database(engine, auto_upgrade=False)
    assert schema_state(engine).current is None  # nothing was touched
    engine.dispose()


def test_timestamps_come_back_aware_utc_and_naive_ones_are_refused(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    factory = make_session_factory(engine)
    beijing = dt.timezone(dt.timedelta(hours=8))
    with factory() as s:
        s.add(District(adcode="110101", name="东城区", boundary_geojson="{}", centroid_lat=39.9,
                       centroid_lon=116.4))
        s.add(Venue(name="测试剧场", licence_no="L1", venue_type=VenueType.PERFORMANCE,
                    venue_class=VenueClass.KEY, address="东城区", lat=39.9, lon=116.4,
                    district_adcode="110101", grade=CreditGrade.C,
                    grade_updated_at=dt.datetime(2026, 1, 1, 20, 0, tzinfo=beijing)))
        s.commit()
    with factory() as s:
        venue = s.scalars(select(Venue)).one()
        assert venue.grade_updated_at == dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
        assert venue.grade_updated_at.tzinfo is not None
        venue.grade_updated_at = dt.datetime(2026, 1, 1, 12, 0)  # naive
        with pytest.raises(Exception, match="naive datetime"):
            s.commit()
    engine.dispose()


def test_enum_columns_refuse_unknown_values(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    factory = make_session_factory(engine)
    with factory() as s:
        s.add(District(adcode="110101", name="东城区", boundary_geojson="{}", centroid_lat=39.9,
                       centroid_lon=116.4))
        s.commit()
        s.add(Venue(name="x", licence_no="L2", venue_type="casino",  # type: ignore[arg-type]
                    venue_class=VenueClass.KEY, address="", lat=0, lon=0,
                    district_adcode="110101", grade=CreditGrade.A))
        with pytest.raises(Exception, match="casino"):
            s.commit()
    engine.dispose()
