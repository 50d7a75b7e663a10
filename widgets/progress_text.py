"""Words for the progress of a batch analysis: the stage with its amounts, and the time left.

The service reports numbers (:class:`app.analysis.progress.RunProgress`); these functions word
them in the interface language, so that no English detail ends up inside a Chinese sentence.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QCoreApplication

from app.analysis.progress import RunProgress
from app.speech.transcript import format_timecode

translate = QCoreApplication.translate


def _fill(text: str, *values: object) -> str:
    for i, value in enumerate(values, 1):
        text = text.replace(f"%{i}", str(value))
    return text


def time_left_text(seconds: float | None) -> str:
    """"about 1 min 20 s left" ("约剩 1 分 20 秒"); empty while unknown.

    Rounded so that it does not flicker: up to 5 s under a minute, 10 s under ten minutes,
    whole minutes beyond.
    """
    if seconds is None or seconds < 0 or math.isnan(seconds):
        return ""
    if seconds < 1.0:
        return translate("AnalysisProgress", "almost done")
    if seconds < 60:
        return _fill(translate("AnalysisProgress", "about %1 s left"),
                     max(5, 5 * math.ceil(seconds / 5)))
    if seconds < 600:
        minutes, secs = divmod(10 * round(seconds / 10), 60)
        if secs == 0:
            return _fill(translate("AnalysisProgress", "about %1 min left"), minutes)
        return _fill(translate("AnalysisProgress", "about %1 min %2 s left"), minutes, secs)
    minutes = round(seconds / 60)
    if minutes < 60:
        return _fill(translate("AnalysisProgress", "about %1 min left"), minutes)
    hours, minutes = divmod(minutes, 60)
    return _fill(translate("AnalysisProgress", "about %1 h %2 min left"), hours, minutes)


def stage_text(run: RunProgress) -> str:
    """What the run is doing, with its amounts ("正在转写… 已转写 1:20 / 5:20 语音…")."""
    p = run.progress
    if p.stage == "load":
        return translate("AnalysisProgress", "Loading the speech model…")
    if p.stage == "decode":
        if p.total_s > 0:
            return _fill(translate("AnalysisProgress", "Reading the recording… %1 of %2"),
                         format_timecode(p.done_s), format_timecode(p.total_s))
        return translate("AnalysisProgress", "Reading the recording…")
    if p.stage == "vad":
        return translate("AnalysisProgress", "Finding the speech in the recording…")
    if p.stage == "transcribe":
        if p.windows_total == 0:
            return translate("AnalysisProgress", "Transcribing… no speech found")
        return _fill(translate("AnalysisProgress",
                               "Transcribing… %1 of %2 of speech (part %3 of %4)"),
                     format_timecode(p.done_s), format_timecode(p.total_s), p.windows_done,
                     p.windows_total)
    if p.stage == "analyse":
        return translate("AnalysisProgress", "Checking the content rules and the script…")
    if p.stage == "report":
        return translate("AnalysisProgress", "Writing the report…")
    if p.stage == "done":
        return translate("AnalysisProgress", "Done.")
    return ""
