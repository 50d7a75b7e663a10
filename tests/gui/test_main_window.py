from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.bridge import LinkState, Subsystem, UiBridge
from app.core import ConsoleCore, DatabaseTarget
from app.i18n import install_translators
from app.lifecycle import Lifecycle
from app.settings import Settings
from models import Unit
from models.enums import UnitStatus
from widgets.main_window import MainWindow
from widgets.row_model import ROW_ROLE

pytestmark = pytest.mark.gui


@pytest.fixture
def console(qtbot: QtBot, qapp: QApplication, seeded_db_url: str,
            request: pytest.FixtureRequest) -> Iterator[MainWindow]:
    jurisdiction = getattr(request, "param", "city")
    settings = Settings().replace("console", jurisdiction=jurisdiction)
    translators = install_translators(qapp, "zh_CN")
    core = ConsoleCore(settings, DatabaseTarget(seeded_db_url), UiBridge())
    lifecycle = Lifecycle()
    core.register(lifecycle)
    lifecycle.start_all()
    window = MainWindow(core)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()
    # the web page must be gone before the QApplication (QtWebEngine's profile rule)
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    lifecycle.stop_all()
    for t in translators:
        qapp.removeTranslator(t)


def test_window_is_chinese_with_filled_panels_and_honest_status(
        console: MainWindow, qtbot: QtBot) -> None:
    assert console.windowTitle() == "文化市场综合执法指挥调度台 — 市级指挥调度中心"
    qtbot.waitUntil(lambda: console.units_panel.model.rowCount() >= 30, timeout=5000)
    qtbot.waitUntil(lambda: console.incidents_panel.model.rowCount() > 0, timeout=5000)
    assert console.units_dock.windowTitle() == "执法单元"
    assert console.status.state_of(Subsystem.DATABASE) is LinkState.UP
    assert console.status.text_of(Subsystem.RADIO) == "电台: 未配置"
    assert console.status.state_of(Subsystem.VIDEO) is LinkState.NOT_CONFIGURED
    statuses = {console.units_panel.model.index(r, 1).data()
                for r in range(console.units_panel.model.rowCount())}
    assert "空闲" in statuses


def test_a_committed_change_reaches_the_units_panel(console: MainWindow, qtbot: QtBot) -> None:
    core = console.core
    qtbot.waitUntil(lambda: console.units_panel.model.rowCount() >= 30, timeout=5000)
    assert core.writer is not None

    def make_emergency(session):  # type: ignore[no-untyped-def]
        unit = session.scalars(select(Unit).where(Unit.call_sign == "朝阳01")).one()
        unit.status = UnitStatus.EMERGENCY
        return unit.id

    unit_id = core.writer.submit(make_emergency).result(5)

    def shows_emergency() -> bool:
        row = console.units_panel.model.row_by_id(unit_id)
        return row is not None and row.status is UnitStatus.EMERGENCY

    qtbot.waitUntil(shows_emergency, timeout=5000)
    pos = console.units_panel.model.position(unit_id)
    assert console.units_panel.model.index(pos, 1).data() == "紧急求助"


@pytest.mark.parametrize("console", ["110105"], indirect=True)
def test_a_district_console_shows_only_its_district(console: MainWindow, qtbot: QtBot) -> None:
    assert console.windowTitle().endswith("朝阳区指挥调度中心")
    qtbot.waitUntil(lambda: console.units_panel.model.rowCount() > 0, timeout=5000)
    districts = {r.district_adcode for r in console.units_panel.model.rows}
    assert districts == {"110105"}
    qtbot.waitUntil(lambda: console.core.incidents is not None
                    and console.core.incidents.rows is not None, timeout=5000)
    assert all(r.district_adcode == "110105" for r in console.incidents_panel.model.rows)


def _page_json(window: MainWindow, qtbot: QtBot, script: str) -> object:
    import json

    box: list[object] = []
    window.map_view.run_js(script, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=10000)
    value = box[0]
    return json.loads(value) if isinstance(value, str) and value else value


def test_the_map_shows_venues_and_units_and_selects_with_the_panels(
        console: MainWindow, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: console.map_view.is_ready, timeout=30000)
    qtbot.waitUntil(lambda: console.units_panel.model.rowCount() >= 30, timeout=5000)
    placed = [r for r in console.units_panel.model.rows if r.lat is not None]
    unit = placed[0]
    console.map_view.flush()

    def unit_on_page() -> bool:
        found = _page_json(console, qtbot, f"CEDC.debug.entity('unit', '{unit.id}')")
        return isinstance(found, dict) and found["fields"].get("status") == unit.status.value

    qtbot.waitUntil(unit_on_page, timeout=10000)
    counts = _page_json(console, qtbot, "CEDC.debug.counts()")
    assert isinstance(counts, dict) and counts["venue"] >= 400
    assert console.status.state_of(Subsystem.MAP) is LinkState.UP
    # a click on the map selects the unit in the list
    console.map_view.entity_selected.emit("unit", str(unit.id))
    assert console.units_panel.selected_unit_id() == unit.id


