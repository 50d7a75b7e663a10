"""Recorder check: a unit on scene / inspecting must have its body cameras live.

:func:`recorder_warnings` is the rule, a pure function over unit statuses and source states.
:class:`RecorderMonitor` applies it continuously: it keeps the cameras of every unit on scene
open (state only, no pictures decoded unless the wall shows them), evaluates the rule every
couple of seconds and signals new and cleared warnings.

Wiring (composition root)::

    monitor = RecorderMonitor(media)
    core.units.loaded.connect(monitor.set_units)
    monitor.warning_raised.connect(
        lambda w: core.alarms.raise_alarm("recorder_not_live", w.text(), unit_id=w.unit_id))
    lifecycle.add("recorder check", monitor.start, monitor.stop)
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot

from app.i18n import QT_TRANSLATE_NOOP
from app.media.directory import CameraLink
from app.media.service import MediaService, Subscription
from app.media.types import MediaError, SourceState
from models.base import utcnow
from models.enums import UnitStatus

log = logging.getLogger("app.media.recorder")

#: States in which a camera is known not to be recording to the console.
NOT_LIVE = frozenset({SourceState.LOST, SourceState.STALLED})

_CTX = "RecorderCheck"
_TEXT = QT_TRANSLATE_NOOP("RecorderCheck", "Body camera not live: %1 is on scene, %2")
_NO_STREAM = QT_TRANSLATE_NOOP("RecorderCheck", "%1 has no stream")
_DOWN = QT_TRANSLATE_NOOP("RecorderCheck", "%1 signal lost")


class UnitLike(Protocol):
    """What the check needs of a unit (``app.services.directory.UnitRow`` fits)."""

    @property
    def id(self) -> int: ...
    @property
    def call_sign(self) -> str: ...
    @property
    def status(self) -> UnitStatus: ...
    @property
    def status_changed_at(self) -> dt.datetime: ...


@dataclass(frozen=True, slots=True)
class CameraProblem:
    """A camera of an on-scene unit that is not live (``state`` None: no stream configured)."""

    camera_id: int
    serial: str
    source_id: int | None
    state: SourceState | None


@dataclass(frozen=True, slots=True)
class RecorderWarning:
    """A unit on scene with cameras that are not live."""

    unit_id: int
    call_sign: str
    on_scene_since: dt.datetime
    problems: tuple[CameraProblem, ...]

    def text(self) -> str:
        """One line for the alarm bar, in the UI language."""
        parts = [
            QCoreApplication.translate(_CTX, _NO_STREAM if p.state is None else _DOWN)
            .replace("%1", p.serial)
            for p in self.problems
        ]
        return QCoreApplication.translate(_CTX, _TEXT).replace("%1", self.call_sign) \
            .replace("%2", "; ".join(parts))


def recorder_warnings(units: Iterable[UnitLike],
                      unit_cameras: Mapping[int, Sequence[CameraLink]],
                      states: Mapping[int, SourceState], *, now: dt.datetime,
                      grace_s: float = 30.0, down_for: Mapping[int, float] | None = None,
                      min_down_s: float = 0.0) -> list[RecorderWarning]:
    """Units on scene / inspecting for longer than ``grace_s`` whose cameras are not live.

    A camera is not live when its source is lost or stalled (for at least ``min_down_s``
    seconds, when ``down_for`` says how long each source has been so), or when it has no
    source at all. A source still connecting, or not watched (no state), is not judged yet.
    Units without cameras are not warned about (they carry none to switch on).
    """
    out: list[RecorderWarning] = []
    for unit in units:
        if unit.status is not UnitStatus.ON_SCENE:
            continue
        if (now - unit.status_changed_at).total_seconds() < grace_s:
            continue
        problems = []
        for cam in unit_cameras.get(unit.id, ()):
            if cam.source_id is None:
                problems.append(CameraProblem(cam.camera_id, cam.serial, None, None))
                continue
            state = states.get(cam.source_id)
            if state in NOT_LIVE and (down_for is None or down_for.get(cam.source_id, 0.0)
                                      >= min_down_s):
                problems.append(CameraProblem(cam.camera_id, cam.serial, cam.source_id, state))
        if problems:
            out.append(RecorderWarning(unit.id, unit.call_sign, unit.status_changed_at,
                                       tuple(problems)))
    return out


class RecorderMonitor(QObject):
    """Watches on-scene units' cameras and applies the recorder check. UI thread only.

    Args:
        media: the media service (opens the cameras, reports their states).
        grace_s: time a unit has after arriving before its cameras must be live.
        min_down_s: how long a camera must have been lost or stalled before it counts
            (a network blip, or the console just starting, raises no alarm).
        interval_ms: how often the rule is evaluated.

    Signals:
        warnings_changed(object): the current list of RecorderWarning.
        warning_raised(object): a RecorderWarning for a unit that had none before.
        warning_cleared(int): the unit's cameras are live again (or it left the scene).
    """

    warnings_changed = Signal(object)
    warning_raised = Signal(object)
    warning_cleared = Signal(int)

    def __init__(self, media: MediaService, *, grace_s: float = 30.0, min_down_s: float = 10.0,
                 interval_ms: int = 2000, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._media = media
        self.grace_s = grace_s
        self.min_down_s = min_down_s
        self._down_since: dict[int, float] = {}
        self._units: list[UnitLike] = []
        self._watches: dict[int, Subscription] = {}
        self.warnings: list[RecorderWarning] = []
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.evaluate)
        media.directory_changed.connect(self._rewatch)

    def start(self) -> None:
        """Start watching and evaluating."""
        self._timer.start()
        self._rewatch()

    def stop(self) -> None:
        """Stop evaluating and let go of the watched cameras."""
        self._timer.stop()
        for sub in self._watches.values():
            sub.close()
        self._watches.clear()

    @Slot(object)
    def set_units(self, rows: Sequence[UnitLike]) -> None:
        """New unit rows (connect the units LiveQuery's ``loaded``)."""
        self._units = list(rows)
        self._rewatch()

    def _unit_cameras(self) -> dict[int, list[CameraLink]]:
        directory = self._media.directory
        return {u.id: [directory.cameras[c] for c in directory.unit_cameras.get(u.id, ())]
                for u in self._units if u.status is UnitStatus.ON_SCENE}

    @Slot()
    def _rewatch(self) -> None:
        if not self._timer.isActive():
            return
        wanted = {c.source_id for cams in self._unit_cameras().values() for c in cams
                  if c.source_id is not None and c.source_id in self._media.directory.sources}
        for source_id in [s for s in self._watches if s not in wanted]:
            self._watches.pop(source_id).close()
        for source_id in wanted - self._watches.keys():
            try:
                self._watches[source_id] = self._media.watch(source_id)
            except MediaError as exc:
                log.warning("cannot watch camera source %d: %s", source_id, exc)

    @Slot()
    def evaluate(self) -> list[RecorderWarning]:
        """Apply the rule now; signal what changed."""
        cams = self._unit_cameras()
        states = {sid: self._media.stats(sid).state for sid in self._watches}
        now = time.monotonic()
        for sid, state in states.items():
            if state in NOT_LIVE:
                self._down_since.setdefault(sid, now)
            else:
                self._down_since.pop(sid, None)
        for sid in [s for s in self._down_since if s not in states]:
            del self._down_since[sid]
        down_for = {sid: now - t for sid, t in self._down_since.items()}
        current = recorder_warnings(self._units, cams, states, now=utcnow(),
                                    grace_s=self.grace_s, down_for=down_for,
                                    min_down_s=self.min_down_s)
        before = {w.unit_id: w for w in self.warnings}
        after = {w.unit_id: w for w in current}
        if current != self.warnings:
            self.warnings = current
            self.warnings_changed.emit(current)
        for unit_id, warning in after.items():
            if unit_id not in before:
                log.warning("recorder check: %s", warning.text(),
                            extra={"event": "recorder_not_live", "unit_id": unit_id})
                self.warning_raised.emit(warning)
        for unit_id in before.keys() - after.keys():
            self.warning_cleared.emit(unit_id)
        return current
