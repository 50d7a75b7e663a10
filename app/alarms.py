"""Alarms the dispatcher must see and acknowledge (vehicle SOS, radio emergencies, …).

:class:`AlarmCenter` lives on the UI thread. Services raise alarms through the bridge (queued),
the alarm bar shows the pending ones, and acknowledging one runs its ``on_ack`` (for example
telling the JT/T 808 tracker) and records who acknowledged it and when.
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal, Slot

from models.clock import Clock
from models.clock import installed as installed_clock

log = logging.getLogger("app.alarms")


class AlarmSeverity(enum.IntEnum):
    """How urgently an alarm needs the dispatcher: higher goes first on the alarm bar."""

    LOW = 0
    NORMAL = 1
    HIGH = 2
    EMERGENCY = 3  # an officer or crew in danger: pre-empts everything, with sound


#: The one place that ranks alarm kinds. Kinds not listed are NORMAL.
SEVERITY_BY_KIND: dict[str, AlarmSeverity] = {
    "radio_emergency": AlarmSeverity.EMERGENCY,
    "vehicle_sos": AlarmSeverity.EMERGENCY,
    "escalation": AlarmSeverity.HIGH,
    "transcript_finding": AlarmSeverity.HIGH,
    "geofence": AlarmSeverity.NORMAL,
    "recorder_not_live": AlarmSeverity.LOW,
}


def severity_of(kind: str) -> AlarmSeverity:
    """The severity of an alarm kind (NORMAL for kinds not ranked)."""
    return SEVERITY_BY_KIND.get(kind, AlarmSeverity.NORMAL)


@dataclass(slots=True)
class Alarm:
    """One alarm. ``kind`` is e.g. ``vehicle_sos`` or ``radio_emergency``."""

    id: int
    kind: str
    text: str
    raised_at: dt.datetime
    unit_id: int | None = None
    incident_number: str = ""
    lat: float | None = None
    lon: float | None = None
    acknowledged_at: dt.datetime | None = None
    acknowledged_by: str = ""
    key: str | None = None
    on_ack: Callable[[str], None] | None = field(default=None, repr=False)

    @property
    def severity(self) -> AlarmSeverity:
        """How urgent the alarm is (from its kind)."""
        return severity_of(self.kind)


class AlarmCenter(QObject):
    """Pending and acknowledged alarms. Use on the UI thread only.

    Signals:
        raised(object): a new Alarm.
        changed(): the pending list changed.
    """

    raised = Signal(object)
    changed = Signal()

    def __init__(self, parent: QObject | None = None, *, clock: Clock | None = None) -> None:
        super().__init__(parent)
        self._clock = clock or installed_clock()
        self._ids = itertools.count(1)
        self._alarms: list[Alarm] = []

    def raise_alarm(self, kind: str, text: str, *, unit_id: int | None = None,
                    incident_number: str = "", lat: float | None = None,
                    lon: float | None = None,
                    on_ack: Callable[[str], None] | None = None,
                    key: str | None = None) -> Alarm:
        """Add an alarm (it stays pending until acknowledged).

        With ``key``, an alarm of the same kind and key that is still pending is returned
        instead of raising a second one (repeated reports of one situation: the same incident
        extended by further findings, a re-alert while the first is unacknowledged).
        """
        if key is not None:
            for pending in self.pending:
                if pending.kind == kind and pending.key == key:
                    return pending
        alarm = Alarm(next(self._ids), kind, text, self._clock.now(), unit_id, incident_number,
                      lat, lon, key=key, on_ack=on_ack)
        self._alarms.append(alarm)
        log.warning("alarm %s: %s", kind, text,
                    extra={"event": "alarm_raised", "kind": kind, "alarm_id": alarm.id})
        self.raised.emit(alarm)
        self.changed.emit()
        return alarm

    @property
    def pending(self) -> list[Alarm]:
        """Unacknowledged alarms, most severe first, then oldest first within a severity.

        Age is the order of raising (ids only grow), so a clock step cannot reorder them.
        """
        return sorted((a for a in self._alarms if a.acknowledged_at is None),
                      key=lambda a: (-a.severity, a.id))

    @Slot(int, str)
    def acknowledge(self, alarm_id: int, operator: str) -> bool:
        """Acknowledge one alarm; False if it is unknown or already acknowledged."""
        for alarm in self._alarms:
            if alarm.id == alarm_id and alarm.acknowledged_at is None:
                alarm.acknowledged_at = self._clock.now()
                alarm.acknowledged_by = operator
                log.info("alarm %d acknowledged by %s", alarm_id, operator,
                         extra={"event": "alarm_acknowledged", "alarm_id": alarm_id})
                if alarm.on_ack is not None:
                    try:
                        alarm.on_ack(operator)
                    except Exception:
                        log.exception("acknowledging alarm %d downstream failed", alarm_id)
                self.changed.emit()
                return True
        return False
