"""Batch transcription of a recording: VAD, windows packed with speech only, parallel decoding.

Non-speech (pauses, applause, laughter, music beds) is found with Silero VAD and skipped; the
speech regions are packed back to back into windows of up to 28 s (Whisper encodes 30 s
whatever it is given, so full windows cost least), and ``workers`` threads decode the windows
concurrently, one CPU thread each (two single-thread workers beat one two-thread worker on two
cores). Progress is reported per window; a cancel event stops the run between windows.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from app.speech.audio import SAMPLE_RATE, Samples, decode_file
from app.speech.engine import Recognizer, VadPolicy, Window, pack_windows, speech_regions
from app.speech.transcript import Transcript, TranscriptLine

log = logging.getLogger("app.speech.batch")


class Cancelled(Exception):
    """The run was cancelled by the user."""


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a batch run is: a stage name and a fraction 0–1 of the whole run."""

    stage: str  # "decode", "vad", "transcribe", "analyse", "report", "done"
    fraction: float
    detail: str = ""


ProgressFn = Callable[[Progress], None]


@dataclass(frozen=True, slots=True)
class BatchTimings:
    """Where the time of a run went (seconds)."""

    decode_s: float
    vad_s: float
    transcribe_s: float
    audio_s: float
    speech_s: float
    windows: int

    @property
    def total_s(self) -> float:
        """Wall time of the whole transcription."""
        return self.decode_s + self.vad_s + self.transcribe_s

    @property
    def xrt(self) -> float:
        """Audio seconds per processing second."""
        return self.audio_s / self.total_s if self.total_s > 0 else 0.0


def transcribe_samples(
    audio: Samples,
    recognizer: Recognizer,
    *,
    workers: int = 1,
    batch_size: int = 8,
    vad: VadPolicy | None = None,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> tuple[Transcript, BatchTimings]:
    """Transcribe 16 kHz samples. Raises :class:`Cancelled` when ``cancel`` is set.

    ``workers`` threads each decode a batch of ``batch_size`` windows at a time; the model's
    own worker count (:func:`~app.speech.engine.load_model`) should match ``workers``.
    """
    report = progress or (lambda _p: None)
    t0 = time.perf_counter()
    regions = speech_regions(audio, vad)
    vad_s = time.perf_counter() - t0
    windows = pack_windows(regions, max_s=recognizer.policy.window_s - 0.5)
    batches = [windows[i: i + batch_size] for i in range(0, len(windows), max(1, batch_size))]
    speech_s = sum(b - a for a, b in regions) / SAMPLE_RATE
    report(Progress("transcribe", 0.0, f"{len(windows)} windows"))
    t1 = time.perf_counter()
    results: dict[int, list[TranscriptLine]] = {}
    done_audio = 0.0
    total_audio = sum(w.audio_s for w in windows) or 1.0
    with ThreadPoolExecutor(max_workers=max(1, workers),
                            thread_name_prefix="speech-batch") as pool:
        pending: dict[Future[list[TranscriptLine]], int] = {}
        queue = list(enumerate(batches))
        queue.reverse()
        try:
            while queue or pending:
                while queue and len(pending) < max(1, workers):
                    if cancel is not None and cancel.is_set():
                        raise Cancelled
                    index, batch = queue.pop()
                    pending[pool.submit(_decode_batch, recognizer, audio, batch)] = index
                finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                for fut in finished:
                    index = pending.pop(fut)
                    results[index] = fut.result()
                    done_audio += sum(w.audio_s for w in batches[index])
                    report(Progress("transcribe", done_audio / total_audio,
                                    f"{len(results)}/{len(batches)}"))
                if cancel is not None and cancel.is_set():
                    raise Cancelled
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise
    lines = [line for i in sorted(results) for line in results[i]]
    transcript = Transcript(lines, recognizer.policy.language, audio.size / SAMPLE_RATE)
    timings = BatchTimings(0.0, vad_s, time.perf_counter() - t1, audio.size / SAMPLE_RATE,
                           speech_s, len(windows))
    return transcript, timings


def transcribe_file(
    path: Path,
    recognizer: Recognizer,
    *,
    workers: int = 1,
    batch_size: int = 8,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> tuple[Transcript, BatchTimings]:
    """Decode ``path`` with PyAV and transcribe it (see :func:`transcribe_samples`)."""
    report = progress or (lambda _p: None)
    report(Progress("decode", 0.0, str(path)))
    t0 = time.perf_counter()
    audio = decode_file(path, stop=cancel)
    decode_s = time.perf_counter() - t0
    if cancel is not None and cancel.is_set():
        raise Cancelled
    transcript, timings = transcribe_samples(audio, recognizer, workers=workers,
                                             batch_size=batch_size, progress=progress,
                                             cancel=cancel)
    timings = BatchTimings(decode_s, timings.vad_s, timings.transcribe_s, timings.audio_s,
                           timings.speech_s, timings.windows)
    log.info("transcribed %s: %.0f s of audio (%.0f s speech) in %.1f s, %.1f× real time",
             path, timings.audio_s, timings.speech_s, timings.total_s, timings.xrt,
             extra={"event": "batch_transcribed", "xrt": round(timings.xrt, 2)})
    return transcript, timings


def _decode_batch(recognizer: Recognizer, audio: Samples, windows: list[Window]
                  ) -> list[TranscriptLine]:
    decoded = recognizer.decode_batch([w.samples(audio) for w in windows])
    lines = []
    for window, segments in zip(windows, decoded, strict=True):
        for seg in segments:
            start = window.to_recording_time(seg.start_s)
            end = max(start, window.to_recording_time(seg.end_s))
            lines.append(TranscriptLine(start, end, seg.text, seg.confidence))
    return lines
