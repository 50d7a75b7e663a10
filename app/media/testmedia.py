"""Demo and test media, generated once and cached: no copyrighted clip ships with the console.

Each clip is a 640×360, 25 fps H.264 video (PyAV / libx264, a key frame every second so HLS
can cut one-second segments) of a moving pattern with a burnt-in time code and a label, with
AAC sound: for venues, Mandarin speech made with espeak-ng (``-v cmn-latn-pinyin``) from a
text the caller chooses (the speech analysis plants prohibited phrases this way); for body
cameras, street-like noise with a short beep every second. The same pictures are also kept as
JPEGs for the MJPEG server.

Files are cached under ``AppPaths.default().cache_dir / "media"`` by a hash of the recipe, so
a recipe is generated once per machine; generation writes to a temporary name and renames,
so concurrent processes never see half a file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import wave
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from app.media.types import MediaError
from app.paths import AppPaths

log = logging.getLogger("app.media.testmedia")

#: Bump when the generator's output changes, so caches regenerate.
GENERATOR_VERSION = 4
AUDIO_RATE = 48_000
ESPEAK_VOICE = "cmn-latn-pinyin"

PATTERNS = ("bars", "rings", "checker", "sweep")


@dataclass(frozen=True, slots=True)
class ClipRecipe:
    """What to generate.

    Attributes:
        name: file stem (ASCII letters, digits, ``-``).
        label: ASCII text burnt into the picture (OpenCV fonts have no Chinese).
        seconds: length in whole seconds (at least 2); speech longer than this lengthens it.
        pattern: one of :data:`PATTERNS`.
        speech: Mandarin text to speak (venues); None: street noise with beeps.
        seed: varies colours and noise.
        width, height, fps: picture format (one key frame per second).
    """

    name: str
    label: str
    seconds: int = 12
    pattern: str = "bars"
    speech: str | None = None
    seed: int = 1
    width: int = 640
    height: int = 360
    fps: int = 25

    def key(self) -> str:
        """Cache key: the recipe and the generator version."""
        blob = json.dumps({**asdict(self), "v": GENERATOR_VERSION}, sort_keys=True,
                          ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class GeneratedClip:
    """A generated clip: the MP4, the JPEG sequence for MJPEG, and its length."""

    recipe: ClipRecipe
    mp4: Path
    mjpeg: Path
    seconds: int

    def jpeg_frames(self) -> list[bytes]:
        """The clip's pictures as JPEG files (for the MJPEG server)."""
        index = json.loads(self.mjpeg.with_suffix(".json").read_text())
        data = self.mjpeg.read_bytes()
        return [data[a:b] for a, b in index["frames"]]


#: Body cameras: four looks, no speech. Venues: three performances with Mandarin speech.
DEMO_BODYCAMS: tuple[ClipRecipe, ...] = (
    ClipRecipe("bodycam-1", "BODYCAM 1", 12, "bars", seed=11),
    ClipRecipe("bodycam-2", "BODYCAM 2", 12, "rings", seed=12),
    ClipRecipe("bodycam-3", "BODYCAM 3", 12, "checker", seed=13),
    ClipRecipe("bodycam-4", "BODYCAM 4", 12, "sweep", seed=14),
)
DEMO_VENUES: tuple[ClipRecipe, ...] = (
    ClipRecipe("venue-1", "VENUE 1 STAGE", 16, "sweep", seed=21,
               speech="各位观众晚上好，欢迎来到今晚的相声专场。下面请欣赏传统相声，报菜名。"),
    ClipRecipe("venue-2", "VENUE 2 STAGE", 16, "rings", seed=22,
               speech="大家好，我是今天的脱口秀演员。最近我在北京坐地铁，发现一个有意思的事情。"),
    ClipRecipe("venue-3", "VENUE 3 STAGE", 16, "bars", seed=23,
               speech="感谢大家光临本剧场。演出即将开始，请将手机调至静音，谢谢配合。"),
)

#: Short clips for tests (generated once per test session into its temporary cache).
TEST_CAMERA = ClipRecipe("test-cam", "TEST CAM", 4, "bars", seed=31)
TEST_VENUE = ClipRecipe("test-venue", "TEST VENUE", 4, "rings", seed=32,
                        speech="各位观众晚上好")


def espeak_available() -> bool:
    """Whether espeak-ng is installed."""
    return shutil.which("espeak-ng") is not None


