"""Issue 17 (8): the main window fits a 1366×768 screen in Chinese and in English.

The real window on the seeded demo world, with what made it too wide before: a long alarm on
the alarm bar, a status-bar notice, every link indicator with its longest state.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QLocale, QRect
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.bridge import LinkState, Subsystem, UiBridge
from app.core import ConsoleCore, DatabaseTarget
from app.i18n import install_translators
from app.lifecycle import Lifecycle
from app.settings import Settings
from widgets.main_window import MainWindow
from widgets.video_wall import VideoWall

pytestmark = pytest.mark.gui

SCREEN = (1366, 768)
LONG_ALARM = ("执法记录仪未在线：朝阳03 已到场/检查中，"
              "DSJ-朝阳03-1 无视频流；DSJ-朝阳03-2 信号丢失；"
              "DSJ-朝阳03-3 无视频流 — Body camera not live: "
              "朝阳03 is on scene, DSJ-朝阳03-1 has no stream; "
              "DSJ-朝阳03-2 signal lost")


@pytest.fixture(params=["zh_CN", "en"])
def window(request: pytest.FixtureRequest, qtbot: QtBot, qapp: QApplication,
           seeded_db_url: str) -> Iterator[MainWindow]:
    language = request.param
    locale = QLocale()
    translators = install_translators(qapp, language)
    settings = Settings().replace("console", language=language)
    core = ConsoleCore(settings, DatabaseTarget(seeded_db_url), UiBridge())
    lifecycle = Lifecycle()
    core.register(lifecycle)
    lifecycle.start_all()
    win = MainWindow(core)
    qtbot.addWidget(win)
    try:
        yield win
    finally:
        win.close()
        win.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        lifecycle.stop_all()
        for t in translators:
            qapp.removeTranslator(t)
        QLocale.setDefault(locale)


def _crowd(win: MainWindow) -> None:
    """What widened the window: long texts in the alarm bar and the status bar."""
    win.core.alarms.raise_alarm("recorder_not_live", LONG_ALARM)
    win.status.set_notice("map", "地图渲染进程已退出，正在重新加载地图… The map renderer exited")
    for sub in Subsystem:  # "connecting" / "not configured" are the longest states
        win.status.set_link_state(sub.value, LinkState.NOT_CONFIGURED.value, "detail " * 20)


def test_the_main_window_fits_1366x768_with_the_clock_visible(
        window: MainWindow, qtbot: QtBot) -> None:
    assert isinstance(window.video_panel, VideoWall)  # the widest dock is really there
    _crowd(window)
    window.show()
    qtbot.waitUntil(lambda: window.alarm_bar.isVisible(), timeout=5000)
    QApplication.processEvents()

    hint, minimum = window.minimumSizeHint(), window.minimumSize()
    assert hint.width() <= SCREEN[0] and hint.height() <= SCREEN[1], hint
    assert minimum.width() <= SCREEN[0] and minimum.height() <= SCREEN[1], minimum

    window.fit(*SCREEN)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == SCREEN, timeout=5000)
    QApplication.processEvents()
    inside = QRect(0, 0, *SCREEN)
    clock = window.status.clock
    assert clock.isVisible() and clock.text()
    clock_rect = QRect(clock.mapTo(window, clock.rect().topLeft()), clock.size())
    assert inside.contains(clock_rect), (clock_rect, window.size())
    for sub in Subsystem:  # every link indicator is on screen (elided if need be)
        label = window.status._labels[sub]
        rect = QRect(label.mapTo(window, label.rect().topLeft()), label.size())
        assert label.isVisible() and inside.contains(rect), (sub, rect)
    # the alarm is shortened on screen, never cut: its whole text is kept for the tooltip
    alarm = window.alarm_bar.text_label
    assert LONG_ALARM in alarm.text() and LONG_ALARM in alarm.toolTip()
    assert alarm.is_elided() and alarm.shown_text().endswith("…")
    right = alarm.mapTo(window, alarm.rect().topRight()).x()
    assert right < SCREEN[0]
    assert window.alarm_bar.ack_button.isVisible()
    ack = window.alarm_bar.ack_button
    assert inside.contains(QRect(ack.mapTo(window, ack.rect().topLeft()), ack.size()))
