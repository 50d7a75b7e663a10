"""The dispatch dialogs, driven from the keyboard offscreen, with a screenshot of each.

Set DISPATCH_SHOTS=DIR to keep the screenshots for looking at them.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from app.dispatch import draw
from app.dispatch.audit import AuditFilter, AuditRow
from app.dispatch.draw import DrawOutcome, DrawParams, DrawRecord, DrawTaskRow
from app.dispatch.duplicates import DuplicateRow
from app.dispatch.intake import IntakeRequest, VenueChoice
from app.dispatch.recommend import (
    DEFAULT_MODEL,
    IncidentTarget,
    RecommendationSet,
    UnitCandidate,
    excluded_units,
    rank_units,
)
from app.dispatch.timers import TimerLevel
from models import Jurisdiction
from models.dispatch import DrawState, IncidentOutcome
from models.enums import (
    CreditGrade,
    IncidentCategory,
    IncidentPriority,
    IncidentSource,
    IncidentStatus,
    RadioMessageState,
    UnitStatus,
    VenueType,
)
from widgets.dispatch.audit_viewer import AuditLogViewer
from widgets.dispatch.close_dialog import CloseIncidentDialog
from widgets.dispatch.common import format_elapsed, timer_colour
from widgets.dispatch.draw_dialog import DrawDialog
from widgets.dispatch.escalate_dialog import EscalateDialog
from widgets.dispatch.intake_form import IntakeForm
from widgets.dispatch.recommendation import RecommendationPanel

pytestmark = pytest.mark.gui

# the offscreen platform cannot raise windows or grab the keyboard for popups
POPUP_NOISE = pytest.mark.qt_log_ignore("does not support raise", "grabbing the keyboard")

T0 = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)
DISTRICTS = {"110101": "东城区", "110105": "朝阳区", "110108": "海淀区"}
VENUES = [
    VenueChoice(1, "青禾KTV", "京娱歌〔2020〕050001号", "北京市朝阳区建国路1号", "110105", "朝阳区",
                39.9, 116.46, CreditGrade.C, VenueType.KARAOKE_DANCE),
    VenueChoice(2, "老槐青禾书屋", "京出零〔2019〕050002号", "北京市朝阳区望京街8号", "110105",
                "朝阳区", 39.99, 116.47, CreditGrade.A, VenueType.PUBLICATIONS),
    VenueChoice(3, "星河网咖", "京网〔2021〕080003号", "北京市海淀区中关村大街3号", "110108",
                "海淀区", 39.98, 116.31, CreditGrade.D, VenueType.INTERNET_CAFE),
]


@pytest.fixture
def shot(tmp_path: Path) -> Callable[[QWidget, str], Path]:
    """Render a widget to PNG (in $DISPATCH_SHOTS if set) and check it is not blank."""
    folder = Path(os.environ.get("DISPATCH_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)

    def take(widget: QWidget, name: str) -> Path:
        image = widget.grab().toImage()
        assert not image.isNull() and image.width() > 200 and image.height() > 100
        colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
                   for y in range(0, image.height(), 7)}
        assert len(colours) > 5, "the screenshot is blank"
        path = folder / f"{name}.png"
        assert image.save(str(path))
        return path

    return take


def show(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    with qtbot.waitExposed(widget):
        widget.show()
    with qtbot.waitActive(widget):  # shortcuts and focus work in the active window only
        widget.activateWindow()


# --------------------------------------------------------------------------- intake
@POPUP_NOISE
def test_intake_from_the_keyboard_with_venue_completion_and_duplicates(
        qtbot: QtBot, shot: Callable[[QWidget, str], Path]) -> None:
    form = IntakeForm(VENUES, DISTRICTS)
    show(qtbot, form)
    assert QGuiApplication.focusObject() is form.caller_edit
    qtbot.keyClicks(form.caller_edit, "Li")
    qtbot.keyClick(form.caller_edit, Qt.Key.Key_Tab)
    assert QGuiApplication.focusObject() is form.phone_edit
    qtbot.keyClicks(form.phone_edit, "138 0013 8000")
    form.category_combo.setCurrentIndex(form.category_combo.findData("over_hours"))
    form.venue_edit.setFocus()
    qtbot.keyClicks(form.venue_edit, "0500")  # part of a licence number
    popup = form.completer.popup()
    assert popup is not None and popup.isVisible()
    offered = [v.id for v in form.completions()]
    assert sorted(offered) == [1, 2]  # the Haidian licence 080003 does not match
    with qtbot.waitSignal(form.duplicates_wanted) as wanted:
        for _ in range(offered.index(1) + 1):
            qtbot.keyClick(popup, Qt.Key.Key_Down)
        qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert wanted.args == [1, "over_hours"]
    assert form.venue is not None and form.venue.id == 1
    assert not form.district_combo.isEnabled()
    assert form.district_combo.currentData() == "110105"
    dup = DuplicateRow(41, "20261127-0041", "歌舞娱乐场所超时经营（青禾KTV）",
                       IncidentStatus.DISPATCHED, 3, IncidentCategory.OVER_HOURS, 1, T0, "张先生")
    stale = DuplicateRow(42, "x", "x", IncidentStatus.NEW, 3, IncidentCategory.GAMBLING, 1, T0, "")
    form.show_duplicates([dup, stale])  # an answer for another category is ignored
    assert form.duplicates_list.count() == 1 and form.duplicates_box.isVisible()
    form.merge_check.setChecked(True)
    shot(form, "intake_form")
    form.caller_edit.setFocus()
    with qtbot.waitSignal(form.submitted) as submitted:
        qtbot.keyClick(form.caller_edit, Qt.Key.Key_Return)
    request = submitted.args[0] if submitted.args else None
    assert request == IntakeRequest(
        source=IncidentSource.HOTLINE_12318, category=IncidentCategory.OVER_HOURS,
        priority=IncidentPriority.NORMAL, caller_name="Li", caller_phone="13800138000",
        venue_id=1, merge_into=41)
    assert not form.ok_button.isEnabled()  # one request at a time
    form.show_refusal("This is outside the jurisdiction of this console.")
    assert form.ok_button.isEnabled() and form.message.kind == "error"


def test_intake_checks_before_submitting_and_escape_cancels(qtbot: QtBot) -> None:
    form = IntakeForm(VENUES, DISTRICTS)
    show(qtbot, form)
    sent: list[object] = []
    form.submitted.connect(sent.append)
    form.submit()
    assert sent == [] and "venue or a district" in form.message.text()
    form.venue_edit.setText("no such place")
    form.submit()
    assert sent == [] and "Pick the venue" in form.message.text()
    assert QGuiApplication.focusObject() is form.venue_edit
    form.venue_edit.setText("")
    form.district_combo.setCurrentIndex(form.district_combo.findData("110108"))
    form.phone_edit.setText("call me")
    form.submit()
    assert sent == [] and QGuiApplication.focusObject() is form.phone_edit
    form.phone_edit.setText("")
    form.category_combo.setCurrentIndex(form.category_combo.findData("gambling"))
    assert form.priority_combo.currentData() == int(IncidentPriority.URGENT)  # suggested
    form.description_edit.setFocus()
    qtbot.keyClicks(form.description_edit, "machines in the back room")
    qtbot.keyClick(form.description_edit, Qt.Key.Key_Return,
                   Qt.KeyboardModifier.ControlModifier)
    assert len(sent) == 1
    request = sent[0]
    assert isinstance(request, IntakeRequest)
    assert (request.venue_id, request.district_adcode, request.description) == (
        None, "110108", "machines in the back room")
    form.show_refusal("x")
    with qtbot.waitSignal(form.rejected):
        qtbot.keyClick(form, Qt.Key.Key_Escape)


def test_a_map_point_picks_the_nearest_venue_or_stays_a_point(qtbot: QtBot) -> None:
    form = IntakeForm(VENUES, DISTRICTS)
    qtbot.addWidget(form)
    form.set_location(39.9001, 116.4601, "110105")
    assert form.venue is not None and form.venue.id == 1
    form.set_location(39.5, 116.0, "110101")
    request = form.request()
    assert request is not None and request.venue_id is None
    assert (request.lat, request.lon, request.district_adcode) == (39.5, 116.0, "110101")
    assert not form.set_venue(99)


# --------------------------------------------------------------------------- recommendations
def rec_set(escalated: bool = False) -> RecommendationSet:
    target = IncidentTarget(7, "20261127-0007", "110105", escalated, 39.92, 116.46)
    units = [
        UnitCandidate(1, "朝阳01", "110105", UnitStatus.AVAILABLE, 39.95, 116.46,
                      T0 - dt.timedelta(seconds=20), 2),
        UnitCandidate(2, "朝阳02", "110105", UnitStatus.CLEARING, 39.925, 116.46,
                      T0 - dt.timedelta(minutes=25), 0),
        UnitCandidate(3, "朝阳03", "110105", UnitStatus.AVAILABLE, 39.93, 116.46,
                      T0 - dt.timedelta(seconds=40), 1),
        UnitCandidate(4, "海淀01", "110108", UnitStatus.AVAILABLE, 39.96, 116.35, None, 0),
    ]
    return RecommendationSet(target, rank_units(target, units, DEFAULT_MODEL, T0),
                             DEFAULT_MODEL, T0)


def test_recommendations_assign_with_enter_and_show_the_order_state(
        qtbot: QtBot, shot: Callable[[QWidget, str], Path]) -> None:
    panel = RecommendationPanel(DISTRICTS)
    panel.resize(900, 300)
    show(qtbot, panel)
    panel.set_recommendations(rec_set())
    assert [r.call_sign for r in panel.rows()] == ["朝阳03", "朝阳01", "朝阳02"]
    assert panel.selected_unit_id() == 3  # the best is preselected
    why = panel.reason_text(panel.rows()[2])
    assert "km by road" in why and "position 25 min old" in why and "Clearing" in why
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Down)
    with qtbot.waitSignal(panel.assign_requested) as assign:
        qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert assign.args == [7, 1]
    # pressing again while the answer is pending does nothing
    with qtbot.assertNotEmitted(panel.assign_requested):
        qtbot.keyClick(panel.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    panel.show_order_state("朝阳01", RadioMessageState.QUEUED)
    assert panel.order_message() == "Order to 朝阳01: queued"
    panel.show_order_state("朝阳01", RadioMessageState.DELIVERED)
    assert panel.order_label.kind == "ok"
    shot(panel, "recommendations")
    with qtbot.waitSignal(panel.assign_requested) as again:
        qtbot.keyClick(panel.table, Qt.Key.Key_Enter, Qt.KeyboardModifier.ControlModifier)
    assert again.args == [7, 1]
    panel.show_refusal("Unit 朝阳01 is not available (status: Dispatched).")
    assert panel.assign_button.isEnabled() and panel.order_label.kind == "error"


def test_escalated_incident_offers_other_districts_and_reassigns(qtbot: QtBot) -> None:
    panel = RecommendationPanel(DISTRICTS)
    show(qtbot, panel)
    panel.set_recommendations(rec_set(escalated=True), reassign_from=9)
    assert "海淀01" in [r.call_sign for r in panel.rows()]
    assert "escalated" in panel.header.text() and panel.assign_button.text().startswith(
        "Reassign")
    haidian = next(r for r in panel.rows() if r.call_sign == "海淀01")
    assert "other district" in panel.reason_text(haidian)
    assert "position unknown" not in panel.reason_text(haidian)
    assert panel.select_unit(haidian.id)
    with qtbot.waitSignal(panel.reassign_requested) as reassign:
        panel.assign_button.click()
    assert reassign.args == [7, 9, 4]
    panel.show_order_state("海淀01", None)
    assert "no radio" in panel.order_message()
    empty = RecommendationSet(IncidentTarget(8, "n", "110105", False, None, None), [])
    panel.set_recommendations(empty)
    assert not panel.assign_button.isEnabled() and "no unit is available" in panel.header.text()


def test_units_not_offered_are_greyed_with_the_reason_and_cannot_be_assigned(
        qtbot: QtBot, shot: Callable[[QWidget, str], Path]) -> None:
    """Issue 17/9: the list says why units are left out, and a city-corps unit is offered."""
    target = IncidentTarget(7, "20261127-0007", "110105", False, 39.92, 116.46)

    def cand(uid: int, call_sign: str, district: str | None, status: UnitStatus,
             lat: float) -> UnitCandidate:
        return UnitCandidate(uid, call_sign, district, status, lat, 116.46,
                             T0 - dt.timedelta(seconds=30), 0)

    units = [
        cand(1, "朝阳01", "110105", UnitStatus.CLEARING, 39.921),
        cand(2, "朝阳02", "110105", UnitStatus.OFF_DUTY, 39.922),
        cand(3, "朝阳03", "110105", UnitStatus.OUT_OF_SERVICE, 39.923),
        cand(4, "朝阳04", "110105", UnitStatus.EN_ROUTE, 39.924),
        cand(5, "海淀01", "110108", UnitStatus.AVAILABLE, 39.925),
        cand(6, "总队01", None, UnitStatus.AVAILABLE, 39.95),
    ]
    rs = RecommendationSet(target, rank_units(target, units, DEFAULT_MODEL, T0), DEFAULT_MODEL,
                           T0, excluded_units(target, units, DEFAULT_MODEL, T0), Jurisdiction())
    panel = RecommendationPanel(DISTRICTS)
    panel.resize(1000, 360)
    show(qtbot, panel)
    panel.set_recommendations(rs)
    # the idle city-corps unit comes before the one still clearing its last job
    assert [r.call_sign for r in panel.rows()] == ["总队01", "朝阳01"]
    assert "city corps" in panel.reason_text(panel.rows()[0])
    assert "still clearing" in panel.reason_text(panel.rows()[1])
    why = {r.call_sign: panel.reason_text(r) for r in panel.excluded_rows()}
    assert list(why) == ["朝阳02", "朝阳03", "朝阳04", "海淀01"]
    assert why["朝阳02"].startswith("Not offered: off duty")
    assert why["朝阳03"].startswith("Not offered: out of service")
    assert why["朝阳04"].startswith("Not offered: busy with another job (En route)")
    assert why["海淀01"].startswith("Not offered: a unit of 海淀区")
    assert "Units of 朝阳区 and the city corps may go" in panel.header.text()
    assert "4 not offered" in panel.header.text()
    # greyed, and neither selectable nor assignable, with the mouse or the keyboard
    for unit in panel.excluded_rows():
        pos = panel.model.position(unit.id)
        assert pos is not None
        index = panel.model.index(pos, 1)
        assert not panel.model.flags(index) & Qt.ItemFlag.ItemIsEnabled
        assert not panel.model.flags(index) & Qt.ItemFlag.ItemIsSelectable
        assert panel.model.data(index, Qt.ItemDataRole.ForegroundRole).color().name() \
            == "#8a8a8a"
        assert panel.model.data(panel.model.index(pos, 0)) == "—"
        assert not panel.select_unit(unit.id) or panel.selected_unit_id() != unit.id
        rect = panel.table.visualRect(index)
        with qtbot.assertNotEmitted(panel.assign_requested):
            qtbot.mouseDClick(panel.table.viewport(), Qt.MouseButton.LeftButton,
                              pos=rect.center())
        assert panel.selected_unit_id() != unit.id
    assert panel.select_unit(1)
    panel.table.setFocus()
    with qtbot.assertNotEmitted(panel.assign_requested):
        qtbot.keyClick(panel.table, Qt.Key.Key_Down)  # no further offered row to go to
    assert panel.selected_unit_id() == 1
    shot(panel, "recommendations_excluded")
    with qtbot.waitSignal(panel.assign_requested) as assign:
        qtbot.keyClick(panel.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert assign.args == [7, 1]
    # a district console: only its own units, and the list says how to get more
    district = RecommendationSet(target, rs.rows[1:], DEFAULT_MODEL, T0, rs.excluded[:3],
                                 Jurisdiction("110105"))
    panel.set_recommendations(district)
    assert "Only units of 朝阳区 may go; escalate" in panel.header.text()


# --------------------------------------------------------------------------- close, escalate
def test_closing_needs_an_outcome_and_names_the_units_it_releases(
        qtbot: QtBot, shot: Callable[[QWidget, str], Path]) -> None:
    dialog = CloseIncidentDialog(7, "20261127-0007", "歌舞娱乐场所超时经营（青禾KTV）",
                                 ["朝阳01", "朝阳03"])
    show(qtbot, dialog)
    assert not dialog.ok_button.isEnabled()
    assert "朝阳01、朝阳03" in dialog.units_warning.text()
    with qtbot.assertNotEmitted(dialog.close_requested):
        dialog.submit()
    assert dialog.message.kind == "error"
    dialog.outcomes.setFocus()
    qtbot.keyClick(dialog.outcomes, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.outcomes, Qt.Key.Key_Down)
    assert dialog.outcome() is IncidentOutcome.CORRECTED_ON_SITE
    dialog.note.setPlainText("已责令当场改正")
    shot(dialog, "close_dialog")
    with qtbot.waitSignal(dialog.close_requested) as closing:
        qtbot.keyClick(dialog.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert closing.args == [7, "corrected_on_site", "已责令当场改正"]
    dialog.show_refusal("Incident 20261127-0007 is already closed, cancelled or merged.")
    assert dialog.ok_button.isEnabled()


def test_escalate_or_hand_over_needs_a_reason(qtbot: QtBot,
                                              shot: Callable[[QWidget, str], Path]) -> None:
    dialog = EscalateDialog(7, "20261127-0007", DISTRICTS, current_district="110105",
                            can_escalate=True)
    show(qtbot, dialog)
    assert dialog.escalate_radio.isChecked() and not dialog.district_combo.isEnabled()
    assert dialog.district_combo.findData("110105") == -1
    with qtbot.assertNotEmitted(dialog.escalate_requested):
        dialog.submit()
    dialog.reason.setPlainText("需要跨区警力")
    shot(dialog, "escalate_dialog")
    with qtbot.waitSignal(dialog.escalate_requested) as esc:
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert esc.args == [7, "需要跨区警力"]
    city = EscalateDialog(7, "n", DISTRICTS, current_district="110105", can_escalate=False)
    qtbot.addWidget(city)
    assert city.handover_radio.isChecked() and not city.escalate_radio.isEnabled()
    city.district_combo.setCurrentIndex(city.district_combo.findData("110108"))
    city.reason.setPlainText("场所位于海淀")
    with qtbot.waitSignal(city.handover_requested) as handover:
        city.submit()
    assert handover.args == [7, "110108", "场所位于海淀"]


# --------------------------------------------------------------------------- draw
def outcome() -> DrawOutcome:
    pool = [draw.VenueCandidate(i, f"场所{i}", f"京网〔2024〕{i:04d}号", "ABCD"[i % 4],
                                (1, 2, 5, 10)[i % 4], "110105") for i in range(1, 31)]
    people = [draw.InspectorCandidate(100 + i, f"1105{i:04d}", f"执法员{i}", i // 2, "110105")
              for i in range(14)]
    params = DrawParams(scope="110105", venue_count=5)
    pool_json = {"venues": [v.to_json() for v in pool], "excluded": [
        {"id": 99, "name": "近期已检查", "reason": "recently_inspected"}]}
    people_json = [p.to_json() for p in people]
    rec_hash = draw.record_hash(draw.METHOD, "demo", params.to_json(), pool_json, people_json)
    result = draw.run_draw("demo", params, pool, people)
    record = DrawRecord("SJ20261127-01", T0, "王调度", "c1", "demo", draw.METHOD,
                        draw.canonical_json(params.to_json()), draw.canonical_json(pool_json),
                        draw.canonical_json(people_json), draw.canonical_json(result.to_json()),
                        rec_hash, draw.result_hash(rec_hash, result), id=5)
    by_id = {v.id: v for v in pool}
    names = {p.id: p.name for p in people}
    tasks = tuple(DrawTaskRow(k, vid, by_id[vid].name, by_id[vid].licence_no, by_id[vid].grade,
                              by_id[vid].weight, tuple(names[i] for i in team),
                              f"20261127-00{k:02d}")
                  for k, (vid, team) in enumerate(zip(result.venues, result.teams,
                                                      strict=True), 1))
    return DrawOutcome(record, tasks, len(pool), sum(v.weight for v in pool))


def pending_of(drawn: DrawOutcome) -> DrawOutcome:
    """The same draw as it stands after step 1: committed seed hash, nothing drawn."""
    record = replace(drawn.record, seed="", result_json="", record_sha256="", result_sha256="",
                     seed_sha256=draw.seed_hash(drawn.record.seed), seed_committed=True,
                     state=DrawState.PENDING)
    return replace(drawn, record=record, tasks=())


def test_draw_dialog_requests_shows_and_verifies(qtbot: QtBot,
                                                 shot: Callable[[QWidget, str], Path]) -> None:
    dialog = DrawDialog(DISTRICTS, jurisdiction_adcode=None)
    show(qtbot, dialog)
    dialog.scope_combo.setCurrentIndex(dialog.scope_combo.findData("110105"))
    dialog.count_spin.setValue(5)
    dialog.weight_spins["A"].setValue(0)
    # no seed to type for a draw (the spin boxes' own line edits aside)
    assert dialog.params_box.findChildren(
        QLineEdit, "", Qt.FindChildOption.FindDirectChildrenOnly) == []
    with qtbot.waitSignal(dialog.draw_requested) as requested:
        qtbot.keyClick(dialog.count_spin, Qt.Key.Key_Return)
    (params,) = requested.args
    assert params.scope == "110105" and params.venue_count == 5
    assert params.grade_weights == {"A": 0, "B": 2, "C": 5, "D": 10}
    assert not dialog.draw_button.isEnabled()
    drawn = outcome()
    # step 1 committed: the seed's hash is on screen, the seed and any result are not
    dialog.show_outcome(pending_of(drawn))
    assert dialog.seed_hash_value.text().replace(" ", "") == draw.seed_hash("demo")
    assert "demo" not in dialog.seed_value.text() and dialog.table.rowCount() == 0
    assert "SJ20261127-01" in dialog.summary.text() and "SHA-256" in dialog.summary.text()
    assert dialog.run_button.isEnabled() and not dialog.verify_button.isEnabled()
    shot(dialog, "draw_dialog_committed")
    with qtbot.waitSignal(dialog.run_requested) as run:
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    assert run.args == [5] and not dialog.run_button.isEnabled()
    # step 2 ran: the result, and the seed that matches the hash shown before
    dialog.show_outcome(drawn)
    assert dialog.table.rowCount() == 5 and dialog.hash_value.text() == \
        drawn.record.result_sha256
    assert dialog.seed_value.text() == "demo" and not dialog.run_button.isEnabled()
    assert dialog.number_edit.text() == "SJ20261127-01"
    assert "SJ20261127-01" in dialog.summary.text() and "excluded: 1" in dialog.summary.text()
    assert dialog.verify() and dialog.verify_message.kind == "ok"
    dialog.copy_record()
    assert DrawRecord.from_json(QGuiApplication.clipboard().text()) == DrawRecord.from_json(
        drawn.record.to_json())
    shot(dialog, "draw_dialog")
    # a record altered after the fact does not verify
    dialog.show_outcome(replace(drawn, record=replace(drawn.record, result_sha256="0" * 64)))
    assert not dialog.verify() and "FAILED" in dialog.verify_message.text()


def test_draw_dialog_checks_the_seed_and_lists_history(qtbot: QtBot) -> None:
    dialog = DrawDialog(DISTRICTS, jurisdiction_adcode="110105")
    qtbot.addWidget(dialog)
    assert dialog.scope_combo.count() == 1 and dialog.scope_combo.currentData() == "110105"
    # a typed seed only verifies a stored draw: it asks for one, and never requests a draw
    dialog.seed_edit.setText("public-lottery-7")
    with qtbot.assertNotEmitted(dialog.verify_requested), \
            qtbot.assertNotEmitted(dialog.draw_requested):
        dialog.request_seed_verification()
    assert dialog.reproduce_message.kind == "error"
    dialog.number_edit.setText("SJ20261127-01")
    dialog.seed_edit.setText("a b")
    with qtbot.assertNotEmitted(dialog.verify_requested):
        dialog.request_seed_verification()
    assert dialog.reproduce_message.kind == "error"
    dialog.seed_edit.setText("public-lottery-7")
    with qtbot.waitSignal(dialog.verify_requested) as verify, \
            qtbot.assertNotEmitted(dialog.draw_requested):
        qtbot.mouseClick(dialog.verify_seed_button, Qt.MouseButton.LeftButton)
    assert verify.args == ["SJ20261127-01", "public-lottery-7"]
    dialog.show_reproduction(draw.Reproduction("SJ20261127-01", "ab" * 32, "cd" * 32, 0,
                                               ("the seed's SHA-256 is not the one committed",)))
    assert dialog.reproduce_message.kind == "error"
    assert "not an official draw" in dialog.reproduce_message.text()
    dialog.show_reproduction(draw.Reproduction("SJ20261127-01", "ab" * 32, "ab" * 32, 5, ()))
    assert dialog.reproduce_message.kind == "ok" and dialog.verify_seed_button.isEnabled()
    assert "not an official draw" in dialog.reproduce_message.text()

    with qtbot.waitSignal(dialog.draw_requested):
        dialog.request_draw()
    dialog.show_refusal("Not enough eligible inspectors to staff 10 inspection teams.")
    assert dialog.draw_button.isEnabled()
    dialog.set_history([
        draw.DrawSummary(6, "SJ20261127-02", T0, "王调度", "110105", 0, "", DrawState.PENDING,
                         "ef" * 32),
        draw.DrawSummary(5, "SJ20261127-01", T0, "王调度", "110105", 5, "ab" * 32)])
    assert "efefefefefef" in dialog.history_combo.itemText(0)
    with qtbot.waitSignal(dialog.draw_wanted) as wanted:
        dialog.history_combo.activated.emit(1)
    assert wanted.args == [5]
    # a pending draw whose seed this console no longer holds cannot be run from here
    dialog.show_outcome(pending_of(outcome()), runnable=False)
    assert not dialog.run_button.isEnabled()


# --------------------------------------------------------------------------- audit
def test_audit_viewer_filters_and_exports(qtbot: QtBot, shot: Callable[[QWidget, str], Path],
                                          tmp_path: Path) -> None:
    viewer = AuditLogViewer()
    viewer.resize(900, 400)
    show(qtbot, viewer)
    viewer.set_actions(["incident.assign", "unit.status"])
    qtbot.keyClicks(viewer.text_edit, "0007")
    with qtbot.waitSignal(viewer.query_requested) as query:
        qtbot.keyClick(viewer.text_edit, Qt.Key.Key_Return)
    flt = query.args[0] if query.args else None
    assert isinstance(flt, AuditFilter) and flt.text == "0007" and flt.until is None
    assert flt.since is not None and dt.timedelta(hours=23) < (
        dt.datetime.now(dt.UTC) - flt.since) < dt.timedelta(hours=25)
    rows = [AuditRow(1, T0, "王调度", "console-1", "incident.assign", "incident",
                     "20261127-0007", '{"unit": "朝阳01", "dest_issi": 2001001}'),
            AuditRow(2, T0, "ISSI 2001001", "console-1", "unit.status", "unit", "朝阳01",
                     '{"from_status": "dispatched", "to_status": "en_route"}')]
    viewer.set_rows(rows)
    assert viewer.model.index(0, 3).data() == "Unit assigned"
    assert viewer.model.index(0, 0).data() == "2026-11-27 10:00:00"
    shot(viewer, "audit_viewer")
    target = str(tmp_path / "audit.csv")
    with qtbot.waitSignal(viewer.export_requested) as export:
        viewer.export_to(target)
    assert export.args == [target]
    viewer.show_exported(2)
    assert viewer.message.kind == "ok"


def test_timer_cells() -> None:
    assert format_elapsed(65) == "01:05" and format_elapsed(3725) == "1:02:05"
    assert format_elapsed(-3) == "00:00"
    assert timer_colour(TimerLevel.NORMAL) is None
    assert timer_colour(TimerLevel.RED) != timer_colour(TimerLevel.AMBER)
