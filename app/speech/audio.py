"""Audio for recognition: demuxed with PyAV and resampled to 16 kHz mono float32.

:func:`decode_file` reads a whole recording (batch analysis);
:class:`app.speech.venue_stream.VenueStream` follows a live source. Both use FFmpeg's
resampler, so any container and codec PyAV opens works (WAV, MP4/AAC, MPEG-TS, FLV, RTSP …).
"""

from __future__ import annotations

import logging
import threading
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

log = logging.getLogger("app.speech.audio")

SAMPLE_RATE = 16_000

Samples = npt.NDArray[np.float32]


class AudioError(RuntimeError):
    """The source has no audio, cannot be opened or cannot be decoded."""


def _open(url: str | Path, timeout_s: float) -> Any:
    import av

    try:
        return av.open(str(url), timeout=timeout_s)
    except (av.error.FFmpegError, OSError) as exc:
        raise AudioError(f"cannot open {url}: {exc}") from exc


def iter_resampled(url: str | Path, *, timeout_s: float = 10.0,
                   stop: threading.Event | None = None) -> Iterator[Samples]:
    """Yield the first audio stream of ``url`` as 16 kHz mono float32 blocks, in order.

    Raises:
        AudioError: no audio stream, or the source cannot be opened or decoded.
    """
    import av

    container = _open(url, timeout_s)
    try:
        if not container.streams.audio:
            raise AudioError(f"{url} has no audio stream")
        stream = container.streams.audio[0]
        stream.thread_type = "AUTO"
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        try:
            for frame in container.decode(stream):
                if stop is not None and stop.is_set():
                    return
                for out in resampler.resample(frame):
                    yield out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
            for out in resampler.resample(None):
                yield out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
        except av.error.FFmpegError as exc:
            raise AudioError(f"cannot decode the audio of {url}: {exc}") from exc
    finally:
        container.close()


def decode_file(path: str | Path, stop: threading.Event | None = None) -> Samples:
    """The whole audio track of a file as 16 kHz mono float32 (cut short when ``stop`` is set).

    Raises:
        AudioError: see :func:`iter_resampled`.
    """
    blocks = list(iter_resampled(path, stop=stop))
    if not blocks:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(blocks)


def probe_duration(path: str | Path) -> float | None:
    """Duration of a media file in seconds from its header, if it says."""
    container = _open(path, 10.0)
    try:
        if container.duration is not None:
            return float(container.duration) / 1_000_000
        if container.streams.audio:
            s = container.streams.audio[0]
            if s.duration is not None and s.time_base is not None:
                return float(s.duration * s.time_base)
        return None
    finally:
        container.close()


def write_wav(path: Path, samples: Samples, rate: int = SAMPLE_RATE) -> Path:
    """Write mono float samples as a 16-bit PCM WAV file."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


@dataclass(frozen=True, slots=True)
class AudioChunk:
    """A block of 16 kHz mono samples and its position in the stream (seconds from start)."""

    samples: Samples
    offset_s: float

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return self.samples.size / SAMPLE_RATE
