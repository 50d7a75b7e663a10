"""The thread → UI bridge: queued Qt signals that carry results from workers to the UI.

Workers (the database writer, serial and socket threads, decoders) never touch widgets. They
emit these signals from their own threads; Qt queues each emission to the receiver's thread
(the UI thread), so slots run there in order.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger("app.bridge")


class LinkState(enum.StrEnum):
    """State of a subsystem's link, shown in the status bar."""

    NOT_CONFIGURED = "not_configured"
    CONNECTING = "connecting"
    UP = "up"
    DEGRADED = "degraded"
    DOWN = "down"


class Subsystem(enum.StrEnum):
    """Subsystems whose link state the console shows."""

    DATABASE = "database"
    RADIO = "radio"
    VEHICLES = "vehicles"
    VIDEO = "video"
    SPEECH = "speech"
    MAP = "map"


class UiBridge(QObject):
    """Signals from any thread to the UI thread. Create it on the UI thread.

    Signals:
        data_changed(object): a frozenset of table names written by a commit.
        link_state_changed(str, str, str): subsystem, LinkState value, detail text.
        vehicle_sos(object): an app.tracking.service.SosNotice (its incident already exists).
        positions(object): a list of app.services.positions.LocatedFix, newest per device.
        radio_emergency(object): an app.radio.service.EmergencyNotice (incident exists).
        radio_call(object): an app.radio.service.CallActivity for the call strip.
        radio_talkgroup(int): the gateway radio's selected talkgroup.
        geofence_alarm(object): an app.services.geofences.GeofenceAlarm.
        geofences_changed(object): the active fences as a GeoJSON FeatureCollection (dict).
    """

    data_changed = Signal(object)
    link_state_changed = Signal(str, str, str)
    vehicle_sos = Signal(object)
    positions = Signal(object)
    radio_emergency = Signal(object)
    radio_call = Signal(object)
    radio_talkgroup = Signal(int)
    geofence_alarm = Signal(object)
    geofences_changed = Signal(object)
    _invoke = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # written by any thread before the signal is emitted, so a widget created later reads
        # the true state even while earlier emissions are still queued for older receivers
        self._states: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()
        self._invoke.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def call_soon(self, fn: Callable[[], Any]) -> None:
        """Run ``fn`` on the UI thread (from any thread), after pending events."""
        self._invoke.emit(fn)

    def set_link_state(self, subsystem: Subsystem, state: LinkState, detail: str = "") -> None:
        """Report a subsystem's link state (from any thread)."""
        with self._lock:
            self._states[subsystem.value] = (state.value, detail)
        self.link_state_changed.emit(subsystem.value, state.value, detail)

    def link_state(self, subsystem: Subsystem) -> tuple[LinkState, str]:
        """The latest state of ``subsystem`` reported from any thread."""
        with self._lock:
            state, detail = self._states.get(subsystem.value,
                                             (LinkState.NOT_CONFIGURED.value, ""))
        return LinkState(state), detail

    @Slot(object)
    def _run(self, fn: Callable[[], Any]) -> None:
        try:
            fn()
        except Exception:
            log.exception("UI callback %r failed", fn)
