"""Content analysis of a transcript: rule findings and script deviations, one result.

Pure functions over values (no Qt, no database, no files): the batch runner, the live
service and the tests all call :func:`analyze`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from app.analysis.matcher import LEVEL_TEXT, TextIndex
from app.analysis.rules import UNSCRIPTED, RuleSet, category_label, category_text
from app.analysis.script import ScriptComparison, ScriptPolicy, compare_script
from app.speech.transcript import Transcript, TranscriptLine

#: Findings closer than this (seconds) with the same rule are one finding.
MERGE_GAP_S = 5.0


@dataclass(frozen=True, slots=True)
class ContentFinding:
    """A passage that matches a prohibited-content category or is not in the script."""

    category_no: int
    tag: str
    rule_id: str
    start_s: float
    end_s: float
    matched_text: str
    term: str
    level: str  # exact | homophone | near-homophone | fuzzy | pattern | unscripted
    confidence: float
    quote: str
    #: Link to the evidence (a clip path or a media-fragment URI ``file:…#t=a,b``).
    evidence: str = ""

    @property
    def category_text(self) -> str:
        """Legal text of the category."""
        return category_text(self.category_no)

    @property
    def category_label(self) -> str:
        """``第N项：…`` for reports."""
        return category_label(self.category_no)

    @property
    def level_text(self) -> str:
        """How it matched, in Chinese."""
        return LEVEL_TEXT.get(self.level, "剧本比对")

    def with_evidence(self, evidence: str) -> ContentFinding:
        """A copy with the evidence link set."""
        return replace(self, evidence=evidence)

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return {
            "category_no": self.category_no, "category": self.category_text, "tag": self.tag,
            "rule_id": self.rule_id, "start_s": round(self.start_s, 2),
            "end_s": round(self.end_s, 2), "matched_text": self.matched_text,
            "term": self.term, "match": self.level, "confidence": round(self.confidence, 3),
            "quote": self.quote, "evidence": self.evidence,
        }


@dataclass(slots=True)
class AnalysisResult:
    """Findings (time order) and the script comparison, if a script was given."""

    findings: list[ContentFinding] = field(default_factory=list)
    script: ScriptComparison | None = None
    rules_name: str = ""
    rules_source: str = ""
    legal_basis: str = ""

    def above(self, threshold: float) -> list[ContentFinding]:
        """Findings at or above ``threshold``."""
        return [f for f in self.findings if f.confidence >= threshold]

    def by_category(self) -> dict[int, list[ContentFinding]]:
        """Findings grouped by category number (ascending)."""
        out: dict[int, list[ContentFinding]] = {}
        for f in sorted(self.findings, key=lambda f: (f.category_no, f.start_s)):
            out.setdefault(f.category_no, []).append(f)
        return out


def analyze(
    transcript: Transcript | Sequence[TranscriptLine],
    rules: RuleSet,
    *,
    script: str | None = None,
    language: str | None = None,
    script_policy: ScriptPolicy | None = None,
) -> AnalysisResult:
    """Match ``rules`` over the transcript and compare it with ``script`` (if any)."""
    if isinstance(transcript, Transcript):
        lines = transcript.lines
        language = language or transcript.language
    else:
        lines = list(transcript)
    language = language or "zh"
    index = TextIndex(lines)
    findings: list[ContentFinding] = []
    for m in index.match_rules(rules.for_language(language)):
        first, last = index.units[m.first], index.units[m.last]
        findings.append(ContentFinding(
            m.rule.category, m.rule.tag, m.rule.id, first.start_s, last.end_s,
            index.text_of(m.first, m.last), m.term, m.level, m.confidence,
            index.quote(m.first, m.last),
        ))
    findings = merge_findings(findings)
    comparison = None
    if script is not None and script.strip():
        comparison = compare_script(lines, script, script_policy)
        for d in comparison.deviations:
            findings.append(ContentFinding(
                UNSCRIPTED, "未经审批内容", "script-deviation", d.start_s, d.end_s,
                d.text, "", "unscripted", d.confidence, d.text,
            ))
    findings.sort(key=lambda f: (f.start_s, f.category_no))
    return AnalysisResult(findings, comparison, rules.name, rules.source, rules.legal_basis)


def merge_findings(findings: Sequence[ContentFinding]) -> list[ContentFinding]:
    """Join findings of the same rule that lie within :data:`MERGE_GAP_S` of each other."""
    out: list[ContentFinding] = []
    last_by_rule: dict[str, int] = {}
    for f in sorted(findings, key=lambda f: f.start_s):
        k = last_by_rule.get(f.rule_id)
        if k is not None and f.start_s - out[k].end_s <= MERGE_GAP_S:
            prev = out[k]
            text = prev.matched_text if f.matched_text in prev.matched_text \
                else f"{prev.matched_text}…{f.matched_text}"
            quote = prev.quote if f.quote == prev.quote else f"{prev.quote} {f.quote}"
            out[k] = replace(prev, end_s=max(prev.end_s, f.end_s), matched_text=text,
                             quote=quote, confidence=max(prev.confidence, f.confidence))
            continue
        last_by_rule[f.rule_id] = len(out)
        out.append(f)
    return out


def evidence_link(media: str, start_s: float, end_s: float, pad_s: float = 2.0) -> str:
    """A media-fragment link to a passage of a recording (``file:…#t=a,b``)."""
    from pathlib import Path

    a = max(0.0, start_s - pad_s)
    uri = Path(media).resolve().as_uri() if "://" not in media else media
    return f"{uri}#t={a:.1f},{end_s + pad_s:.1f}"
