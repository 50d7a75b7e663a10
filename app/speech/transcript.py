"""Transcript values shared by recognition, analysis, reports and the UI (no Qt, no I/O)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class TranscriptLine:
    """A committed piece of transcript; times are seconds from the start of the recording."""

    start_s: float
    end_s: float
    text: str
    confidence: float = 1.0

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return {"start_s": round(self.start_s, 2), "end_s": round(self.end_s, 2),
                "text": self.text, "confidence": round(self.confidence, 3)}


@dataclass(slots=True)
class Transcript:
    """A whole transcript in time order."""

    lines: list[TranscriptLine] = field(default_factory=list)
    language: str = "zh"
    duration_s: float = 0.0

    @property
    def text(self) -> str:
        """All text, one line per segment."""
        return "\n".join(line.text for line in self.lines)

    def speech_seconds(self) -> float:
        """Total length of the transcribed passages."""
        return sum(max(0.0, line.end_s - line.start_s) for line in self.lines)


_REPEAT = re.compile(r"(.{1,4}?)\1{4,}", re.DOTALL)
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _t2s() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified Chinese (the base model often writes traditional)."""
    converter = _t2s()
    return str(converter.convert(text))  # type: ignore[attr-defined]


def clean_text(text: str, language: str) -> str:
    """Normalise recogniser output: simplified characters, no runaway repetition, tidy spaces.

    A run of the same 1–4 characters repeated five times or more (a decoding loop) is cut to
    two repetitions.
    """
    text = _REPEAT.sub(lambda m: m.group(1) * 2, text)
    text = _SPACES.sub(" ", text).strip()
    if language == "zh":
        text = to_simplified(text)
    return text


def format_timecode(seconds: float) -> str:
    """``H:MM:SS`` (or ``M:SS`` under an hour) for reports and the transcript pane."""
    total = max(0, int(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
