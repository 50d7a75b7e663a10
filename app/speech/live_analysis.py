"""Content analysis of a live transcript, line by line, against the rules and the current script.

Each committed line is analysed with a little context (the lines of the last ``context_s``), so a
term split across two lines is still found; a finding is reported once (the same rule over an
overlapping time range is not repeated). The script comparison runs over a rolling window and
reports an unscripted passage once it has lasted ``min_deviation_s``.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from app.analysis.engine import ContentFinding, analyze
from app.analysis.rules import UNSCRIPTED, RuleSet
from app.analysis.script import ScriptPolicy, compare_script
from app.speech.transcript import TranscriptLine


@dataclass(frozen=True, slots=True)
class LiveScript:
    """The approved script of the performance on now."""

    text: str
    title: str = ""
    approval_no: str = ""
    performance_id: int | None = None


class LiveAnalyzer:
    """Per-venue incremental analysis (thread-safe)."""

    def __init__(self, rules: RuleSet, language: str = "zh", *, context_s: float = 12.0,
                 window_s: float = 40.0, min_deviation_s: float = 12.0) -> None:
        self.rules = rules
        self.language = language
        self.context_s = context_s
        self.window_s = window_s
        self.min_deviation_s = min_deviation_s
        self._lines: deque[TranscriptLine] = deque()
        self._reported: list[ContentFinding] = []
        self._script: LiveScript | None = None
        self._lock = threading.Lock()

    def set_script(self, script: LiveScript | None) -> None:
        """Compare from now on with ``script`` (None: no script comparison)."""
        with self._lock:
            self._script = script

    @property
    def script(self) -> LiveScript | None:
        """The script compared against."""
        return self._script

    def add(self, line: TranscriptLine) -> list[ContentFinding]:
        """Analyse a newly committed line; the new findings."""
        with self._lock:
            self._lines.append(line)
            while self._lines and self._lines[0].end_s < line.end_s - self.window_s:
                self._lines.popleft()
            context = [ln for ln in self._lines if ln.end_s >= line.start_s - self.context_s]
            result = analyze(context, self.rules, language=self.language)
            new = [f for f in result.findings if f.end_s >= line.start_s - 0.01
                   and not self._seen(f)]
            script = self._script
            if script is not None and script.text.strip():
                new.extend(self._deviations(script))
            self._reported.extend(new)
            if len(self._reported) > 500:
                del self._reported[:250]
            return new

    def _seen(self, f: ContentFinding) -> bool:
        return any(r.rule_id == f.rule_id and r.start_s <= f.end_s and f.start_s <= r.end_s
                   for r in self._reported)

    def _deviations(self, script: LiveScript) -> list[ContentFinding]:
        lines = list(self._lines)
        comparison = compare_script(lines, script.text,
                                    ScriptPolicy(min_duration_s=self.min_deviation_s))
        out = []
        for d in comparison.deviations:
            f = ContentFinding(UNSCRIPTED, "未经审批内容", "script-deviation", d.start_s,
                               d.end_s, d.text, "", "unscripted", d.confidence, d.text)
            if not self._seen(f):
                out.append(f)
        return out
