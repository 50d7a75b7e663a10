from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from app.db_writer import DbWriter
from app.services.positions import Fix, LocatedFix, PositionIngest, load_directory
from models import PositionFix, RadioTerminal, Unit, Vehicle, VehicleTerminal
from models.db import make_engine, make_session_factory
from models.enums import PositionSource

# after the demo world's own last fixes (seeded at "now"), so these fixes are the newest
T0 = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(minutes=5)


def test_fixes_are_stored_in_batches_and_move_their_units(seeded_db_url: str) -> None:
    engine = make_engine(seeded_db_url)
    factory = make_session_factory(engine)
    with factory() as s:
        phone, unit_id = s.execute(
            select(VehicleTerminal.phone, Unit.id)
            .join(Vehicle, Vehicle.id == VehicleTerminal.vehicle_id)
            .join(Unit, Unit.vehicle_id == Vehicle.id)
            .limit(1)).one()
        issi, officer_id = s.execute(
            select(RadioTerminal.issi, RadioTerminal.officer_id).limit(1)).one()
    writer = DbWriter(factory)
    writer.start()
    flushed: list[list[LocatedFix]] = []
    ingest = PositionIngest(writer, load_directory(factory), interval_s=60,
                            on_flushed=flushed.append)
    ingest.start()
    try:
        for k in range(100):
            ingest.submit(Fix(PositionSource.JT808, phone, T0 + dt.timedelta(seconds=k),
                              39.9 + k * 1e-4, 116.4, speed_kmh=30.0, heading_deg=90.0))
        # an older fix arriving late (blind-area upload) must not move the unit back
        ingest.submit(Fix(PositionSource.JT808, phone, T0 - dt.timedelta(hours=1), 40.5, 117.0))
        ingest.submit(Fix(PositionSource.LIP, str(issi), T0, 39.95, 116.35, accuracy_m=20.0))
        ingest.submit(Fix(PositionSource.JT808, "099999999999", T0, 39.0, 116.0))
        ingest.flush()
    finally:
        ingest.stop()
        writer.stop()
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(PositionFix)) == 103
        unit = s.get(Unit, unit_id)
        assert unit is not None
        assert unit.last_lat == 39.9 + 99 * 1e-4
        assert unit.last_fix_at == T0 + dt.timedelta(seconds=99)
        radio_fix = s.scalars(
            select(PositionFix).where(PositionFix.source == PositionSource.LIP)).one()
        assert radio_fix.officer_id == officer_id and radio_fix.accuracy_m == 20.0
        stranger = s.scalars(
            select(PositionFix).where(PositionFix.device_id == "099999999999")).one()
        assert stranger.unit_id is None  # stored all the same
    engine.dispose()
    assert ingest.stats.received == ingest.stats.stored == 103
    assert ingest.stats.failed == 0
    assert ingest.stats.unknown_devices == {"099999999999"}
    # the map gets the newest fix per device, once
    latest = {(i.fix.source, i.fix.device_id): i.fix for batch in flushed for i in batch}
    assert latest[(PositionSource.JT808, phone)].ts == T0 + dt.timedelta(seconds=99)
    assert len(flushed[0]) == 3


def test_a_full_backlog_refuses_instead_of_growing(seeded_db_url: str) -> None:
    engine = make_engine(seeded_db_url)
    factory = make_session_factory(engine)
    writer = DbWriter(factory)  # never started: nothing drains the backlog
    ingest = PositionIngest(writer, load_directory(factory), max_pending=10)
    fixes = [Fix(PositionSource.JT808, "013900000001", T0, 39.9, 116.4)] * 6
    assert ingest.submit_many(fixes) is True
    assert ingest.submit_many(fixes) is False  # would make 12 > 10: the terminal resends
    assert (ingest.stats.received, ingest.stats.refused) == (6, 6)
    engine.dispose()


def _stored(factory, device: str) -> int:  # type: ignore[no-untyped-def]
    with factory() as s:
        return int(s.scalar(select(func.count()).select_from(PositionFix)
                            .where(PositionFix.device_id == device)) or 0)


def test_a_durable_ticket_turns_true_only_once_its_batch_has_committed(
        empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    factory = make_session_factory(engine)
    writer = DbWriter(factory)
    writer.start()
    ingest = PositionIngest(writer, load_directory(factory), interval_s=60)
    gate = threading.Event()
    writer.submit(lambda _s: gate.wait(10), label="hold")  # the database is "slow"
    ticket = ingest.submit_durable([Fix(PositionSource.JT808, "013900000007", T0, 39.9, 116.4)])
    assert ticket is not None
    ingest._flush_once()  # handed to the writer, not yet committed
    assert not ticket.done()  # the server must not acknowledge yet
    gate.set()
    assert ticket.result(10) is True
    assert _stored(factory, "013900000007") == 1  # True means: in the database
    writer.stop()
    engine.dispose()


@pytest.mark.expect_log_errors  # shedding is logged as an error
def test_a_tenfold_radio_flood_stays_bounded_and_counts_what_it_sheds(
        empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    factory = make_session_factory(engine)
    writer = DbWriter(factory)
    writer.start()
    states: list[bool] = []
    ingest = PositionIngest(writer, load_directory(factory), interval_s=60, max_pending=100,
                            on_overload=lambda on, _detail: states.append(on))
    gate = threading.Event()
    writer.submit(lambda _s: gate.wait(10), label="hold")
    taken = 0
    for n in range(1000):  # 10x the bound while nothing drains
        fix = Fix(PositionSource.LIP, "2001234", T0 + dt.timedelta(seconds=n), 39.9, 116.4)
        taken += ingest.submit(fix)
        if n == 50:
            ingest._flush_once()  # half of it is being written (in flight) meanwhile
    assert ingest.pending <= 100 and ingest.stats.peak_pending == 100
    assert (taken, ingest.stats.shed) == (100, 900)  # explicit count of what was dropped
    assert states == [True]  # the status bar shows the overload
    # JT/T 808 reports are refused (the terminal resends), never taken beyond the bound
    assert ingest.submit_durable([Fix(PositionSource.JT808, "013900000001", T0, 1, 1)]) is None
    gate.set()
    ingest.flush()
    assert _stored(factory, "2001234") == 100  # everything accepted is stored
    assert ingest.stats.stored + ingest.stats.shed == 1000
    assert states == [True, False]  # and the overload is over
    writer.stop()
    engine.dispose()
