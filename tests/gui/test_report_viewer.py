"""Reports open inside the console (no desktop browser needed), with "Open folder" beside."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QUrl
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.analysis.progress import RunProgress
from app.i18n import install_translators
from app.services.directory import PerformanceRow
from app.speech.batch import Progress
from widgets.progress_text import stage_text, time_left_text
from widgets.report_viewer import ReportViewer
from widgets.schedule_panel import SchedulePanel

pytestmark = pytest.mark.gui


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[None]:
    translators = install_translators(qapp, "zh_CN")
    yield
    for t in translators:
        qapp.removeTranslator(t)


def _report(folder: Path) -> Path:
    path = folder / "reports" / "performance-7.html"
    path.parent.mkdir(parents=True)
    path.write_text("<!doctype html><html><head><meta charset='utf-8'>"
                    "<title>演出内容分析报告 — 惊蛰小剧场</title></head>"
                    "<body><h1>演出内容分析报告</h1></body></html>", encoding="utf-8")
    return path


def _gone(widget: ReportViewer) -> None:
    widget.close()
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_the_viewer_shows_the_report_with_its_title_and_says_when_no_folder_opens(
        qtbot: QtBot, tmp_path: Path, chinese: None) -> None:
    report = _report(tmp_path)
    asked: list[QUrl] = []

    def no_launcher(url: QUrl) -> bool:  # a desktop without a file manager
        asked.append(url)
        return False

    viewer = ReportViewer(report, opener=no_launcher)
    viewer.show()
    qtbot.waitUntil(lambda: viewer.loaded_ok is not None, timeout=20_000)
    assert viewer.loaded_ok
    assert viewer.windowTitle() == "报告 — 演出内容分析报告 — 惊蛰小剧场"
    assert viewer.folder_button.text() == "打开所在文件夹"
    assert not viewer.message_label.isVisible()
    assert viewer.open_folder() is False
    assert asked == [QUrl.fromLocalFile(str(report.parent))]
    assert viewer.message_label.isVisible()
    assert str(report.parent) in viewer.message_label.text()
    assert "文件管理器" in viewer.message_label.text()
    _gone(viewer)


def test_a_missing_report_is_said_in_the_viewer(qtbot: QtBot, tmp_path: Path) -> None:
    viewer = ReportViewer(tmp_path / "gone.html")
    qtbot.addWidget(viewer)
    viewer.show()
    assert viewer.loaded_ok is False
    assert viewer.message_label.isVisible() and "gone.html" in viewer.message_label.text()


def test_the_schedule_opens_a_shows_report_in_the_viewer(qtbot: QtBot, tmp_path: Path) -> None:
    report = _report(tmp_path)
    start = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
    panel = SchedulePanel()
    qtbot.addWidget(panel)
    panel.set_rows([PerformanceRow(7, "京演审〔2026〕7号", "惊蛰小剧场", "110101", "相声专场",
                                   "青禾社", start, start + dt.timedelta(hours=2), "done", 1,
                                   str(report))])
    panel.select_id(7)
    panel.open_report()
    viewer = panel.viewer
    assert viewer is not None and viewer.isVisible()
    qtbot.waitUntil(lambda: viewer.loaded_ok is not None, timeout=20_000)
    assert viewer.page_title() == "演出内容分析报告 — 惊蛰小剧场"
    _gone(viewer)


def test_the_time_left_is_worded_in_chinese(chinese: None) -> None:
    assert time_left_text(80) == "约剩 1 分 20 秒"
    assert time_left_text(12) == "约剩 15 秒"
    assert time_left_text(61 * 60) == "约剩 1 小时 1 分"
    assert time_left_text(None) == ""


def test_the_time_left_is_worded_in_english() -> None:
    assert time_left_text(80) == "about 1 min 20 s left"
    assert time_left_text(300) == "about 5 min left"


def test_the_stage_text_has_no_english_in_chinese(chinese: None) -> None:
    p = Progress("transcribe", 0.25, done_s=80, total_s=320, windows_done=6, windows_total=24)
    text = stage_text(RunProgress(p, 0.3, 100.0))
    assert text == "正在转写… 已转写 1:20 / 5:20 语音（第 6/24 段）"
    decode = stage_text(RunProgress(Progress("decode", 0.5, "/tmp/a.mp4", 30, 60), 0.05, None))
    assert decode == "正在读取录音录像… 0:30 / 1:00"
