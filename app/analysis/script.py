"""Comparison of a transcript with the approved script (审批剧本/节目单).

Both sides become sequences of folded pinyin syllables (Chinese) or lower-case words (Latin),
so recognition errors that keep the sound do not count as deviations. Each transcript line is
scored by how many of its syllable *bigrams* occur in the script (bigrams keep word order, yet
tolerate the 30–50 % character errors of a small model). Scores are smoothed over neighbouring
lines; a run of low-scoring lines that lasts long enough is an **unscripted passage**.
Script sentences that no transcript passage covers are reported as *not performed*.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.analysis.matcher import fold, is_cjk, term_syllables
from app.speech.transcript import TranscriptLine, to_simplified

_SENTENCE_END = re.compile(r"[。！？!?；;\n]+")
_LATIN_WORD = re.compile(r"[A-Za-z0-9']+")


@dataclass(frozen=True, slots=True)
class ScriptPolicy:
    """Thresholds of the comparison."""

    line_threshold: float = 0.25  # smoothed bigram coverage below this: unscripted
    min_duration_s: float = 4.0
    min_units: int = 6
    sentence_covered: float = 0.3  # a script sentence counts as performed at this coverage


@dataclass(frozen=True, slots=True)
class Deviation:
    """An unscripted passage: lines ``first..last`` of the transcript."""

    first: int
    last: int
    start_s: float
    end_s: float
    text: str
    coverage: float  # mean bigram coverage of its lines (0: nothing from the script)

    @property
    def confidence(self) -> float:
        """How sure the comparison is that the passage is not in the script."""
        return round(min(0.95, 0.55 + 0.4 * (1.0 - self.coverage / 0.25)), 3)


@dataclass(slots=True)
class ScriptComparison:
    """Result of comparing a transcript with a script."""

    line_coverage: list[float] = field(default_factory=list)
    deviations: list[Deviation] = field(default_factory=list)
    script_sentences: list[str] = field(default_factory=list)
    performed: list[bool] = field(default_factory=list)

    @property
    def script_coverage(self) -> float:
        """Share of script sentences heard in the performance."""
        return sum(self.performed) / len(self.performed) if self.performed else 0.0

    @property
    def scripted_share(self) -> float:
        """Share of transcript lines that match the script."""
        if not self.line_coverage:
            return 0.0
        return 1.0 - sum(d.last - d.first + 1 for d in self.deviations) / len(self.line_coverage)

    def not_performed(self) -> list[str]:
        """Script sentences not heard."""
        return [s for s, p in zip(self.script_sentences, self.performed, strict=True) if not p]


def sound_units(text: str) -> list[str]:
    """Folded syllables of Chinese characters and lower-case Latin words, in order."""
    out: list[str] = []
    text = to_simplified(text)
    buf: list[str] = []

    def flush_cjk() -> None:
        if buf:
            out.extend(fold(s) for s in term_syllables("".join(buf)))
            buf.clear()

    i = 0
    while i < len(text):
        ch = text[i]
        if is_cjk(ch):
            buf.append(ch)
            i += 1
            continue
        flush_cjk()
        m = _LATIN_WORD.match(text, i)
        if m:
            out.append(m.group(0).lower())
            i = m.end()
        else:
            i += 1
    flush_cjk()
    return out


def bigrams(units: Sequence[str]) -> set[tuple[str, str]]:
    """Consecutive pairs."""
    return {(units[i], units[i + 1]) for i in range(len(units) - 1)}


def split_sentences(script: str) -> list[str]:
    """Sentences of a script (by Chinese and Latin sentence ends and line breaks)."""
    return [s.strip() for s in _SENTENCE_END.split(script) if len(s.strip()) >= 2]


def compare_script(lines: Sequence[TranscriptLine], script: str,
                   policy: ScriptPolicy | None = None) -> ScriptComparison:
    """Score every line against ``script`` and find unscripted passages."""
    p = policy or ScriptPolicy()
    sentences = split_sentences(script)
    script_units = sound_units(script)
    script_bigrams = bigrams(script_units)
    script_unigrams = set(script_units)
    result = ScriptComparison(script_sentences=sentences)
    units_per_line = [sound_units(line.text) for line in lines]
    raw: list[float] = []
    for units in units_per_line:
        pairs = [(units[i], units[i + 1]) for i in range(len(units) - 1)]
        if pairs:
            raw.append(sum(pr in script_bigrams for pr in pairs) / len(pairs))
        elif units:
            raw.append(1.0 if units[0] in script_unigrams else 0.0)
        else:
            raw.append(1.0)
    # a short line says little by itself: blend it with its neighbours, weighted by length
    weights = [max(1, len(u)) for u in units_per_line]
    smooth: list[float] = []
    for i in range(len(raw)):
        if weights[i] >= 8:
            smooth.append(raw[i])
            continue
        lo, hi = max(0, i - 1), min(len(raw), i + 2)
        w = [weights[j] * (2 if j == i else 1) for j in range(lo, hi)]
        smooth.append(sum(raw[j] * wj for j, wj in zip(range(lo, hi), w, strict=True)) / sum(w))
    result.line_coverage = smooth
    i = 0
    while i < len(lines):
        if smooth[i] >= p.line_threshold:
            i += 1
            continue
        j = i
        while j + 1 < len(lines) and smooth[j + 1] < p.line_threshold:
            j += 1
        n_units = sum(len(units_per_line[k]) for k in range(i, j + 1))
        duration = lines[j].end_s - lines[i].start_s
        if duration >= p.min_duration_s and n_units >= p.min_units:
            cov = sum(raw[k] for k in range(i, j + 1)) / (j - i + 1)
            text = " ".join(lines[k].text for k in range(i, j + 1))
            result.deviations.append(Deviation(i, j, lines[i].start_s, lines[j].end_s, text,
                                               cov))
        i = j + 1
    heard = bigrams([u for units in units_per_line for u in units])
    for sentence in sentences:
        wanted = bigrams(sound_units(sentence))
        cov = len(wanted & heard) / len(wanted) if wanted else 0.0
        result.performed.append(cov >= p.sentence_covered)
    return result
