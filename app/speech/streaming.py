"""Streaming transcription of one venue: LocalAgreement over a sliding window, with VAD.

Every ``step_s`` of new audio the whole buffer (at most ``max_buffer_s``) is decoded again.
Text is *committed* when two consecutive hypotheses agree on it (LocalAgreement-2, as described
by Macháček, Dabre and Bojar, 2023): a prefix that survived one more second of context rarely
changes. The rest is shown as a *partial* caption. A pause in speech (VAD) commits the whole
hypothesis at once, so the end of a sentence does not wait for the next one; a buffer with no
speech at all is not decoded (applause, silence and music cost nothing). The buffer is trimmed
at the end of a fully committed segment, so it never grows past ``max_buffer_s``.

Units of agreement are characters for Chinese and words for Latin script; punctuation rides
along with the unit before it and never blocks agreement.

The class is plain Python (no Qt, no threads): :class:`app.speech.live.LivePool` drives it.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from app.speech.audio import SAMPLE_RATE, AudioChunk, Samples
from app.speech.engine import RecognizedSegment, VadPolicy, speech_regions
from app.speech.transcript import TranscriptLine


@dataclass(frozen=True, slots=True)
class StreamConfig:
    """Timing of the streaming transcriber (seconds)."""

    step_s: float = 1.0
    trim_s: float = 8.0
    max_buffer_s: float = 14.0
    silence_commit_s: float = 0.35
    keep_after_silence_s: float = 0.3


@dataclass(frozen=True, slots=True)
class Unit:
    """A character (Chinese) or word (Latin script) with its approximate time."""

    norm: str
    display: str
    start_s: float
    end_s: float


_WORD = re.compile(r"\S+")


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PSZ"


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def split_units(text: str, start_s: float, end_s: float, language: str) -> list[Unit]:
    """Units of ``text`` with times spread evenly over ``[start_s, end_s]``."""
    pieces: list[tuple[str, str]] = []  # (norm, display)
    if language == "zh":
        for token in _WORD.findall(text):
            word = ""
            for ch in token:
                if _is_cjk(ch):
                    if word:
                        pieces.append((word.lower(), word))
                        word = ""
                    pieces.append((ch, ch))
                elif _is_punct(ch):
                    if word:
                        pieces.append((word.lower(), word))
                        word = ""
                    if pieces:
                        norm, disp = pieces[-1]
                        pieces[-1] = (norm, disp + ch)
                else:
                    word += ch
            if word:
                pieces.append((word.lower(), word + " "))
    else:
        for token in _WORD.findall(text):
            norm = "".join(ch for ch in token.lower() if not _is_punct(ch))
            if norm:
                pieces.append((norm, token + " "))
            elif pieces:
                pieces[-1] = (pieces[-1][0], pieces[-1][1] + token + " ")
    if not pieces:
        return []
    step = max(0.0, end_s - start_s) / len(pieces)
    return [Unit(n, d, start_s + i * step, start_s + (i + 1) * step)
            for i, (n, d) in enumerate(pieces)]


def join_units(units: list[Unit]) -> str:
    """Display text of units."""
    return "".join(u.display for u in units).strip()


@dataclass(slots=True)
class StepResult:
    """What one step produced: committed lines (with commit latency) and the partial caption."""

    committed: list[TranscriptLine] = field(default_factory=list)
    latencies_s: list[float] = field(default_factory=list)
    partial: str = ""
    decoded: bool = False


class StreamingTranscriber:
    """LocalAgreement-2 over a sliding buffer for one audio stream (not thread-safe).

    Use: :meth:`insert` chunks as they arrive; when :meth:`ready`, take :meth:`prepare` (the
    samples to decode, or None when the buffer holds no speech), decode them, and pass the
    segments to :meth:`apply`.
    """

    def __init__(self, language: str = "zh", config: StreamConfig | None = None,
                 vad: VadPolicy | None = None) -> None:
        self.language = language
        self.config = config or StreamConfig()
        self._vad = vad or VadPolicy(min_silence_ms=200, pad_ms=100, max_speech_s=30.0)
        self._buffer = np.zeros(0, dtype=np.float32)
        self._buffer_start = 0.0  # stream time of buffer[0]
        self._received_until = 0.0
        self._pending_s = 0.0  # audio since the last step
        self._prev: list[Unit] = []
        self._committed_until = 0.0
        self._committed_tail: deque[Unit] = deque(maxlen=8)
        self._arrivals: list[tuple[float, float]] = []  # (stream time, wall time)
        self._last_segments: list[RecognizedSegment] = []
        self._prepared_silence_end: float | None = None
        self.dropped_s = 0.0

    # ------------------------------------------------------------------ input
    def insert(self, chunk: AudioChunk, arrived: float) -> None:
        """Append a chunk (``arrived``: wall-clock time it was received, for latency)."""
        if self._buffer.size == 0 and not self._prev:
            self._buffer_start = chunk.offset_s
        self._buffer = np.concatenate((self._buffer, chunk.samples))
        self._received_until = chunk.offset_s + chunk.duration_s
        self._pending_s += chunk.duration_s
        self._arrivals.append((self._received_until, arrived))
        if len(self._arrivals) > 400:
            del self._arrivals[:200]
        overflow = self._buffer.size - int(self.config.max_buffer_s * 1.5 * SAMPLE_RATE)
        if overflow > 0:  # not decoded in time: drop the oldest audio, never grow unbounded
            self._buffer = self._buffer[overflow:]
            self._buffer_start += overflow / SAMPLE_RATE
            self.dropped_s += overflow / SAMPLE_RATE
            self._prev = []

    def ready(self) -> bool:
        """Whether enough new audio arrived for another step."""
        return self._pending_s >= self.config.step_s

    @property
    def lag_s(self) -> float:
        """Audio received but not yet stepped over."""
        return self._pending_s

    @property
    def received_until(self) -> float:
        """Stream time of the end of the audio received."""
        return self._received_until

    def prepare(self) -> Samples | None:
        """The buffer to decode now, or None when it holds no speech (skipped, trimmed)."""
        self._pending_s = 0.0
        if self._buffer.size < SAMPLE_RATE // 4:
            return None
        regions = speech_regions(self._buffer, self._vad)
        buffer_s = self._buffer.size / SAMPLE_RATE
        if not regions:
            keep = int(self.config.keep_after_silence_s * SAMPLE_RATE)
            if self._buffer.size > keep and not self._prev:
                cut = self._buffer.size - keep
                self._buffer = self._buffer[cut:]
                self._buffer_start += cut / SAMPLE_RATE
            if self._prev:  # the speaker stopped before the last hypothesis was agreed
                self._prepared_silence_end = self._buffer_start + buffer_s
                return self._buffer.copy()
            return None
        last_end = regions[-1][1] / SAMPLE_RATE
        silent_tail = buffer_s - last_end
        self._prepared_silence_end = (self._buffer_start + last_end
                                      if silent_tail >= self.config.silence_commit_s else None)
        return self._buffer.copy()

    def buffer_start(self) -> float:
        """Stream time of the start of the buffer handed out by :meth:`prepare`."""
        return self._buffer_start

    # ------------------------------------------------------------------ results
    def apply(self, segments: list[RecognizedSegment], now: float,
              buffer_start: float | None = None) -> StepResult:
        """Take the decoded segments of the prepared buffer; commit what two hypotheses agree on.
        """
        base = self._buffer_start if buffer_start is None else buffer_start
        result = StepResult(decoded=True)
        self._last_segments = segments
        hyp: list[Unit] = []
        for seg in segments:
            hyp.extend(split_units(seg.text, base + seg.start_s, base + seg.end_s,
                                   self.language))
        hyp = [u for u in hyp if (u.start_s + u.end_s) / 2 > self._committed_until - 0.05]
        tail = list(self._committed_tail)
        for n in range(min(5, len(tail), len(hyp)), 0, -1):
            if [u.norm for u in hyp[:n]] == [u.norm for u in tail[-n:]]:
                hyp = hyp[n:]
                break
        if self._prepared_silence_end is not None:
            agreed = hyp  # end of an utterance: commit everything heard
        else:
            k = 0
            while k < len(hyp) and k < len(self._prev) and hyp[k].norm == self._prev[k].norm:
                k += 1
            agreed = hyp[:k]
        rest = hyp[len(agreed):]
        if agreed:
            self._commit(agreed, now, result)
        self._prev = rest
        result.partial = join_units(rest)
        if self._prepared_silence_end is not None:
            self._trim_to(max(self._committed_until, self._prepared_silence_end)
                          - self.config.keep_after_silence_s)
            self._prev = []
            result.partial = ""
        else:
            self._maybe_trim(base, now, result)
        self._prepared_silence_end = None
        return result

    def flush(self, now: float) -> StepResult:
        """Commit whatever is pending (the stream ended or the venue is paused)."""
        result = StepResult()
        if self._prev:
            self._commit(self._prev, now, result)
            self._prev = []
        self._buffer = np.zeros(0, dtype=np.float32)
        self._pending_s = 0.0
        return result

    def _commit(self, units: list[Unit], now: float, result: StepResult) -> None:
        line = TranscriptLine(units[0].start_s, max(units[-1].end_s, units[0].start_s),
                              join_units(units))
        result.committed.append(line)
        result.latencies_s.append(max(0.0, now - self._arrival_of(line.end_s)))
        self._committed_until = max(self._committed_until, units[-1].end_s)
        self._committed_tail.extend(units)

    def _arrival_of(self, stream_t: float) -> float:
        """Wall time at which audio up to ``stream_t`` had been received."""
        if not self._arrivals:
            return 0.0
        times = [t for t, _ in self._arrivals]
        i = bisect.bisect_left(times, stream_t)
        return self._arrivals[min(i, len(self._arrivals) - 1)][1]

    def _maybe_trim(self, base: float, now: float, result: StepResult) -> None:
        buffer_s = self._buffer.size / SAMPLE_RATE
        if buffer_s <= self.config.trim_s:
            return
        cut = None
        for seg in self._last_segments:
            if base + seg.end_s <= self._committed_until + 0.05:
                cut = base + seg.end_s
        if cut is None and buffer_s > self.config.max_buffer_s:
            # nothing agreed for too long: commit the hypothesis, keep a little context
            if self._prev:
                self._commit(self._prev, now, result)
                self._prev = []
                result.partial = ""
            cut = self._buffer_start + buffer_s - 1.0
        if cut is not None:
            self._trim_to(cut)

    def _trim_to(self, stream_t: float) -> None:
        n = int((stream_t - self._buffer_start) * SAMPLE_RATE)
        if n <= 0:
            return
        n = min(n, self._buffer.size)
        self._buffer = self._buffer[n:]
        self._buffer_start += n / SAMPLE_RATE
