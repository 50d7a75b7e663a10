"""Track replay: the clock (:class:`ReplayController`) and its controls (:class:`ReplayBar`).

The controller owns the replay time; the map page only draws what it is told. Playing advances
the clock by wall time × speed, ten times a second; *step* jumps to the next (or previous) recorded
fix of any replayed unit, so a dispatcher can walk through the record fix by fix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStyle,
    QToolButton,
    QWidget,
)

from app.geo.track import (
    TrackPoint,
    next_fix_time,
    normalise_track,
    position_at,
    previous_fix_time,
)

#: Playback speeds offered (× real time).
SPEEDS = (1, 2, 4, 8, 16, 32, 64)
_FRAME_MS = 100
#: China Standard Time (no daylight saving): replay times are shown in Beijing time.
BEIJING = dt.timezone(dt.timedelta(hours=8))


class ReplayController(QObject):
    """The replay clock over a set of tracks.

    Signals:
        time_changed(float): the replay time (epoch seconds) moved.
        playing_changed(bool): playback started (True) or paused (False).
        loaded(): new tracks were loaded (t0, t1 and the tracks changed).
    """

    time_changed = Signal(float)
    playing_changed = Signal(bool)
    loaded = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tracks: dict[str, list[TrackPoint]] = {}
        self._t0 = 0.0
        self._t1 = 0.0
        self._t = 0.0
        self._speed = 1
        self._timer = QTimer(self)
        self._timer.setInterval(_FRAME_MS)
        self._timer.timeout.connect(self._advance)
        self._clock = QElapsedTimer()

    # ------------------------------------------------------------------ state
    @property
    def tracks(self) -> Mapping[str, list[TrackPoint]]:
        """The normalised tracks by unit id."""
        return self._tracks

    @property
    def t0(self) -> float:
        """Start of the replay range (epoch seconds)."""
        return self._t0

    @property
    def t1(self) -> float:
        """End of the replay range (epoch seconds)."""
        return self._t1

    @property
    def time(self) -> float:
        """The replay time (epoch seconds)."""
        return self._t

    @property
    def speed(self) -> int:
        """Playback speed, × real time."""
        return self._speed

    @property
    def playing(self) -> bool:
        """Whether the clock is running."""
        return self._timer.isActive()

    def positions(self, t: float | None = None) -> dict[str, tuple[float, float] | None]:
        """Each unit's interpolated (lat, lon) at ``t`` (default: the replay time); None before
        the unit's first fix."""
        when = self._t if t is None else t
        return {uid: position_at(track, when) for uid, track in self._tracks.items()}

    # ------------------------------------------------------------------ control
    def load(self, tracks: Mapping[str, Sequence[Sequence[float]]], t0: float, t1: float) -> None:
        """Load tracks ``{unit_id: [(t, lat, lon), …]}`` limited to [t0, t1]; paused at t0.

        Raises:
            ValueError: when t1 is not after t0.
        """
        if not t1 > t0:
            raise ValueError(f"the replay range must end after it starts ({t0} .. {t1})")
        self.pause()
        self._tracks = {
            str(uid): [p for p in normalise_track(points) if t0 <= p[0] <= t1]
            for uid, points in tracks.items()
        }
        self._t0, self._t1 = float(t0), float(t1)
        self._t = self._t0
        self.loaded.emit()
        self.time_changed.emit(self._t)

    def seek(self, t: float) -> None:
        """Move the clock to ``t`` (clamped to the range)."""
        t = min(max(float(t), self._t0), self._t1)
        if t != self._t:
            self._t = t
            self.time_changed.emit(t)

    def set_speed(self, speed: int) -> None:
        """Set the playback speed (1–64 × real time).

        Raises:
            ValueError: outside 1–64.
        """
        if not 1 <= speed <= 64:
            raise ValueError(f"replay speed must be 1–64, got {speed}")
        self._speed = int(speed)

    @Slot()
    def play(self) -> None:
        """Start the clock (from the start again if it stands at the end)."""
        if not self._tracks or self.playing:
            return
        if self._t >= self._t1:
            self.seek(self._t0)
        self._clock.start()
        self._timer.start()
        self.playing_changed.emit(True)

    @Slot()
    def pause(self) -> None:
        """Stop the clock."""
        if self._timer.isActive():
            self._timer.stop()
            self.playing_changed.emit(False)

    @Slot()
    def toggle(self) -> None:
        """Play or pause."""
        if self.playing:
            self.pause()
        else:
            self.play()

    @Slot()
    def step_forward(self) -> None:
        """Pause and jump to the next recorded fix of any unit (or the end)."""
        self.pause()
        nxt = next_fix_time(self._tracks, self._t)
        self.seek(self._t1 if nxt is None else nxt)

    @Slot()
    def step_back(self) -> None:
        """Pause and jump to the previous recorded fix of any unit (or the start)."""
        self.pause()
        prev = previous_fix_time(self._tracks, self._t)
        self.seek(self._t0 if prev is None else prev)

    def clear(self) -> None:
        """Drop the tracks and stop."""
        self.pause()
        self._tracks = {}

    @Slot()
    def _advance(self) -> None:
        elapsed = self._clock.restart() / 1000.0
        t = self._t + elapsed * self._speed
        if t >= self._t1:
            self.seek(self._t1)
            self.pause()
        else:
            self.seek(t)


