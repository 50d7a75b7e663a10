"""The officers' analysis report: HTML (Chinese), PDF rendered from it, and JSON.

The HTML uses only the subset of HTML/CSS that Qt's rich-text engine understands, so the same
document renders to PDF with ``QTextDocument`` + ``QPdfWriter`` (no QtWebEngine, works
offscreen). Times are shown as time codes from the start of the recording and, when the
recording's start is known, as Beijing time.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from app.analysis.engine import AnalysisResult, ContentFinding
from app.analysis.rules import UNSCRIPTED, category_label
from app.speech.transcript import Transcript, format_timecode
from models.clock import utcnow

SHANGHAI = ZoneInfo("Asia/Shanghai")
REPORT_FORMAT = 1


@dataclass(slots=True)
class ReportContext:
    """What the report is about, beyond the transcript and the findings."""

    source: str
    duration_s: float
    started_at: dt.datetime | None = None  # aware; start of the recording
    venue: str = ""
    approval_no: str = ""
    troupe: str = ""
    performers: str = ""
    programme: str = ""
    script_name: str = ""
    model: str = ""
    processing_s: float | None = None
    threshold: float = 0.6
    generated_at: dt.datetime = field(default_factory=utcnow)
    extra: dict[str, str] = field(default_factory=dict)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _clock(ctx: ReportContext, seconds: float) -> str:
    code = format_timecode(seconds)
    if ctx.started_at is None:
        return code
    local = (ctx.started_at + dt.timedelta(seconds=seconds)).astimezone(SHANGHAI)
    return f"{code}（{local:%H:%M:%S}）"


def _range(ctx: ReportContext, f: ContentFinding) -> str:
    return f"{_clock(ctx, f.start_s)} – {format_timecode(f.end_s)}"


_CSS = """
body { font-family: 'Noto Sans CJK SC', 'Noto Sans SC', 'Microsoft YaHei', sans-serif;
       font-size: 10.5pt; color: #222; }
h1 { font-size: 18pt; text-align: center; margin-bottom: 2px; }
h2 { font-size: 13pt; color: #1f3d7a; border-bottom: 1px solid #1f3d7a; margin-top: 14px; }
p.sub { text-align: center; color: #555; margin-top: 0; }
table { border-collapse: collapse; }
th { background-color: #e8edf7; font-weight: bold; }
td, th { border: 1px solid #9aa6bd; padding: 3px; vertical-align: top; }
td.k { background-color: #f4f6fa; white-space: nowrap; }
.high { color: #b00020; font-weight: bold; }
.low { color: #555; }
.quote { color: #333; }
.note { color: #666; font-size: 9pt; }
.dev { background-color: #fff4e5; }
"""


def render_html(transcript: Transcript, result: AnalysisResult, ctx: ReportContext) -> str:
    """The whole report as one HTML document (Chinese)."""
    findings = result.findings
    rule_findings = [f for f in findings if f.category_no != UNSCRIPTED]
    serious = [f for f in findings if f.confidence >= ctx.threshold]
    parts: list[str] = [
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>演出内容分析报告 — {_e(ctx.venue or Path(ctx.source).name)}</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>演出内容分析报告</h1>",
        f"<p class='sub'>生成时间：{ctx.generated_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M:%S}"
        "（北京时间）</p>",
        "<h2>一、基本情况</h2>",
        "<table width='100%' cellspacing='0' cellpadding='3'>",
    ]
    rows = [
        ("演出场所", ctx.venue or "—"),
        ("批准文号", ctx.approval_no or "—"),
        ("演出团体", ctx.troupe or "—"),
        ("演员", ctx.performers or "—"),
        ("审批节目", ctx.programme or "—"),
        ("录音录像", ctx.source),
        ("录制开始", (f"{ctx.started_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M:%S}"
                     if ctx.started_at else "—")),
        ("时长", format_timecode(ctx.duration_s)),
        ("有效语音", format_timecode(transcript.speech_seconds())),
        ("对照剧本", ctx.script_name or "未提供"),
        ("规则", f"{result.rules_name}（{Path(result.rules_source).name}）"
                 if result.rules_source else result.rules_name or "—"),
        ("识别模型", ctx.model or "—"),
    ]
    if ctx.processing_s:
        speed = ctx.duration_s / ctx.processing_s if ctx.processing_s > 0 else 0.0
        rows.append(("分析用时", f"{ctx.processing_s:.0f} 秒（{speed:.1f} 倍实时）"))
    rows.extend(ctx.extra.items())
    for k, v in rows:
        parts.append(f"<tr><td class='k' width='18%'>{_e(k)}</td><td>{_e(v)}</td></tr>")
    parts.append("</table>")

    # ---- summary
    parts.append("<h2>二、分析结论</h2>")
    if not findings:
        parts.append("<p>未发现疑似禁止内容。</p>")
    else:
        verdict = (f"发现疑似问题 {len(findings)} 处，其中达到告警阈值（置信度 ≥ "
                   f"{ctx.threshold:.2f}）的 {len(serious)} 处。")
        parts.append(f"<p class='{'high' if serious else ''}'>{_e(verdict)}</p>")
        parts.append("<table width='100%' cellspacing='0' cellpadding='3'><tr><th>类别</th>"
                     "<th width='12%'>处数</th><th width='16%'>最高置信度</th></tr>")
        groups = sorted(result.by_category().items(), key=lambda kv: (kv[0] == 0, kv[0]))
        for number, group in groups:
            top = max(f.confidence for f in group)
            parts.append(f"<tr><td>{_e(category_label(number))}</td><td>{len(group)}</td>"
                         f"<td>{top:.2f}</td></tr>")
        parts.append("</table>")
    parts.append(f"<p class='note'>法律依据：{_e(result.legal_basis or '《营业性演出管理条例》')}"
                 "。本报告由语音识别与规则比对自动生成，识别文字可能有误，结论须经执法人员"
                 "回看证据核实后方可作为执法依据。条款序号请以所在地适用的公布文本核对。</p>")

    # ---- findings
    parts.append("<h2>三、疑似问题明细</h2>")
    if not rule_findings:
        parts.append("<p>规则比对未发现疑似禁止内容。</p>")
    else:
        parts.append(
            "<table width='100%' cellspacing='0' cellpadding='3'><tr><th width='4%'>序号</th>"
            "<th width='17%'>时间</th><th width='22%'>类别</th><th>匹配内容与原文</th>"
            "<th width='9%'>置信度</th><th width='9%'>证据</th></tr>")
        for i, f in enumerate(rule_findings, 1):
            cls = "high" if f.confidence >= ctx.threshold else "low"
            evidence = (f"<a href='{_e(f.evidence)}'>回看</a>" if f.evidence else "—")
            parts.append(
                f"<tr><td>{i}</td><td>{_e(_range(ctx, f))}</td>"
                f"<td>{_e(category_label(f.category_no))}<br/><b>{_e(f.tag)}</b></td>"
                f"<td><b>「{_e(f.matched_text)}」</b>（{_e(f.level_text)}"
                + (f"，规则词：{_e(f.term)}" if f.term and f.term != f.matched_text else "")
                + f"）<br/><span class='quote'>原文：{_e(f.quote)}</span></td>"
                f"<td class='{cls}'>{f.confidence:.2f}</td><td>{evidence}</td></tr>")
        parts.append("</table>")

    # ---- script deviation
    parts.append("<h2>四、与审批剧本比对</h2>")
    comparison = result.script
    if comparison is None:
        parts.append("<p>未提供审批剧本（节目单），未做剧本比对。</p>")
    else:
        parts.append(
            f"<p>演出内容与审批剧本相符的比例约 {comparison.scripted_share:.0%}；"
            f"剧本语句在演出中出现的比例约 {comparison.script_coverage:.0%}。"
            f"未经审批的段落 {len(comparison.deviations)} 处。</p>")
        devs = [f for f in findings if f.category_no == UNSCRIPTED]
        if devs:
            parts.append("<table width='100%' cellspacing='0' cellpadding='3'><tr>"
                         "<th width='4%'>序号</th><th width='17%'>时间</th><th>未经审批的内容"
                         "</th><th width='9%'>置信度</th><th width='9%'>证据</th></tr>")
            for i, f in enumerate(devs, 1):
                evidence = (f"<a href='{_e(f.evidence)}'>回看</a>" if f.evidence else "—")
                parts.append(f"<tr class='dev'><td>{i}</td><td>{_e(_range(ctx, f))}</td>"
                             f"<td>{_e(f.quote)}</td><td>{f.confidence:.2f}</td>"
                             f"<td>{evidence}</td></tr>")
            parts.append("</table>")
        missing = comparison.not_performed()
        if missing:
            parts.append("<p>剧本中未在演出里出现的语句：</p><ul>")
            parts.extend(f"<li>{_e(s)}</li>" for s in missing[:50])
            if len(missing) > 50:
                parts.append(f"<li>……另有 {len(missing) - 50} 句</li>")
            parts.append("</ul>")

    # ---- transcript
    parts.append("<h2>五、演出文字记录（自动识别）</h2>")
    flagged = {(f.start_s, f.end_s) for f in findings}
    parts.append("<table width='100%' cellspacing='0' cellpadding='3'>"
                 "<tr><th width='12%'>时间</th><th>内容</th></tr>")
    for line in transcript.lines:
        hit = any(a < line.end_s and b > line.start_s for a, b in flagged)
        style = " class='dev'" if hit else ""
        parts.append(f"<tr{style}><td>{_e(format_timecode(line.start_s))}</td>"
                     f"<td>{_e(line.text)}</td></tr>")
    parts.append("</table>")
    if not transcript.lines:
        parts.append("<p>录音中未识别到语音。</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def report_json(transcript: Transcript, result: AnalysisResult, ctx: ReportContext) -> str:
    """Machine-readable report (UTF-8 JSON)."""
    data = {
        "format": REPORT_FORMAT,
        "source": ctx.source,
        "venue": ctx.venue,
        "approval_no": ctx.approval_no,
        "started_at": ctx.started_at.isoformat() if ctx.started_at else None,
        "duration_s": round(ctx.duration_s, 2),
        "speech_s": round(transcript.speech_seconds(), 2),
        "processing_s": round(ctx.processing_s, 2) if ctx.processing_s else None,
        "model": ctx.model,
        "language": transcript.language,
        "rules": {"name": result.rules_name, "source": result.rules_source,
                  "legal_basis": result.legal_basis},
        "threshold": ctx.threshold,
        "findings": [f.to_json() for f in result.findings],
        "script": None if result.script is None else {
            "scripted_share": round(result.script.scripted_share, 3),
            "script_coverage": round(result.script.script_coverage, 3),
            "not_performed": result.script.not_performed(),
        },
        "transcript": [line.to_json() for line in transcript.lines],
        "generated_at": ctx.generated_at.isoformat(),
    }
    return json.dumps(data, ensure_ascii=False, indent=1)


def write_pdf(html_text: str, path: Path, *, title: str = "演出内容分析报告") -> Path:
    """Render report HTML to an A4 PDF with Qt's rich-text engine (needs a QGuiApplication)."""
    from PySide6.QtCore import QMarginsF, QSizeF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

    path.parent.mkdir(parents=True, exist_ok=True)
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    writer.setResolution(144)
    writer.setTitle(title)
    writer.setCreator("文化市场综合执法指挥调度台")
    doc = QTextDocument()
    doc.setDocumentMargin(0)
    doc.setHtml(html_text)
    rect = writer.pageLayout().paintRectPixels(writer.resolution())
    doc.setPageSize(QSizeF(rect.width(), rect.height()))
    doc.print_(writer)
    return path


def ensure_gui_application() -> object:
    """A QGuiApplication for PDF rendering in a command-line run (offscreen when headless)."""
    import os
    import sys

    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:
        if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY")
                                                     or os.environ.get("WAYLAND_DISPLAY")):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(["report"])
    return app
