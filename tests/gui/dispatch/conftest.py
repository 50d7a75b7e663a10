"""A seeded demo database with the dispatch tables, a running writer and reader pool."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.orm import Session, sessionmaker

import models.dispatch  # noqa: F401  (registers the dispatch tables on Base.metadata)
from app.db_writer import DbWriter
from models import Base
from models.db import make_engine, make_session_factory


@pytest.fixture
def factory(seeded_db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(seeded_db_url)
    Base.metadata.create_all(engine)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def running(factory: sessionmaker[Session]) -> Iterator[tuple[DbWriter, ThreadPoolExecutor]]:
    writer = DbWriter(factory)
    writer.start()
    readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="test-reader")
    yield writer, readers
    writer.stop()
    readers.shutdown(wait=True)
