"""Position ingest: fixes from vehicle terminals (JT/T 808) and radios (LIP) into the database.

Receivers on any thread hand fixes to :meth:`PositionIngest.submit`, which never blocks. A
flusher thread groups them into one writer job per interval: a bulk insert of every fix plus
the units' latest positions, so thousands of reports per second cost one transaction each
interval. The map is fed from :attr:`PositionIngest.on_flushed` with the latest fix per device
(coalesced: one batch per tick, never one call per fix).

Fixes from devices the database does not know are still stored (device id only), so nothing a
terminal sent is lost while an administrator registers it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.db_writer import DbWriter, WriterStopped
from models import Officer, PositionFix, RadioTerminal, Unit, Vehicle, VehicleTerminal
from models.base import utcnow
from models.enums import PositionSource

log = logging.getLogger("app.services.positions")


@dataclass(frozen=True, slots=True)
class Fix:
    """One position report of one device, WGS-84, device time in UTC."""

    source: PositionSource
    device_id: str
    ts: dt.datetime
    lat: float
    lon: float
    speed_kmh: float | None = None
    heading_deg: float | None = None
    altitude_m: float | None = None
    accuracy_m: float | None = None
    alarm_bits: int = 0
    status_bits: int = 0


@dataclass(frozen=True, slots=True)
class Owner:
    """Who a device belongs to."""

    unit_id: int | None
    officer_id: int | None


@dataclass(frozen=True, slots=True)
class LocatedFix:
    """A stored fix with its owner, as handed to the map."""

    fix: Fix
    owner: Owner


class DeviceDirectory:
    """Maps (source, device id) to the unit and officer it belongs to. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owners: dict[tuple[PositionSource, str], Owner] = {}

    def load(self, session: Session) -> None:
        """Read every vehicle terminal and radio from the database."""
        owners: dict[tuple[PositionSource, str], Owner] = {}
        rows = session.execute(
            select(VehicleTerminal.phone, Unit.id)
            .join(Vehicle, Vehicle.id == VehicleTerminal.vehicle_id)
            .join(Unit, Unit.vehicle_id == Vehicle.id, isouter=True)
        ).all()
        for phone, vehicle_unit in rows:
            owners[(PositionSource.JT808, phone)] = Owner(vehicle_unit, None)
        officer_units = dict(session.execute(select(Officer.id, Officer.unit_id)).all())
        for issi, radio_unit, officer_id in session.execute(
            select(RadioTerminal.issi, RadioTerminal.unit_id, RadioTerminal.officer_id)
        ).all():
            owner_unit: int | None = radio_unit
            if owner_unit is None and officer_id is not None:
                owner_unit = officer_units.get(officer_id)
            owners[(PositionSource.LIP, str(issi))] = Owner(owner_unit, officer_id)
        with self._lock:
            self._owners = owners

    def owner(self, source: PositionSource, device_id: str) -> Owner:
        """The owner of a device (both None when unknown)."""
        with self._lock:
            return self._owners.get((source, device_id), Owner(None, None))


@dataclass(slots=True)
class IngestStats:
    """Counters: every received fix is either stored or counted as failed."""

    received: int = 0
    stored: int = 0
    failed: int = 0
    batches: int = 0
    refused: int = 0
    unknown_devices: set[str] = field(default_factory=set)


