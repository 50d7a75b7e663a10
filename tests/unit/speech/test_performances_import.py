from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from app.speech.performances import describe_problems, import_schedule
from models import Performance, Venue
from models.db import make_engine, make_session_factory


def test_a_schedule_file_is_imported_row_by_row(seeded_db_url: str, tmp_path: Path) -> None:
    engine = make_engine(seeded_db_url)
    factory = make_session_factory(engine)
    with factory() as s:
        venue = s.scalars(select(Venue).order_by(Venue.id)).first()
        assert venue is not None
        licence = venue.licence_no
    csv = tmp_path / "排期.csv"
    csv.write_text(
        "批准文号,演出场所,演出名称,开始时间,结束时间,演出团体,剧本\n"
        f"京演审〔2026〕1号,{licence},相声专场,2026-12-01 19:30,2026-12-01 21:30,青禾社,大家好\n"
        "京演审〔2026〕2号,不存在的剧场,脱口秀,2026-12-02 19:30,2026-12-02 21:00,,\n"
        f"京演审〔2026〕3号,{licence},倒着的,2026-12-03 21:00,2026-12-03 19:00,,\n",
        encoding="utf-8")
    with factory() as s:
        result = import_schedule(s, csv)
        s.commit()
        shows = s.scalars(select(Performance)).all()
    engine.dispose()
    assert result.added == 1 and len(shows) == 1
    assert shows[0].venue_id == venue.id and shows[0].script == "大家好"
    assert shows[0].starts_at.hour == 11  # 19:30 Beijing time is 11:30 UTC
    text = describe_problems(result.problems)
    assert "不存在的剧场" in text and len(result.problems) == 2
