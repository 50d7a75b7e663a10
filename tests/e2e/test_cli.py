"""End-to-end: the real program as a subprocess, read through its structured log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], tmp_path: Path, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["CEDC_HOME"] = str(tmp_path / "home")
    env.pop("DISPLAY", None)  # prove it goes offscreen by itself
    env.pop("QT_QPA_PLATFORM", None)
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def _events(log_file: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]


@pytest.mark.slow
def test_demo_writes_a_screenshot_of_the_docked_chinese_window(tmp_path: Path) -> None:
    shot = tmp_path / "out.png"
    log_file = tmp_path / "console.jsonl"
    proc = _run(["demo", "--screenshot", str(shot), "--quit-after", "6",
                 "--log-json", "--log-file", str(log_file)], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    events = _events(log_file)
    names = [e.get("event") for e in events]
    assert "ready" in names
    ready = next(e for e in events if e.get("event") == "ready")
    assert ready["window"] == "文化市场综合执法指挥调度台 — 市级指挥调度中心"
    assert names.index("ready") < names.index("screenshot") < names.index("stopped")
    gui = next(e for e in events if e.get("event") == "gui")
    assert gui["headless"] is True
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1600, 1000)
    # not a blank frame: many distinct colours (text, status colours, grid)
    colours = {image.pixel(x, y) for x in range(0, 1600, 7) for y in range(0, 1000, 7)}
    assert len(colours) > 50
    # parts stopped in reverse order of starting
    started = [e["part"] for e in events if e.get("event") == "part_started"]
    stopped = [e["part"] for e in events if e.get("event") == "part_stopping"]
    assert stopped == list(reversed(started))


def test_version_and_help(tmp_path: Path) -> None:
    from app import __version__

    proc = _run(["--version"], tmp_path)
    assert proc.returncode == 0 and __version__ in proc.stdout
    proc = _run(["--help"], tmp_path)
    assert proc.returncode == 0
    for command in ("demo", "run", "db", "config"):
        assert command in proc.stdout


def test_run_refuses_a_missing_database_file_clearly(tmp_path: Path) -> None:
    proc = _run(["run", "--db", str(tmp_path / "nope.sqlite3")], tmp_path)
    assert proc.returncode == 2
    assert "no SQLite database at" in proc.stderr


def test_invalid_settings_stop_start_up_with_the_reason(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[console]\njurisdiction = "moon"\n', encoding="utf-8")
    proc = _run(["run", "--config", str(cfg)], tmp_path)
    assert proc.returncode == 2
    assert "console.jurisdiction" in proc.stderr and "moon" in proc.stderr


def test_db_upgrade_then_current(tmp_path: Path) -> None:
    db = tmp_path / "shared.sqlite3"
    url = f"sqlite:///{db}"
    proc = _run(["db", "current", "--db", url], tmp_path)
    assert proc.returncode == 1 and "no database file" in proc.stderr
    assert not db.exists()  # looking does not create it
    proc = _run(["db", "upgrade", "--db", url], tmp_path)
    assert proc.returncode == 0, proc.stderr
    proc = _run(["db", "current", "--db", url], tmp_path)
    assert "upgrade needed" not in proc.stdout
    revision = proc.stdout.split("revision ")[1].split(",")[0]
    assert f"head {revision}" in proc.stdout


def test_import_districts_replaces_outlines_and_refuses_bad_files(tmp_path: Path) -> None:
    import json as _json

    db = tmp_path / "d.sqlite3"
    url = f"sqlite:///{db}"
    assert _run(["db", "upgrade", "--db", url], tmp_path).returncode == 0
    good = tmp_path / "official.geojson"
    good.write_text(_json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"adcode": "110101", "name": "东城区"},
        "geometry": {"type": "Polygon", "coordinates": [[[116.38, 39.86], [116.45, 39.86],
                                                          [116.45, 39.97], [116.38, 39.97],
                                                          [116.38, 39.86]]]}}]}),
        encoding="utf-8")
    proc = _run(["db", "import-districts", str(good), "--db", url], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "added: 110101" in proc.stdout
    bad = tmp_path / "bad.geojson"
    bad.write_text(_json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"adcode": "310101", "name": "黄浦区"},
        "geometry": {"type": "Polygon", "coordinates": [[[121.4, 31.2], [121.5, 31.2],
                                                          [121.5, 31.3], [121.4, 31.2]]]}}]}),
        encoding="utf-8")
    proc = _run(["db", "import-districts", str(bad), "--db", url], tmp_path)
    assert proc.returncode == 2
    assert "310101" in proc.stderr and "not a Beijing district" in proc.stderr
