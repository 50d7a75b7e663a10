"""Media for the demo's live venue: a generated crosstalk-like recording with one planted passage.

Generated once with espeak-ng into the cache directory (about two seconds, on the caller's
thread: call it from a worker) and looped by the demo as the venue's "live" stream, so the demo
shows live captions, a finding in category 10 (赌博) and the incident it raises.
"""

from __future__ import annotations

import logging
from pathlib import Path

from app.speech.synth import SynthError, compose, espeak_available
from app.speech.testing import ZH_LINES

log = logging.getLogger("app.speech.demo")

DEMO_FILE = "demo-venue-zh-v2.wav"

#: The planted passage: gambling (category 10 in the bundled rules) said in several ways, so
#: that at least one survives espeak's robotic Mandarin and the base model's errors.
DEMO_PLANTED = (
    "老板开赌场，大家都来赌钱。",
    "这里有人赌博，押大小。",
)


def demo_venue_media(cache_dir: Path) -> Path | None:
    """The demo venue's recording (made on first use); None when espeak-ng is missing."""
    path = cache_dir / DEMO_FILE
    if path.is_file() and path.stat().st_size > 0:
        return path
    if not espeak_available():
        log.warning("espeak-ng is not installed: the demo has no live venue audio")
        return None
    try:
        lines = [*ZH_LINES[:6], *DEMO_PLANTED, *ZH_LINES[6:12]]
        recording = compose(lines, language="zh", performance=True, seed=11)
    except SynthError as exc:
        log.warning("demo venue audio not generated: %s", exc)
        return None
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.wav")
    recording.save(tmp)
    tmp.replace(path)
    log.info("demo venue audio %s (%.0f s)", path, recording.duration_s)
    return path
