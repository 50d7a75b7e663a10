"""The demo crew drives to its incident: the real vehicle simulator process, steered through
its stdin, reports over JT/T 808, and 到场 is sent only once a reported fix is within 100 m
(issue 17/9)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from app.demo.crews import CrewDrives, Drive
from app.demo.simulators import SimulatorProcess
from app.geo.coords import haversine_m
from app.tracking.jt808.simulator import terminal_identities

if TYPE_CHECKING:
    from conftest import Running

pytestmark = pytest.mark.integration

PHONE = terminal_identities(1)[0].phone
ISSI = 2269001


def test_the_crew_reports_on_scene_only_when_its_vehicle_is_there(
        start_server: Callable[..., Running], tmp_path: Path) -> None:
    running: Running = start_server()
    log_file = tmp_path / "sim-vehicles.log"
    sim = SimulatorProcess(
        "vehicle simulator",
        lambda: ["-m", "app", "sim-vehicles", "--server", f"127.0.0.1:{running.port}",
                 "--count", "1", "--interval", "0.5", "--seed", "3", "--lights-every", "0",
                 "--commands"],
        log_file, commands=True)
    radio: list[tuple[str, float]] = []  # (command, distance of the fix that caused it)
    fed: list[float] = []

    def to_radio(line: str) -> bool:
        radio.append((line, fed[-1]))
        return True

    crews = CrewDrives(sim.send, to_radio)
    sim.start()
    try:
        assert running.sink.wait_for(lambda reports: len(reports) >= 2, timeout=30), \
            log_file.read_text(errors="replace")
        first = running.sink.snapshot()[-1]
        # the incident: 250 m due north of where the vehicle is
        lat = first.location.latitude + 250 / 111_320.0
        lon = first.location.longitude
        assert sim.send("goto 99999 39.9 116.4")  # a bad command is answered, not fatal
        assert crews.order(Drive(1, "朝阳01", 7, PHONE, ISSI, lat, lon,
                                 ordered_at=first.location.time))
        seen = len(running.sink.snapshot())
        deadline = time.monotonic() + 75
        while not any("0x8004" in line for line, _ in radio):
            assert time.monotonic() < deadline, (radio, fed[-5:])
            assert sim.running, log_file.read_text(errors="replace")
            reports = running.sink.snapshot()
            for report in reports[seen:]:
                loc = report.location
                fed.append(haversine_m(loc.latitude, loc.longitude, lat, lon))
                crews.position(report.phone, loc.latitude, loc.longitude, loc.time)
                assert loc.speed_kmh <= 75  # urban speed on the way
            seen = len(reports)
            time.sleep(0.2)
    finally:
        sim.stop()
    assert [line for line, _ in radio] == [f"status {ISSI} 0x8003", f"status {ISSI} 0x8004"]
    on_scene_at = radio[1][1]
    assert on_scene_at <= 100
    before = fed[:fed.index(on_scene_at)]
    # it really drove there: many fixes on the way, every one of them farther than 100 m
    assert len(before) >= 10 and all(d > 100 for d in before)
    assert before[0] > 200 and radio[0][1] > 100  # 在途 while still on the way
    answers = [json.loads(line) for line in log_file.read_text(errors="replace").splitlines()
               if line.startswith("{")]
    assert any(a.get("ok") == "goto" and a.get("phone") == PHONE for a in answers)
    assert any("no simulated terminal" in str(a.get("error", "")) for a in answers)