@pytest.mark.expect_log_errors
def test_a_killed_map_renderer_is_reported_in_the_status_bar_until_the_map_is_back(
        console: MainWindow, qtbot: QtBot) -> None:
    import os
    import signal

    view = console.map_view
    qtbot.waitUntil(lambda: view.is_ready, timeout=30000)
    qtbot.waitUntil(lambda: view.state.counts()["venue"] >= 400, timeout=10000)
    qtbot.waitUntil(lambda: console.status.state_of(Subsystem.MAP) is LinkState.UP)
    notices: list[str] = []
    console.status.notice_changed.connect(notices.append)
    states: list[LinkState] = []
    console.core.bridge.link_state_changed.connect(
        lambda sub, state, _detail: states.append(LinkState(state))
        if sub == Subsystem.MAP.value else None)
    pid = view.page.renderProcessPid()
    assert pid > 0
    with qtbot.waitSignal(view.restored, timeout=60000):
        os.kill(pid, signal.SIGKILL)
        qtbot.waitUntil(lambda: bool(notices), timeout=10000)
        assert console.status.notice.isVisible()
        assert console.status.notice_text() == "地图渲染进程已退出，正在重新加载地图…"
    assert notices == ["地图渲染进程已退出，正在重新加载地图…", ""]
    assert not console.status.notice.isVisible()
    assert states[0] is LinkState.CONNECTING and states[-1] is LinkState.UP
    assert console.status.state_of(Subsystem.MAP) is LinkState.UP
    counts = _page_json(console, qtbot, "CEDC.debug.counts()")
    assert isinstance(counts, dict) and counts["venue"] == view.state.counts()["venue"]


class _Recorder:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, command: str) -> bool:
        self.sent.append(command)
        return True


def test_demo_menu_drives_the_selected_units_simulated_radio(
        console: MainWindow, qtbot: QtBot) -> None:
    assert not console.demo_menu.menuAction().isVisible()  # not a demo: no demo menu
    recorder = _Recorder()
    console._radio_simulator = recorder  # type: ignore[assignment]
    qtbot.waitUntil(lambda: console.units_panel.model.rowCount() >= 30, timeout=5000)
    console.demo_actions["emergency"].trigger()
    assert recorder.sent == []  # nothing selected: the dispatcher is told to pick a unit
    row = console.units_panel.model.rows[0]
    console.units_panel.select_unit(row.id)
    console.demo_actions["emergency"].trigger()
    console.demo_actions["on_scene"].trigger()
    assert recorder.sent == [f"emergency {row.radio_issis[0]}",
                             f"status {row.radio_issis[0]} 0x8004"]


def test_dispatch_to_a_map_point_opens_the_intake_form_in_that_district(
        console: MainWindow, qtbot: QtBot) -> None:
    from widgets.dispatch.intake_form import IntakeForm

    qtbot.waitUntil(lambda: bool(console.core.map_static and console.core.map_static.rows),
                    timeout=5000)
    # a point in the Miyun reservoir: in 密云区 and far from any demo venue
    console._map_context("dispatch_here", "", "", 40.52, 116.98)

    def form() -> IntakeForm | None:
        found = [w for w in console.findChildren(IntakeForm) if w.isVisible()]
        return found[0] if found else None

    qtbot.waitUntil(lambda: form() is not None, timeout=5000)
    intake = form()
    assert intake is not None
    assert intake.district_combo.currentData() == "110118"
    intake.reject()


def test_show_on_an_alarm_selects_its_unit_and_incident_on_the_map_and_in_the_panels(
        console: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    qtbot.waitUntil(lambda: console.units_panel.model.rowCount() >= 30, timeout=5000)
    qtbot.waitUntil(lambda: console.incidents_panel.proxy.rowCount() > 0, timeout=5000)
    focused: list[tuple[str, str]] = []
    monkeypatch.setattr(console.map_view, "focus",
                        lambda kind, entity_id, zoom=16: focused.append((kind, entity_id)))
    unit = console.units_panel.model.rows[3]
    incident_index = console.incidents_panel.proxy.index(0, 0)
    incident = console.incidents_panel.proxy.data(incident_index, ROW_ROLE)
    console.core.alarms.raise_alarm("recorder_not_live", "执法记录仪未在线")
    console.core.alarms.raise_alarm("radio_emergency", f"电台紧急求助 {unit.call_sign}",
                                    unit_id=unit.id, incident_number=incident.number)
    console.alarm_bar.show_button.click()  # 查看
    assert console.units_panel.selected_unit_id() == unit.id
    assert console.incidents_panel.selected_id() == incident.id
    assert focused == [("unit", str(unit.id))]


def test_closing_the_window_asks_then_ends_the_program_with_the_audit_log_open(
        console: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    from widgets.dispatch.audit_viewer import AuditLogViewer

    def audit_windows() -> list[AuditLogViewer]:
        return [w for w in QApplication.topLevelWidgets()
                if isinstance(w, AuditLogViewer) and w.isVisible()]

    console.open_audit()
    viewer = audit_windows()[0]
    viewer.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is viewer, timeout=2000)
    qtbot.keyClick(viewer, Qt.Key.Key_Escape)  # Esc closes it
    qtbot.waitUntil(lambda: not audit_windows(), timeout=2000)

    console.open_audit()
    assert len(audit_windows()) == 1
    console.confirm_quit = True  # as for a dispatcher (tests and screenshots never ask)
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    asked: list[str] = []

    def question(_parent: object, title: str, _text: str, *_a: object) -> object:
        asked.append(title)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    closed: list[bool] = []
    console.closed.connect(lambda: closed.append(True))
    console.quit_action.trigger()  # Ctrl+Q, answered No: nothing stops
    assert console.isVisible() and len(audit_windows()) == 1 and closed == []
    console.quit_action.trigger()  # answered Yes
    assert len(asked) == 2
    assert not console.isVisible()
    assert audit_windows() == []  # no window keeps a headless console running
    assert closed == [True]  # the composition root quits on this
