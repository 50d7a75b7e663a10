"""A seeded demo database with the dispatch tables, and a session on it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import models.dispatch  # noqa: F401  (registers the dispatch tables on Base.metadata)
from app.dispatch import records
from app.services.incidents import Actor, create_incident
from models import Base, Incident, Unit, Venue
from models.db import make_engine, make_session_factory
from models.enums import (
    AssignmentState,
    IncidentCategory,
    IncidentPriority,
    IncidentSource,
    UnitStatus,
)


@pytest.fixture
def factory(seeded_db_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on a private copy of the demo world, with the dispatch tables created."""
    engine = make_engine(seeded_db_url)
    Base.metadata.create_all(engine)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One session; the test commits what it wants to keep."""
    with factory() as s:
        yield s


@pytest.fixture
def actor() -> Actor:
    return Actor("王调度", "console-city-1")


#: 10:00 in Beijing on an ordinary Friday.
T0 = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)


class DispatchWorld:
    """Puts the demo world in a known state for one test."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor

    def ready(self, district: str | None) -> list[Unit]:
        """Every unit of a district (None: the city corps) available at known places."""
        units = list(self.session.scalars(
            select(Unit).where(Unit.district_adcode == district if district
                               else Unit.district_adcode.is_(None)).order_by(Unit.call_sign)))
        for k, unit in enumerate(units):
            while (current := records.active_assignment(self.session, unit.id)) is not None:
                current.state = AssignmentState.COMPLETED  # the demo world's jobs are done
                self.session.flush()
            unit.status = UnitStatus.AVAILABLE
            unit.last_lat, unit.last_lon = 39.92 + 0.01 * k, 116.46
            unit.last_fix_at = T0 - dt.timedelta(seconds=30)
        self.session.flush()
        return units

    def venue(self, district: str = "110105", k: int = 0) -> Venue:
        """The k-th venue (by id) of a district."""
        return list(self.session.scalars(select(Venue).where(Venue.district_adcode == district)
                                         .order_by(Venue.id)))[k]

    def incident(self, district: str = "110105",
                 category: IncidentCategory = IncidentCategory.OVER_HOURS,
                 at: dt.datetime = T0) -> Incident:
        """A new high-priority complaint about the district's first venue."""
        return create_incident(self.session, self.actor, source=IncidentSource.HOTLINE_12318,
                               category=category, priority=IncidentPriority.HIGH,
                               title="歌舞娱乐场所超时经营", venue=self.venue(district),
                               reported_at=at)


@pytest.fixture
def world(session: Session, actor: Actor) -> DispatchWorld:
    """Helpers on the test's session."""
    return DispatchWorld(session, actor)
