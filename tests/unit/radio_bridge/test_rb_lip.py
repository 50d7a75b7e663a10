"""LIP decoding against the worked examples of PROTOCOLS.md §3 and round trips."""

from __future__ import annotations

import pytest

from radio_bridge import ProtocolError, lip


@pytest.mark.parametrize("payload", ["0A0BA7D5B95BC50AFFE16", "0A0BA7D5B95BC50AFFE160"])
def test_sepura_report_western_hemisphere(payload: str) -> None:
    r = lip.decode(payload, 84)
    assert r.kind == "short"
    assert r.latitude == pytest.approx(30.565692, abs=1e-6)
    assert r.longitude == pytest.approx(-97.748891, abs=1e-6)
    assert r.position_error_m == 200
    assert r.speed_kmh is None  # code 127 = unknown
    assert r.heading_deg is None  # meaningless with unknown speed
    assert r.reason == 22
    assert r.reason_text == "regained ability to determine location"
    assert r.time_elapsed == 0


@pytest.mark.parametrize("payload", ["0A06B86D067EA5F9588810", "0A06B86D067EA5F958881",
                                     "0a06b86d067ea5f958881"])
def test_southern_hemisphere_with_speed_padded_and_unpadded(payload: str) -> None:
    r = lip.decode(payload, 84)
    assert r.latitude == pytest.approx(-33.8688, abs=1e-5)
    assert r.longitude == pytest.approx(151.2093, abs=1e-5)
    assert r.speed_kmh == pytest.approx(50.84, abs=0.01)
    assert r.heading_deg == 90.0
    assert r.position_error_m == 20
    assert r.reason == 129


def test_encoder_reproduces_the_test_vector() -> None:
    args = {"position_error_code": 1, "speed_kmh": 50, "heading_deg": 90, "reason": 129}
    assert lip.encode_short(-33.8688, 151.2093, **args) == ("0A06B86D067EA5F9588810", 84)
    assert lip.encode_short(-33.8688, 151.2093, padded=False, **args) == (
        "0A06B86D067EA5F958881", 84)


@pytest.mark.parametrize(("code", "metres"), [(0, 2), (1, 20), (2, 200), (3, 2000), (4, 20000),
                                              (5, 200000), (6, None), (7, None)])
def test_position_error_upper_bounds(code: int, metres: int | None) -> None:
    payload, bits = lip.encode_short(39.9, 116.4, position_error_code=code)
    assert lip.decode(payload, bits).position_error_m == metres


def test_user_defined_data_instead_of_reason() -> None:
    payload, bits = lip.encode_short(39.9, 116.4, user_data=0xA5)
    r = lip.decode(payload, bits)
    assert r.reason is None and r.user_data == 0xA5


def test_speed_codes() -> None:
    assert lip.decode_speed(0) == 0.0
    assert lip.decode_speed(28) == 28.0
    assert lip.decode_speed(29) == pytest.approx(29.06, abs=0.01)
    assert lip.decode_speed(125) == pytest.approx(1042.9, abs=0.1)
    assert lip.decode_speed(126) == 1043.0
    assert lip.decode_speed(127) is None
    assert lip.encode_speed(None) == 127
    assert lip.encode_speed(50) == 44
    assert lip.encode_speed(5000) == 126
    assert lip.encode_heading(359) == 0
    assert lip.encode_heading(90) == 4


def test_long_report_round_trip() -> None:
    payload, bits = lip.encode_long(39.9042, 116.4074, speed_kmh=36, heading_deg=200,
                                    altitude_m=52, reason=3)
    r = lip.decode(payload, bits)
    assert r.kind == "long"
    assert r.latitude == pytest.approx(39.9042, abs=1e-5)
    assert r.longitude == pytest.approx(116.4074, abs=1e-5)
    assert r.altitude_m == 52
    assert r.heading_deg == pytest.approx(200, abs=1.5)
    assert r.speed_kmh == pytest.approx(36, rel=0.04)
    assert r.reason == 3
    payload, bits = lip.encode_long(-1.0, -2.0, position_error_code=2, padded=False)
    r = lip.decode(payload, bits)
    assert r.position_error_m == 200 and r.heading_deg is None


def test_immediate_location_request_matches_tetrajs() -> None:
    assert lip.immediate_request() == ("0A4580", 24)


@pytest.mark.parametrize(("payload", "bits", "message"), [
    ("0B0BA7D5B95BC50AFFE16", 84, "not LIP"),
    ("0A0BA7D5B95BC50AFFE1", 84, "header says"),
    ("0A0BA7D5B9", 40, "needs"),
    ("0A4580", 24, "not a location report"),
    ("0AC0", 16, "reserved LIP PDU type"),
    ("zz", 8, "not hex"),
    ("0A", 0, "not positive"),
])
def test_malformed_reports_raise_protocol_error(payload: str, bits: int, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        lip.decode(payload, bits)


def test_protocol_error_is_a_value_error() -> None:
    assert issubclass(ProtocolError, ValueError)
