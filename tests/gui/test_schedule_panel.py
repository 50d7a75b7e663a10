from __future__ import annotations

import datetime as dt

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.services.directory import PerformanceRow, load_performances
from models import FixedClock, Jurisdiction, Performance, Venue
from models.db import make_engine, make_session_factory
from widgets.schedule_panel import SchedulePanel

pytestmark = pytest.mark.gui

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


def _row(pid: int, start_h: float, state: str = "", findings: int = 0) -> PerformanceRow:
    start = NOW + dt.timedelta(hours=start_h)
    return PerformanceRow(pid, f"京演审〔2026〕{pid}号", "惊蛰小剧场", "110101", "相声专场",
                          "青禾社", start, start + dt.timedelta(hours=2), state, findings, "")


def test_the_schedule_says_which_show_is_on_and_how_analysis_went(qtbot: QtBot) -> None:
    panel = SchedulePanel(clock=FixedClock(NOW))
    qtbot.addWidget(panel)
    panel.set_rows([_row(1, -1), _row(2, 3), _row(3, -5, "done", 2), _row(4, -30, "failed")])
    model = panel.table.model()
    states = {model.index(r, 0).data(): model.index(r, 6).data() for r in range(4)}
    assert states == {"京演审〔2026〕1号": "on now: recording",
                      "京演审〔2026〕2号": "scheduled",
                      "京演审〔2026〕3号": "analysed: 2 finding(s)",
                      "京演审〔2026〕4号": "analysis failed"}
    order = [model.index(r, 0).data() for r in range(4)]  # by start time
    assert order == ["京演审〔2026〕4号", "京演审〔2026〕3号", "京演审〔2026〕1号",
                     "京演审〔2026〕2号"]


def test_a_district_console_lists_only_its_venues_shows(seeded_db_url: str) -> None:
    engine = make_engine(seeded_db_url)
    factory = make_session_factory(engine)
    with factory() as s:
        for adcode in ("110101", "110105"):
            venue = s.scalars(select(Venue).where(Venue.district_adcode == adcode)).first()
            assert venue is not None
            s.add(Performance(approval_no=f"A-{adcode}", venue_id=venue.id, title="专场",
                              starts_at=NOW, ends_at=NOW + dt.timedelta(hours=2)))
        s.commit()
        clock = FixedClock(NOW + dt.timedelta(minutes=30))
        city = load_performances(s, Jurisdiction(), clock=clock)
        dongcheng = load_performances(s, Jurisdiction.parse("110101"), clock=clock)
    engine.dispose()
    assert {r.approval_no for r in city} == {"A-110101", "A-110105"}
    assert [r.approval_no for r in dongcheng] == ["A-110101"]
