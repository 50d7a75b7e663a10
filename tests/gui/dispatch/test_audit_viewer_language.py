"""Issue 17 (8): the audit log viewer speaks the user's language, not the stored codes."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.dispatch.audit import AuditRow
from app.dispatch.audit_texts import ACTIONS, action_label, detail_text
from app.i18n import install_translators
from widgets.dispatch.audit_viewer import AuditLogViewer

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[3]
T0 = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)


def _row(n: int, action: str, target: str, **detail: object) -> AuditRow:
    return AuditRow(n, T0, "王调度", "console-1", action, "incident", target,
                    json.dumps(detail, ensure_ascii=False))


ROWS = [
    _row(1, "incident.close", "20261127-0007", outcome="corrected_on_site", note="已整改"),
    _row(2, "findings.record", "12", findings=3, serious=1, incident="20261127-0008"),
    _row(3, "unit.status", "朝阳01", from_status="dispatched", to_status="en_route",
         source="radio", note="", incident="20261127-0007"),
    _row(4, "incident.create", "20261127-0009", source="vehicle_sos", category="vehicle_alarm",
         priority=1),
    _row(5, "incident.hand_over", "20261127-0009", from_scope="city", to="110105",
         reason="属地管辖", escalation_id=4),
    _row(6, "inspection.draw_verify", "CJ-1", official=False, ok=True, problems=[]),
    _row(7, "evidence.capture", "5", kind="snapshot", sha256="ab" * 32, incident_id=None),
]


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[None]:
    locale = QLocale()
    translators = install_translators(qapp, "zh_CN")
    yield
    for t in translators:
        qapp.removeTranslator(t)
    QLocale.setDefault(locale)


def _cells(viewer: AuditLogViewer) -> list[str]:
    model = viewer.model
    return [str(model.index(r, c).data() or "") for r in range(model.rowCount())
            for c in range(model.columnCount())]


def test_the_audit_log_shows_actions_and_details_in_chinese(
        chinese: None, qtbot: QtBot) -> None:
    viewer = AuditLogViewer()
    qtbot.addWidget(viewer)
    viewer.set_rows(ROWS)
    cells = _cells(viewer)
    text = "\n".join(cells)
    for raw in ("outcome=", "corrected_on_site", "findings.record", "from_status", "en_route",
                "vehicle_sos", "from_scope", "incident.", "unit.status", "True", "False",
                "snapshot", "serious"):
        assert raw not in text, raw
    # no English word is left in the action and details columns (hashes are data)
    words = "\n".join(str(viewer.model.index(r, c).data())
                      for r in range(viewer.model.rowCount()) for c in (3, 5))
    words = re.sub(r"[0-9a-f]{64}|SHA-256", "", words)
    assert not re.search(r"[A-Za-z]{3,}", words), words
    assert "事件办结" in cells and "记录演出内容疑点" in cells
    assert "办理结果：当场责令改正；备注：已整改" in cells
    assert "从：已派遣；至：在途；来源：电台状态消息；事件：20261127-0007" in cells
    assert "来源：车辆紧急报警；类别：车辆报警；优先级：紧急" in cells
    assert "从：市级指挥中心；至：朝阳区；原因：属地管辖；上报记录：4" in cells
    assert "正式抽取：否；复核通过：是" in cells
    # the action filter offers names; searching still uses the code
    viewer.set_actions(["findings.record", "incident.close"])
    viewer.action_combo.setCurrentIndex(viewer.action_combo.findData("findings.record"))
    assert viewer.action_combo.currentText() == "记录演出内容疑点"
    assert viewer.filter().action == "findings.record"
    viewer.action_combo.setCurrentText("incident.")  # a typed prefix is kept as it is
    assert viewer.filter().action == "incident."


def test_in_english_the_same_rows_read_as_english(qapp: QApplication) -> None:
    locale = QLocale()
    assert install_translators(qapp, "en") == []
    try:
        assert action_label("findings.record") == "Content findings recorded"
        assert detail_text("incident.close", ROWS[0].detail) == \
            "outcome: Corrected on site; note: 已整改"
        assert detail_text("unit.status", ROWS[2].detail) == \
            "from: Dispatched; to: En route; source: radio status message; " \
            "incident: 20261127-0007"
    finally:
        QLocale.setDefault(locale)


def test_details_that_are_not_json_or_unknown_are_shown_as_they_are() -> None:
    assert detail_text("x.y", "not json {") == "not json {"
    assert detail_text("x.y", "[1, 2]") == "[1, 2]"
    assert detail_text("x.y", '{"mystery": "v", "outcome": "no_such"}') == \
        "mystery: v; outcome: no_such"
    assert action_label("brand.new") == "brand.new"


def test_every_action_the_console_records_has_a_name() -> None:
    pattern = re.compile(r"record_audit\(\s*\w+,\s*[\w.]+,\s*\"([a-z_]+\.[a-z_]+)\"", re.S)
    recorded = set()
    for path in (ROOT / "app").rglob("*.py"):
        recorded |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert len(recorded) >= 20  # the scan finds the calls
    assert recorded - set(ACTIONS) == set()
