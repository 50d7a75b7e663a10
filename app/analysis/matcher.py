"""Matching rules against a transcript in a way that survives recognition errors.

Chinese: every character becomes its toneless pinyin syllables (all readings of a polyphone).
A term matches *exactly* (same characters), as a *homophone* (same syllables, other
characters: 堵博 for 赌博), or as a *near-homophone* (syllables equal after folding the initials
and finals that recognisers and southern accents confuse: zh/z/ch/c, sh/s, the aspirated and
plain stops b/p, d/t, g/k, j/q, n/l, f/h, -ng/-n). Each level lowers the confidence. Latin
script: phrases compared by edit distance (similarity at least 0.8, no word under 0.6).
Regular-expression patterns run on the simplified text.

Times: each unit of text gets a time by spreading its line's time range evenly over the line's
characters, so a finding's range is accurate to about a word.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from app.analysis.rules import Rule
from app.speech.transcript import TranscriptLine, to_simplified

#: Confidence multipliers per match level.
LEVEL_FACTOR = {"exact": 1.0, "pattern": 1.0, "homophone": 0.85, "near-homophone": 0.7,
                "fuzzy": 0.85}
LEVEL_TEXT = {"exact": "原文一致", "pattern": "模式匹配", "homophone": "同音匹配",
              "near-homophone": "近音匹配", "fuzzy": "近似匹配"}

#: Confusable initials: retroflex/flat (zh/z, ch/c, sh/s), aspiration (p/b, t/d, k/g, q/j,
#: c/z), n/l, f/h, r/l. Longest first.
_INITIAL_FOLD = (("zh", "z"), ("ch", "z"), ("sh", "s"), ("c", "z"), ("p", "b"), ("t", "d"),
                 ("k", "g"), ("q", "j"), ("n", "l"), ("f", "h"), ("r", "l"))
_FINAL_FOLD = (("ing", "in"), ("eng", "en"), ("ang", "an"), ("iong", "ion"), ("ong", "on"))


def is_cjk(ch: str) -> bool:
    """Whether ``ch`` is a CJK ideograph."""
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


@lru_cache(maxsize=20000)
def readings(ch: str) -> frozenset[str]:
    """Toneless pinyin readings of one character (empty for non-CJK)."""
    if not is_cjk(ch):
        return frozenset()
    from pypinyin import Style, pinyin

    got = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
    return frozenset(r for group in got for r in group if r)


@lru_cache(maxsize=20000)
def fold(syllable: str) -> str:
    """A syllable with confusable initials and finals folded together."""
    s = syllable
    for a, b in _INITIAL_FOLD:
        if s.startswith(a):
            s = b + s[len(a):]
            break
    for a, b in _FINAL_FOLD:
        if s.endswith(a):
            s = s[: -len(a)] + b
            break
    return s


def term_syllables(term: str) -> list[str]:
    """Phrase-aware toneless pinyin of a Chinese term (one syllable per character)."""
    from pypinyin import Style, lazy_pinyin

    chars = [c for c in to_simplified(term) if is_cjk(c)]
    return lazy_pinyin("".join(chars), style=Style.NORMAL)


@dataclass(frozen=True, slots=True)
class Unit:
    """A character (CJK) or word (Latin) of the transcript, with its position and time."""

    text: str
    line: int
    start_s: float
    end_s: float
    readings: frozenset[str]
    folded: frozenset[str]


@dataclass(frozen=True, slots=True)
class Match:
    """A rule hit in the transcript: unit range ``[first, last]``."""

    rule: Rule
    term: str
    level: str
    first: int
    last: int
    confidence: float


_LATIN_WORD = re.compile(r"[A-Za-z0-9']+")


class TextIndex:
    """Units of a transcript with times, and lookups by syllable."""

    def __init__(self, lines: Sequence[TranscriptLine]) -> None:
        self.lines = list(lines)
        self.units: list[Unit] = []
        self.line_text: list[str] = []
        #: per line: offset in the line's simplified text → unit index
        self._char_unit: list[dict[int, int]] = []
        by_syllable: dict[str, list[int]] = defaultdict(list)
        by_fold: dict[str, list[int]] = defaultdict(list)
        for li, line in enumerate(self.lines):
            text = to_simplified(line.text)
            self.line_text.append(text)
            spans = _unit_spans(text)
            mapping: dict[int, int] = {}
            n = max(1, len(spans))
            step = max(0.0, line.end_s - line.start_s) / n
            for k, (a, b) in enumerate(spans):
                piece = text[a:b]
                rd = readings(piece) if len(piece) == 1 else frozenset({piece.lower()})
                fd = frozenset(fold(r) for r in rd)
                idx = len(self.units)
                self.units.append(Unit(piece, li, line.start_s + k * step,
                                       line.start_s + (k + 1) * step, rd, fd))
                for pos in range(a, b):
                    mapping[pos] = idx
                for r in rd:
                    by_syllable[r].append(idx)
                for r in fd:
                    by_fold[r].append(idx)
            self._char_unit.append(mapping)
        self._by_syllable = dict(by_syllable)
        self._by_fold = dict(by_fold)

    def unit_at(self, line: int, offset: int) -> int | None:
        """Unit covering character ``offset`` of a line's simplified text."""
        mapping = self._char_unit[line]
        for pos in range(offset, -1, -1):
            if pos in mapping:
                return mapping[pos]
        return None

    def text_of(self, first: int, last: int) -> str:
        """Transcript text of units ``first..last`` (as recognised)."""
        parts = []
        for u in self.units[first: last + 1]:
            parts.append(u.text if is_cjk(u.text[0]) else u.text + " ")
        return "".join(parts).strip()

    def quote(self, first: int, last: int) -> str:
        """The lines the units lie in (the quote for the report)."""
        a, b = self.units[first].line, self.units[last].line
        return " ".join(self.line_text[a: b + 1])

    # ------------------------------------------------------------------ matching
    def match_rules(self, rules: Iterable[Rule]) -> list[Match]:
        """Every hit of every rule (overlapping hits of one rule keep the best)."""
        found: list[Match] = []
        for rule in rules:
            hits: list[Match] = []
            for term in rule.terms:
                hits.extend(self._match_term(rule, term))
            hits.extend(self._match_patterns(rule))
            found.extend(_best_per_span(hits))
        found.sort(key=lambda m: (m.first, -m.confidence))
        return found

    def _match_term(self, rule: Rule, term: str) -> list[Match]:
        if any(is_cjk(c) for c in term):
            return self._match_cjk(rule, term)
        return self._match_latin(rule, term)

    def _match_cjk(self, rule: Rule, term: str) -> list[Match]:
        chars = [c for c in to_simplified(term) if is_cjk(c)]
        sylls = term_syllables(term)
        if not chars or len(sylls) != len(chars):
            return []
        m = len(chars)
        out: list[Match] = []
        if rule.match == "exact":
            starts: Iterable[int] = self._by_syllable.get(sylls[0], [])
        else:
            starts = self._by_fold.get(fold(sylls[0]), [])
        for i in starts:
            if i + m > len(self.units):
                continue
            window = self.units[i: i + m]
            if any(not is_cjk(u.text[0]) for u in window):
                continue
            if all(u.text == c for u, c in zip(window, chars, strict=True)):
                level = "exact"
            elif rule.match == "exact":
                continue
            elif all(s in u.readings for u, s in zip(window, sylls, strict=True)):
                level = "homophone"
            elif all(fold(s) in u.folded for u, s in zip(window, sylls, strict=True)):
                level = "near-homophone"
            else:
                continue
            out.append(Match(rule, term, level, i, i + m - 1,
                             round(rule.weight * LEVEL_FACTOR[level], 3)))
        return out

    def _match_latin(self, rule: Rule, term: str) -> list[Match]:
        words = [w.lower() for w in _LATIN_WORD.findall(term)]
        if not words:
            return []
        out: list[Match] = []
        n = len(words)
        for i in range(len(self.units) - n + 1):
            window = self.units[i: i + n]
            if any(is_cjk(u.text[0]) for u in window):
                continue
            heard = [u.text.lower() for u in window]
            if heard == words:
                level, ratio = "exact", 1.0
            elif rule.match != "fuzzy":
                continue
            else:
                # the phrase as a whole must be close, and no word far off
                ratio = similarity(" ".join(heard), " ".join(words))
                worst = min(similarity(h, w) for h, w in zip(heard, words, strict=True))
                if ratio < 0.8 or worst < 0.6:
                    continue
                level = "fuzzy"
            conf = rule.weight * LEVEL_FACTOR[level] * ratio
            out.append(Match(rule, term, level, i, i + n - 1, round(conf, 3)))
        return out

    def _match_patterns(self, rule: Rule) -> list[Match]:
        out: list[Match] = []
        for pattern in rule.patterns:
            for li, text in enumerate(self.line_text):
                for m in pattern.finditer(text):
                    if m.end() <= m.start():
                        continue
                    first = self.unit_at(li, m.start())
                    last = self.unit_at(li, m.end() - 1)
                    if first is None or last is None:
                        continue
                    out.append(Match(rule, pattern.pattern, "pattern", first, last,
                                     round(rule.weight, 3)))
        return out


def _unit_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of units: each CJK character, each Latin word; punctuation skipped."""
    spans = []
    i = 0
    while i < len(text):
        ch = text[i]
        if is_cjk(ch):
            spans.append((i, i + 1))
            i += 1
        elif ch.isalnum() or ch == "'":
            j = i
            while j < len(text) and (text[j].isalnum() or text[j] == "'") \
                    and not is_cjk(text[j]):
                j += 1
            spans.append((i, j))
            i = j
        else:
            i += 1
    return spans


def _best_per_span(hits: list[Match]) -> list[Match]:
    """Of overlapping hits (one rule), keep the most confident."""
    kept: list[Match] = []
    for h in sorted(hits, key=lambda m: (-m.confidence, m.first)):
        if all(h.last < k.first or h.first > k.last for k in kept):
            kept.append(h)
    return kept


def similarity(a: str, b: str) -> float:
    """1 − normalised Levenshtein distance (1.0: equal)."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return 1.0 - prev[-1] / max(len(a), len(b))


def normalise_for_compare(text: str) -> str:
    """Simplified characters without punctuation or spaces (for script comparison)."""
    text = to_simplified(text)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZS")
