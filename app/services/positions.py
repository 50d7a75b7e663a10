"""Position ingest: fixes from vehicle terminals (JT/T 808) and radios (LIP) into the database.

Receivers on any thread hand fixes to :meth:`PositionIngest.submit` (one fix, e.g. a radio's
LIP report) or :meth:`PositionIngest.submit_durable` (a JT/T 808 report), which never block. A
flusher thread groups them into one writer job per interval (sooner when ``flush_at`` fixes
are waiting): a bulk insert of every fix plus the units' latest positions, so thousands of
reports per second cost one transaction each interval. ``submit_durable`` returns a future
that turns ``True`` only once the transaction holding those fixes has committed: the JT/T 808
server acknowledges a report then and not before, so an acknowledged report survives a crash.

The backlog (buffered plus being written) is bounded by ``max_pending``. Beyond it
``submit_durable`` refuses (the terminal is told "failure" and sends again) and ``submit``
sheds the fix, counted in :attr:`IngestStats.shed` and logged — a radio does not resend a
position and the next one supersedes it. Either way the ingest reports an overload state
through ``on_overload`` for the status bar until the backlog is back under half.

The map is fed from :attr:`PositionIngest.on_flushed` with the latest fix per device
(coalesced: one batch per tick, never one call per fix).

Fixes from devices the database does not know are still stored (device id only), so nothing a
terminal sent is lost while an administrator registers it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.db_writer import DbWriter, WriterStopped
from models import (
    Jurisdiction,
    Officer,
    PositionFix,
    RadioTerminal,
    Unit,
    Vehicle,
    VehicleTerminal,
)
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
    """Who a device belongs to.

    ``district_adcode`` is the owner's district (None: city corps, or unknown device), which
    decides which consoles see the device's positions (:func:`in_jurisdiction`); ``label`` is
    how the owner is named on the map: the unit's call sign, the officer's name and call sign,
    the plate of a vehicle no unit has.
    """

    unit_id: int | None
    officer_id: int | None
    district_adcode: str | None = None
    label: str = ""


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
        units = {uid: (call_sign, district) for uid, call_sign, district in session.execute(
            select(Unit.id, Unit.call_sign, Unit.district_adcode)).all()}
        rows = session.execute(
            select(VehicleTerminal.phone, Unit.id, Vehicle.plate)
            .join(Vehicle, Vehicle.id == VehicleTerminal.vehicle_id)
            .join(Unit, Unit.vehicle_id == Vehicle.id, isouter=True)
        ).all()
        for phone, vehicle_unit, plate in rows:
            call_sign, district = units.get(vehicle_unit, ("", None)) \
                if vehicle_unit is not None else ("", None)
            owners[(PositionSource.JT808, phone)] = Owner(vehicle_unit, None, district,
                                                          call_sign or plate)
        officers = {oid: (unit_id, name, district) for oid, unit_id, name, district in
                    session.execute(select(Officer.id, Officer.unit_id, Officer.name,
                                           Officer.district_adcode)).all()}
        for issi, radio_unit, officer_id in session.execute(
            select(RadioTerminal.issi, RadioTerminal.unit_id, RadioTerminal.officer_id)
        ).all():
            officer_unit, name, officer_district = officers.get(officer_id, (None, "", None)) \
                if officer_id is not None else (None, "", None)
            owner_unit: int | None = radio_unit if radio_unit is not None else officer_unit
            call_sign, unit_district = units.get(owner_unit, ("", None)) \
                if owner_unit is not None else ("", None)
            # as models.jurisdiction.scope: the radio's unit, else its officer, decides
            district = unit_district if radio_unit is not None else officer_district
            label = " ".join(p for p in (name, call_sign) if p)
            owners[(PositionSource.LIP, str(issi))] = Owner(owner_unit, officer_id, district,
                                                            label)
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
    #: single fixes (radio LIP) dropped because the backlog was full; never acknowledged
    shed: int = 0
    #: most fixes ever buffered or being written at once
    peak_pending: int = 0
    overloaded: bool = False
    unknown_devices: set[str] = field(default_factory=set)


class PositionIngest:
    """Buffers fixes and stores them in batches through the database writer.

    Args:
        writer: the console's single database writer.
        directory: device → owner mapping.
        interval_s: how often a batch is written.
        on_flushed: called (writer thread) after each stored batch with the latest fix per
            device in it; must return quickly.
        max_pending: most fixes buffered or being written; beyond it fixes are refused/shed.
        flush_at: write as soon as this many fixes are buffered, not waiting for the interval.
        on_overload: called with ``(True, detail)`` when the backlog fills up and
            ``(False, detail)`` once it is back under half of ``max_pending``.
    """

    def __init__(
        self,
        writer: DbWriter,
        directory: DeviceDirectory,
        *,
        interval_s: float = 0.5,
        on_flushed: Callable[[list[LocatedFix]], None] | None = None,
        max_pending: int = 200_000,
        flush_at: int = 2_000,
        on_overload: Callable[[bool, str], None] | None = None,
    ) -> None:
        self._writer = writer
        self._directory = directory
        self._interval = interval_s
        self._on_flushed = on_flushed
        self._max_pending = max_pending
        self._flush_at = max(1, flush_at)
        self._on_overload = on_overload
        self._in_flight = 0
        self._lock = threading.Lock()
        self._buffer: list[Fix] = []
        #: resolved when the batch now being buffered has committed (created on demand)
        self._ticket: Future[bool] | None = None
        self._wake = threading.Event()
        self._shed_logged = 0.0
        self._report_lock = threading.Lock()
        self._reported = False
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
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def submit(self, fix: Fix) -> bool:
        """Accept one fix (any thread, never blocks); False when it was shed.

        While the backlog is full the fix is dropped, counted in ``stats.shed`` and logged
        (at most every 10 s): nobody was told it was stored, and the device's next position
        supersedes it.
        """
        with self._lock:
            if len(self._buffer) + self._in_flight >= self._max_pending:
                self.stats.shed += 1
                changed = self._overload_locked(True)
                now = time.monotonic()
                log_it = now - self._shed_logged >= 10.0
                if log_it:
                    self._shed_logged = now
                shed = self.stats.shed
            else:
                self._take_locked([fix])
                return True
        if log_it:
            log.error("position backlog full (%d fixes): %s position of %s shed; %d shed so far",
                      self._max_pending, fix.source.value, fix.device_id, shed)
        if changed:
            self._report_overload()
        return False

    def submit_durable(self, fixes: list[Fix]) -> Future[bool] | None:
        """Accept several fixes; None (nothing taken) while the backlog is full.

        Returns:
            A future that becomes ``True`` once the transaction holding these fixes has
            committed, ``False`` if storing them failed (they are then not in the database).
            Only a ``True`` may be acknowledged to the device.

        A refusal is back-pressure, not loss: the JT/T 808 server then answers the terminal
        "failure" and the terminal sends the report again.
        """
        idle = False
        with self._lock:
            if len(self._buffer) + self._in_flight + len(fixes) > self._max_pending:
                self.stats.refused += len(fixes)
                changed = self._overload_locked(True)
                ticket = None
            else:
                self._take_locked(fixes)
                if self._ticket is None:
                    self._ticket = Future()
                ticket = self._ticket
                changed = False
                # group commit: a device waits for its answer, so write at once when no
                # batch is being written; otherwise this joins the next batch, written as
                # soon as the one in flight has committed (see _stored)
                idle = self._in_flight == 0
        if changed:
            self._report_overload()
        elif idle:
            self._wake.set()
        return ticket

    def submit_many(self, fixes: list[Fix]) -> bool:
        """Accept several fixes at once; False (nothing taken) while the backlog is full."""
        return self.submit_durable(fixes) is not None

    @property
    def pending(self) -> int:
        """Fixes buffered or being written now."""
        with self._lock:
            return len(self._buffer) + self._in_flight

    def _take_locked(self, fixes: list[Fix]) -> None:
        self._buffer.extend(fixes)
        self.stats.received += len(fixes)
        pending = len(self._buffer) + self._in_flight
        if pending > self.stats.peak_pending:
            self.stats.peak_pending = pending
        if len(self._buffer) >= self._flush_at:
            self._wake.set()

    def _overload_locked(self, value: bool) -> bool:
        """Set the overload state (lock held); whether it changed."""
        if self.stats.overloaded == value:
            return False
        self.stats.overloaded = value
        return True

    def _report_overload(self) -> None:
        """Tell the listener the state as it is now (never with ``_lock`` held)."""
        with self._report_lock:
            with self._lock:
                value = self.stats.overloaded
                detail = (f"positions: {len(self._buffer) + self._in_flight} waiting, "
                          f"{self.stats.refused} refused, {self.stats.shed} shed")
            if value == self._reported:
                return
            self._reported = value
            (log.warning if value else log.info)(
                "position ingest %s (%s)", "overloaded" if value else "caught up", detail)
            if self._on_overload is not None:
                try:
                    self._on_overload(value, detail)
                except Exception:
                    log.exception("on_overload listener failed")

    def flush(self, timeout: float = 10.0) -> None:
        """Write what is buffered now and wait until it is stored (tests, shutdown)."""
        self._flush_once(wait=timeout)

    # ------------------------------------------------------------------ thread
    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._interval)
            self._wake.clear()
            if self._stop.is_set():
                break
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
            ticket, self._ticket = self._ticket, None
            self._in_flight += len(batch)
        if not batch:
            if ticket is not None:  # pragma: no cover - a ticket always comes with fixes
                ticket.set_result(True)
            return
        located = [LocatedFix(f, self._directory.owner(f.source, f.device_id)) for f in batch]
        for item in located:
            if item.owner.unit_id is None and item.owner.officer_id is None:
                if item.fix.device_id not in self.stats.unknown_devices:
                    log.warning("position from unregistered %s device %s stored without owner",
                                item.fix.source.value, item.fix.device_id)
                self.stats.unknown_devices.add(item.fix.device_id)
        try:
            # waits while the writer's queue is full: the backlog then grows to max_pending
            # and new reports are refused (back-pressure), never silently dropped
            future = self._writer.submit(lambda s: _store(s, located),
                                         tables=("position_fix", "unit"), label="positions")
        except WriterStopped:
            self._done(len(batch))
            self.stats.failed += len(batch)
            log.error("database writer stopped: %d positions not stored", len(batch))
            if ticket is not None:
                ticket.set_result(False)
            return
        future.add_done_callback(lambda f: self._stored(f.exception(), located, ticket))
        if wait is not None:
            future.result(wait)

    def _done(self, count: int) -> None:
        with self._lock:
            self._in_flight -= count
            changed = self.stats.overloaded and \
                len(self._buffer) + self._in_flight <= self._max_pending // 2 and \
                self._overload_locked(False)
        if changed:
            self._report_overload()

    def _stored(self, exc: BaseException | None, located: list[LocatedFix],
                ticket: Future[bool] | None = None) -> None:
        self._done(len(located))
        if exc is not None:
            self.stats.failed += len(located)
            log.error("storing %d positions failed: %s", len(located), exc)
            if ticket is not None:
                ticket.set_result(False)
            return
        self.stats.stored += len(located)
        self.stats.batches += 1
        if ticket is not None:  # committed: now the reports may be acknowledged
            ticket.set_result(True)
        if self._ticket is not None:  # devices wait on the next batch: write it now
            self._wake.set()
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


def in_jurisdiction(fixes: list[LocatedFix], jurisdiction: Jurisdiction) -> list[LocatedFix]:
    """The fixes whose owner ``jurisdiction`` may see: a district console gets only its own
    district's devices (no city corps, no unregistered devices); the city gets all."""
    if jurisdiction.is_city:
        return fixes
    return [f for f in fixes if f.owner.district_adcode == jurisdiction.adcode]


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