def synthesize_speech(text: str, *, rate: int = AUDIO_RATE, speed: int = 150) -> np.ndarray:
    """Mandarin speech from espeak-ng as mono float32 at ``rate`` Hz."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise MediaError("espeak-ng is not installed (Debian package espeak-ng)")
    with tempfile.TemporaryDirectory(prefix="cedc-tts-") as tmp:
        wav_path = Path(tmp) / "speech.wav"
        try:
            subprocess.run([exe, "-v", ESPEAK_VOICE, "-s", str(speed), "-w", str(wav_path),
                            text], check=True, capture_output=True, timeout=60)
        except (subprocess.SubprocessError, OSError) as exc:
            raise MediaError(f"espeak-ng failed: {exc}") from exc
        with wave.open(str(wav_path), "rb") as wav:
            src_rate = wav.getframerate()
            channels = wav.getnchannels()
            raw = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    samples = raw.reshape(-1, channels).mean(axis=1).astype(np.float32) / 32768.0
    if src_rate != rate and len(samples):
        n = round(len(samples) * rate / src_rate)
        samples = np.interp(np.linspace(0, len(samples) - 1, n), np.arange(len(samples)),
                            samples).astype(np.float32)
    return samples


def _street_noise(seconds: float, seed: int, rate: int = AUDIO_RATE) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    white = rng.normal(0, 0.03, n).astype(np.float32)
    noise = (np.convolve(white, np.ones(24, np.float32) / 24, mode="same") * 4).astype(
        np.float32)  # a soft rumble
    t = np.arange(int(0.08 * rate)) / rate
    beep = (0.25 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    for s in range(int(seconds)):
        start = s * rate
        noise[start:start + len(beep)] += beep[: max(0, n - start)]
    return noise


class _Painter:
    """Draws the moving pattern with time code and label."""

    def __init__(self, recipe: ClipRecipe) -> None:
        self.r = recipe
        rng = np.random.default_rng(recipe.seed)
        self.c1 = tuple(int(x) for x in rng.integers(40, 220, 3))
        self.c2 = tuple(int(x) for x in rng.integers(40, 220, 3))
        w, h = recipe.width, recipe.height
        # the pattern is computed at a quarter of the size and scaled up (fast enough to
        # generate a clip in about a second)
        self.sw, self.sh = max(w // 4, 1), max(h // 4, 1)
        yy, xx = np.mgrid[0:self.sh, 0:self.sw].astype(np.float32)
        self.xx, self.yy = xx * 4, yy * 4
        self.palette = np.array([self.c2, self.c1], np.uint8)
        self.texture = np.repeat(rng.integers(0, 40, (h, w * 2, 1), dtype=np.uint8), 3, axis=2)
        self.frame = np.zeros((h, w, 3), np.uint8)

    def paint(self, i: int) -> np.ndarray:
        r, f = self.r, self.frame
        w, h = r.width, r.height
        t = i / r.fps
        if r.pattern == "bars":
            band = (self.xx + t * 120) // 80 % 2
        elif r.pattern == "rings":
            cx, cy = w / 2 + 120 * np.sin(t), h / 2 + 60 * np.cos(t * 1.3)
            band = (np.hypot(self.xx - cx, self.yy - cy) - t * 60) // 30 % 2
        elif r.pattern == "checker":
            band = ((self.xx + t * 50) // 60 + (self.yy + t * 30) // 60) % 2
        else:
            band = np.sin(self.xx / 40 + t * 3) + np.cos(self.yy / 25 - t * 2) > 0
        small = self.palette[band.astype(np.intp)]
        cv2.resize(small, (w, h), dst=f, interpolation=cv2.INTER_NEAREST)
        shift = int(t * 90) % w
        cv2.add(f, self.texture[:, shift:shift + w], dst=f)
        x = int(w / 2 + (w / 2 - 60) * np.sin(t * 1.7 + r.seed))
        y = int(h / 2 + (h / 2 - 60) * np.sin(t * 1.1 + r.seed * 0.7))
        cv2.circle(f, (x, y), 36, (255, 255, 255), -1, cv2.LINE_AA)
        cv2.circle(f, (x, y), 36, (0, 0, 0), 3, cv2.LINE_AA)
        frames = i % r.fps
        secs = i // r.fps
        code = f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}:{frames:02d}"
        cv2.rectangle(f, (0, h - 44), (w, h), (0, 0, 0), -1)
        cv2.putText(f, code, (12, h - 12), cv2.FONT_HERSHEY_SIMPLEX, 0.95, (255, 255, 255), 2,
                    cv2.LINE_AA)
        cv2.putText(f, r.label, (w // 2 - 40, h - 14), cv2.FONT_HERSHEY_SIMPLEX, 0.6,
                    (0, 255, 255), 1, cv2.LINE_AA)
        return f


def generate_clip(recipe: ClipRecipe, mp4: Path, mjpeg: Path) -> int:
    """Write the clip's MP4 and JPEG sequence; returns its length in seconds."""
    if recipe.seconds < 2 or recipe.pattern not in PATTERNS:
        raise ValueError(f"bad recipe {recipe}")
    audio = synthesize_speech(recipe.speech) if recipe.speech else None
    seconds = recipe.seconds
    if audio is not None:
        seconds = max(seconds, int(np.ceil(len(audio) / AUDIO_RATE + 1.0)))
        pad = np.zeros(seconds * AUDIO_RATE, np.float32)
        room = np.random.default_rng(recipe.seed).normal(0, 0.004, len(pad)).astype(np.float32)
        start = int(0.5 * AUDIO_RATE)
        pad[start:start + len(audio)] = audio[: len(pad) - start]
        audio = pad + room
    else:
        audio = _street_noise(seconds, recipe.seed)
    frames = seconds * recipe.fps
    out = av.open(str(mp4), "w", format="mp4")
    video = out.add_stream("libx264", rate=recipe.fps, options={
        "preset": "veryfast", "tune": "zerolatency", "profile": "main", "crf": "26",
        "g": str(recipe.fps), "keyint_min": str(recipe.fps), "sc_threshold": "0", "bf": "0",
    })
    video.width, video.height, video.pix_fmt = recipe.width, recipe.height, "yuv420p"
    sound = out.add_stream("aac", rate=AUDIO_RATE, layout="mono")
    sound.bit_rate = 64_000
    painter = _Painter(recipe)
    offsets: list[tuple[int, int]] = []
    with mjpeg.open("wb") as jpegs:
        pos = 0
        for i in range(frames):
            picture = painter.paint(i)
            ok, jpg = cv2.imencode(".jpg", picture, [cv2.IMWRITE_JPEG_QUALITY, 80])
            if not ok:  # pragma: no cover
                raise MediaError("JPEG encoding failed")
            jpegs.write(jpg.tobytes())
            offsets.append((pos, pos + len(jpg)))
            pos += len(jpg)
            frame = av.VideoFrame.from_ndarray(picture, format="bgr24")
            frame.pts = i
            frame.time_base = Fraction(1, recipe.fps)
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
    step = 1024
    for pos in range(0, len(audio), step):
        chunk = np.ascontiguousarray(audio[pos:pos + step].reshape(1, -1))
        aframe = av.AudioFrame.from_ndarray(np.clip(chunk, -1, 1), format="flt", layout="mono")
        aframe.sample_rate = AUDIO_RATE
        aframe.pts = pos
        aframe.time_base = Fraction(1, AUDIO_RATE)
        for packet in sound.encode(aframe):
            out.mux(packet)
    for packet in sound.encode():
        out.mux(packet)
    out.close()
    mjpeg.with_suffix(".json").write_text(json.dumps({"fps": recipe.fps, "frames": offsets}))
    return seconds


