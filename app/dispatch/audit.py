"""The audit log viewer's side: filtered queries and CSV export.

Every dispatch action is recorded by :func:`app.services.incidents.record_audit` in the same
transaction as the action itself (who, what, when, from which console, with details). The
export is UTF-8 with a byte-order mark, so that spreadsheet programs on Chinese Windows open it
correctly, shows times in Beijing time next to UTC, and defuses cells that a spreadsheet would
otherwise run as formulas.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.services.incidents import Actor, record_audit
from models import AuditEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_ROWS = 5000

CSV_HEADER = ("时间（北京时间）", "时间（UTC）", "操作人", "席位", "操作", "对象类型", "对象",
              "详情")


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which audit events to show (empty fields do not filter).

    ``action`` matches a prefix (``incident.`` finds every incident action); ``text`` is
    searched in the actor, console, target and details.
    """

    since: dt.datetime | None = None
    until: dt.datetime | None = None
    actor: str = ""
    console_id: str = ""
    action: str = ""
    text: str = ""
    limit: int = 1000


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One audit event as shown and exported (``detail`` is the JSON text)."""

    id: int
    at: dt.datetime
    actor: str
    console_id: str
    action: str
    target_kind: str
    target_id: str
    detail: str

    def detail_text(self) -> str:
        """Details as ``key=value`` pairs (the raw text if it is not a JSON object)."""
        try:
            data = json.loads(self.detail)
        except ValueError:
            return self.detail
        if not isinstance(data, dict):
            return self.detail
        return "; ".join(f"{k}={v}" for k, v in data.items() if v not in ("", None))


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def load_audit(session: Session, flt: AuditFilter) -> list[AuditRow]:
    """Audit events matching ``flt``, newest first (run on a reader thread)."""
    stmt = select(AuditEvent)
    if flt.since is not None:
        stmt = stmt.where(AuditEvent.at >= flt.since)
    if flt.until is not None:
        stmt = stmt.where(AuditEvent.at < flt.until)
    if flt.actor:
        stmt = stmt.where(AuditEvent.actor == flt.actor)
    if flt.console_id:
        stmt = stmt.where(AuditEvent.console_id == flt.console_id)
    if flt.action:
        stmt = stmt.where(AuditEvent.action.startswith(flt.action, autoescape=True))
    for word in flt.text.split():
        pattern = _like(word)
        stmt = stmt.where(or_(
            AuditEvent.actor.like(pattern, escape="\\"),
            AuditEvent.console_id.like(pattern, escape="\\"),
            AuditEvent.target_id.like(pattern, escape="\\"),
            AuditEvent.action.like(pattern, escape="\\"),
            AuditEvent.detail.like(pattern, escape="\\"),
        ))
    limit = max(1, min(flt.limit, MAX_ROWS))
    stmt = stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    return [AuditRow(e.id, e.at, e.actor, e.console_id, e.action, e.target_kind, e.target_id,
                     e.detail) for e in session.scalars(stmt)]


def audit_actions(session: Session) -> list[str]:
    """The distinct actions recorded so far (for the viewer's filter list)."""
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def record_export(session: Session, actor: Actor, path: Path, count: int) -> None:
    """Record in the audit log that someone exported it (run on the writer)."""
    record_audit(session, actor, "audit.export", "file", path.name[:40], rows=count,
                 path=str(path))


def _cell(value: str) -> str:
    # a leading = + - @ (or tab/CR) makes spreadsheets evaluate the cell: keep it text
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def audit_csv(rows: Iterable[AuditRow]) -> str:
    """The rows as CSV text (header in Chinese, for the officers who read it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for r in rows:
        writer.writerow([
            r.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
            r.at.astimezone(dt.UTC).isoformat(timespec="seconds"),
            _cell(r.actor), _cell(r.console_id), _cell(r.action), _cell(r.target_kind),
            _cell(r.target_id), _cell(r.detail_text()),
        ])
    return out.getvalue()


def export_audit_csv(rows: Iterable[AuditRow], path: Path) -> int:
    """Write the rows to ``path`` (UTF-8 with BOM); returns the number of rows written.

    Written to a temporary file first and renamed, so a failed export leaves no half file.
    """
    rows = list(rows)
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(audit_csv(rows), encoding="utf-8-sig", newline="")
    tmp.replace(path)
    return len(rows)
