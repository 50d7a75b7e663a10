"""Importing approved performances (批准文号, venue, time window, troupe, script) from a file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from app.speech.schedule import RowProblem, ScheduleImportError, read_table, store_drafts


@dataclass(frozen=True, slots=True)
class ScheduleImport:
    """Rows stored and rows refused (with the reason) from one file."""

    added: int
    problems: list[RowProblem]


def import_schedule(session: Session, path: Path) -> ScheduleImport:
    """Read a CSV/Excel schedule and store its valid rows (the caller's transaction).

    Raises:
        ScheduleImportError: the file cannot be read as a schedule at all.
    """
    parsed = read_table(path)
    stored = store_drafts(session, parsed.drafts, source=path.name[:120])
    return ScheduleImport(len(stored.added), [*parsed.problems, *stored.problems])


def describe_problems(problems: list[RowProblem], limit: int = 10) -> str:
    """The refused rows, one per line (at most ``limit``)."""
    lines = [f"row {p.row}, {p.column}: {p.message}" for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"… and {len(problems) - limit} more")
    return "\n".join(lines)


__all__ = ["ScheduleImport", "ScheduleImportError", "describe_problems", "import_schedule"]
