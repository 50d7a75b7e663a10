"""The analysis dialog: a real run with progress and a report, and a cancelled run."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt

from app.analysis.service import BatchAnalysisService
from app.speech.synth import EN_LINES, compose, espeak_available
from app.speech.testing import ModelNotAvailable, planted_recording, tiny_en_model_dir
from widgets.transcript_pane import AnalysisDialog

pytestmark = [pytest.mark.gui, pytest.mark.integration]


@pytest.fixture
def model() -> Path:
    if not espeak_available():
        pytest.fail("espeak-ng is not installed")
    try:
        return tiny_en_model_dir()
    except ModelNotAvailable as exc:
        pytest.fail(str(exc))


def test_analysis_runs_with_progress_and_lists_findings(qtbot: object, model: Path,
                                                        tmp_path: Path) -> None:
    media = planted_recording("en", lines_before=2, lines_after=1,
                              performance=False).recording.save(tmp_path / "show.wav")
    service = BatchAnalysisService()
    dialog = AnalysisDialog(service, model, tmp_path / "reports", workers=1)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    dialog.set_media(media)
    dialog.language_combo.setCurrentIndex(1)  # English
    dialog.pdf_check.setChecked(False)
    stages: list[str] = []
    bars: list[int] = []
    service.progress.connect(lambda stage, _f, _d: stages.append(stage))
    dialog.progress_bar.valueChanged.connect(bars.append)
    with qtbot.waitSignal(service.finished, timeout=60_000):  # type: ignore[attr-defined]
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert service.wait(10)
    assert "transcribe" in stages and stages[-1] == "done"
    assert dialog.progress_bar.value() == 1000
    # the bar moves forward in many steps (reading, each window, analysis, report)
    assert bars == sorted(bars) and len(set(bars)) >= 10
    assert stages.count("transcribe") >= 3  # announced, then one report per window
    assert dialog.result_list.count() >= 1
    assert "〔赌博〕" in dialog.result_list.item(0).text()
    assert dialog.open_button.isEnabled()
    report = tmp_path / "reports" / "show-report.html"
    assert report.is_file() and "演出内容分析报告" in report.read_text(encoding="utf-8")
    assert (tmp_path / "reports" / "show-report.json").is_file()
    # the report opens inside the console, with its own title
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    viewer = dialog.viewer
    assert viewer is not None
    qtbot.waitUntil(lambda: viewer.loaded_ok is not None,  # type: ignore[attr-defined]
                    timeout=20_000)
    assert viewer.loaded_ok and viewer.isVisible()
    assert "演出内容分析报告" in viewer.windowTitle()
    viewer.close()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_a_run_can_be_cancelled(qtbot: object, model: Path, tmp_path: Path) -> None:
    long = compose(list(EN_LINES) * 3, language="en").save(tmp_path / "long.wav")
    service = BatchAnalysisService()
    dialog = AnalysisDialog(service, model, tmp_path / "reports", workers=1)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    dialog.set_media(long)
    dialog.language_combo.setCurrentIndex(1)
    with qtbot.waitSignal(service.cancelled, timeout=60_000):  # type: ignore[attr-defined]
        dialog.start()
        assert dialog.cancel_button.text() != ""
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert service.wait(10)
    assert dialog.progress_bar.value() == 0
    assert dialog.start_button.isEnabled()
    assert not (tmp_path / "reports" / "long-report.html").exists()


def test_a_missing_recording_is_refused_before_starting(qtbot: object, model: Path,
                                                        tmp_path: Path) -> None:
    service = BatchAnalysisService()
    dialog = AnalysisDialog(service, model, tmp_path)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    dialog.set_media(tmp_path / "none.mp4")
    dialog.start()
    assert not service.running
    assert dialog.stage_label.text()