class PositionIngest:
    """Buffers fixes and stores them in batches through the database writer.

    Args:
        writer: the console's single database writer.
        directory: device → owner mapping.
        interval_s: how often a batch is written.
        on_flushed: called (flusher thread) after each stored batch with the latest fix per
            device in it.
    """

    def __init__(
        self,
        writer: DbWriter,
        directory: DeviceDirectory,
        *,
        interval_s: float = 0.5,
        on_flushed: Callable[[list[LocatedFix]], None] | None = None,
        max_pending: int = 200_000,
    ) -> None:
        self._writer = writer
        self._directory = directory
        self._interval = interval_s
        self._on_flushed = on_flushed
        self._max_pending = max_pending
        self._in_flight = 0
        self._lock = threading.Lock()
        self._buffer: list[Fix] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.stats = IngestStats()

    def start(self) -> None:
        """Start the flusher thread."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="position-ingest", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Store what is buffered, then stop."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def submit(self, fix: Fix) -> None:
        """Accept a fix (any thread, never blocks)."""
        with self._lock:
            self._buffer.append(fix)
            self.stats.received += 1

    def submit_many(self, fixes: list[Fix]) -> bool:
        """Accept several fixes at once; False (nothing taken) while the backlog is full.

        A refusal is back-pressure, not loss: the JT/T 808 server then answers the terminal
        "failure" and the terminal sends the report again.
        """
        with self._lock:
            if len(self._buffer) + self._in_flight + len(fixes) > self._max_pending:
                self.stats.refused += len(fixes)
                return False
            self._buffer.extend(fixes)
            self.stats.received += len(fixes)
        return True

    def flush(self, timeout: float = 10.0) -> None:
        """Write what is buffered now and wait until it is stored (tests, shutdown)."""
        self._flush_once(wait=timeout)

    # ------------------------------------------------------------------ thread
    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._flush_once()
            except Exception:
                log.exception("position flush failed")
        try:
            self._flush_once(wait=10.0)
        except Exception:
            log.exception("final position flush failed")

    def _flush_once(self, wait: float | None = None) -> None:
        with self._lock:
            batch, self._buffer = self._buffer, []
            self._in_flight += len(batch)
        if not batch:
            return
        located = [LocatedFix(f, self._directory.owner(f.source, f.device_id)) for f in batch]
        for item in located:
            if item.owner.unit_id is None and item.owner.officer_id is None:
                if item.fix.device_id not in self.stats.unknown_devices:
                    log.warning("position from unregistered %s device %s stored without owner",
                                item.fix.source.value, item.fix.device_id)
                self.stats.unknown_devices.add(item.fix.device_id)
        try:
            future = self._writer.submit(lambda s: _store(s, located),
                                         tables=("position_fix", "unit"), label="positions")
        except WriterStopped:
            self._done(len(batch))
            self.stats.failed += len(batch)
            log.error("database writer stopped: %d positions not stored", len(batch))
            return
        future.add_done_callback(lambda f: self._stored(f.exception(), located))
        if wait is not None:
            future.result(wait)

    def _done(self, count: int) -> None:
        with self._lock:
            self._in_flight -= count

    def _stored(self, exc: BaseException | None, located: list[LocatedFix]) -> None:
        self._done(len(located))
        if exc is not None:
            self.stats.failed += len(located)
            log.error("storing %d positions failed: %s", len(located), exc)
            return
        self.stats.stored += len(located)
        self.stats.batches += 1
        if self._on_flushed is not None:
            latest: dict[tuple[PositionSource, str], LocatedFix] = {}
            for item in located:
                key = (item.fix.source, item.fix.device_id)
                if key not in latest or latest[key].fix.ts <= item.fix.ts:
                    latest[key] = item
            try:
                self._on_flushed(list(latest.values()))
            except Exception:
                log.exception("position listener failed")


def _store(session: Session, located: list[LocatedFix]) -> int:
    now = utcnow()
    session.execute(
        insert(PositionFix),
        [
            {
                "source": item.fix.source, "device_id": item.fix.device_id,
                "unit_id": item.owner.unit_id, "officer_id": item.owner.officer_id,
                "ts": item.fix.ts, "lat": item.fix.lat, "lon": item.fix.lon,
                "speed_kmh": item.fix.speed_kmh, "heading_deg": item.fix.heading_deg,
                "altitude_m": item.fix.altitude_m, "accuracy_m": item.fix.accuracy_m,
                "alarm_bits": item.fix.alarm_bits, "status_bits": item.fix.status_bits,
                "received_at": now,
            }
            for item in located
        ],
    )
    # the newest fix per unit becomes its last known position (never move a unit back in time)
    newest: dict[int, Fix] = {}
    for item in located:
        uid = item.owner.unit_id
        if uid is not None and (uid not in newest or newest[uid].ts <= item.fix.ts):
            newest[uid] = item.fix
    for uid, fix in newest.items():
        session.execute(
            update(Unit)
            .where(Unit.id == uid)
            .where((Unit.last_fix_at.is_(None)) | (Unit.last_fix_at <= fix.ts))
            .values(last_lat=fix.lat, last_lon=fix.lon, last_fix_at=fix.ts)
        )
    return len(located)


def load_directory(factory: sessionmaker[Session]) -> DeviceDirectory:
    """A directory loaded from the database."""
    directory = DeviceDirectory()
    with factory() as session:
        directory.load(session)
    return directory
