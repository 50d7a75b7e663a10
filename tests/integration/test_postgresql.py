"""The shared database: the schema and the console's queries on a real PostgreSQL server.

A throw-away cluster is created in a temp directory (initdb as the ``postgres`` user when run as
root) and listens on 127.0.0.1 only. `make test` installs the server package.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.demo.world import seed_world
from app.services.directory import load_incidents, load_units
from models import Jurisdiction, Venue
from models.db import SchemaError, make_engine, make_session_factory, prepare_database, upgrade

pytestmark = pytest.mark.integration

_BIN = Path("/usr/lib/postgresql")


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for version in sorted(_BIN.glob("*"), reverse=True):
        candidate = version / "bin" / name
        if candidate.exists():
            return str(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def pg_server() -> Iterator[str]:
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("PostgreSQL server binaries not installed (make test installs them)")
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    base = Path(tempfile.mkdtemp(prefix="cedc-pg-"))
    data = base / "data"
    if as_root:
        shutil.chown(base, "postgres")
    port = _free_port()
    subprocess.run([*prefix, initdb, "-D", str(data), "-A", "trust", "-U", "postgres",
                    "-E", "UTF8", "--no-locale"], check=True, capture_output=True)
    subprocess.run([*prefix, pg_ctl, "-D", str(data), "-l", str(base / "log"), "-w", "-t", "60",
                    "-o", f"-p {port} -k {base} -c listen_addresses=127.0.0.1", "start"],
                   check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
                       check=False, capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh database on the server for one test."""
    name = f"t{time.monotonic_ns()}"
    admin = make_engine(pg_server)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = pg_server.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_a_shared_database_is_only_upgraded_explicitly(pg_url: str) -> None:
    engine = make_engine(pg_url)
    with pytest.raises(SchemaError, match="db upgrade"):
        prepare_database(engine, auto_upgrade=False)
    upgrade(engine)
    assert prepare_database(engine, auto_upgrade=False).up_to_date
    engine.dispose()


def test_the_console_queries_and_utc_times_work_on_postgresql(pg_url: str) -> None:
    engine = make_engine(pg_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    now = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)
    with factory() as s:
        summary = seed_world(s, now=now)
        s.commit()
    with factory() as s:
        units = load_units(s, Jurisdiction())
        chaoyang = load_units(s, Jurisdiction.parse("110105"))
        incidents = load_incidents(s, Jurisdiction())
        venue = s.scalars(select(Venue).order_by(Venue.id)).first()
        zone = s.execute(text("SHOW TIME ZONE")).scalar()
    engine.dispose()
    assert len(units) == summary.units and {u.district_adcode for u in chaoyang} == {"110105"}
    assert len(incidents) == summary.incidents
    assert venue is not None and venue.grade_updated_at.tzinfo is not None
    assert venue.grade_updated_at < now
    assert zone is not None  # whatever the server's zone, values come back as aware UTC
    assert all(i.reported_at.utcoffset() == dt.timedelta(0) for i in incidents)
