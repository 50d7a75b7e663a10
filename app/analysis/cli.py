"""``python -m app analyze FILE``: batch analysis of a performance recording.

    python -m app analyze FILE [--script S] [--rules R] [--lang zh|en]
                          --report out.html [--pdf out.pdf] [--json out.json]

Exit status: 0 done (findings or not), 1 input or model problem, 2 usage, 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``analyze`` command to ``subparsers`` (from ``add_subparsers``)."""
    p = subparsers.add_parser(
        "analyze", help="analyse a performance recording and write a report",
        description="Transcribe a recording (audio or video file), match the content rules of "
                    "《营业性演出管理条例》, compare with the approved script and write a "
                    "report in Chinese.",
    )
    fill_parser(p)
    return p


def fill_parser(p: argparse.ArgumentParser) -> None:
    """The ``analyze`` options."""
    p.add_argument("file", type=Path, help="recording (any format FFmpeg reads)")
    p.add_argument("--script", type=Path, metavar="S",
                   help="approved script or programme as plain text (审批剧本/节目单)")
    p.add_argument("--rules", type=Path, metavar="R",
                   help="content rules file (TOML; default: the bundled rules)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh",
                   help="language of the performance (default zh)")
    p.add_argument("--report", type=Path, metavar="OUT.html", required=True,
                   help="HTML report to write")
    p.add_argument("--pdf", type=Path, metavar="OUT.pdf", help="also write a PDF report")
    p.add_argument("--json", type=Path, metavar="OUT.json",
                   help="also write the findings and transcript as JSON")
    p.add_argument("--model", type=Path, metavar="DIR",
                   help="CTranslate2 Whisper model directory (default: speech.model_dir, "
                        "else the installed base model)")
    p.add_argument("--workers", type=int, default=0, metavar="N",
                   help="speech workers, one CPU thread each (default: one per core)")
    p.add_argument("--threshold", type=float, default=0.6,
                   help="confidence at which a finding is marked serious (default 0.6)")
    p.add_argument("--venue", default="", help="venue name printed in the report")
    p.add_argument("--quiet", action="store_true", help="no progress output")


def main(argv: list[str]) -> int:
    """Run ``analyze`` with ``argv`` (without the command name); the exit status."""
    parser = argparse.ArgumentParser(prog="python -m app analyze")
    fill_parser(parser)
    return run(parser.parse_args(argv))


def resolve_model_dir(explicit: Path | None) -> Path:
    """``--model``, else ``CEDC_SPEECH__MODEL_DIR``, else the installed base model."""
    from app.paths import AppPaths
    from app.speech.settings import MODEL_DIR_ENV, default_model_dir

    if explicit is not None:
        return explicit
    env = os.environ.get(MODEL_DIR_ENV)
    if env:
        return Path(env).expanduser()
    return default_model_dir(AppPaths.default().data_dir)


def run(args: argparse.Namespace) -> int:
    """Run parsed ``analyze`` arguments."""
    from app.analysis.batch import BatchJob, ScriptError, run_batch
    from app.analysis.report import ReportContext, ensure_gui_application
    from app.analysis.rules import RulesError
    from app.speech.audio import AudioError
    from app.speech.batch import Cancelled, Progress
    from app.speech.engine import ModelMissingError

    if not args.file.is_file():
        print(f"error: no such file: {args.file}", file=sys.stderr)
        return EXIT_INPUT
    if not 0.0 <= args.threshold <= 1.0:
        print("error: --threshold must be between 0 and 1", file=sys.stderr)
        return EXIT_USAGE
    if args.pdf is not None:
        ensure_gui_application()
    workers = args.workers or max(1, os.cpu_count() or 1)
    job = BatchJob(
        media=args.file, model_dir=resolve_model_dir(args.model), script=args.script,
        rules=args.rules, language=args.lang, report_html=args.report, report_pdf=args.pdf,
        report_json=args.json, workers=workers, threshold=args.threshold,
        context=ReportContext(source=str(args.file), duration_s=0.0, venue=args.venue),
    )
    last = [-1]

    def progress(p: Progress) -> None:
        if args.quiet:
            return
        pct = int(p.fraction * 100)
        if p.stage == "decode" and 0 < pct < 100:
            return  # the start and the end of reading are enough on a terminal
        if p.stage != "transcribe" or pct >= last[0] + 10 or pct == 100:
            last[0] = pct if p.stage == "transcribe" else last[0]
            amount = (f"{p.done_s:.0f}/{p.total_s:.0f} s, {p.windows_done}/{p.windows_total} "
                      "windows" if p.stage == "transcribe" else p.detail)
            print(f"[{p.stage}] {pct:3d}% {amount}", file=sys.stderr, flush=True)

    cancel = threading.Event()
    try:
        outcome = run_batch(job, progress=progress, cancel=cancel)
    except (ModelMissingError, AudioError, RulesError, ScriptError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except (KeyboardInterrupt, Cancelled):
        cancel.set()
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    t = outcome.timings
    print(f"{args.file}: {t.audio_s:.0f} s of audio ({t.speech_s:.0f} s speech) analysed in "
          f"{outcome.total_s:.1f} s ({outcome.xrt:.1f}× real time); "
          f"{len(outcome.result.findings)} finding(s)")
    for f in outcome.result.findings:
        print(f"  {f.start_s:8.1f}–{f.end_s:<8.1f} [{f.category_no}] {f.tag} "
              f"「{f.matched_text}」 {f.confidence:.2f}")
    for path in outcome.outputs:
        print(f"wrote {path}")
    return EXIT_OK