class ReplayBar(QWidget):
    """Controls of a replay: play/pause, step, time slider, speed, close.

    Signals:
        close_requested(): the operator closed the replay.
    """

    close_requested = Signal()

    def __init__(self, controller: ReplayController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._c = controller
        self.setObjectName("replayBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        self.title = QLabel(self.tr("Track replay"))
        icon = self.style().standardIcon
        self._play_icon = icon(QStyle.StandardPixmap.SP_MediaPlay)
        self._pause_icon = icon(QStyle.StandardPixmap.SP_MediaPause)
        self.back_button = QToolButton()
        self.back_button.setIcon(icon(QStyle.StandardPixmap.SP_MediaSkipBackward))
        self.back_button.setToolTip(self.tr("Previous fix"))
        self.play_button = QToolButton()
        self.forward_button = QToolButton()
        self.forward_button.setIcon(icon(QStyle.StandardPixmap.SP_MediaSkipForward))
        self.forward_button.setToolTip(self.tr("Next fix"))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip(self.tr("Replay time"))
        self.time_label = QLabel()
        self.time_label.setMinimumWidth(150)
        self.speed_box = QComboBox()
        self.speed_box.setToolTip(self.tr("Replay speed"))
        for s in SPEEDS:
            self.speed_box.addItem(f"×{s}", s)
        self.close_button = QToolButton()
        self.close_button.setIcon(icon(QStyle.StandardPixmap.SP_DialogCloseButton))
        self.close_button.setToolTip(self.tr("Close replay"))
        layout.addWidget(self.title)
        layout.addWidget(self.back_button)
        layout.addWidget(self.play_button)
        layout.addWidget(self.forward_button)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.time_label)
        layout.addWidget(self.speed_box)
        layout.addWidget(self.close_button)

        self.back_button.clicked.connect(controller.step_back)
        self.forward_button.clicked.connect(controller.step_forward)
        self.play_button.clicked.connect(controller.toggle)
        self.close_button.clicked.connect(self.close_requested)
        self.slider.valueChanged.connect(self._slider_moved)
        self.speed_box.currentIndexChanged.connect(
            lambda i: controller.set_speed(int(self.speed_box.itemData(i))))
        controller.time_changed.connect(self._show_time)
        controller.playing_changed.connect(self._show_playing)
        controller.loaded.connect(self._on_loaded)
        self._show_playing(False)

    @Slot()
    def _on_loaded(self) -> None:
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(1, round(self._c.t1 - self._c.t0)))
        self.slider.setValue(0)
        self.slider.blockSignals(False)
        self._show_time(self._c.time)

    @Slot(int)
    def _slider_moved(self, value: int) -> None:
        self._c.seek(self._c.t0 + value)

    @Slot(float)
    def _show_time(self, t: float) -> None:
        when = dt.datetime.fromtimestamp(t, BEIJING)
        self.time_label.setText(when.strftime("%Y-%m-%d %H:%M:%S"))
        self.slider.blockSignals(True)
        self.slider.setValue(round(t - self._c.t0))
        self.slider.blockSignals(False)

    @Slot(bool)
    def _show_playing(self, playing: bool) -> None:
        self.play_button.setIcon(self._pause_icon if playing else self._play_icon)
        self.play_button.setToolTip(self.tr("Pause") if playing else self.tr("Play"))
