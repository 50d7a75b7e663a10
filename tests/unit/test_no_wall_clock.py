"""No part of the program reads the wall clock except through :mod:`models.clock`.

A service that calls ``datetime.now()`` itself cannot be given a fixed time by a test or a
replay, and compares stored times with the real date: the suite then passes only on the day it
was written. Every read of "now" goes through a :class:`models.clock.Clock`.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "models", "radio_bridge", "widgets")

#: The only functions allowed to read the system clock, and why.
ALLOWED = {
    ("models/clock.py", "now"): "SystemClock.now: the program clock itself",
    ("radio_bridge/outbox.py", "utc_now"): "radio_bridge stands alone: its default clock",
}

#: ``module attribute`` pairs whose call reads the wall clock.
WALL_CLOCK_CALLS = {
    ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
    ("time", "time"), ("time", "time_ns"), ("time", "localtime"), ("time", "gmtime"),
    ("time", "ctime"), ("time", "clock_gettime"),
    ("QDateTime", "currentDateTime"), ("QDateTime", "currentDateTimeUtc"),
    ("QDateTime", "currentSecsSinceEpoch"), ("QDateTime", "currentMSecsSinceEpoch"),
    ("QDate", "currentDate"), ("QTime", "currentTime"),
}


def wall_clock_reads(source: str, filename: str = "<source>") -> list[tuple[int, str, str]]:
    """(line, enclosing function, call) for every wall-clock read in ``source``."""
    tree = ast.parse(source, filename)
    found: list[tuple[int, str, str]] = []

    def visit(node: ast.AST, func: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = func
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = child.name
            if isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute):
                owner = child.func.value
                owner_name = owner.attr if isinstance(owner, ast.Attribute) else (
                    owner.id if isinstance(owner, ast.Name) else "")
                call = (owner_name, child.func.attr)
                # time.localtime(secs)/gmtime(secs) convert a given time: only the bare call reads
                bare_only = call in {("time", "localtime"), ("time", "gmtime"), ("time", "ctime")}
                if call in WALL_CLOCK_CALLS and not (bare_only and child.args):
                    found.append((child.lineno, func, ".".join(call)))
            visit(child, name)

    visit(tree, "<module>")
    return found


def test_the_checker_finds_each_way_of_reading_the_wall_clock() -> None:
    source = (
        "import datetime as dt, time\nfrom datetime import datetime, date\n"
        "def f():\n    return dt.datetime.now(dt.UTC)\n"
        "def g():\n    return datetime.utcnow(), date.today(), time.time()\n"
        "def h():\n    return QDateTime.currentDateTime()\n"
        "def fine():\n    return time.monotonic(), time.localtime(0), datetime.fromisoformat('x')\n"
    )
    found = wall_clock_reads(source)
    assert [(line, func) for line, func, _ in found] == [
        (4, "f"), (6, "g"), (6, "g"), (6, "g"), (8, "h")]


def test_nothing_reads_the_wall_clock_but_the_clock() -> None:
    offenders = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel:
                continue
            for line, func, call in wall_clock_reads(path.read_text(encoding="utf-8"), rel):
                if (rel, func) not in ALLOWED:
                    offenders.append(f"{rel}:{line} in {func}(): {call}()")
    assert not offenders, (
        "read the time from a models.clock.Clock (or models.clock.utcnow), not the wall "
        "clock:\n" + "\n".join(offenders))
