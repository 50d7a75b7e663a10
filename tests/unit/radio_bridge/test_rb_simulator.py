"""The simulated radio's protocol behaviour (no I/O)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from radio_bridge import lip, sdstl
from radio_bridge.at import FinalResult, LineReader, Response, Unsolicited
from radio_bridge.simulator import Misbehaviour, RadioModel, SimulatorServer, control, ledger_stats


def talk(model: RadioModel, data: bytes, now: float = 0.0, until: float = 10.0) -> list[object]:
    model.feed(data, now)
    return LineReader().feed(model.poll(until))


def test_misbehaviour_spec() -> None:
    mb = Misbehaviour.parse("busy=0.2, garbage=0.05,slow=0.5,drop=30,hang-on-send")
    assert mb == Misbehaviour(busy=0.2, garbage=0.05, slow=0.5, drop_every=30.0,
                              hang_on_send=True)
    assert Misbehaviour.parse("none") == Misbehaviour()
    for bad in ("loud=1", "busy=x", "busy=-1"):
        with pytest.raises(ValueError, match="misbehaviour"):
            Misbehaviour.parse(bad)


def test_init_answers_echo_and_duplicate_pid_registration() -> None:
    m = RadioModel(seed=1, fleet=2, activity_interval=0)
    items = talk(m, b"AT\r")
    assert items[-1] == FinalResult("OK", ok=True) and len(items) == 2  # echo + OK
    assert talk(m, b"ATE0\r")[-1] == FinalResult("OK", ok=True)
    assert talk(m, b"AT+CTSP=1,3,10\r") == [FinalResult("OK", ok=True)]
    assert talk(m, b"AT+CTSP=1,3,10\r") == [FinalResult("+CME ERROR: 38", ok=False, code=38)]
    assert talk(m, b"AT+CNUMF?\r")[0] == Response("+CNUMF", "6,04600000102000001",
                                                  "+CNUMF: 6,04600000102000001")
    assert talk(m, b"AT+BOGUS\r") == [FinalResult("+CME ERROR: 4", ok=False, code=4)]


def test_cmgs_both_results_and_delivery_report() -> None:
    m = RadioModel(seed=1, fleet=2, activity_interval=0, air_delay=0.1, report_delay=0.2)
    talk(m, b"ATE0\rAT+CTSDS=12,0,0,0,0\r")
    (pdu,) = sdstl.build_text("hi", [0x33])
    m.feed(f"AT+CMGS=2269001,{len(pdu) * 8}\r\n{pdu.hex().upper()}".encode() + b"\x1a", 0.0)
    reader = LineReader()
    assert reader.feed(m.poll(0.0)) == [Response("+CMGS", "0", "+CMGS: 0"),
                                        FinalResult("OK", ok=True)]
    assert reader.feed(m.poll(0.15)) == [Unsolicited("+CMGS", "0,4,51", "+CMGS: 0,4,51")]
    (report,) = reader.feed(m.poll(0.3))
    assert isinstance(report, Unsolicited) and report.payload == "82100033"
    assert m.stats()["distinct"] == 1


def test_busy_hang_and_bad_user_data() -> None:
    m = RadioModel(seed=1, fleet=1, activity_interval=0,
                   misbehaviour=Misbehaviour(busy=1.0))
    talk(m, b"ATE0\r")
    assert talk(m, b"AT+CMGS=2269001,16\r\n8004\x1a")[-1] == FinalResult(
        "+CME ERROR: 42", ok=False, code=42)
    assert talk(m, b"AT+CMGS=2269001,16\r\nXYZ\r")[-1] == FinalResult(
        "+CME ERROR: 35", ok=False, code=35)  # an AT typed into the SDS input
    m.misbehaviour = Misbehaviour(hang_on_send=True)
    assert talk(m, b"AT+CMGS=2269001,16\r\n8004\x1a") == []
    assert m.hung and m.stats()["deliveries"] == 1
    assert talk(m, b"AT\r") == []


def test_location_request_is_answered_with_reason_32() -> None:
    m = RadioModel(seed=1, fleet=1, activity_interval=0, report_delay=0.0, air_delay=0.0)
    talk(m, b"ATE0\r")
    payload, bits = lip.immediate_request()
    items = talk(m, f"AT+CMGS=2269001,{bits}\r\n{payload}".encode() + b"\x1a")
    reports = [i for i in items if isinstance(i, Unsolicited) and i.prefix == "+CTSDSR"]
    assert len(reports) == 1 and reports[0].payload is not None
    assert lip.decode(reports[0].payload, 84).reason == 32


def test_sepura_style_lip_has_an_odd_number_of_digits() -> None:
    m = RadioModel(seed=1, fleet=1, activity_interval=0, vendor="sepura")
    m.emit_lip(2269001, 0.0)
    (item,) = LineReader().feed(m.poll(1.0))
    assert isinstance(item, Unsolicited) and item.payload is not None
    assert len(item.payload) == 21 and item.args.endswith(",84")


def test_fleet_activity_is_generated_when_not_quiet() -> None:
    m = RadioModel(seed=2, fleet=5, activity_interval=0.1)
    out = b""
    for step in range(200):
        m.tick(step * 0.05)
        out += m.poll(step * 0.05)
    prefixes = {i.prefix for i in LineReader().feed(out) if isinstance(i, Unsolicited)}
    assert "+CTSDSR" in prefixes and len(prefixes) >= 2


def test_ledger_and_control_commands(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.jsonl"
    m = RadioModel(seed=1, fleet=1, activity_interval=0, ledger=ledger)
    talk(m, b"ATE0\r")
    (pdu,) = sdstl.build_text("x", [9])
    frame = f"AT+CMGS=2269001,{len(pdu) * 8}\r\n{pdu.hex().upper()}".encode() + b"\x1a"
    talk(m, frame + frame + b"AT+CTSDS=13,0\r" + b"AT+CMGS=2269001,16\r\n8004\x1a")
    assert ledger_stats(ledger) == {"deliveries": 2, "distinct": 1}
    assert len(ledger.read_text(encoding="utf-8").splitlines()) == 3  # the status too
    assert ledger_stats(tmp_path / "missing") == {"deliveries": 0, "distinct": 0}
    server = SimulatorServer(m)
    assert control(server, "stats")["deliveries"] == 3
    assert control(server, "text 2269001 你好 世界") == {"ok": "text", "references": [
        m.units[2269001].next_ref]}
    assert control(server, "status 2269001 0x8003") == {"ok": "status"}
    assert control(server, "misbehave busy=1")["misbehaviour"]["busy"] == 1.0
    assert "error" in control(server, "status x")
    assert "error" in control(server, "nope")
    assert json.dumps(control(server, "call 9001 2269001"))
