"""PEI result-code parsers, the CME error table and the status plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from radio_bridge import DEFAULT_STATUS_PLAN, ProtocolError, StatusPlan, cme_message, pei
from radio_bridge.errors import CommandError
from radio_bridge.status import classify


def test_ctsdsr_header_field_counts() -> None:
    h = pei.parse_ctsdsr_header("13,1234567,0,2345678,0,16")
    assert (h.ai_service, h.source, h.destination, h.length_bits) == (13, 1234567, 2345678, 16)
    h = pei.parse_ctsdsr_header("12,262100101234567,1,262100102345678,1,808,1")
    assert (h.source, h.destination, h.length_bits, h.e2ee) == (1234567, 2345678, 808, 1)
    assert pei.parse_ctsdsr_header("12,2345678,84").source is None
    assert pei.parse_ctsdsr_header("12,2345678,0,84").length_bits == 84
    for bad in ("12,1,2,3,4", "x,1,0,2,0,16", "12,1,0,2,0,-5", ""):
        with pytest.raises(ProtocolError):
            pei.parse_ctsdsr_header(bad)


def test_cmgs_results() -> None:
    assert pei.parse_cmgs_accepted("0").instance == 0
    r = pei.parse_cmgs_result("0,4,7")
    assert (r.instance, r.status, r.reference, r.status_text) == (
        0, 4, 7, "outgoing successfully sent")
    with pytest.raises(ProtocolError):
        pei.parse_cmgs_result("0,4,300")


def test_call_events() -> None:
    c = pei.parse_cticn("1,0,0,5,09011638300023404,1,1,0,1,1,5,09011638300000001,0")
    assert (c.cc_instance, c.caller, c.called, c.is_group, c.simplex, c.priority) == (
        1, 23404, 1, True, 1, 0)
    short = pei.parse_cticn("1,0,0,5,23404,1,1,0,1,1,5,1000,0")
    assert short.called == 1000
    cc = pei.parse_ctcc("1,1,1,0,0,1,1")
    assert (cc.cc_instance, cc.comms_type) == (1, 1)
    rel = pei.parse_ctcr("1,13")
    assert rel.cause_text == "timer expiry (hang time)"
    own = pei.parse_ctxg("1,0,0,0")
    assert own.grant == 0 and own.talking_party is None
    other = pei.parse_ctxg("1,3,0,0,3,09011638300023404")
    assert other.talking_party == 23404 and other.grant_text == "granted to another user"
    assert pei.parse_cdtxc("1,0").cc_instance == 1
    assert pei.parse_cnumf("6,09011638300023401").ssi == 23401
    assert pei.parse_ctgs("1,09011638300000001") == 1
    assert pei.disconnect_text(99) == "cause 99"


def test_cme_errors_are_readable() -> None:
    assert cme_message(42) == "MT busy with signalling; retry later"
    assert cme_message(35).startswith("syntax error")
    assert cme_message(150) == "manufacturer-specific error 150"
    assert cme_message(47) == "unknown error 47"
    err = CommandError("AT+CMGS", "+CME ERROR: 42", 42)
    assert err.busy
    assert err.readable == "+CME ERROR 42: MT busy with signalling; retry later"
    assert not CommandError("AT", "ERROR", None).busy


def test_status_ranges() -> None:
    assert classify(0) == "emergency"
    assert classify(0x7C00) == "short_report"
    assert classify(0x7BFF) == "reserved"
    assert classify(0x8000) == "user"
    with pytest.raises(ValueError, match="16 bits"):
        classify(0x10000)


def test_default_plan_covers_the_unit_states() -> None:
    keys = {m.key for m in DEFAULT_STATUS_PLAN.values()}
    assert {"emergency", "available", "dispatched", "en_route", "on_scene", "clearing",
            "out_of_service", "off_duty"} <= keys
    assert DEFAULT_STATUS_PLAN[0].key == "emergency"
    assert DEFAULT_STATUS_PLAN.resolve("en_route") == 0x8003
    assert DEFAULT_STATUS_PLAN.resolve("0x8123") == 0x8123
    assert DEFAULT_STATUS_PLAN.resolve(32772) == 0x8004
    assert DEFAULT_STATUS_PLAN.describe(0x8123) == "status 0x8123"
    for bad in ("nonsense", 0x7E17):
        with pytest.raises(ValueError, match=r"status|short report"):
            DEFAULT_STATUS_PLAN.resolve(bad)


def test_plan_from_toml_and_mapping(tmp_path: Path) -> None:
    toml = tmp_path / "plan.toml"
    toml.write_text(
        '[status]\n0x8051 = "not_available"\n'
        '32850 = { key = "available", label = "Available", label_zh = "空闲" }\n',
        encoding="utf-8")
    plan = StatusPlan.from_toml(toml)
    assert plan[0x8052].label_zh == "空闲"
    assert plan.lookup(0x8051) is not None and plan.lookup(0x8051).key == "not_available"
    assert plan[0].key == "emergency"  # added when the plan does not define it
    assert StatusPlan.from_mapping(plan.to_mapping()) == plan
    with pytest.raises(ValueError, match="short report"):
        StatusPlan.from_mapping({0x7C01: "x"})
    with pytest.raises(ValueError, match="duplicate"):
        StatusPlan.from_mapping({0x8001: "a", 0x8002: "a"})
    with pytest.raises(ValueError, match="status plan"):
        StatusPlan.from_toml("[status\n")
