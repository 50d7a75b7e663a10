"""Alarms the dispatcher must see and acknowledge (vehicle SOS, radio emergencies, …).

:class:`AlarmCenter` lives on the UI thread. Services raise alarms through the bridge (queued),
the alarm bar shows the pending ones, and acknowledging one runs its ``on_ack`` (for example
telling the JT/T 808 tracker) and records who acknowledged it and when.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal, Slot

from models.base import utcnow

log = logging.getLogger("app.alarms")


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


class AlarmCenter(QObject):
    """Pending and acknowledged alarms. Use on the UI thread only.

    Signals:
        raised(object): a new Alarm.
        changed(): the pending list changed.
    """

    raised = Signal(object)
    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
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
        alarm = Alarm(next(self._ids), kind, text, utcnow(), unit_id, incident_number, lat, lon,
                      key=key, on_ack=on_ack)
        self._alarms.append(alarm)
        log.warning("alarm %s: %s", kind, text,
                    extra={"event": "alarm_raised", "kind": kind, "alarm_id": alarm.id})
        self.raised.emit(alarm)
        self.changed.emit()
        return alarm

    @property
    def pending(self) -> list[Alarm]:
        """Unacknowledged alarms, oldest first."""
        return [a for a in self._alarms if a.acknowledged_at is None]

    @Slot(int, str)
    def acknowledge(self, alarm_id: int, operator: str) -> bool:
        """Acknowledge one alarm; False if it is unknown or already acknowledged."""
        for alarm in self._alarms:
            if alarm.id == alarm_id and alarm.acknowledged_at is None:
                alarm.acknowledged_at = utcnow()
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
