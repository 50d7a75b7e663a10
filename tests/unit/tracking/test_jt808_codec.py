"""JT/T 808 codec against the worked examples of PROTOCOLS.md §4.5 and its error handling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.tracking.jt808 import (
    Authentication,
    BatchLocations,
    BatchType,
    FrameError,
    FrameSplitter,
    Heartbeat,
    Location,
    PlatformGeneralReply,
    Reassembler,
    Registration,
    RegistrationReply,
    decode_body,
    decode_frame,
    encode_frame,
    encode_packets,
)
from app.tracking.jt808.wire import checksum, escape, pack_frame, unescape

# PROTOCOLS.md §4.5 (from the Traccar test suite)
LOCATION_FRAME = bytes.fromhex(
    "7e0200002c00160128561400030000000000040007005de13c065c6cdb00160000000017011710054201040000"
    "a9002a02000030011b310104e47e"
)
HEARTBEAT_2019 = bytes.fromhex("7E0002400001000000000172998417380000027E")
T0 = datetime(2024, 5, 1, 2, 30, 15, tzinfo=UTC)


def _frame_from(data_hex: str) -> bytes:
    """Frame unescaped header+body hex with its correct checksum."""
    data = bytes.fromhex(data_hex)
    return b"\x7e" + escape(data + bytes((checksum(data),))) + b"\x7e"


class TestWorkedExample:
    def test_location_frame_decodes_to_the_documented_values(self) -> None:
        frame = decode_frame(LOCATION_FRAME)
        assert frame.msg_id == 0x0200
        assert frame.phone == "001601285614"
        assert frame.serial == 3
        assert frame.version is None
        loc = frame.location
        assert loc is not None
        assert loc.latitude == pytest.approx(-6.152508, abs=1e-9)
        assert loc.longitude == pytest.approx(106.720475, abs=1e-9)
        assert loc.altitude_m == 22
        assert loc.speed_kmh == 0.0
        assert loc.heading_deg == 0
        assert loc.time == datetime(2017, 1, 17, 2, 5, 42, tzinfo=UTC)
        assert loc.alarm == 0
        assert loc.status == 0x00040007
        assert loc.acc_on
        assert loc.positioned
        assert loc.mileage_km == pytest.approx(4326.4)
        assert loc.io_status == 0
        assert loc.signal_strength == 27
        assert loc.satellites == 4
        assert loc.trailing == b""
        assert frame.locations == [loc]

    @pytest.mark.parametrize(
        ("offset", "utc_hour"),
        [(timedelta(0), 10), (0, 10), (timedelta(hours=8), 2), (-5, 15), (5.5, 4)],
    )
    def test_terminal_time_zone_is_applied(self, offset: timedelta | float, utc_hour: int) -> None:
        loc = decode_frame(LOCATION_FRAME, offset).location
        assert loc is not None
        assert loc.time.tzinfo is not None
        assert loc.time.utcoffset() == timedelta(0)
        assert loc.time.hour == utc_hour

    def test_reply_matches_documented_wire_bytes(self) -> None:
        reply = PlatformGeneralReply(reply_serial=3, reply_id=0x0200, result=0)
        assert encode_frame(reply, phone="001601285614", serial=1) == bytes.fromhex(
            "7E8001000500160128561400010003020000F97E"
        )

    @pytest.mark.parametrize(
        ("serial", "wire"),
        [
            (0x007E, "7E80010005001601285614007D020003020000867E"),
            (0x007D, "7E80010005001601285614007D010003020000857E"),
        ],
    )
    def test_escaping_examples(self, serial: int, wire: str) -> None:
        reply = PlatformGeneralReply(3, 0x0200, 0)
        encoded = encode_frame(reply, phone="001601285614", serial=serial)
        assert encoded == bytes.fromhex(wire)
        decoded = decode_frame(encoded)
        assert decoded.serial == serial
        assert decoded.message == reply

    def test_2019_heartbeat(self) -> None:
        frame = decode_frame(HEARTBEAT_2019)
        assert frame.msg_id == 0x0002
        assert frame.version == 1
        assert frame.header.is_2019
        assert frame.phone == "00000000017299841738"
        assert frame.serial == 0
        assert isinstance(frame.message, Heartbeat)
        assert encode_frame(Heartbeat(), phone="17299841738", serial=0, version=1) == HEARTBEAT_2019


class TestErrors:
    def test_frame_error_is_a_value_error(self) -> None:
        assert issubclass(FrameError, ValueError)

    def test_bad_checksum(self) -> None:
        bad = LOCATION_FRAME[:-2] + b"\xe5\x7e"
        with pytest.raises(FrameError, match="bad checksum: frame has 0xE5, computed 0xE4"):
            decode_frame(bad)

    def test_declared_length_differs_from_body(self) -> None:
        # the location frame's body with its last byte cut and the checksum recomputed
        data = unescape(LOCATION_FRAME[1:-2])[:-1]
        with pytest.raises(FrameError, match=r"declared body length 44 ≠ actual body length 43"):
            decode_frame(_frame_from(data.hex()))

    def test_truncated_header(self) -> None:
        with pytest.raises(FrameError, match="truncated header"):
            decode_frame(_frame_from("0200000000160128"))
        with pytest.raises(FrameError, match="truncated header"):
            decode_frame(b"\x7e\x02\x7e")

    def test_truncated_2019_header(self) -> None:
        # 2019 flag set but only a 2013-sized header present
        with pytest.raises(FrameError, match=r"truncated header.*2019 header needs 17"):
            decode_frame(_frame_from("00024000001601285614" + "0001"))

    def test_missing_flags(self) -> None:
        with pytest.raises(FrameError, match="0x7E flag"):
            decode_frame(LOCATION_FRAME[1:])
        with pytest.raises(FrameError, match="0x7E flag"):
            decode_frame(b"")

    def test_flag_inside_frame(self) -> None:
        with pytest.raises(FrameError, match="unescaped 0x7E"):
            decode_frame(LOCATION_FRAME[:20] + b"\x7e" + LOCATION_FRAME[20:])

    def test_bad_escape(self) -> None:
        with pytest.raises(FrameError, match="0x7D followed by 0x03"):
            decode_frame(b"\x7e\x02\x00\x7d\x03" + bytes(12) + b"\x7e")

    def test_bad_bcd_phone(self) -> None:
        with pytest.raises(FrameError, match="phone number is not valid BCD"):
            decode_frame(_frame_from("00020000" + "0016012856AB" + "0001"))

    def test_location_out_of_range_keeps_header_for_the_reply(self) -> None:
        body = (
            bytes(8) + (91_000_000).to_bytes(4, "big") + bytes(10) + bytes.fromhex("240501103015")
        )
        frame = pack_frame(0x0200, "013900000001", 7, body)
        with pytest.raises(FrameError, match="latitude out of range") as info:
            decode_frame(frame)
        assert info.value.header is not None
        assert info.value.header.serial == 7

    def test_invalid_time(self) -> None:
        body = bytes(22) + bytes.fromhex("241301103015")
        with pytest.raises(FrameError, match="invalid location time 241301103015"):
            decode_frame(pack_frame(0x0200, "013900000001", 1, body))

    def test_short_location(self) -> None:
        with pytest.raises(FrameError, match="location body truncated: 27 bytes"):
            decode_frame(pack_frame(0x0200, "013900000001", 1, bytes(27)))

    def test_batch_count_mismatch(self) -> None:
        loc = Location(39.9, 116.4, T0)
        body = encode_frame(
            BatchLocations(BatchType.NORMAL, (loc, loc)), phone="013900000001", serial=1
        )
        data = bytearray(unescape(body[1:-2]))
        data[13] = 3  # item count 2 → 3
        with pytest.raises(FrameError, match="batch declares 3 items but item 3 is missing"):
            decode_frame(_frame_from(data.hex()))

    def test_malformed_general_reply(self) -> None:
        with pytest.raises(FrameError, match="0x8001 body must be 5 bytes"):
            decode_frame(pack_frame(0x8001, "013900000001", 1, b"\x00\x01"))

    def test_garbage_type_raises_frame_error(self) -> None:
        with pytest.raises(FrameError):
            decode_frame("7e00007e")  # type: ignore[arg-type]


class TestTolerance:
    def test_unescaped_checksum_0x7d_is_accepted(self) -> None:
        for serial in range(256):
            frame = encode_frame(Heartbeat(), phone="013900000001", serial=serial)
            if frame.endswith(b"\x7d\x01\x7e"):
                break
        else:
            pytest.fail("no serial gives checksum 0x7D")
        sloppy = frame[:-3] + b"\x7d\x7e"
        assert decode_frame(sloppy).serial == serial

    def test_unknown_message_is_decoded_without_payload(self) -> None:
        frame = decode_frame(pack_frame(0x0900, "013900000001", 5, b"\x01\x02"))
        assert frame.msg_id == 0x0900
        assert frame.message is None
        assert frame.body == b"\x01\x02"

    def test_encrypted_body_is_not_parsed(self) -> None:
        frame = decode_frame(pack_frame(0x0200, "013900000001", 5, b"\xff" * 30, encryption=1))
        assert frame.header.encryption == 1
        assert frame.message is None

    def test_vendor_trailing_bytes_do_not_cost_the_position(self) -> None:
        loc = Location(39.9, 116.4, T0, items=((0x30, b"\x1b"),))
        frame = encode_frame(loc, phone="013900000001", serial=1)
        data = unescape(frame[1:-2])
        body = data[12:] + b"\x31\x05\x01"  # item 0x31 claims 5 bytes, only 1 follows
        patched = pack_frame(0x0200, "013900000001", 1, body)
        decoded = decode_frame(patched).location
        assert decoded is not None
        assert decoded.latitude == 39.9
        assert decoded.signal_strength == 27
        assert decoded.trailing == b"\x31\x05\x01"

    def test_2011_registration_layout(self) -> None:
        body = (
            bytes.fromhex("000b0064")
            + b"ABCDE"
            + b"MODEL8\x00\x00"
            + b"ID12345"
            + b"\x01"
            + "京A12345".encode("gbk")
        )
        frame = decode_frame(pack_frame(0x0100, "013900000001", 1, body))
        reg = frame.registration
        assert reg == Registration(11, 100, "ABCDE", "MODEL8", "ID12345", 1, "京A12345")


class TestMessages:
    @pytest.mark.parametrize("version", [None, 1])
    def test_registration_fields_and_sizes(self, version: int | None) -> None:
        reg = Registration(11, 105, "MAKER", "VT-808", "T123456", 2, "京B6Y789")
        frame = encode_frame(reg, phone="013912345678", serial=9, version=version)
        decoded = decode_frame(frame)
        assert decoded.registration == reg
        expected_len = 4 + (11 + 30 + 30 if version else 5 + 20 + 7) + 1 + 8
        assert len(decoded.body) == expected_len

    def test_2019_authentication_layout(self) -> None:
        auth = Authentication("code-1", imei="861234567890123", software_version="2.1.0")
        frame = decode_frame(encode_frame(auth, phone="13912345678", serial=1, version=1))
        assert frame.body[0] == 6
        assert len(frame.body) == 1 + 6 + 15 + 20
        assert frame.message == auth
        assert frame.auth_code == "code-1"

    def test_2013_authentication_is_the_whole_body(self) -> None:
        frame = decode_frame(encode_frame(Authentication("AB12"), phone="1", serial=1))
        assert frame.body == b"AB12"
        assert frame.auth_code == "AB12"

    def test_registration_reply_only_carries_code_on_success(self) -> None:
        ok = RegistrationReply(4, 0, "secret")
        refused = RegistrationReply(4, 4, "secret")
        assert decode_frame(encode_frame(ok, phone="1", serial=1)).message == ok
        wire = decode_frame(encode_frame(refused, phone="1", serial=1))
        assert wire.body == b"\x00\x04\x04"
        assert wire.message == RegistrationReply(4, 4, "")

    def test_location_additional_items(self) -> None:
        items = (
            (0x01, (123456).to_bytes(4, "big")),
            (0x02, (455).to_bytes(2, "big")),
            (0x03, (601).to_bytes(2, "big")),
            (0x04, (9).to_bytes(2, "big")),
            (0x11, bytes.fromhex("0100000007")),
            (0x12, bytes.fromhex("020000000301")),
            (0x13, bytes.fromhex("00000005003c01")),
            (0x25, (5).to_bytes(4, "big")),
            (0x2B, bytes.fromhex("00640032")),
            (0xE1, b"vendor"),
        )
        loc = Location(39.9, 116.4, T0, items=items)
        decoded = decode_frame(encode_frame(loc, phone="1", serial=1)).location
        assert decoded == loc
        assert decoded.mileage_km == pytest.approx(12345.6)
        assert decoded.fuel_l == pytest.approx(45.5)
        assert decoded.tacho_speed_kmh == pytest.approx(60.1)
        assert decoded.manual_alarm_id == 9
        assert decoded.overspeed_extra == (1, 7)
        assert decoded.area_extra == (2, 3, 1)
        assert decoded.route_time_extra == (5, 60, 1)
        assert decoded.vehicle_signal_status == 5
        assert decoded.analog_inputs == (0x32, 0x64)
        assert decoded.item(0xE1) == b"vendor"
        assert decoded.satellites is None

    def test_western_and_southern_hemispheres(self) -> None:
        loc = Location(-33.8688, -70.6693, T0)
        decoded = decode_frame(encode_frame(loc, phone="1", serial=1)).location
        assert decoded is not None
        assert (decoded.latitude, decoded.longitude) == (-33.8688, -70.6693)
        assert decoded.status & 0b1100 == 0b1100

    def test_negative_altitude_survives(self) -> None:
        loc = Location(31.5, 35.5, T0, altitude_m=-430)
        decoded = decode_frame(encode_frame(loc, phone="1", serial=1)).location
        assert decoded is not None
        assert decoded.altitude_m == -430


class TestSplitter:
    def _frames(self) -> list[bytes]:
        return [
            encode_frame(Location(39.9, 116.4, T0, alarm=0x7E7D), phone="013900000001", serial=s)
            for s in (0x7E, 0x7D, 3)
        ] + [HEARTBEAT_2019]

    def test_every_split_point(self) -> None:
        frames = self._frames()
        stream = b"".join(frames)
        for cut in range(len(stream) + 1):
            splitter = FrameSplitter()
            out = splitter.feed(stream[:cut]) + splitter.feed(stream[cut:])
            assert out == frames, cut
            assert splitter.buffered <= 1

    def test_byte_by_byte(self) -> None:
        frames = self._frames()
        splitter = FrameSplitter()
        out: list[bytes] = []
        for byte in b"".join(frames):
            out += splitter.feed(bytes((byte,)))
        assert out == frames

    def test_garbage_between_frames_is_skipped_and_counted(self) -> None:
        frames = self._frames()
        splitter = FrameSplitter()
        out = splitter.feed(b"junk" + frames[0] + b"\x00\x01" + frames[1] + frames[2])
        good = [f for f in out if f in frames]
        assert good == frames[:3]
        assert splitter.garbage_bytes >= 6

    def test_shared_flag_between_frames(self) -> None:
        a, b = self._frames()[:2]
        out = FrameSplitter().feed(a + b[1:])  # 7E A 7E B 7E
        assert [decode_frame(f).serial for f in out] == [0x7E, 0x7D]

    def test_buffer_is_bounded(self) -> None:
        splitter = FrameSplitter(max_frame_bytes=100)
        assert splitter.feed(b"\x7e" + b"\x01" * 150) == []
        assert splitter.oversize == 1
        assert splitter.buffered == 0
        assert splitter.feed(HEARTBEAT_2019) == [HEARTBEAT_2019]

    def test_oversize_complete_frame_dropped(self) -> None:
        splitter = FrameSplitter(max_frame_bytes=30)
        assert splitter.feed(LOCATION_FRAME + HEARTBEAT_2019) == [HEARTBEAT_2019]
        assert splitter.oversize == 1


class TestReassembly:
    def _packets(self, count: int = 70) -> tuple[BatchLocations, list[bytes]]:
        batch = BatchLocations(
            BatchType.BLIND_AREA,
            tuple(
                Location(round(39.9 + i / 1000, 6), 116.4, T0 + timedelta(seconds=i))
                for i in range(count)
            ),
        )
        return batch, encode_packets(batch, phone="013900000001", serial=0xFFFE, max_body=500)

    def test_out_of_order_packets_rebuild_the_batch(self) -> None:
        batch, packets = self._packets()
        assert len(packets) > 2
        frames = [decode_frame(p) for p in packets]
        assert all(f.is_fragment and f.message is None for f in frames)
        assert [f.serial for f in frames[:3]] == [0xFFFE, 0xFFFF, 0]
        reassembler = Reassembler()
        order = list(reversed(frames))
        results = [reassembler.add(f.header, f.body, 0.0) for f in order]
        assert results[:-1] == [None] * (len(order) - 1)
        whole = results[-1]
        assert whole is not None
        header, body = whole
        assert header.packet is None
        assert header.serial == 0xFFFE
        assert decode_body(header, body) == batch
        assert reassembler.pending == 0

    def test_unfinished_messages_expire(self) -> None:
        _, packets = self._packets()
        frame = decode_frame(packets[0])
        reassembler = Reassembler(timeout_s=10)
        assert reassembler.add(frame.header, frame.body, 0.0) is None
        assert reassembler.expire(5.0) == 0
        assert reassembler.expire(11.0) == 1
        assert reassembler.pending == 0

    def test_packet_total_limit(self) -> None:
        _, packets = self._packets()
        frame = decode_frame(packets[0])
        with pytest.raises(FrameError, match="exceeds the limit of 2"):
            Reassembler(max_packets=2).add(frame.header, frame.body, 0.0)

    def test_pending_messages_are_bounded(self) -> None:
        reassembler = Reassembler(max_messages=2)
        for n in range(5):
            frame = decode_frame(
                encode_packets(
                    BatchLocations(0, (Location(39.9, 116.4, T0),) * 40),
                    phone=f"01390000000{n}",
                    serial=0,
                    max_body=300,
                )[0]
            )
            reassembler.add(frame.header, frame.body, float(n))
        assert reassembler.pending == 2
        assert reassembler.dropped == 3
