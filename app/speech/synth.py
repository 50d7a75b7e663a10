"""Generated speech and performance-like recordings (espeak-ng), for tests, benchmarks and demo.

espeak-ng's Mandarin (``-v cmn-latn-pinyin``) is robotic, and the base model recognises only
about half of it; it serves for speed, structure and planted keywords, never for accuracy.
A *performance-like* recording alternates speech with pauses, laughter-like noise bursts and
applause (band-limited noise), the way a stand-up or crosstalk recording does.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from app.speech.audio import SAMPLE_RATE, write_wav

#: Voices for the languages the console analyses.
VOICES = {"zh": "cmn-latn-pinyin", "en": "en-us"}

#: Original sentences in the manner of a crosstalk routine (no real performance quoted).
ZH_LINES: tuple[str, ...] = (
    "大家好，今天我给大家说一段相声。",
    "我这个人啊，从小就喜欢听戏。",
    "有一天我去公园散步，遇到了一位老先生。",
    "老先生说，年轻人，你会唱京剧吗？",
    "我说我不会唱，可是我会听。",
    "他说听戏也是一门学问。",
    "后来我跟着他学了三年。",
    "每天早上五点起床，先喊嗓子。",
    "邻居们都说，这孩子真用功。",
    "其实我是怕老先生骂我。",
    "有一回我们去天津演出。",
    "天津的观众最懂行了。",
    "你要是说错一个字，他们马上就知道。",
    "那天我紧张得不得了。",
    "上台之前喝了三杯茶。",
    "结果一上台就想去洗手间。",
    "观众都乐了，说这是新节目吧。",
    "我说对，这叫现场发挥。",
    "后来老先生跟我说，干这行要实在。",
    "台上一分钟，台下十年功。",
    "现在我也收了几个徒弟。",
    "徒弟们比我当年聪明多了。",
    "他们会用手机查资料。",
    "我们那时候只能靠脑子记。",
    "说到这儿，我想起一个笑话。",
    "有个人去饭馆吃饭，点了一碗面。",
    "服务员说，面卖完了，您吃米饭吧。",
    "他说那就来一碗米饭。",
    "服务员又说，米饭也卖完了。",
    "他说那你们还卖什么呢？",
    "服务员说，我们卖茶水，一块钱一壶。",
    "大家都笑了，这饭馆真有意思。",
    "好了，今天就说到这儿，谢谢大家。",
)

EN_LINES: tuple[str, ...] = (
    "Good evening everyone, thank you for coming tonight.",
    "I want to tell you about my first job in the city.",
    "I worked in a small shop that sold umbrellas.",
    "It did not rain for three months.",
    "My boss said we should sell sunglasses instead.",
    "So we painted the umbrellas black and called them shade.",
    "Business was good until the first storm.",
    "Then everybody wanted their umbrellas back.",
    "That is the story of my career in retail.",
    "Thank you, you have been a wonderful audience.",
)


class SynthError(RuntimeError):
    """espeak-ng is missing or failed."""


def espeak_available() -> bool:
    """Whether the ``espeak-ng`` program is installed."""
    return shutil.which("espeak-ng") is not None


def synthesize(text: str, language: str = "zh", *, words_per_minute: int = 150,
               pitch: int = 50) -> npt.NDArray[np.float32]:
    """Speak ``text`` with espeak-ng; 16 kHz mono float32 samples in [-1, 1].

    Raises:
        SynthError: espeak-ng is not installed or failed.
    """
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise SynthError("espeak-ng is not installed (Debian package espeak-ng)")
    voice = VOICES.get(language, language)
    done = subprocess.run(
        [exe, "-v", voice, "-s", str(words_per_minute), "-p", str(pitch), "--stdout", text],
        capture_output=True, check=False, timeout=120,
    )
    if done.returncode != 0 or not done.stdout:
        raise SynthError(f"espeak-ng failed: {done.stderr.decode(errors='replace')[:300]}")
    with wave.open(io.BytesIO(done.stdout)) as w:
        rate = w.getframerate()
        frames = w.readframes(w.getnframes())
        width = w.getsampwidth()
    if width != 2:  # pragma: no cover - espeak-ng writes 16-bit PCM
        raise SynthError(f"unexpected sample width {width}")
    pcm = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    return resample_linear(pcm, rate, SAMPLE_RATE)


def resample_linear(x: npt.NDArray[np.float32], rate: int, target: int) -> npt.NDArray[np.float32]:
    """Resample by linear interpolation (good enough for synthetic speech)."""
    if rate == target or x.size == 0:
        return x.astype(np.float32, copy=False)
    n = round(x.size * target / rate)
    t = np.arange(n, dtype=np.float64) * (rate / target)
    return np.interp(t, np.arange(x.size), x).astype(np.float32)


def noise_burst(seconds: float, *, level: float = 0.12, seed: int = 0,
                kind: str = "applause") -> npt.NDArray[np.float32]:
    """Applause (dense clicks in band-limited noise) or laughter-like modulated noise."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SAMPLE_RATE)
    white = rng.standard_normal(n).astype(np.float32)
    # crude band limit: difference of moving averages (removes DC and the top octave)
    smooth = np.convolve(white, np.ones(4, dtype=np.float32) / 4, mode="same")
    band = smooth - np.convolve(smooth, np.ones(64, dtype=np.float32) / 64, mode="same")
    t = np.arange(n, dtype=np.float32) / SAMPLE_RATE
    if kind == "laughter":
        envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 5.0 * t) ** 2
    else:
        claps = rng.random(n) < 0.004
        envelope = np.convolve(claps.astype(np.float32), np.exp(-np.arange(400) / 60.0),
                               mode="same").astype(np.float32)
        envelope = 0.3 + np.minimum(envelope, 1.0)
    fade = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.3) if n else t
    out = band * envelope * fade
    peak = float(np.max(np.abs(out))) if n else 0.0
    return (out / peak * level if peak > 0 else out).astype(np.float32)


