"""faster-whisper, loaded from a local CTranslate2 model directory, and the decoding policy.

Never a hub download: the directory must hold ``model.bin``, ``config.json`` and
``tokenizer.json``; anything missing is a :class:`ModelMissingError` that names the setting
(``speech.model_dir``) and the install command. Decoding is greedy with a *bounded* temperature
fallback (at most one retry) and a token budget proportional to the audio length, so that a
hard passage (applause, robotic speech) can never cost more than about twice an easy one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from app.speech.audio import SAMPLE_RATE, Samples
from app.speech.settings import MODEL_DIR_ENV, MODEL_DIR_SETTING
from app.speech.transcript import clean_text

log = logging.getLogger("app.speech.engine")

REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")
#: Whisper's window; audio longer than this is split by the caller.
WINDOW_S = 30.0
#: Shortest encoder input (10 s): shorter inputs make the decoder loop and invent segments.
MIN_FRAMES = 1000


class ModelMissingError(RuntimeError):
    """No usable speech model in the configured directory."""


@dataclass(frozen=True, slots=True)
class LoadedModel:
    """A loaded model and what it is."""

    model: Any  # faster_whisper.WhisperModel
    path: Path
    multilingual: bool
    workers: int


def check_model_dir(path: Path) -> None:
    """Raise :class:`ModelMissingError` unless ``path`` holds a CTranslate2 Whisper model."""
    missing = [name for name in REQUIRED_FILES if not (path / name).is_file()]
    if missing:
        what = "does not exist" if not path.exists() else "lacks " + ", ".join(missing)
        raise ModelMissingError(
            f"no speech model: {path} {what}. Set {MODEL_DIR_SETTING} (environment "
            f"{MODEL_DIR_ENV}) to a CTranslate2 Whisper model directory, or install the base "
            f"model with `python -m app models install`."
        )


def load_model(path: Path, *, cpu_threads: int = 1, workers: int = 1,
               compute_type: str = "int8") -> LoadedModel:
    """Load a model for ``workers`` concurrent decodes of ``cpu_threads`` threads each.

    Raises:
        ModelMissingError: the directory is not a usable model.
    """
    check_model_dir(path)
    from faster_whisper import WhisperModel

    try:
        model = WhisperModel(str(path), device="cpu", compute_type=compute_type,
                             cpu_threads=cpu_threads, num_workers=workers,
                             local_files_only=True)
    except (RuntimeError, ValueError, OSError) as exc:
        raise ModelMissingError(
            f"the speech model in {path} cannot be loaded ({exc}); check {MODEL_DIR_SETTING}"
        ) from exc
    multilingual = bool(model.model.is_multilingual)
    log.info("speech model %s loaded (%s, %d worker(s) × %d thread(s), %s)", path,
             "multilingual" if multilingual else "English only", workers, cpu_threads,
             compute_type, extra={"event": "speech_model_loaded", "path": str(path)})
    return LoadedModel(model, path, multilingual, workers)


@dataclass(frozen=True, slots=True)
class DecodePolicy:
    """How windows are decoded (defaults: greedy, one bounded fallback, ``zh``)."""

    language: str = "zh"
    #: Temperatures tried in order; a window is retried (once per extra temperature) only when
    #: its text looks like a decoding loop (compression ratio over the threshold).
    temperatures: tuple[float, ...] = (0.0, 0.4)
    compression_ratio_threshold: float = 2.4
    no_speech_threshold: float = 0.6
    #: Token budget: this many tokens per second of audio, plus a constant.
    tokens_per_s: float = 7.0
    tokens_base: int = 12
    #: Encoder input in seconds. Whisper was trained on 30 s, but CTranslate2 encodes shorter
    #: inputs and the cost falls faster than linearly (10 s costs about a seventh of 30 s).
    window_s: float = 15.0

    def max_tokens(self, seconds: float) -> int:
        """Token budget of a window of ``seconds`` (within Whisper's 448-token limit)."""
        return min(440, self.tokens_base + int(self.tokens_per_s * seconds))

    @property
    def frames(self) -> int:
        """Mel frames of the encoder input (100 per second)."""
        return round(self.window_s * 100)


@dataclass(frozen=True, slots=True)
class RecognizedSegment:
    """One segment of a decoded window; times relative to the window's start."""

    start_s: float
    end_s: float
    text: str
    avg_logprob: float
    no_speech_prob: float

    @property
    def confidence(self) -> float:
        """A 0–1 figure from the average token log-probability."""
        return float(np.clip(np.exp(self.avg_logprob), 0.0, 1.0))


@dataclass(slots=True)
class EngineStats:
    """Work done by a recognizer (thread-safe counters)."""

    windows: int = 0
    batches: int = 0
    retries: int = 0
    audio_s: float = 0.0
    busy_s: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, windows: int, retries: int, audio_s: float, busy_s: float) -> None:
        """Count one decoded batch."""
        with self._lock:
            self.batches += 1
            self.windows += windows
            self.retries += retries
            self.audio_s += audio_s
            self.busy_s += busy_s


