from __future__ import annotations

import datetime as dt

import pytest
from pytestqt.qtbot import QtBot

from app.radio.service import CallActivity
from app.services.directory import RadioLogRow
from models.enums import RadioMessageState
from widgets.radio_panel import RadioPanel

pytestmark = pytest.mark.gui

T = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)


def _row(rid: int, state: RadioMessageState, outbound: bool = True) -> RadioLogRow:
    return RadioLogRow(id=rid, at=T + dt.timedelta(seconds=rid), outbound=outbound,
                       peer_issi=2269001, peer="东城01 李娜", kind="text", content=f"消息{rid}",
                       state=state, state_at=T + dt.timedelta(seconds=rid + 1), attempts=1,
                       error="")


def test_call_strip_shows_the_talker_until_the_floor_is_released(qtbot: QtBot) -> None:
    panel = RadioPanel([(9001, "市级指挥调度组")])
    qtbot.addWidget(panel)
    assert panel.call_label.text() == "No one is talking"
    panel.show_call(CallActivity("talking", 7, 9001, "东城01 李娜", 2269001))
    assert panel.call_label.text() == "Talking: 东城01 李娜"
    panel.show_call(CallActivity("ceased", 7, None, "", None))
    assert panel.call_label.text() == "No one is talking"


def test_sds_log_shows_delivery_state_newest_first(qtbot: QtBot) -> None:
    panel = RadioPanel([])
    qtbot.addWidget(panel)
    panel.set_log_rows([_row(1, RadioMessageState.DELIVERED), _row(2, RadioMessageState.SENT),
                        _row(3, RadioMessageState.RECEIVED, outbound=False)])
    model = panel.log.table.model()
    assert [model.index(r, 3).data() for r in range(3)] == ["消息3", "消息2", "消息1"]
    assert [model.index(r, 4).data() for r in range(3)] == ["received", "sent", "delivered"]
    assert model.index(0, 1).data() == "in"


def test_enter_sends_to_the_chosen_radio_and_talkgroup_selection(qtbot: QtBot) -> None:
    panel = RadioPanel([(9001, "市级指挥调度组"), (9002, "东部片区组")])
    qtbot.addWidget(panel)
    panel.set_destinations([("东城01 李娜", 2269001), ("西城01 王伟", 2269004)])
    panel.dest_combo.setCurrentIndex(1)
    panel.text_edit.setText("请回电")
    with qtbot.waitSignal(panel.send_requested) as sent:
        qtbot.keyClick(panel.text_edit, "\r")
    assert sent.args == [2269004, "请回电"]
    assert panel.text_edit.text() == ""
    panel.group_combo.setCurrentIndex(1)
    with qtbot.waitSignal(panel.talkgroup_requested) as group:
        panel.group_button.click()
    assert group.args == [9002]
    panel.set_link("up", "radio 2000001 ready")
    panel.set_talkgroup(9002)
    assert "connected" in panel.link_label.text() and "9002" in panel.link_label.text()


def test_unconfirmed_and_cancelled_are_shown_and_only_a_queued_outgoing_sds_can_be_cancelled(
        qtbot: QtBot) -> None:
    panel = RadioPanel([(9001, "市级指挥调度组")])
    qtbot.addWidget(panel)
    panel.set_log_rows([_row(1, RadioMessageState.QUEUED), _row(2, RadioMessageState.UNCONFIRMED),
                        _row(3, RadioMessageState.CANCELLED),
                        _row(4, RadioMessageState.QUEUED, outbound=False)])
    model = panel.log.table.model()
    assert [model.index(r, 4).data() for r in range(4)] == [
        "queued", "cancelled", "unconfirmed", "queued"]
    action = panel.log.cancel_action
    assert action.text() == "Cancel sending" and not action.isEnabled()  # nothing selected
    for rid, enabled in ((2, False), (3, False), (4, False), (1, True)):
        panel.log.select_id(rid)
        assert action.isEnabled() is enabled, rid
    with qtbot.waitSignal(panel.cancel_requested) as cancel:
        panel.log.cancel_button.click()
    assert cancel.args == [1]
    # once the radio took it, the refreshed row can no longer be cancelled
    panel.set_log_rows([_row(1, RadioMessageState.ACCEPTED)])
    assert panel.log.selected_id() == 1 and not action.isEnabled()
    assert panel.log.cancel_refusal_text("already delivered: the radio has it") == (
        "the radio already has it (delivered)")


def test_talkgroups_follow_the_radios_as_destinations(qtbot: QtBot) -> None:
    panel = RadioPanel([(9001, "市级指挥调度组")])
    qtbot.addWidget(panel)
    panel.set_destinations([("东城01 李娜", 2269001)])
    assert [panel.dest_combo.itemData(i) for i in range(panel.dest_combo.count())] == [
        2269001, 9001]
    assert panel.dest_combo.itemText(1) == "Talkgroup 市级指挥调度组 (9001)"
