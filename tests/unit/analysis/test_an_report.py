"""The officers' report: Chinese HTML, JSON and a PDF rendered without QtWebEngine."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from app.analysis.engine import analyze, evidence_link
from app.analysis.report import ReportContext, render_html, report_json, write_pdf
from app.analysis.rules import load_rules
from app.speech.synth import ZH_LINES
from app.speech.transcript import Transcript
from app.speech.transcript import TranscriptLine as L


def _sample() -> tuple[Transcript, ReportContext]:
    lines = [L(0, 4, ZH_LINES[0]), L(64, 70, "昨天晚上他们在后台赌博，押大小"),
             L(70, 74, "<b>不是标签</b> & 引号\"")]
    transcript = Transcript(lines, "zh", 600.0)
    ctx = ReportContext(source="/data/show.mp4", duration_s=600.0,
                        started_at=dt.datetime(2026, 11, 27, 11, 30, tzinfo=dt.UTC),
                        venue="德云小剧场", approval_no="京文演〔2026〕0123号",
                        troupe="某某相声社", model="whisper-base", processing_s=25.0)
    return transcript, ctx


def test_html_report_is_chinese_with_time_codes_quotes_and_legal_basis() -> None:
    transcript, ctx = _sample()
    result = analyze(transcript, load_rules(), script="\n".join(ZH_LINES))
    result.findings = [f.with_evidence(evidence_link("/data/show.mp4", f.start_s, f.end_s))
                       for f in result.findings]
    page = render_html(transcript, result, ctx)
    assert "<h1>演出内容分析报告</h1>" in page
    assert "京文演〔2026〕0123号" in page and "德云小剧场" in page
    assert "第10项：法律、行政法规禁止的其他情形" in page
    assert "「赌博…押大小」" in page  # two terms of one rule, close together: one finding
    # time code and Beijing time of the finding
    assert re.search(r"1:0[6-9]（19:31:0[6-9]） – 1:10", page)
    assert "file:///data/show.mp4#t=" in page
    assert "《营业性演出管理条例》第二十六条" in page
    assert "与审批剧本比对" in page and "未经审批的段落" in page
    assert "24.0 倍实时" in page
    assert "<b>不是标签</b>" not in page and "&lt;b&gt;不是标签&lt;/b&gt; &amp;" in page


def test_json_report_round_trips() -> None:
    transcript, ctx = _sample()
    result = analyze(transcript, load_rules())
    data = json.loads(report_json(transcript, result, ctx))
    assert data["format"] == 1 and data["venue"] == "德云小剧场"
    (f,) = [f for f in data["findings"] if f["rule_id"] == "c10-gambling"]
    assert f["category_no"] == 10 and f["match"] == "exact"
    assert 64.0 <= f["start_s"] < f["end_s"] <= 70.0
    assert len(data["transcript"]) == 3 and data["script"] is None


def test_report_without_findings_says_so() -> None:
    transcript = Transcript([L(0, 3, ZH_LINES[0])], "zh", 3.0)
    page = render_html(transcript, analyze(transcript, load_rules()),
                       ReportContext(source="a.wav", duration_s=3.0))
    assert "未发现疑似禁止内容" in page and "未提供审批剧本" in page


@pytest.mark.gui
def test_pdf_is_rendered_offscreen(qapp: object, tmp_path: Path) -> None:
    transcript, ctx = _sample()
    page = render_html(transcript, analyze(transcript, load_rules()), ctx)
    pdf = write_pdf(page, tmp_path / "r.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 1
    assert b"FontFile" in data  # the CJK font is embedded, not boxes
