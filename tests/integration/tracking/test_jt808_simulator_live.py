"""Virtual terminals against the live server: driving, blind areas, server restart, CLI."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from typing import TYPE_CHECKING

import pytest

from app.tracking.jt808 import ReportSource
from app.tracking.jt808.memory import MemorySink
from app.tracking.jt808.simulator import (
    BEIJING_BOUNDS,
    SimulatorThread,
    main,
    terminal_identities,
)

if TYPE_CHECKING:
    from conftest import Running

pytestmark = pytest.mark.integration


def phones_seen(running: Running) -> set[str]:
    return {r.phone for r in running.sink.snapshot()}


def test_simulated_fleet_drives_through_beijing(start_server) -> None:
    running: Running = start_server()
    ids = terminal_identities(8)
    sim = SimulatorThread(
        f"127.0.0.1:{running.port}",
        8,
        seed=42,
        interval_s=0.1,
        blind_probability=0.15,
        sos_probability=0.02,
        heartbeat_s=0.3,
    )
    sim.start()
    try:
        assert running.sink.wait_for(
            lambda reports: (
                {r.phone for r in reports} == {i.phone for i in ids}
                and any(r.source is ReportSource.BLIND_AREA for r in reports)
                and len(reports) > 120
            ),
            timeout=20,
        )
    finally:
        sim.stop(10)
    reports = running.sink.snapshot()
    south, west, north, east = BEIJING_BOUNDS
    assert all(south <= r.location.latitude <= north for r in reports)
    assert all(west <= r.location.longitude <= east for r in reports)
    assert all(0 <= r.location.speed_kmh <= 90 for r in reports)
    assert {r.version for r in reports} == {None, 1}  # 2013 and 2019 terminals
    assert {len(r.phone) for r in reports if r.version == 1} == {20}
    per_phone = Counter(r.phone for r in reports)
    assert min(per_phone.values()) >= 3
    assert sim.stats is not None
    assert sim.stats.registrations == 8
    assert sim.stats.batch_items_acked > 0
    # every stored live report was acknowledged exactly once, nothing duplicated
    live = [r for r in reports if r.source is ReportSource.LIVE]
    assert len(live) == sim.stats.reports_acked
    assert len(reports) - len(live) == sim.stats.batch_items_acked


def test_terminals_reconnect_after_server_restart(start_server) -> None:
    first: Running = start_server()
    port = first.port
    sim = SimulatorThread(
        f"127.0.0.1:{port}",
        6,
        seed=7,
        interval_s=0.1,
        blind_probability=0.0,
        sos_probability=0.0,
    )
    sim.start()
    try:
        ids = {i.phone for i in terminal_identities(6)}
        assert first.sink.wait_for(lambda r: {x.phone for x in r} == ids, timeout=15)
        first.stop()
        assert not first.server.listening
        registrations = len(first.registry.registrations)
        # same port, same registry (auth codes survive in the database), fresh sink
        second: Running = start_server(port=port, registry=first.registry, sink=MemorySink())
        assert second.sink.wait_for(lambda r: {x.phone for x in r} == ids, timeout=30)
        assert second.server.stats.authenticated >= 6
        # they came back with their stored auth codes instead of registering again
        assert len(second.registry.registrations) == registrations
    finally:
        sim.stop(10)
    assert sim.stats is not None
    assert sim.stats.connects >= 12


def test_cli_main_runs_for_a_duration(start_server, capsys: pytest.CaptureFixture[str]) -> None:
    running: Running = start_server()
    argv = ["--server", f"127.0.0.1:{running.port}", "--count", "3", "--interval", "0.1"]
    argv += ["--duration", "1.5", "--seed", "1"]
    code = main(argv)
    assert code == 0
    assert len(phones_seen(running)) == 3
    assert "reports_acked=" in capsys.readouterr().out


def test_cli_rejects_bad_server(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--server", "nowhere", "--count", "1"])
    assert info.value.code == 2
    assert "HOST:PORT" in capsys.readouterr().err


@pytest.mark.slow
def test_module_entry_point(start_server) -> None:
    running: Running = start_server()
    command = [sys.executable, "-W", "error", "-m", "app.tracking.jt808.simulator"]
    command += ["--server", f"127.0.0.1:{running.port}", "--count", "2", "--interval", "0.2"]
    command += ["--duration", "1.0"]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "reports_acked=" in result.stdout
    assert len(phones_seen(running)) == 2
