"""One batch analysis: recording → transcript → findings → report files.

Shared by ``python -m app analyze`` and the console's analysis dialog (through
:class:`app.analysis.service.BatchAnalysisService`). Runs on the caller's thread; progress goes
to a callback and a cancel event stops it between windows.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.analysis.engine import AnalysisResult, analyze, evidence_link
from app.analysis.report import ReportContext, render_html, report_json, write_pdf
from app.analysis.rules import RuleSet, load_rules
from app.speech.batch import BatchTimings, Progress, ProgressFn, transcribe_file
from app.speech.engine import DecodePolicy, Recognizer, load_model
from app.speech.transcript import Transcript
from models.clock import utcnow

log = logging.getLogger("app.analysis.batch")


class ScriptError(ValueError):
    """The script file cannot be read."""


def read_script(path: Path) -> str:
    """Text of an approved script (UTF-8, else GB18030, the usual Chinese office encodings).

    Raises:
        ScriptError: unreadable or binary file.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScriptError(f"cannot read the script {path}: {exc}") from exc
    if b"\x00" in raw[:4096]:
        raise ScriptError(f"{path} is not a text file (save the script as plain text)")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ScriptError(f"{path}: unknown text encoding (use UTF-8)")


@dataclass(slots=True)
class BatchJob:
    """What to analyse and where the outputs go."""

    media: Path
    model_dir: Path
    script: Path | None = None
    rules: Path | None = None
    language: str = "zh"
    report_html: Path | None = None
    report_pdf: Path | None = None
    report_json: Path | None = None
    workers: int = 2
    threshold: float = 0.6
    context: ReportContext | None = None


@dataclass(slots=True)
class BatchOutcome:
    """The results of a run."""

    transcript: Transcript
    result: AnalysisResult
    timings: BatchTimings
    total_s: float
    outputs: list[Path] = field(default_factory=list)

    @property
    def xrt(self) -> float:
        """Audio seconds per second of the whole run (decode to report)."""
        return self.transcript.duration_s / self.total_s if self.total_s > 0 else 0.0


def run_batch(
    job: BatchJob,
    *,
    recognizer: Recognizer | None = None,
    rules: RuleSet | None = None,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> BatchOutcome:
    """Run ``job`` (loading the model and rules unless given).

    Raises:
        app.speech.engine.ModelMissingError, app.speech.audio.AudioError,
        app.analysis.rules.RulesError, ScriptError, app.speech.batch.Cancelled.
    """
    report = progress or (lambda _p: None)
    t0 = time.perf_counter()
    report(Progress("load", 0.0))
    ruleset = rules or load_rules(job.rules)
    script_text = read_script(job.script) if job.script is not None else None
    if recognizer is None:
        workers = max(1, job.workers)
        loaded = load_model(job.model_dir, cpu_threads=1, workers=workers)
        recognizer = Recognizer(loaded, DecodePolicy(language=job.language))
    report(Progress("load", 1.0))
    transcript, timings = transcribe_file(job.media, recognizer, workers=job.workers,
                                          progress=progress, cancel=cancel)
    report(Progress("analyse", 0.0))
    result = analyze(transcript, ruleset, script=script_text, language=job.language)
    media = str(job.media)
    result.findings = [f.with_evidence(f.evidence or evidence_link(media, f.start_s, f.end_s))
                       for f in result.findings]
    total = time.perf_counter() - t0
    ctx = job.context or ReportContext(source=media, duration_s=transcript.duration_s)
    ctx.duration_s = transcript.duration_s
    ctx.processing_s = total
    ctx.threshold = job.threshold
    ctx.model = ctx.model or recognizer.loaded.path.name
    if job.script is not None and not ctx.script_name:
        ctx.script_name = job.script.name
    outcome = BatchOutcome(transcript, result, timings, total)
    report(Progress("analyse", 1.0))
    if job.report_html or job.report_pdf or job.report_json:
        report(Progress("report", 0.0))
        ctx.generated_at = utcnow()
        page = render_html(transcript, result, ctx)
        if job.report_html is not None:
            job.report_html.parent.mkdir(parents=True, exist_ok=True)
            job.report_html.write_text(page, encoding="utf-8")
            outcome.outputs.append(job.report_html)
        if job.report_pdf is not None:
            outcome.outputs.append(write_pdf(page, job.report_pdf))
        if job.report_json is not None:
            job.report_json.parent.mkdir(parents=True, exist_ok=True)
            job.report_json.write_text(report_json(transcript, result, ctx), encoding="utf-8")
            outcome.outputs.append(job.report_json)
        report(Progress("report", 1.0))
    report(Progress("done", 1.0))
    log.info("analysed %s: %d findings, %.1f× real time", job.media, len(result.findings),
             outcome.xrt, extra={"event": "batch_analysed", "findings": len(result.findings)})
    return outcome
