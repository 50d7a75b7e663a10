"""Batch transcription of a recording: VAD, windows packed with speech only, parallel decoding.

Non-speech (pauses, applause, laughter, music beds) is found with Silero VAD and skipped; the
speech regions are packed back to back into windows of up to 28 s (Whisper encodes 30 s
whatever it is given, so full windows cost least), and ``workers`` threads decode the windows
concurrently, one CPU thread each (two single-thread workers beat one two-thread worker on two
cores). Progress is reported while decoding (audio seconds read), around VAD and per decode
batch, with batches sized so that even a short recording moves the bar in about
:data:`MIN_REPORTS` steps; a cancel event stops the run between batches.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.speech.audio import (
    SAMPLE_RATE,
    AudioError,
    Samples,
    iter_resampled,
    probe_duration,
)
from app.speech.engine import Recognizer, VadPolicy, Window, pack_windows, speech_regions
from app.speech.transcript import Transcript, TranscriptLine

log = logging.getLogger("app.speech.batch")


class Cancelled(Exception):
    """The run was cancelled by the user."""


#: Progress reports a transcription aims for (batches shrink to give at least this many).
MIN_REPORTS = 20


@dataclass(frozen=True, slots=True)
class Progress:
    """How far one stage of a batch run is.

    ``fraction`` is the share of the *stage* done (0–1); :func:`app.analysis.progress.overall`
    maps the stages onto one bar. The amounts are numbers, for the user interface to word in
    its own language: ``done_s`` of ``total_s`` seconds of audio read (``decode``) or of
    speech transcribed (``transcribe``), ``windows_done`` of ``windows_total`` decode windows.
    ``detail`` is a technical note for logs and the command line (a file name), not UI text.
    """

    stage: str  # "load", "decode", "vad", "transcribe", "analyse", "report", "done"
    fraction: float
    detail: str = ""
    done_s: float = 0.0
    total_s: float = 0.0
    windows_done: int = 0
    windows_total: int = 0


ProgressFn = Callable[[Progress], None]


def report_batch_size(windows: int, batch_size: int) -> int:
    """Windows per decode call: at most ``batch_size``, few enough for :data:`MIN_REPORTS`.

    A long recording keeps full batches (the fastest); a short one is decoded a window at a
    time, so its progress moves in steps instead of jumping from 0 to 100 %.
    """
    return max(1, min(batch_size, windows // MIN_REPORTS))


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
    audio_s = audio.size / SAMPLE_RATE
    report(Progress("vad", 0.0, total_s=audio_s))
    t0 = time.perf_counter()
    regions = speech_regions(audio, vad)
    vad_s = time.perf_counter() - t0
    windows = pack_windows(regions, max_s=recognizer.policy.window_s - 0.5)
    size = report_batch_size(len(windows), batch_size)
    batches = [windows[i: i + size] for i in range(0, len(windows), size)]
    speech_s = sum(b - a for a, b in regions) / SAMPLE_RATE
    report(Progress("vad", 1.0, done_s=audio_s, total_s=audio_s))
    total_audio = sum(w.audio_s for w in windows)
    report(Progress("transcribe", 0.0 if windows else 1.0, total_s=total_audio,
                    windows_total=len(windows)))
    t1 = time.perf_counter()
    results: dict[int, list[TranscriptLine]] = {}
    done_audio = 0.0
    done_windows = 0
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
                    done_windows += len(batches[index])
                    report(Progress("transcribe", done_audio / (total_audio or 1.0),
                                    done_s=done_audio, total_s=total_audio,
                                    windows_done=done_windows, windows_total=len(windows)))
                if cancel is not None and cancel.is_set():
                    raise Cancelled
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise
    lines = [line for i in sorted(results) for line in results[i]]
    transcript = Transcript(lines, recognizer.policy.language, audio_s)
    timings = BatchTimings(0.0, vad_s, time.perf_counter() - t1, audio_s, speech_s,
                           len(windows))
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
    t0 = time.perf_counter()
    audio = decode_with_progress(path, report, cancel)
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


def decode_with_progress(path: Path, report: ProgressFn,
                         cancel: threading.Event | None = None) -> Samples:
    """Decode ``path`` to 16 kHz samples, reporting the seconds read (about 50 reports).

    The total comes from the file's header; a file that does not say reports the seconds
    read with fraction 0 until the end. Raises ``AudioError`` like
    :func:`app.speech.audio.decode_file`.
    """
    try:
        total = probe_duration(path) or 0.0
    except AudioError:
        total = 0.0  # decoding says why, below
    report(Progress("decode", 0.0, str(path), total_s=total))
    step = max(total / 50, 1.0) if total else 30.0
    blocks: list[Samples] = []
    samples = 0
    next_at = step
    for block in iter_resampled(path, stop=cancel):
        blocks.append(block)
        samples += block.size
        read = samples / SAMPLE_RATE
        if read >= next_at:
            next_at = read + step
            report(Progress("decode", min(1.0, read / total) if total else 0.0, str(path),
                            done_s=read, total_s=total))
    read = samples / SAMPLE_RATE
    report(Progress("decode", 1.0, str(path), done_s=read, total_s=read))
    return np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)


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