@dataclass(frozen=True, slots=True)
class Passage:
    """One spoken passage placed in a composed recording."""

    text: str
    start_s: float
    end_s: float


@dataclass(slots=True)
class Recording:
    """A composed recording and where each passage is."""

    samples: npt.NDArray[np.float32]
    passages: list[Passage]

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return self.samples.size / SAMPLE_RATE

    def save(self, path: Path) -> Path:
        """Write a 16-bit WAV file."""
        return write_wav(path, self.samples)


def compose(
    lines: Sequence[str],
    *,
    language: str = "zh",
    gap_s: float = 0.4,
    performance: bool = False,
    min_duration_s: float = 0.0,
    seed: int = 1,
    words_per_minute: int = 150,
) -> Recording:
    """Speak ``lines`` one after another (cycling until ``min_duration_s``).

    With ``performance``, pauses of 1–4 s, laughter after some lines and applause at the start,
    every few minutes and at the end are mixed in, with a low noise floor throughout.
    """
    rng = np.random.default_rng(seed)
    cache: dict[str, npt.NDArray[np.float32]] = {}
    pieces: list[npt.NDArray[np.float32]] = []
    passages: list[Passage] = []
    pos = 0

    def add(x: npt.NDArray[np.float32]) -> None:
        nonlocal pos
        pieces.append(x)
        pos += x.size

    def silence(seconds: float) -> npt.NDArray[np.float32]:
        return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)

    if performance:
        add(noise_burst(6.0, seed=int(rng.integers(1 << 30))))
        add(silence(1.0))
    i = 0
    since_applause = 0.0
    while i < len(lines) or pos < min_duration_s * SAMPLE_RATE:
        text = lines[i % len(lines)]
        if text not in cache:
            cache[text] = synthesize(text, language, words_per_minute=words_per_minute)
        speech = cache[text]
        start = pos / SAMPLE_RATE
        add(speech)
        passages.append(Passage(text, start, pos / SAMPLE_RATE))
        if performance:
            roll = rng.random()
            if roll < 0.25:
                add(silence(0.3))
                add(noise_burst(float(rng.uniform(1.5, 3.5)), level=0.08, kind="laughter",
                                seed=int(rng.integers(1 << 30))))
            add(silence(float(rng.uniform(1.0, 4.0))))
            since_applause += speech.size / SAMPLE_RATE
            if since_applause > 120:
                add(noise_burst(float(rng.uniform(4.0, 8.0)), seed=int(rng.integers(1 << 30))))
                add(silence(1.0))
                since_applause = 0.0
        else:
            add(silence(gap_s))
        i += 1
    if performance:
        add(noise_burst(8.0, seed=int(rng.integers(1 << 30))))
    samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
    if performance:
        samples = samples + rng.standard_normal(samples.size).astype(np.float32) * 0.002
    return Recording(samples.astype(np.float32), passages)
