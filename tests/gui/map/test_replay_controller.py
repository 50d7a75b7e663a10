"""The replay clock and its controls (no page)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from widgets.map.replay import ReplayBar, ReplayController

pytestmark = pytest.mark.gui

TRACKS = {"a": [(10.0, 39.9, 116.4), (20.0, 39.91, 116.41), (40.0, 39.92, 116.42)],
          "b": [(15.0, 40.0, 116.0), (35.0, 40.1, 116.1), (90.0, 0.0, 0.0)]}


@pytest.fixture
def bar(qtbot: QtBot) -> ReplayBar:
    controller = ReplayController()
    widget = ReplayBar(controller)
    qtbot.addWidget(widget)
    controller.setParent(widget)
    controller.load(TRACKS, 10.0, 40.0)
    return widget


def c(bar: ReplayBar) -> ReplayController:
    return bar._c


def test_load_limits_tracks_to_the_range_and_starts_paused(bar: ReplayBar) -> None:
    assert c(bar).time == 10.0 and not c(bar).playing
    assert [p[0] for p in c(bar).tracks["b"]] == [15.0, 35.0]  # the fix at t=90 is outside
    assert c(bar).positions() == {"a": (39.9, 116.4), "b": None}
    assert bar.slider.maximum() == 30


def test_step_walks_fix_by_fix_and_clamps(bar: ReplayBar) -> None:
    times = []
    for _ in range(6):
        bar.forward_button.click()
        times.append(c(bar).time)
    assert times == [15.0, 20.0, 35.0, 40.0, 40.0, 40.0]
    bar.back_button.click()
    assert c(bar).time == 35.0
    assert bar.slider.value() == 25


def test_play_advances_by_speed_and_stops_at_the_end(bar: ReplayBar, qtbot: QtBot) -> None:
    c(bar).set_speed(64)
    with qtbot.waitSignal(c(bar).playing_changed, timeout=1000) as started:
        bar.play_button.click()
    assert started.args == [True]
    assert bar.play_button.toolTip() == "Pause"
    with qtbot.waitSignal(c(bar).playing_changed, timeout=3000) as stopped:
        pass
    assert stopped.args == [False]
    assert c(bar).time == 40.0
    assert bar.play_button.toolTip() == "Play"
    # play again from the end restarts at the beginning
    bar.play_button.click()
    assert c(bar).time < 40.0
    c(bar).pause()


def test_speed_choices_and_limits(bar: ReplayBar) -> None:
    speeds = [bar.speed_box.itemData(i) for i in range(bar.speed_box.count())]
    assert speeds == [1, 2, 4, 8, 16, 32, 64]
    bar.speed_box.setCurrentIndex(3)
    assert c(bar).speed == 8
    with pytest.raises(ValueError, match="1–64"):
        c(bar).set_speed(128)


def test_bad_range_is_refused(bar: ReplayBar) -> None:
    with pytest.raises(ValueError, match="after"):
        c(bar).load(TRACKS, 50.0, 50.0)
