"""Progress of a batch transcription: it moves in many steps, also for a short recording.

A fake recognizer with the real interface stands in for Whisper (the progress logic is what is
tested here; the dialog test runs the real model), so the run takes only decode and VAD time.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from app.analysis.progress import overall
from app.speech.audio import Samples
from app.speech.batch import MIN_REPORTS, Progress, report_batch_size, transcribe_file
from app.speech.engine import DecodePolicy, RecognizedSegment
from app.speech.synth import EN_LINES, compose, espeak_available

pytestmark = pytest.mark.integration


class FakeRecognizer:
    """The interface of :class:`app.speech.engine.Recognizer` that batch transcription uses."""

    def __init__(self) -> None:
        self.policy = DecodePolicy(language="en")
        self.calls: list[int] = []  # windows per decode call

    def decode_batch(self, windows: Sequence[Samples]) -> list[list[RecognizedSegment]]:
        self.calls.append(len(windows))
        return [[] for _ in windows]


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not espeak_available():
        pytest.fail("espeak-ng is not installed (Debian package espeak-ng)")
    folder = tmp_path_factory.mktemp("progress")
    return compose(list(EN_LINES) * 5, language="en").save(folder / "show.wav")


def test_a_multi_window_recording_reports_progress_in_many_increasing_steps(
        recording: Path) -> None:
    reports: list[Progress] = []
    recognizer = FakeRecognizer()
    transcribe_file(recording, recognizer, workers=1, batch_size=8,  # type: ignore[arg-type]
                    progress=reports.append)
    stages = [p.stage for p in reports]
    assert stages[0] == "decode" and stages[-1] == "transcribe"
    assert stages.index("vad") > stages.index("decode") and "transcribe" in stages
    # the bar never goes back, and moves in many steps
    bars = [overall(p.stage, p.fraction) for p in reports]
    assert bars == sorted(bars)
    assert len(set(bars)) >= 10
    # transcription: one report per decode call, each window on its own for a short recording
    windows = reports[-1].windows_total
    assert windows >= 10 and recognizer.calls == [1] * windows
    steps = [p for p in reports if p.stage == "transcribe" and p.windows_done > 0]
    assert [p.windows_done for p in steps] == list(range(1, windows + 1))
    assert steps[-1].fraction == pytest.approx(1.0)
    assert steps[-1].done_s == pytest.approx(steps[-1].total_s)
    # reading the file reports the seconds read against the header's total
    decode = [p for p in reports if p.stage == "decode"]
    assert len(decode) >= 10 and decode[-1].fraction == 1.0
    assert decode[-1].done_s == pytest.approx(decode[1].total_s, abs=0.5)


def test_batches_shrink_so_that_a_run_reports_at_least_twenty_times() -> None:
    assert report_batch_size(6, 8) == 1  # a short recording: a window per report
    assert report_batch_size(MIN_REPORTS * 3, 8) == 3
    assert report_batch_size(1000, 8) == 8  # a long one keeps the fastest batches
    for windows in range(1, 400):
        size = report_batch_size(windows, 8)
        assert 1 <= size <= 8
        assert -(-windows // size) >= min(windows, MIN_REPORTS)
