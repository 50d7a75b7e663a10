"""The performance schedule: entry, CSV/Excel import, and "what is on now".

Import is a parser of outside data: every row is checked and a bad row is reported with its row
number, column and reason, while the good rows are kept. Accepted headers are the Chinese ones
of the culture bureau's approval lists or English equivalents:

=========  ===============================  =========================================
column     headers                          value
=========  ===============================  =========================================
approval   批准文号, approval_no             required
venue      演出场所, 场所, venue              venue id, licence number or exact name
start      开始时间, starts_at               ``2026-11-27 19:30`` (Beijing) or ISO 8601
end        结束时间, ends_at                 same; after the start, at most 12 h later
title      演出名称, 节目名称, title           required
troupe     演出团体, troupe                  optional
performers 演员, 演出人员, performers         optional, separated by 、 , ; or /
programme  节目单, programme                 optional, items separated by line breaks or ；
script     剧本, 审批剧本, script             optional, plain text
language   语言, language                    zh (default) or en
=========  ===============================  =========================================
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Venue
from models.speech_schedule import Performance

log = logging.getLogger("app.speech.schedule")

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_SHOW = dt.timedelta(hours=12)
MAX_ROWS = 10_000
MAX_CELL = 200_000

_HEADERS: dict[str, tuple[str, ...]] = {
    "approval_no": ("批准文号", "审批文号", "approval_no", "approval"),
    "venue": ("演出场所", "场所", "场所名称", "venue", "venue_id"),
    "starts_at": ("开始时间", "演出开始时间", "starts_at", "start"),
    "ends_at": ("结束时间", "演出结束时间", "ends_at", "end"),
    "title": ("演出名称", "节目名称", "title"),
    "troupe": ("演出团体", "演出单位", "troupe"),
    "performers": ("演员", "演出人员", "performers"),
    "programme": ("节目单", "programme", "program"),
    "script": ("剧本", "审批剧本", "script"),
    "language": ("语言", "language"),
}
_REQUIRED = ("approval_no", "venue", "starts_at", "ends_at", "title")


class ScheduleImportError(ValueError):
    """The file as a whole cannot be read (not CSV/Excel, no header, too large)."""


@dataclass(frozen=True, slots=True)
class PerformanceDraft:
    """A checked row, before the venue is looked up."""

    row: int
    approval_no: str
    venue: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    title: str
    troupe: str = ""
    performers: str = ""
    programme: str = ""
    script: str = ""
    language: str = "zh"


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why a row was refused."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(slots=True)
class ImportResult:
    """Accepted drafts and refused rows."""

    drafts: list[PerformanceDraft] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def parse_time(text: str) -> dt.datetime:
    """A time as written in approval lists: Beijing time unless an offset is given.

    Raises:
        ValueError: not a recognisable date and time.
    """
    s = text.strip().replace("/", "-").replace("T", " ")
    s = re.sub(r"\s+", " ", s)
    m = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日\s*(\d{1,2})[:：时](\d{2})分?", s)
    if m:
        y, mo, d, h, mi = (int(g) for g in m.groups())
        return dt.datetime(y, mo, d, h, mi, tzinfo=SHANGHAI)
    try:
        value = dt.datetime.fromisoformat(s)
    except ValueError:
        raise ValueError(f"not a date and time: {text!r} (e.g. 2026-11-27 19:30)") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value


def _column_map(header: Iterable[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in header:
        key = (name or "").strip().lower()
        for field_name, aliases in _HEADERS.items():
            if key in (a.lower() for a in aliases) and field_name not in found:
                found[field_name] = name
    return found


def parse_rows(rows: Iterable[Mapping[str, object]]) -> ImportResult:
    """Check rows (dicts keyed by header) into drafts; row numbers count the header as 1."""
    result = ImportResult()
    columns: dict[str, str] | None = None
    for n, raw in enumerate(rows, start=2):
        if n - 1 > MAX_ROWS:
            result.problems.append(RowProblem(n, "", f"more than {MAX_ROWS} rows; rest ignored"))
            break
        if columns is None:
            columns = _column_map(str(k) for k in raw)
            missing = [f for f in _REQUIRED if f not in columns]
            if missing:
                names = ", ".join(_HEADERS[f][0] for f in missing)
                raise ScheduleImportError(f"missing column(s): {names}")
        values = {f: _cell(raw.get(col)) for f, col in columns.items()}
        if not any(values.values()):
            continue  # blank line
        problems_before = len(result.problems)
        for f in _REQUIRED:
            if not values.get(f):
                result.problems.append(RowProblem(n, _HEADERS[f][0], "is empty"))
        times: dict[str, dt.datetime] = {}
        for f in ("starts_at", "ends_at"):
            if values.get(f):
                try:
                    times[f] = parse_time(values[f])
                except ValueError as exc:
                    result.problems.append(RowProblem(n, _HEADERS[f][0], str(exc)))
        if len(times) == 2:
            if times["ends_at"] <= times["starts_at"]:
                result.problems.append(RowProblem(n, "结束时间", "must be after the start"))
            elif times["ends_at"] - times["starts_at"] > MAX_SHOW:
                result.problems.append(RowProblem(n, "结束时间", "a show lasts at most 12 hours"))
        language = values.get("language") or "zh"
        if language not in ("zh", "en"):
            result.problems.append(RowProblem(n, "语言", f"must be zh or en, got {language!r}"))
        for f, limit in (("approval_no", 60), ("title", 200), ("troupe", 100)):
            if len(values.get(f, "")) > limit:
                result.problems.append(RowProblem(n, _HEADERS[f][0],
                                                  f"longer than {limit} characters"))
        if len(result.problems) > problems_before:
            continue
        result.drafts.append(PerformanceDraft(
            n, values["approval_no"], values["venue"], times["starts_at"].astimezone(dt.UTC),
            times["ends_at"].astimezone(dt.UTC), values["title"], values.get("troupe", ""),
            _performers(values.get("performers", "")), _programme(values.get("programme", "")),
            values.get("script", ""), language,
        ))
    if columns is None:
        raise ScheduleImportError("the table is empty (no header row)")
    return result


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    text = str(value)
    return text[:MAX_CELL].strip()


def _performers(text: str) -> str:
    parts = [p.strip() for p in re.split(r"[、,，;；/]", text) if p.strip()]
    return "、".join(parts)


def _programme(text: str) -> str:
    parts = [p.strip() for p in re.split(r"[\n；;]", text) if p.strip()]
    return "\n".join(parts)


def read_table(path: Path) -> ImportResult:
    """Read a CSV (UTF-8 or GB18030) or Excel (.xlsx) schedule.

    Raises:
        ScheduleImportError: the file cannot be read as a table.
    """
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            return parse_rows(_xlsx_rows(path))
        if suffix in (".csv", ".txt"):
            return parse_rows(csv.DictReader(io.StringIO(_decode(path.read_bytes()))))
    except OSError as exc:
        raise ScheduleImportError(f"cannot read {path}: {exc}") from exc
    except csv.Error as exc:
        raise ScheduleImportError(f"{path}: not a valid CSV file: {exc}") from exc
    raise ScheduleImportError(f"{path.name}: use a .csv or .xlsx file")


def _decode(raw: bytes) -> str:
    if b"\x00" in raw[:4096]:
        raise ScheduleImportError("not a text file")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ScheduleImportError("unknown text encoding (save as UTF-8 CSV)")


def _xlsx_rows(path: Path) -> Iterable[dict[str, object]]:
    import zipfile

    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ScheduleImportError(f"{path.name}: not a readable Excel file: {exc}") from exc
    try:
        sheet = wb.active
        if sheet is None:
            raise ScheduleImportError(f"{path.name}: the workbook has no sheet")
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise ScheduleImportError(f"{path.name}: the sheet is empty")
        names = [str(h).strip() if h is not None else f"col{i}" for i, h in enumerate(header)]
        out = [dict(zip(names, row, strict=False)) for row in rows]
    finally:
        wb.close()
    return out


# ---------------------------------------------------------------------- database
@dataclass(slots=True)
class StoreResult:
    """What :func:`store_drafts` did."""

    added: list[int] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def find_venue(session: Session, ref: str) -> Venue | None:
    """A venue by id, licence number or exact name."""
    ref = ref.strip()
    if ref.isdigit():
        venue = session.get(Venue, int(ref))
        if venue is not None:
            return venue
    venue = session.scalar(select(Venue).where(Venue.licence_no == ref))
    if venue is not None:
        return venue
    found = session.scalars(select(Venue).where(Venue.name == ref)).all()
    return found[0] if len(found) == 1 else None


def store_drafts(session: Session, drafts: Iterable[PerformanceDraft],
                 source: str) -> StoreResult:
    """Add checked drafts (in the caller's transaction); rows whose venue is unknown are refused.
    """
    result = StoreResult()
    for d in drafts:
        venue = find_venue(session, d.venue)
        if venue is None:
            result.problems.append(RowProblem(d.row, "演出场所",
                                              f"no venue {d.venue!r} (id, licence or name)"))
            continue
        perf = Performance(
            approval_no=d.approval_no, venue_id=venue.id, title=d.title, troupe=d.troupe,
            performers=d.performers, programme=d.programme, script=d.script,
            language=d.language, starts_at=d.starts_at, ends_at=d.ends_at, source=source,
        )
        session.add(perf)
        session.flush()
        result.added.append(perf.id)
    log.info("stored %d performance(s) from %s; %d refused", len(result.added), source,
             len(result.problems))
    return result


def performance_on(session: Session, venue_id: int, at: dt.datetime) -> Performance | None:
    """The performance on at a venue at ``at`` (the latest started, if they overlap)."""
    return session.scalar(
        select(Performance)
        .where(Performance.venue_id == venue_id, Performance.starts_at <= at,
               Performance.ends_at > at)
        .order_by(Performance.starts_at.desc())
        .limit(1)
    )


def performances_on(session: Session, at: dt.datetime) -> list[Performance]:
    """Every performance on at ``at``."""
    return list(session.scalars(
        select(Performance).where(Performance.starts_at <= at, Performance.ends_at > at)
        .order_by(Performance.venue_id)
    ))


def ended_unanalysed(session: Session, at: dt.datetime,
                     grace: dt.timedelta = dt.timedelta(minutes=1)) -> list[Performance]:
    """Performances that ended (``grace`` ago) and have not been analysed yet."""
    return list(session.scalars(
        select(Performance).where(Performance.ends_at <= at - grace,
                                  Performance.analysis_state == "")
        .order_by(Performance.ends_at)
    ))