class MediaCache:
    """Generated clips on disk, made on first use.

    Args:
        root: cache folder (default ``AppPaths.default().cache_dir / "media"``).
    """

    _lock = threading.Lock()

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or AppPaths.default().cache_dir / "media"

    def mp4_path(self, recipe: ClipRecipe) -> Path:
        """Where the clip's MP4 is (or will be once generated)."""
        return self.root / f"{recipe.name}-{recipe.key()}.mp4"

    def clip(self, recipe: ClipRecipe) -> GeneratedClip:
        """The clip for ``recipe``, generating it if needed."""
        mp4 = self.mp4_path(recipe)
        mjpeg = mp4.with_suffix(".mjpeg")
        meta = mp4.with_suffix(".meta.json")
        with self._lock:
            if not (mp4.exists() and mjpeg.exists() and meta.exists()):
                self.root.mkdir(parents=True, exist_ok=True)
                tmp = Path(tempfile.mkdtemp(prefix=".gen-", dir=self.root))
                try:
                    log.info("generating demo clip %s", recipe.name,
                             extra={"event": "media_generate", "clip": recipe.name})
                    seconds = generate_clip(recipe, tmp / "clip.mp4", tmp / "clip.mjpeg")
                    os.replace(tmp / "clip.mjpeg", mjpeg)
                    os.replace(tmp / "clip.json", mjpeg.with_suffix(".json"))
                    os.replace(tmp / "clip.mp4", mp4)
                    meta.write_text(json.dumps({"seconds": seconds, "recipe": asdict(recipe)},
                                               ensure_ascii=False))
                finally:
                    shutil.rmtree(tmp, ignore_errors=True)
            seconds = int(json.loads(meta.read_text())["seconds"])
        return GeneratedClip(recipe, mp4, mjpeg, seconds)

    def all(self, recipes: tuple[ClipRecipe, ...]) -> Iterator[GeneratedClip]:
        """Each recipe's clip, in order."""
        for recipe in recipes:
            yield self.clip(recipe)
