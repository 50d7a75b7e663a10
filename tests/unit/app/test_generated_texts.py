"""Issue 17 (8): texts the console composes (alarms, finding categories) are in the user's
language — Chinese by default, English with ``--lang en`` — never a mix."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QLocale

from app.analysis.rules import CATEGORIES, UNSCRIPTED, category_label
from app.i18n import install_translators
from app.labels import (
    escalation_alarm_text,
    finding_category_label,
    geofence_alarm_text,
    radio_emergency_text,
    sos_alarm_text,
)

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def language(request: pytest.FixtureRequest, qapp: QCoreApplication) -> Iterator[str]:
    locale = QLocale()
    translators = install_translators(qapp, request.param)
    yield request.param
    for t in translators:
        qapp.removeTranslator(t)
    QLocale.setDefault(locale)


@pytest.mark.parametrize("language", ["zh_CN"], indirect=True)
def test_alarm_texts_in_chinese(language: str) -> None:
    assert sos_alarm_text("朝阳01") == "车辆紧急报警 朝阳01"
    assert radio_emergency_text("西城02 王伟") == "电台紧急求助 西城02 王伟"
    assert geofence_alarm_text("东城05", "王府井", entered=False) == "东城05 离开电子围栏「王府井」"
    assert geofence_alarm_text("东城05", "王府井", entered=True) == "东城05 进入电子围栏「王府井」"
    assert escalation_alarm_text("演出违规", reminder=False) == "事件上报待签收：演出违规"
    assert escalation_alarm_text("x", reminder=True) == "事件上报待签收（再次提醒）：x"


@pytest.mark.parametrize("language", ["en"], indirect=True)
def test_alarm_texts_in_english_have_no_chinese_but_the_names(language: str) -> None:
    texts = [sos_alarm_text("U1"), radio_emergency_text("U2"),
             geofence_alarm_text("U3", "F", entered=True),
             geofence_alarm_text("U3", "F", entered=False),
             escalation_alarm_text("T", reminder=False), escalation_alarm_text("T", reminder=True)]
    assert texts[0] == "Vehicle emergency alarm (SOS) U1"
    assert texts[2] == "U3 entered the geofence “F”"
    assert not any(CJK.search(t) for t in texts), texts


@pytest.mark.parametrize("language", ["zh_CN"], indirect=True)
def test_finding_categories_in_chinese_are_the_regulations_wording(language: str) -> None:
    for number in [UNSCRIPTED, *CATEGORIES]:
        assert finding_category_label(number) == category_label(number)


@pytest.mark.parametrize("language", ["en"], indirect=True)
def test_finding_categories_in_english(language: str) -> None:
    assert finding_category_label(6).startswith("Item 6: Promoting obscenity")
    assert finding_category_label(0).startswith("Script deviation: Unapproved")
    assert finding_category_label(42) == "Item 42"
    assert not any(CJK.search(finding_category_label(n)) for n in [UNSCRIPTED, *CATEGORIES])
