"""Vehicle state from JT/T 808 reports: online/offline, moving/stopped, alarm bits, SOS.

:class:`VehicleStateTracker` is pure (no I/O, no clock of its own: every call passes the time) and
not thread-safe; the server calls it from its event loop. Each call returns the
:class:`VehicleEvent` list it caused, for the console to show and log.

SOS (alarm bit 0) is edge-detected: one :attr:`VehicleEventKind.SOS_RAISED` per episode (an episode
ends with a report whose bit 0 is clear). The resulting :class:`SosAlarm` stays pending until an
operator acknowledges it, even if the terminal clears the bit first; the console creates its
incident from the ``SOS_RAISED`` event.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum

from app.tracking.jt808.interfaces import PositionReport
from app.tracking.jt808.messages import ALARM_SOS, Location, alarm_names

__all__ = ["SosAlarm", "VehicleEvent", "VehicleEventKind", "VehicleState", "VehicleStateTracker"]


class VehicleEventKind(Enum):
    """What changed."""

    ONLINE = "online"
    OFFLINE = "offline"
    MOVING = "moving"
    STOPPED = "stopped"
    ALARM_RAISED = "alarm_raised"  #: non-SOS alarm bits went from 0 to 1 (names in ``alarms``)
    ALARM_CLEARED = "alarm_cleared"  #: non-SOS alarm bits went from 1 to 0
    SOS_RAISED = "sos_raised"  #: a new SOS episode: raise the console alarm, create an incident
    SOS_CLEARED = "sos_cleared"  #: the terminal no longer reports SOS
    SOS_ACKNOWLEDGED = "sos_acknowledged"  #: an operator acknowledged the SOS alarm


@dataclass(frozen=True, slots=True)
class SosAlarm:
    """One SOS episode of one vehicle.

    Attributes:
        alarm_id: Tracker-wide number of the episode.
        phone: Terminal phone number.
        raised_at: Receive time of the first report with bit 0 set (UTC).
        location: That report's location.
        cleared_at: Receive time of the first report with bit 0 clear, if any.
        acknowledged_at: When an operator acknowledged it, if done.
        acknowledged_by: Who acknowledged it.
    """

    alarm_id: int
    phone: str
    raised_at: datetime
    location: Location
    cleared_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None

    @property
    def active(self) -> bool:
        """The terminal still reports SOS."""
        return self.cleared_at is None

    @property
    def acknowledged(self) -> bool:
        """An operator has acknowledged the alarm."""
        return self.acknowledged_at is not None


@dataclass(frozen=True, slots=True)
class VehicleState:
    """Snapshot of one vehicle.

    Attributes:
        phone: Terminal phone number.
        online: A message arrived within the offline timeout and the connection is up.
        moving: Speed above the moving threshold (with hysteresis).
        location: Latest location by fix time, or ``None`` before the first report.
        last_seen: Receive time of the latest message of any kind (UTC).
        alarm: Alarm flags of the latest location.
        alarms: Names of those flags.
        sos: The vehicle's active or not yet acknowledged SOS alarm, if any.
    """

    phone: str
    online: bool
    moving: bool
    location: Location | None
    last_seen: datetime | None
    alarm: int
    alarms: tuple[str, ...]
    sos: SosAlarm | None


@dataclass(frozen=True, slots=True)
class VehicleEvent:
    """A state change.

    Attributes:
        kind: What changed.
        phone: Terminal phone number.
        at: When (the report's receive time, or the sweep time).
        state: The vehicle's state after the change.
        alarms: Alarm names raised or cleared (``ALARM_RAISED`` / ``ALARM_CLEARED``).
        sos: The SOS alarm (``SOS_*`` events).
    """

    kind: VehicleEventKind
    phone: str
    at: datetime
    state: VehicleState
    alarms: tuple[str, ...] = ()
    sos: SosAlarm | None = None


@dataclass(slots=True)
class _Vehicle:
    phone: str
    online: bool = False
    moving: bool = False
    location: Location | None = None
    last_seen: datetime | None = None
    alarm: int = 0
    is_2019: bool = False
    sos_id: int | None = None  # the alarm shown on this vehicle (active or unacknowledged)


class VehicleStateTracker:
    """Track online/offline, moving/stopped, alarm bits and SOS episodes per terminal."""

    def __init__(
        self,
        *,
        offline_after_s: float = 180.0,
        moving_kmh: float = 5.0,
        stopped_kmh: float = 2.0,
        offline_on_disconnect: bool = True,
    ) -> None:
        """Create a tracker.

        Args:
            offline_after_s: Silence (no message of any kind) after which a vehicle is offline.
            moving_kmh: Speed at or above which a stopped vehicle counts as moving.
            stopped_kmh: Speed below which a moving vehicle counts as stopped (hysteresis).
            offline_on_disconnect: Mark a vehicle offline as soon as its connection closes.
        """
        if stopped_kmh > moving_kmh:
            raise ValueError("stopped_kmh must not exceed moving_kmh")
        self.offline_after = timedelta(seconds=offline_after_s)
        self.moving_kmh = moving_kmh
        self.stopped_kmh = stopped_kmh
        self.offline_on_disconnect = offline_on_disconnect
        self._vehicles: dict[str, _Vehicle] = {}
        self._sos: dict[int, SosAlarm] = {}
        self._ids = itertools.count(1)

    # ------------------------------------------------------------------ queries
    def state(self, phone: str) -> VehicleState | None:
        """Snapshot of one vehicle, or ``None`` if never seen."""
        vehicle = self._vehicles.get(phone)
        return None if vehicle is None else self._snapshot(vehicle)

    def states(self) -> list[VehicleState]:
        """Snapshots of all vehicles seen."""
        return [self._snapshot(v) for v in self._vehicles.values()]

    def pending_sos(self) -> list[SosAlarm]:
        """SOS alarms not yet acknowledged, oldest first."""
        return sorted(
            (a for a in self._sos.values() if not a.acknowledged), key=lambda a: a.alarm_id
        )

    def sos_alarm(self, alarm_id: int) -> SosAlarm | None:
        """An SOS alarm that is active or unacknowledged, by ID."""
        return self._sos.get(alarm_id)

    # ------------------------------------------------------------------ inputs
    def update(self, report: PositionReport) -> list[VehicleEvent]:
        """Apply one position report.

        A report older (by fix time) than the latest one, e.g. a blind-area back-fill, only
        proves the vehicle is online; it does not change position, motion or alarms.

        Args:
            report: The report.

        Returns:
            Events caused, sharing one state snapshot taken after the update.
        """
        vehicle = self._vehicle(report.phone)
        at = report.received_at
        pending: list[tuple[VehicleEventKind, tuple[str, ...], SosAlarm | None]] = []
        self._mark_seen(vehicle, at, pending)
        loc = report.location
        current = vehicle.location
        if current is not None and loc.time < current.time:
            return self._events(vehicle, at, pending)
        first = current is None
        vehicle.location = loc
        vehicle.is_2019 = report.version is not None
        speed = loc.speed_kmh
        if first:
            vehicle.moving = speed >= self.moving_kmh
        elif vehicle.moving and speed < self.stopped_kmh:
            vehicle.moving = False
            pending.append((VehicleEventKind.STOPPED, (), None))
        elif not vehicle.moving and speed >= self.moving_kmh:
            vehicle.moving = True
            pending.append((VehicleEventKind.MOVING, (), None))
        old, new = vehicle.alarm, loc.alarm
        vehicle.alarm = new
        raised = new & ~old & ~ALARM_SOS
        cleared = old & ~new & ~ALARM_SOS
        if raised:
            names = alarm_names(raised, is_2019=vehicle.is_2019)
            pending.append((VehicleEventKind.ALARM_RAISED, names, None))
        if cleared:
            names = alarm_names(cleared, is_2019=vehicle.is_2019)
            pending.append((VehicleEventKind.ALARM_CLEARED, names, None))
        active = self._active_sos(vehicle)
        if new & ALARM_SOS and active is None:
            alarm = SosAlarm(next(self._ids), vehicle.phone, at, loc)
            self._sos[alarm.alarm_id] = alarm
            self._drop_if_done(vehicle.sos_id)
            vehicle.sos_id = alarm.alarm_id
            pending.append((VehicleEventKind.SOS_RAISED, ("emergency",), alarm))
        elif not new & ALARM_SOS and active is not None:
            alarm = replace(active, cleared_at=at)
            self._sos[alarm.alarm_id] = alarm
            pending.append((VehicleEventKind.SOS_CLEARED, ("emergency",), alarm))
            self._drop_if_done(alarm.alarm_id)
        return self._events(vehicle, at, pending)

    def seen(self, phone: str, at: datetime) -> list[VehicleEvent]:
        """Note any other message (heartbeat, authentication) from a terminal.

        Args:
            phone: Terminal phone number.
            at: Receive time (UTC).

        Returns:
            ``ONLINE`` if the vehicle was offline, else nothing.
        """
        vehicle = self._vehicle(phone)
        pending: list[tuple[VehicleEventKind, tuple[str, ...], SosAlarm | None]] = []
        self._mark_seen(vehicle, at, pending)
        return self._events(vehicle, at, pending)

    def disconnected(self, phone: str, at: datetime) -> list[VehicleEvent]:
        """Note that the terminal's connection closed.

        Args:
            phone: Terminal phone number.
            at: Time of the disconnect (UTC).

        Returns:
            ``OFFLINE`` if the vehicle was online and ``offline_on_disconnect`` is set.
        """
        vehicle = self._vehicles.get(phone)
        if vehicle is None or not vehicle.online or not self.offline_on_disconnect:
            return []
        vehicle.online = False
        return self._events(vehicle, at, [(VehicleEventKind.OFFLINE, (), None)])

    def sweep(self, now: datetime) -> list[VehicleEvent]:
        """Mark vehicles silent for longer than the timeout offline.

        Args:
            now: Current time (UTC).

        Returns:
            One ``OFFLINE`` event per vehicle that went offline.
        """
        events: list[VehicleEvent] = []
        limit = now - self.offline_after
        for vehicle in self._vehicles.values():
            if vehicle.online and vehicle.last_seen is not None and vehicle.last_seen < limit:
                vehicle.online = False
                events += self._events(vehicle, now, [(VehicleEventKind.OFFLINE, (), None)])
        return events

    def acknowledge_sos(self, alarm_id: int, *, operator: str, at: datetime) -> list[VehicleEvent]:
        """Acknowledge an SOS alarm.

        Args:
            alarm_id: :attr:`SosAlarm.alarm_id`.
            operator: Who acknowledged it.
            at: When (UTC).

        Returns:
            One ``SOS_ACKNOWLEDGED`` event, or nothing if the alarm is unknown or already
            acknowledged.
        """
        alarm = self._sos.get(alarm_id)
        if alarm is None or alarm.acknowledged:
            return []
        alarm = replace(alarm, acknowledged_at=at, acknowledged_by=operator)
        self._sos[alarm_id] = alarm
        vehicle = self._vehicle(alarm.phone)
        events = self._events(
            vehicle, at, [(VehicleEventKind.SOS_ACKNOWLEDGED, ("emergency",), alarm)]
        )
        self._drop_if_done(alarm_id)
        return events

    def forget(self, phone: str) -> None:
        """Drop a vehicle (e.g. removed from the fleet); its unacknowledged SOS stays pending."""
        self._vehicles.pop(phone, None)

    # ------------------------------------------------------------------ internals
    def _vehicle(self, phone: str) -> _Vehicle:
        vehicle = self._vehicles.get(phone)
        if vehicle is None:
            vehicle = self._vehicles[phone] = _Vehicle(phone)
        return vehicle

    def _mark_seen(
        self,
        vehicle: _Vehicle,
        at: datetime,
        pending: list[tuple[VehicleEventKind, tuple[str, ...], SosAlarm | None]],
    ) -> None:
        if vehicle.last_seen is None or at > vehicle.last_seen:
            vehicle.last_seen = at
        if not vehicle.online:
            vehicle.online = True
            pending.append((VehicleEventKind.ONLINE, (), None))

    def _active_sos(self, vehicle: _Vehicle) -> SosAlarm | None:
        if vehicle.sos_id is None:
            return None
        alarm = self._sos.get(vehicle.sos_id)
        return alarm if alarm is not None and alarm.active else None

    def _drop_if_done(self, alarm_id: int | None) -> None:
        if alarm_id is None:
            return
        alarm = self._sos.get(alarm_id)
        if alarm is not None and alarm.acknowledged and not alarm.active:
            del self._sos[alarm_id]
            vehicle = self._vehicles.get(alarm.phone)
            if vehicle is not None and vehicle.sos_id == alarm_id:
                vehicle.sos_id = None

    def _snapshot(self, vehicle: _Vehicle) -> VehicleState:
        sos = self._sos.get(vehicle.sos_id) if vehicle.sos_id is not None else None
        return VehicleState(
            phone=vehicle.phone,
            online=vehicle.online,
            moving=vehicle.moving,
            location=vehicle.location,
            last_seen=vehicle.last_seen,
            alarm=vehicle.alarm,
            alarms=alarm_names(vehicle.alarm, is_2019=vehicle.is_2019),
            sos=sos,
        )

    def _events(
        self,
        vehicle: _Vehicle,
        at: datetime,
        pending: list[tuple[VehicleEventKind, tuple[str, ...], SosAlarm | None]],
    ) -> list[VehicleEvent]:
        if not pending:
            return []
        snapshot = self._snapshot(vehicle)
        return [
            VehicleEvent(kind, vehicle.phone, at, snapshot, names, sos)
            for kind, names, sos in pending
        ]
