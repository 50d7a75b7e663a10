"""Performance schedule: import (CSV, Excel) with row-level errors, storage, "what is on now"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app.speech.schedule import (
    SHANGHAI,
    ScheduleImportError,
    ended_unanalysed,
    parse_rows,
    parse_time,
    performance_on,
    read_table,
    store_drafts,
)
from models import Base, Venue
from models.db import make_engine, make_session_factory

HEADER = ["批准文号", "演出场所", "开始时间", "结束时间", "演出名称", "演出团体", "演员", "节目单",
          "剧本"]


def _row(**kw: str) -> dict[str, str]:
    base = {"批准文号": "京文演〔2026〕0123号", "演出场所": "1", "开始时间": "2026-11-27 19:30",
            "结束时间": "2026-11-27 21:30", "演出名称": "相声专场", "演出团体": "某某相声社",
            "演员": "张三、李四,王五", "节目单": "《报菜名》；《买卖论》", "剧本": "大家好。"}
    base.update(kw)
    return base


def test_times_are_beijing_unless_an_offset_is_given() -> None:
    assert parse_time("2026-11-27 19:30") == dt.datetime(2026, 11, 27, 19, 30, tzinfo=SHANGHAI)
    assert parse_time("2026/11/27 19:30").utcoffset() == dt.timedelta(hours=8)
    assert parse_time("2026年11月27日 19:30") == dt.datetime(2026, 11, 27, 19, 30,
                                                            tzinfo=SHANGHAI)
    assert parse_time("2026-11-27T11:30:00+00:00") == dt.datetime(2026, 11, 27, 11, 30,
                                                                 tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="not a date and time"):
        parse_time("tonight")


def test_good_rows_are_kept_and_bad_rows_reported_with_row_and_column() -> None:
    result = parse_rows([
        _row(),
        _row(开始时间="yesterday"),
        _row(结束时间="2026-11-27 18:00"),
        _row(批准文号=""),
        dict.fromkeys(HEADER, ""),  # blank line
        _row(结束时间="2026-11-28 12:00"),
    ])
    assert len(result.drafts) == 1
    draft = result.drafts[0]
    assert draft.starts_at == dt.datetime(2026, 11, 27, 11, 30, tzinfo=dt.UTC)
    assert draft.performers == "张三、李四、王五"
    assert draft.programme == "《报菜名》\n《买卖论》"
    messages = [str(p) for p in result.problems]
    assert any(m.startswith("row 3, 开始时间: not a date") for m in messages)
    assert any(m.startswith("row 4, 结束时间: must be after") for m in messages)
    assert any(m.startswith("row 5, 批准文号: is empty") for m in messages)
    assert any(m.startswith("row 7, 结束时间: a show lasts at most 12 hours") for m in messages)


def test_a_table_without_the_required_columns_is_refused() -> None:
    with pytest.raises(ScheduleImportError, match="missing column"):
        parse_rows([{"名称": "x"}])
    with pytest.raises(ScheduleImportError, match="empty"):
        parse_rows([])


@given(st.lists(st.dictionaries(st.sampled_from([*HEADER, "语言", "x"]),
                                st.one_of(st.text(max_size=30), st.none(), st.integers()),
                                min_size=1), max_size=8))
def test_any_table_gives_drafts_problems_or_a_clear_error(rows: list[dict[str, object]]) -> None:
    try:
        result = parse_rows(rows)
    except ScheduleImportError:
        return
    for d in result.drafts:
        assert d.starts_at < d.ends_at and d.starts_at.tzinfo is not None


def test_csv_in_gb18030_and_excel_are_read(tmp_path: Path) -> None:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=HEADER)
    writer.writeheader()
    writer.writerow(_row())
    path = tmp_path / "schedule.csv"
    path.write_bytes(buf.getvalue().encode("gb18030"))
    assert read_table(path).drafts[0].title == "相声专场"

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(list(_row(开始时间="2026-11-27 19:30").values()))
    ws.append([dt.datetime(2026, 11, 28, 19, 30), *list(_row().values())[1:]])  # bad approval
    xlsx = tmp_path / "schedule.xlsx"
    wb.save(xlsx)
    result = read_table(xlsx)
    assert len(result.drafts) == 2  # a datetime cell is text for the approval column too
    with pytest.raises(ScheduleImportError, match=r"use a \.csv or \.xlsx"):
        read_table(tmp_path / "schedule.pdf")
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(ScheduleImportError, match="not a readable Excel"):
        read_table(tmp_path / "broken.xlsx")


def test_drafts_are_stored_by_venue_and_found_while_on(seeded_db_url: str) -> None:
    engine = make_engine(seeded_db_url)
    Base.metadata.create_all(engine, tables=[Base.metadata.tables["performance"]])
    sessions = make_session_factory(engine)
    with sessions() as session:
        venue = session.scalars(select(Venue).order_by(Venue.id)).first()
        assert venue is not None
        result = parse_rows([_row(演出场所=venue.licence_no),
                             _row(演出场所="no such venue")])
        stored = store_drafts(session, result.drafts, "import:schedule.csv")
        session.commit()
        assert len(stored.added) == 1
        assert "no venue 'no such venue'" in str(stored.problems[0])
        during = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
        perf = performance_on(session, venue.id, during)
        assert perf is not None and perf.source == "import:schedule.csv"
        assert performance_on(session, venue.id, during + dt.timedelta(hours=3)) is None
        assert ended_unanalysed(session, during) == []
        assert [p.id for p in ended_unanalysed(session, during + dt.timedelta(hours=3))] == \
            stored.added
    engine.dispose()
