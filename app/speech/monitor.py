"""Monitoring a venue on the dispatcher's headset (sounddevice / PortAudio).

Optional by design: a workstation without PortAudio or without any output device lists no
devices and :class:`HeadsetMonitor` reports why it cannot play; nothing else is affected.
Playback never blocks the stream thread: chunks go into a bounded buffer that the audio
callback drains (on underrun it plays silence, on overrun the oldest audio is dropped).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.speech.audio import SAMPLE_RATE, AudioChunk, Samples

log = logging.getLogger("app.speech.monitor")


@dataclass(frozen=True, slots=True)
class OutputDevice:
    """An audio output the dispatcher can choose."""

    index: int
    name: str
    host_api: str
    is_default: bool


class MonitorUnavailable(RuntimeError):
    """No audio output can be opened (no PortAudio, no device, device busy)."""


def _sounddevice() -> Any:
    try:
        import sounddevice
    except (OSError, ImportError) as exc:  # PortAudio library missing
        raise MonitorUnavailable(f"audio output is not available: {exc}") from exc
    return sounddevice


def output_devices() -> list[OutputDevice]:
    """Output devices of this machine (empty when there are none or PortAudio is missing)."""
    try:
        sd = _sounddevice()
        devices = sd.query_devices()
        apis = sd.query_hostapis()
        default_out = sd.default.device[1] if sd.default.device else -1
    except Exception as exc:  # PortAudio errors are not typed consistently
        log.info("no audio output devices: %s", exc)
        return []
    out = []
    for i, d in enumerate(devices):
        if int(d.get("max_output_channels", 0)) > 0:
            api = apis[d["hostapi"]]["name"] if 0 <= d.get("hostapi", -1) < len(apis) else ""
            out.append(OutputDevice(i, str(d["name"]), str(api), i == default_out))
    return out


def resolve_device(setting: str) -> int | None:
    """The device index for ``speech.monitor_device`` (index or name part); None: default.

    Raises:
        MonitorUnavailable: no such device.
    """
    if not setting:
        return None
    devices = output_devices()
    if setting.isdigit():
        if any(d.index == int(setting) for d in devices):
            return int(setting)
    else:
        for d in devices:
            if setting.lower() in d.name.lower():
                return d.index
    raise MonitorUnavailable(f"no audio output {setting!r} (speech.monitor_device)")


class HeadsetMonitor:
    """Plays one venue's audio on an output device.

    Args:
        device: PortAudio device index (None: the default output).
        max_buffer_s: audio buffered before the oldest is dropped.
    """

    def __init__(self, device: int | None = None, *, max_buffer_s: float = 1.0) -> None:
        self.device = device
        self._max = int(max_buffer_s * SAMPLE_RATE)
        self._queue: deque[Samples] = deque()
        self._queued = 0
        self._lock = threading.Lock()
        self._stream: Any = None
        self.volume = 1.0

    def start(self) -> None:
        """Open the output.

        Raises:
            MonitorUnavailable: no output can be opened.
        """
        sd = _sounddevice()
        try:
            self._stream = sd.OutputStream(samplerate=SAMPLE_RATE, channels=1,
                                           dtype="float32", device=self.device,
                                           callback=self._callback, blocksize=800)
            self._stream.start()
        except Exception as exc:
            self._stream = None
            raise MonitorUnavailable(f"cannot open the audio output: {exc}") from exc
        log.info("monitoring on audio output %s", self.device if self.device is not None
                 else "default")

    def stop(self) -> None:
        """Close the output."""
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
                stream.close()
            except Exception as exc:
                log.warning("closing the audio output: %s", exc)
        with self._lock:
            self._queue.clear()
            self._queued = 0

    @property
    def active(self) -> bool:
        """Whether the output is open."""
        return self._stream is not None

    def feed(self, chunk: AudioChunk) -> None:
        """Queue audio (any thread); drops the oldest beyond the buffer limit."""
        if self._stream is None:
            return
        with self._lock:
            self._queue.append(chunk.samples)
            self._queued += chunk.samples.size
            while self._queued > self._max and self._queue:
                self._queued -= self._queue.popleft().size

    def take(self, frames: int) -> Samples:
        """The next ``frames`` samples (silence where the buffer runs dry)."""
        out = np.zeros(frames, dtype=np.float32)
        filled = 0
        with self._lock:
            while filled < frames and self._queue:
                head = self._queue[0]
                n = min(frames - filled, head.size)
                out[filled: filled + n] = head[:n]
                filled += n
                if n == head.size:
                    self._queue.popleft()
                else:
                    self._queue[0] = head[n:]
                self._queued -= n
        return out * self.volume if self.volume != 1.0 else out

    def _callback(self, outdata: Any, frames: int, _time: Any, _status: Any) -> None:
        outdata[:, 0] = self.take(frames)
