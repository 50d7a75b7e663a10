"""The diagnostics CLI and the simulator's command line, as installers run them."""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from radio_bridge.simulator import SimulatorServer
from radio_bridge.testing import wait_until

pytestmark = pytest.mark.integration

UNIT = 2269001


def cli(port: str, outbox: Path, *args: str) -> list[str]:
    return ["-m", "radio_bridge", "--port", port, "--outbox", str(outbox), *args]


def lines_until_exit(proc: Any, timeout: float = 15.0) -> list[str]:
    rc = proc.popen.wait(timeout)
    proc.finish()
    out = []
    while not proc.lines.empty():
        out.append(proc.lines.get_nowait())
    proc.rc = rc
    return out


def test_listen_json_prints_one_decoded_event_per_line(
        pty_radio: SimulatorServer, procs: Callable[..., Any], tmp_path: Path) -> None:
    p = procs(cli(pty_radio.port, tmp_path / "o.sqlite3", "listen", "--json", "--duration",
                  "2.5"), stdin=False)
    wait_until(lambda: pty_radio.stats()["commands"] >= 11, 10)  # init sequence done
    time.sleep(0.2)  # let the CLI's session mark the link up
    pty_radio.call(lambda m, n: m.emit_lip(UNIT, n))
    pty_radio.call(lambda m, n: m.emit_status(UNIT + 1, 0x8003, n))
    pty_radio.call(lambda m, n: m.emit_text(UNIT + 2, "收到", n))
    out = [json.loads(line) for line in lines_until_exit(p)]
    assert p.rc == 0
    by_type = {e["type"]: e for e in out}
    assert {"link_state", "own_identity", "location", "status", "text"} <= set(by_type)
    loc = by_type["location"]
    assert list(loc)[:2] == ["type", "source"] and loc["source"] == UNIT
    unit = pty_radio.model.units[UNIT]
    assert loc["latitude"] == pytest.approx(unit.lat, abs=2e-5)
    assert by_type["status"]["key"] == "en_route"
    assert by_type["text"]["text"] == "收到"
    assert pty_radio.stats()["reports_received"] == 1  # the CLI answered the report request


def test_send_text_and_status_print_the_outcome(
        pty_radio: SimulatorServer, procs: Callable[..., Any], tmp_path: Path) -> None:
    outbox = tmp_path / "o.sqlite3"
    p = procs(cli(pty_radio.port, outbox, "send-text", str(UNIT), "请到3号剧场", "--json"),
              stdin=False)
    out = [json.loads(x) for x in lines_until_exit(p)]
    assert p.rc == 0
    result = out[-1]
    assert result["type"] == "result" and result["state"] == "delivered"
    assert [h["state"] for h in result["history"]] == ["queued", "accepted", "sent",
                                                        "delivered"]
    p = procs(cli(pty_radio.port, outbox, "send-status", str(UNIT), "acknowledge"), stdin=False)
    out = lines_until_exit(p)
    assert p.rc == 0 and out[-1] == "result: sent"
    assert pty_radio.stats()["statuses_received"] == 1
    p = procs(cli(pty_radio.port, outbox, "send-text", "7654321", "x", "--timeout", "5"),
              stdin=False)
    out = lines_until_exit(p)
    assert p.rc == 1 and out[-1].startswith("result: failed")
    assert "destination not registered" in out[-1]


def test_send_text_without_a_radio_keeps_the_message_queued(
        procs: Callable[..., Any], tmp_path: Path) -> None:
    p = procs(cli(str(tmp_path / "no-such-port"), tmp_path / "o.sqlite3", "send-text",
                  str(UNIT), "later", "--timeout", "0.5"), stdin=False)
    out = lines_until_exit(p)
    assert p.rc == 2
    assert out[-1] == "result: queued (not final: kept in the outbox for the next run)"


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a POSIX pty")
def test_simulator_prints_its_pty_and_answers_control_commands(
        procs: Callable[..., Any]) -> None:
    p = procs(["-m", "radio_bridge.simulator", "--pty", "--quiet"])
    path = p.line()
    assert path.startswith("/dev/")
    assert stat.S_ISCHR(os.stat(path).st_mode)
    p.send("stats")
    assert json.loads(p.line()) == {"deliveries": 0, "distinct": 0, "reports_received": 0,
                                    "statuses_received": 0, "commands": 0, "hung": False}
    p.send("misbehave busy=0.5,slow=0.1")
    assert json.loads(p.line())["misbehaviour"]["busy"] == 0.5
    p.send("bogus")
    assert "error" in json.loads(p.line())
    p.send("quit")
    assert p.popen.wait(10) == 0
