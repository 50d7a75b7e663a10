"""Intake helpers, texts for officers and users, duplicates and the audit CSV (no database)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QCoreApplication

from app.dispatch.audit import AuditRow, audit_csv
from app.dispatch.duplicates import DuplicateRow, likely_duplicates
from app.dispatch.intake import (
    DistrictLocator,
    VenueChoice,
    nearest_venue,
    normalise_phone,
    search_venues,
    suggested_priority,
)
from app.dispatch.orders import MAX_ORDER_CHARS, order_text, recall_text
from app.dispatch.refusals import RefusalCode, refuse
from app.dispatch.texts import has_text, outcome_label, refusal_text
from app.i18n import install_translators
from models.dispatch import IncidentOutcome
from models.enums import (
    CreditGrade,
    IncidentCategory,
    IncidentPriority,
    IncidentStatus,
    VenueType,
)

T0 = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(("raw", "clean"), [
    ("", ""), ("  ", ""), ("138 0013 8000", "13800138000"), ("+86-138-0013-8000", "13800138000"),
    ("0086 13800138000", "13800138000"), ("(010) 6512-3456", "01065123456"),
    ("１３８００１３８０００", "13800138000"), ("12318", "12318"),
])
def test_phone_numbers_are_normalised(raw: str, clean: str) -> None:
    assert normalise_phone(raw) == clean


@pytest.mark.parametrize("raw", ["call me", "138x", "1234", "1" * 21, "١٢٣٤٥٦"])
def test_bad_phone_numbers_are_refused_with_a_reason(raw: str) -> None:
    with pytest.raises(ValueError, match="phone number"):
        normalise_phone(raw)


@given(st.text(max_size=40))
def test_phone_normalising_never_fails_otherwise(text: str) -> None:
    try:
        value = normalise_phone(text)
    except ValueError:
        return
    assert value == "" or (value.isascii() and value.isdigit() and 5 <= len(value) <= 20)


def choice(vid: int, name: str, address: str, licence: str, lat: float = 39.9,
           lon: float = 116.4) -> VenueChoice:
    return VenueChoice(vid, name, licence, address, "110105", "朝阳区", lat, lon, CreditGrade.C,
                       VenueType.KARAOKE_DANCE)


VENUES = [
    choice(1, "青禾KTV", "北京市朝阳区建国路1号", "京娱歌〔2020〕050001号"),
    choice(2, "老槐青禾书屋", "北京市朝阳区望京街8号", "京出零〔2019〕050002号", 39.95, 116.47),
    choice(3, "星河网咖", "北京市朝阳区青禾路3号", "京网〔2021〕050003号", 39.9005, 116.4),
]


def test_venue_search_by_name_licence_or_address_name_first() -> None:
    assert [v.id for v in search_venues(VENUES, "青禾")] == [1, 2, 3]
    assert [v.id for v in search_venues(VENUES, "050002")] == [2]
    assert [v.id for v in search_venues(VENUES, "青禾 望京")] == [2]
    assert [v.id for v in search_venues(VENUES, "ktv")] == [1]
    assert search_venues(VENUES, "  ") == [] and search_venues(VENUES, "青禾", limit=1)[0].id == 1


def test_nearest_venue_to_a_map_click() -> None:
    assert nearest_venue(VENUES, 39.9004, 116.4).id == 3  # type: ignore[union-attr]
    assert nearest_venue(VENUES, 39.97, 116.5) is None
    assert nearest_venue(VENUES, 39.97, 116.5, max_m=5000).id == 2  # type: ignore[union-attr]


def test_district_locator() -> None:
    square = '{"type":"Polygon","coordinates":[[[116,39],[117,39],[117,40],[116,40],[116,39]]]}'
    locator = DistrictLocator([("110105", square)])
    assert locator.district_at(39.5, 116.5) == "110105"
    assert locator.district_at(41, 116.5) is None


def test_suggested_priorities() -> None:
    assert suggested_priority(IncidentCategory.GAMBLING) is IncidentPriority.URGENT
    assert suggested_priority(IncidentCategory.NOISE_NUISANCE) is IncidentPriority.LOW
    assert suggested_priority(IncidentCategory.OTHER) is IncidentPriority.NORMAL


def test_orders_are_short_chinese_and_carry_the_essentials() -> None:
    text = order_text(number="20261127-0007", priority=1, category=IncidentCategory.GAMBLING,
                      title="游艺厅疑似设置赌博机" * 5, venue_name="青禾电玩城",
                      address="北京市朝阳区建国路" + "很长" * 40, call_sign="朝阳01")
    assert text.startswith("【调度令】朝阳01 20261127-0007 优先级：紧急")
    assert "场所：青禾电玩城" in text and len(text) <= MAX_ORDER_CHARS
    recall = recall_text(number="20261127-0007", call_sign="朝阳01", reason="")
    assert "任务已撤销：调度调整" in recall


def row(rid: int, venue: int, category: IncidentCategory, hours_ago: float,
        status: IncidentStatus = IncidentStatus.NEW) -> DuplicateRow:
    return DuplicateRow(rid, f"n{rid}", "t", status, 3, category, venue,
                        T0 - dt.timedelta(hours=hours_ago), "")


def test_likely_duplicates_same_venue_category_open_recent_newest_first() -> None:
    rows = [row(1, 5, IncidentCategory.OVER_HOURS, 3), row(2, 5, IncidentCategory.OVER_HOURS, 1),
            row(3, 5, IncidentCategory.GAMBLING, 1), row(4, 6, IncidentCategory.OVER_HOURS, 1),
            row(5, 5, IncidentCategory.OVER_HOURS, 30),
            row(6, 5, IncidentCategory.OVER_HOURS, 1, IncidentStatus.CLOSED),
            row(7, 5, IncidentCategory.OVER_HOURS, 0.5)]
    found = likely_duplicates(rows, venue_id=5, category=IncidentCategory.OVER_HOURS, now=T0,
                              within_hours=24, exclude_id=7)
    assert [r.id for r in found] == [2, 1]


def test_every_refusal_and_outcome_has_a_text_and_statuses_are_named(
        qapp: QCoreApplication) -> None:
    assert all(has_text(code) for code in RefusalCode)
    refusal = refuse(RefusalCode.INVALID_TRANSITION, "x", call_sign="朝阳01",
                     from_status="available", to_status="clearing")
    assert refusal_text(refusal) == "Unit 朝阳01 cannot go from “Available” to “Clearing”."
    assert outcome_label(IncidentOutcome.CASE_OPENED) == "Case opened"
    assert outcome_label("legacy_value") == "legacy_value"
    translators = install_translators(qapp, "zh_CN")
    try:  # statuses come out in Chinese from the shared catalogue
        assert "空闲" in refusal_text(refusal)
    finally:
        for t in translators:
            qapp.removeTranslator(t)


def test_audit_csv_shows_beijing_time_and_defuses_formulas() -> None:
    rows = [AuditRow(1, T0, "=HYPERLINK(1)", "c1", "incident.assign", "incident",
                     "20261127-0001", '{"unit": "朝阳01", "note": ""}'),
            AuditRow(2, T0, "王调度", "c1", "x", "", "", "not json")]
    parsed = list(csv.reader(io.StringIO(audit_csv(rows))))
    assert parsed[0][0] == "时间（北京时间）"
    assert parsed[1][:3] == ["2026-11-27 10:00:00", "2026-11-27T02:00:00+00:00",
                             "'=HYPERLINK(1)"]
    assert parsed[1][7] == "unit=朝阳01" and parsed[2][7] == "not json"
