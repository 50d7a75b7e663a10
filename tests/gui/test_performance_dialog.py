from __future__ import annotations

import datetime as dt

import pytest
from pytestqt.qtbot import QtBot

from app.speech.schedule import PerformanceDraft
from widgets.performance_dialog import PerformanceDialog

pytestmark = pytest.mark.gui

NOW = dt.datetime(2026, 11, 27, 11, 0, tzinfo=dt.UTC)  # 19:00 in Beijing


def test_the_form_checks_the_fields_and_emits_a_utc_draft(qtbot: QtBot) -> None:
    dialog = PerformanceDialog([(12, "惊蛰小剧场（东城区）")], NOW)
    qtbot.addWidget(dialog)
    assert dialog.draft() == "Enter the approval number."
    dialog.approval_edit.setText("京演审〔2026〕第0815号")
    assert dialog.draft() == "Enter the title of the performance."
    dialog.title_edit.setText("周末相声专场")
    dialog.end_edit.setDateTime(dialog.start_edit.dateTime().addSecs(-60))
    assert "end after it starts" in str(dialog.draft())
    dialog.end_edit.setDateTime(dialog.start_edit.dateTime().addSecs(2 * 3600))
    dialog.script_edit.setPlainText("大家好，今天我给大家说一段相声。")
    with qtbot.waitSignal(dialog.submitted) as sent:
        dialog._submit()
    draft = sent.args[0]
    assert isinstance(draft, PerformanceDraft)
    assert (draft.venue, draft.starts_at, draft.ends_at - draft.starts_at) == (
        "12", NOW, dt.timedelta(hours=2))
    assert draft.script.startswith("大家好")
