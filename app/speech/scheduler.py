"""The performance schedule at work: record during shows, analyse after them, keep disk bounded.

Every ``interval_s`` the scheduler looks at the schedule:

* a watched venue with a performance on is recorded, and its live analysis compares with that
  performance's script (or programme); otherwise recording stops and the comparison is off;
* each performance that ended and has not been analysed is analysed in batch from its
  recorded segments (one at a time, on the scheduler's own analysis thread): transcript,
  findings (stored, with an evidence clip cut from the recording for each serious one, and an
  incident when any is over the threshold) and the Chinese report in ``reports/``;
* recordings older than ``speech.retention_days`` are deleted by
  :class:`app.speech.retention.RecordingRetention` (a part of its own, also without a model).
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from app.analysis.engine import AnalysisResult, ContentFinding, analyze
from app.analysis.incidents import EVIDENCE_PREFIX, record_findings
from app.analysis.report import ReportContext, render_html
from app.analysis.rules import RuleSet
from app.db_writer import DbWriter
from app.priority import Background, lower_this_thread
from app.services.incidents import Actor
from app.speech.audio import AudioError
from app.speech.batch import transcribe_file
from app.speech.engine import Recognizer
from app.speech.live_analysis import LiveScript
from app.speech.recorder import cut_clip, list_segments, sha256_file
from app.speech.schedule import ended_unanalysed, performances_on
from app.speech.settings import SpeechSettings
from app.speech.transcript import Transcript, TranscriptLine
from models import Venue
from models.base import utcnow
from models.enums import EvidenceKind
from models.media import EvidenceItem
from models.speech_schedule import Performance

log = logging.getLogger("app.speech.scheduler")


class LiveControl(Protocol):
    """What the scheduler needs from the live service."""

    def watched(self) -> list[int]: ...
    def set_recording(self, venue_id: int, on: bool) -> None: ...
    def set_script(self, venue_id: int, script: LiveScript | None) -> None: ...


@dataclass(frozen=True, slots=True)
class AnalysedShow:
    """Outcome of one after-show analysis."""

    performance_id: int
    state: str  # done | no_recording | failed
    findings: int = 0
    report: Path | None = None
    incident_number: str = ""
    detail: str = ""


class PerformanceScheduler:
    """Drives recording and after-show analysis from the schedule (see module text)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        writer: DbWriter,
        actor: Actor,
        live: LiveControl | None,
        settings: SpeechSettings,
        data_dir: Path,
        *,
        recognizer: Callable[[], Recognizer],
        rules: RuleSet,
        interval_s: float = 30.0,
        clock: Callable[[], dt.datetime] = utcnow,
        on_analysed: Callable[[AnalysedShow], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self._writer = writer
        self._actor = actor
        self._live = live
        self.settings = settings
        self.data_dir = data_dir
        self._recognizer_factory = recognizer
        self._recognizer: Recognizer | None = None
        self._rules = rules
        self.interval_s = interval_s
        self._clock = clock
        self._on_analysed = on_analysed or (lambda _a: None)
        self._stop = threading.Event()
        self._jobs: queue.Queue[int | None] = queue.Queue()
        self._queued: set[int] = set()
        self._threads: list[threading.Thread] = []
        self.recording_dir = settings.resolved_recording_dir(data_dir)
        self.reports_dir = data_dir / "reports"
        self.clips_dir = data_dir / "clips"

    def start(self) -> None:
        """Start the schedule loop and the analysis thread."""
        self._stop.clear()
        for target, name in ((self._loop, "speech-schedule"),
                             (self._analyse_loop, "speech-after-show")):
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop both threads (an analysis in progress finishes first)."""
        self._stop.set()
        self._jobs.put(None)
        for t in self._threads:
            t.join(timeout)
        self._threads.clear()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("schedule check failed")
            self._stop.wait(self.interval_s)

    # ------------------------------------------------------------------ the check
    def tick(self, now: dt.datetime | None = None) -> list[int]:
        """One look at the schedule; the ids of performances queued for analysis."""
        now = now or self._clock()
        with self._sessions() as session:
            on = {p.venue_id: p for p in performances_on(session, now)}
            ended = [p.id for p in ended_unanalysed(session, now)]
            scripts = {v: LiveScript(p.script or p.programme, p.title, p.approval_no, p.id)
                       for v, p in on.items()}
        if self._live is not None:
            for venue_id in self._live.watched():
                self._live.set_recording(venue_id, venue_id in on)
                self._live.set_script(venue_id, scripts.get(venue_id))
        queued = []
        for pid in ended:
            if pid not in self._queued:
                self._queued.add(pid)
                self._jobs.put(pid)
                queued.append(pid)
        return queued

    # ------------------------------------------------------------------ after the show
    def _analyse_loop(self) -> None:
        lower_this_thread(Background.INFERENCE)
        while True:
            pid = self._jobs.get()
            if pid is None or self._stop.is_set():
                return
            try:
                result = self.analyse_performance(pid)
            except Exception as exc:
                log.exception("after-show analysis of performance %d crashed", pid)
                result = AnalysedShow(pid, "failed", detail=str(exc))
                self._set_state(pid, "failed", None, 0)
            self._on_analysed(result)

    def analyse_performance(self, performance_id: int) -> AnalysedShow:
        """Analyse one performance from its recorded segments (blocking)."""
        with self._sessions() as session:
            perf = session.get(Performance, performance_id)
            if perf is None:
                return AnalysedShow(performance_id, "failed", detail="no such performance")
            venue = session.get(Venue, perf.venue_id)
            info = _ShowInfo(perf.id, perf.venue_id, venue.name if venue else "",
                             perf.approval_no, perf.title, perf.troupe, perf.performers,
                             perf.programme, perf.script, perf.language, perf.starts_at,
                             perf.ends_at)
        self._set_state(performance_id, "running", None, 0)
        segments = [(p, at) for p, _v, at in list_segments(self.recording_dir, info.venue_id)
                    if info.starts_at - dt.timedelta(seconds=self.settings.recording_segment_s)
                    <= at < info.ends_at]
        if not segments:
            self._set_state(performance_id, "no_recording", None, 0)
            log.warning("performance %d (%s) ended without a recording", performance_id,
                        info.approval_no)
            return AnalysedShow(performance_id, "no_recording", detail="no recording")
        if self._recognizer is None:
            self._recognizer = self._recognizer_factory()
        recognizer = self._recognizer
        lines: list[TranscriptLine] = []
        where: list[tuple[float, float, Path, float]] = []  # show time range → file, offset
        speech_s = 0.0
        for path, at in segments:
            offset = (at - info.starts_at).total_seconds()
            try:
                transcript, timings = transcribe_file(path, recognizer, workers=1,
                                                      cancel=self._stop)
            except AudioError as exc:
                log.warning("recording %s unreadable: %s", path, exc)
                continue
            speech_s += timings.speech_s
            where.append((offset, offset + timings.audio_s, path, offset))
            lines.extend(TranscriptLine(ln.start_s + offset, ln.end_s + offset, ln.text,
                                        ln.confidence) for ln in transcript.lines)
        duration = (info.ends_at - info.starts_at).total_seconds()
        transcript = Transcript(lines, info.language, duration)
        script = info.script or info.programme
        result = analyze(transcript, self._rules, script=script or None, language=info.language)
        threshold = self.settings.finding_threshold
        result.findings = [self._with_clip(f, where, info) if f.confidence >= threshold else f
                           for f in result.findings]
        report = self._report(transcript, result, info, segments[0][0])
        rec = self._writer.submit(lambda s: record_findings(
            s, self._actor, venue_id=info.venue_id, findings=result.findings,
            base_time=info.starts_at, threshold=threshold, lines=lines, language=info.language,
            title_hint=info.title,
        ), label="after-show findings").result(60)
        self._set_state(performance_id, "done", report, len(result.findings))
        log.info("performance %d analysed: %d finding(s), report %s", performance_id,
                 len(result.findings), report, extra={"event": "show_analysed"})
        return AnalysedShow(performance_id, "done", len(result.findings), report,
                            rec.incident_number)

    def _with_clip(self, f: ContentFinding, where: list[tuple[float, float, Path, float]],
                   info: _ShowInfo) -> ContentFinding:
        for a, b, path, offset in where:
            if a <= f.start_s < b:
                out = self.clips_dir / f"{info.venue_id}_{info.performance_id}_" \
                    f"{int(f.start_s)}_{f.rule_id}.mkv"
                try:
                    cut_clip(path, max(0.0, f.start_s - offset - 3), f.end_s - offset + 3, out)
                except AudioError as exc:
                    log.warning("no clip for finding at %.0f s: %s", f.start_s, exc)
                    return f
                start = info.starts_at + dt.timedelta(seconds=max(0.0, f.start_s - 3))
                end = start + dt.timedelta(seconds=f.end_s - f.start_s + 6)
                note = f"{f.category_label} {f.tag}"
                item_id = self._writer.submit(
                    partial(_store_clip, path=out, start=start, end=end, note=note),
                    label="evidence clip").result(30)
                return f.with_evidence(f"{EVIDENCE_PREFIX}{item_id}")
        return f

    def _report(self, transcript: Transcript, result: AnalysisResult, info: _ShowInfo,
                source: Path) -> Path:
        ctx = ReportContext(
            source=str(source.parent), duration_s=transcript.duration_s,
            started_at=info.starts_at, venue=info.venue_name, approval_no=info.approval_no,
            troupe=info.troupe, performers=info.performers, programme=info.title,
            script_name="审批剧本" if info.script else ("节目单" if info.programme else ""),
            model=self._recognizer.loaded.path.name if self._recognizer else "",
            threshold=self.settings.finding_threshold,
        )
        self.reports_dir.mkdir(parents=True, exist_ok=True)
        path = self.reports_dir / f"performance-{info.performance_id}.html"
        path.write_text(render_html(transcript, result, ctx), encoding="utf-8")
        return path

    def _set_state(self, pid: int, state: str, report: Path | None, findings: int) -> None:
        def job(session: Session) -> None:
            perf = session.get(Performance, pid)
            if perf is not None:
                perf.analysis_state = state
                if state in ("done", "no_recording", "failed"):
                    perf.analysed_at = utcnow()
                if report is not None:
                    perf.report_path = str(report)
                perf.findings_count = findings

        self._writer.submit(job, label="performance analysis state").result(30)


@dataclass(frozen=True, slots=True)
class _ShowInfo:
    performance_id: int
    venue_id: int
    venue_name: str
    approval_no: str
    title: str
    troupe: str
    performers: str
    programme: str
    script: str
    language: str
    starts_at: dt.datetime
    ends_at: dt.datetime


def _store_clip(session: Session, path: Path, start: dt.datetime, end: dt.datetime,
                note: str) -> int:
    item = EvidenceItem(kind=EvidenceKind.CLIP, path=str(path), sha256=sha256_file(path),
                        size_bytes=path.stat().st_size, content_start=start, content_end=end,
                        note=note[:200])
    session.add(item)
    session.flush()
    return int(item.id)