def compression_ratio(text: str) -> float:
    """Bytes of ``text`` over bytes compressed: high for repetitive (looping) output."""
    import zlib

    raw = text.encode("utf-8")
    return len(raw) / len(zlib.compress(raw)) if raw else 0.0


@dataclass(slots=True)
class _Decoded:
    tokens: list[int]
    score: float
    no_speech_prob: float
    text: str = ""
    ratio: float = 0.0


class Recognizer:
    """Decodes batches of windows with one loaded model; thread-safe.

    A batch shares one encoder call and one greedy decoding loop (CTranslate2 batches both),
    which on a CPU costs much less than decoding the windows one by one.
    """

    def __init__(self, loaded: LoadedModel, policy: DecodePolicy | None = None) -> None:
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        self.loaded = loaded
        self.policy = policy or DecodePolicy()
        if self.policy.language != "en" and not loaded.multilingual:
            raise ModelMissingError(
                f"the model in {loaded.path} is English only; language "
                f"{self.policy.language!r} needs a multilingual model ({MODEL_DIR_SETTING})"
            )
        model = loaded.model
        self._tokenizer = Tokenizer(
            model.hf_tokenizer, loaded.multilingual, task="transcribe",
            language=self.policy.language if loaded.multilingual else None,
        )
        self._prompt = list(self._tokenizer.sot_sequence)
        self._suppress = get_suppressed_tokens(self._tokenizer, [-1])
        self._features = model.feature_extractor
        self.stats = EngineStats()

    def decode(self, samples: Samples) -> list[RecognizedSegment]:
        """Decode one window (at most ``policy.window_s``) into segments."""
        return self.decode_batch([samples])[0]

    def decode_batch(self, windows: Sequence[Samples]) -> list[list[RecognizedSegment]]:
        """Decode windows of 16 kHz samples (each at most ``policy.window_s`` long) together."""
        import time

        import ctranslate2  # type: ignore[import-untyped]

        p = self.policy
        t0 = time.perf_counter()
        results: list[list[RecognizedSegment]] = [[] for _ in windows]
        live = [i for i, w in enumerate(windows) if w.size >= SAMPLE_RATE // 10]
        if not live:
            return results
        # pad to the longest window (whole seconds), not to Whisper's 30 s: encoding cost
        # falls faster than linearly with the input length
        longest = max(windows[i].size for i in live) / SAMPLE_RATE
        frames = min(p.frames, max(MIN_FRAMES, 100 * int(np.ceil(longest + 0.5))))
        feats = np.zeros((len(live), self._n_mels, frames), dtype=np.float32)
        lengths = []
        for row, i in enumerate(live):
            w = windows[i][: int(p.window_s * SAMPLE_RATE)]
            f = self._features(w)[:, :frames]
            feats[row, :, : f.shape[1]] = f
            lengths.append(w.size / SAMPLE_RATE)
        encoded = self.loaded.model.model.encode(ctranslate2.StorageView.from_array(feats),
                                                 to_cpu=False)
        budget = p.max_tokens(max(lengths))
        decoded = self._generate(encoded, list(range(len(live))), budget, p.temperatures[0])
        retries = 0
        for temperature in p.temperatures[1:]:
            again = [k for k, d in enumerate(decoded)
                     if d.ratio > p.compression_ratio_threshold]
            if not again:
                break
            retries += len(again)
            redo = self._generate(encoded, again, budget, temperature)
            for k, d in zip(again, redo, strict=True):
                if d.ratio <= decoded[k].ratio or d.score > decoded[k].score:
                    decoded[k] = d
        for row, i in enumerate(live):
            results[i] = self._segments(decoded[row], lengths[row])
        self.stats.add(len(live), retries, sum(lengths), time.perf_counter() - t0)
        return results

    @property
    def _n_mels(self) -> int:
        return int(self._features.mel_filters.shape[0])

    def _generate(self, encoded: Any, rows: list[int], budget: int,
                  temperature: float) -> list[_Decoded]:
        import ctranslate2

        model = self.loaded.model.model
        if len(rows) == encoded.shape[0]:
            enc = encoded
        else:
            # CPU storage: the encoder output is readable as an array without a copy
            enc = ctranslate2.StorageView.from_array(np.ascontiguousarray(
                np.asarray(encoded)[rows]))
        kwargs: dict[str, Any] = {}
        if temperature > 0:
            kwargs.update(sampling_topk=0, sampling_temperature=temperature)
        out = model.generate(
            enc, [self._prompt] * len(rows), beam_size=1, max_length=budget + len(self._prompt),
            return_scores=True, return_no_speech_prob=True, suppress_blank=True,
            suppress_tokens=self._suppress, max_initial_timestamp_index=50, **kwargs,
        )
        decoded = []
        for res in out:
            tokens = list(res.sequences_ids[0])
            text = self._tokenizer.decode([t for t in tokens
                                           if t < self._tokenizer.eot])
            decoded.append(_Decoded(tokens, float(res.scores[0]) if res.scores else -5.0,
                                    float(res.no_speech_prob), text, compression_ratio(text)))
        return decoded

    def _segments(self, d: _Decoded, length_s: float) -> list[RecognizedSegment]:
        p = self.policy
        if d.no_speech_prob > p.no_speech_threshold and d.score < -1.0:
            return []
        ts_begin = self._tokenizer.timestamp_begin
        out: list[RecognizedSegment] = []
        text_tokens: list[int] = []
        start = 0.0
        last_t = 0.0

        def close(end: float) -> None:
            text = clean_text(self._tokenizer.decode(text_tokens), p.language)
            # text placed after the end of the audio is invented (padding), and a segment
            # that repeats the one before it is a decoding loop
            if text and start < length_s - 0.05 and not (out and out[-1].text == text):
                out.append(RecognizedSegment(min(start, length_s), min(max(end, start), length_s),
                                             text, d.score, d.no_speech_prob))
            text_tokens.clear()

        for tok in d.tokens:
            if tok >= ts_begin:
                t = (tok - ts_begin) * 0.02
                if text_tokens:
                    close(t)
                start = t
                last_t = t
            elif tok < self._tokenizer.eot:
                text_tokens.append(tok)
        if text_tokens:
            close(max(last_t, length_s))
        return out


# ---------------------------------------------------------------------- voice activity
@dataclass(frozen=True, slots=True)
class VadPolicy:
    """Silero VAD settings for finding speech in recordings."""

    threshold: float = 0.5
    min_speech_ms: int = 250
    min_silence_ms: int = 300
    max_speech_s: float = 14.0
    pad_ms: int = 200


def speech_regions(samples: Samples, policy: VadPolicy | None = None) -> list[tuple[int, int]]:
    """Sample ranges ``[start, end)`` that contain speech (Silero VAD, bundled with faster-whisper).
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    p = policy or VadPolicy()
    if samples.size < SAMPLE_RATE // 10:
        return []
    stamps = get_speech_timestamps(samples, VadOptions(
        threshold=p.threshold, min_speech_duration_ms=p.min_speech_ms,
        min_silence_duration_ms=p.min_silence_ms, max_speech_duration_s=p.max_speech_s,
        speech_pad_ms=p.pad_ms,
    ))
    return [(int(s["start"]), int(s["end"])) for s in stamps]


@dataclass(frozen=True, slots=True)
class Window:
    """Speech regions packed into one decode window, and how to map times back."""

    regions: tuple[tuple[int, int], ...]
    #: Offset (samples) of each region inside the packed window.
    offsets: tuple[int, ...]
    length: int

    @property
    def start_s(self) -> float:
        """Start of the first region in the recording."""
        return self.regions[0][0] / SAMPLE_RATE

    @property
    def audio_s(self) -> float:
        """Seconds of audio decoded."""
        return self.length / SAMPLE_RATE

    def samples(self, audio: Samples) -> Samples:
        """The packed samples (regions back to back, with a short gap)."""
        out = np.zeros(self.length, dtype=np.float32)
        for (a, b), off in zip(self.regions, self.offsets, strict=True):
            out[off: off + (b - a)] = audio[a:b]
        return out

    def to_recording_time(self, t: float) -> float:
        """Map a time inside the packed window to the recording's time line."""
        pos = int(t * SAMPLE_RATE)
        for (a, b), off in zip(reversed(self.regions), reversed(self.offsets), strict=True):
            if pos >= off:
                return (a + min(pos - off, b - a)) / SAMPLE_RATE
        return self.regions[0][0] / SAMPLE_RATE


GAP_SAMPLES = int(0.15 * SAMPLE_RATE)


def pack_windows(regions: Sequence[tuple[int, int]], max_s: float = 28.0) -> list[Window]:
    """Pack consecutive speech regions into windows of at most ``max_s`` seconds.

    A region longer than a window is split. Regions keep their order.
    """
    limit = int(max_s * SAMPLE_RATE)
    pieces: list[tuple[int, int]] = []
    for a, b in regions:
        while b - a > limit:
            pieces.append((a, a + limit))
            a += limit
        if b > a:
            pieces.append((a, b))
    windows: list[Window] = []
    cur: list[tuple[int, int]] = []
    offs: list[int] = []
    pos = 0
    for a, b in pieces:
        size = b - a
        if cur and pos + GAP_SAMPLES + size > limit:
            windows.append(Window(tuple(cur), tuple(offs), pos))
            cur, offs, pos = [], [], 0
        if cur:
            pos += GAP_SAMPLES
        cur.append((a, b))
        offs.append(pos)
        pos += size
    if cur:
        windows.append(Window(tuple(cur), tuple(offs), pos))
    return windows
