"""The JT/T 808 server on a real loopback socket."""

from __future__ import annotations

import random
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from app.tracking.jt808 import (
    Authentication,
    BatchLocations,
    BatchType,
    Heartbeat,
    Location,
    PlatformGeneralReply,
    RegistrationRefused,
    RegistrationReply,
    ReportSource,
    VehicleEventKind,
    encode_frame,
)
from app.tracking.jt808.client import BlockingTerminal
from app.tracking.jt808.codec import encode_packets
from app.tracking.jt808.memory import MemoryRegistry, MemorySink
from app.tracking.jt808.wire import pack_frame

if TYPE_CHECKING:
    from conftest import Running

pytestmark = pytest.mark.integration

PHONE = "013900000001"
PHONE_2019 = "00000000013900000004"
T0 = datetime(2024, 5, 1, 2, 0, tzinfo=UTC)


def fix(n: int, *, alarm: int = 0, speed: float = 30.0) -> Location:
    return Location(
        latitude=round(39.9 + n / 10_000, 6),
        longitude=116.4,
        time=T0 + timedelta(seconds=n),
        speed_kmh=speed,
        heading_deg=90,
        alarm=alarm,
    )


def terminal(running: Running, phone: str = PHONE, version: int | None = None) -> BlockingTerminal:
    return BlockingTerminal(running.host, running.port, phone, version=version, timeout=5.0)


# --------------------------------------------------------------------------- sessions


def test_register_authenticate_and_report(start_server) -> None:
    running = start_server()
    with terminal(running) as term:
        reg_serial = term.serial
        reply = term.register()
        assert reply.reply_serial == reg_serial
        assert reply.result == 0
        assert reply.auth_code == running.registry.records()[PHONE].auth_code
        assert term.authenticate(reply.auth_code).result == 0
        serial = term.serial
        ack = term.report(fix(1))
        assert ack == PlatformGeneralReply(serial, 0x0200, 0)
    assert running.sink.wait_for(lambda r: len(r) == 1)
    stored = running.sink.snapshot()[0]
    assert stored.phone == PHONE
    assert stored.location == fix(1)
    assert stored.source is ReportSource.LIVE
    assert stored.received_at.tzinfo is not None
    assert running.recorder.wait_for("registered")[0][0] == PHONE
    assert running.recorder.wait_for("authenticated")[0] == (PHONE,)
    running.recorder.wait_for("disconnected")


def test_2019_terminal_is_answered_in_2019_format(start_server) -> None:
    running = start_server()
    with terminal(running, PHONE_2019, version=1) as term:
        term.login()
        term.send_raw(term.frames_for(fix(1))[0])
        answer = term.recv()
        assert answer.version == 1
        assert answer.phone == PHONE_2019
        assert answer.header.is_2019
    assert running.sink.wait_for(lambda r: len(r) == 1)
    assert running.sink.snapshot()[0].phone == PHONE_2019
    assert running.sink.snapshot()[0].version == 1


def test_known_terminal_authenticates_with_stored_code(start_server) -> None:
    registry = MemoryRegistry({PHONE: "s3cret"})
    running = start_server(registry=registry, accept_unknown_terminals=False)
    with terminal(running) as term:
        assert term.authenticate("wrong").result == 1
        assert term.report(fix(1)).result == 1  # not authenticated: refused
        assert term.authenticate("s3cret").result == 0
        assert term.report(fix(2)).result == 0
        assert term.heartbeat().result == 0
    assert running.sink.wait_for(lambda r: len(r) == 1)
    assert [r.location.time for r in running.sink.snapshot()] == [fix(2).time]
    assert running.recorder.of("rejected") == [(PHONE, "wrong authentication code")]


def test_unknown_terminal_rejected_and_logged(start_server, caplog) -> None:
    running = start_server(accept_unknown_terminals=False)
    with terminal(running, "013999999999") as term:
        reply = term.register()
        assert reply == RegistrationReply(0, 4, "")  # terminal not in database, no code
        assert term.wait_closed(5.0)
    running.recorder.wait_for("rejected")
    assert running.recorder.of("rejected")[0] == ("013999999999", "unknown terminal")
    assert running.registry.records() == {}
    assert any(
        r.name == "app.tracking.jt808.server"
        and r.levelname == "WARNING"
        and "013999999999" in r.getMessage()
        and "rejected" in r.getMessage()
        for r in caplog.records
    )


def test_sink_refusal_makes_terminal_retry(start_server) -> None:
    sink = MemorySink(accept=False)
    running = start_server(sink=sink)
    with terminal(running) as term:
        term.login()
        assert term.report(fix(1)).result == 1  # failure: terminal keeps it
        sink.accept = True
        assert term.report(fix(1)).result == 0
    assert len(sink.snapshot()) == 1
    assert running.server.stats.positions_refused == 1


def test_unsupported_and_malformed_messages_are_answered(start_server) -> None:
    running = start_server()
    with terminal(running) as term:
        term.login()
        term.send_raw(pack_frame(0x0900, PHONE, 100, b"\x01"))
        assert term.answer_to(100) == PlatformGeneralReply(100, 0x0900, 3)
        bad_body = bytes(8) + (95_000_000).to_bytes(4, "big") + bytes(10) + bytes(6)
        term.send_raw(pack_frame(0x0200, PHONE, 101, bad_body))
        assert term.answer_to(101) == PlatformGeneralReply(101, 0x0200, 2)
        assert term.report(fix(1)).result == 0  # the connection still works
    assert running.sink.wait_for(lambda r: len(r) == 1)


# --------------------------------------------------------------------------- stream handling


def test_frames_split_and_joined_across_reads(start_server) -> None:
    running = start_server()
    with terminal(running) as term:
        term.login()
        first = term.serial
        frames = [f for n in range(6) for f in term.frames_for(fix(n))]
        term.send_raw(b"".join(frames[:3]))  # three frames in one write
        for frame in frames[3:]:  # the rest byte by byte
            for i in range(len(frame)):
                term.send_raw(frame[i : i + 1])
                if i % 7 == 0:
                    time.sleep(0.001)
        acked = sorted(term.answer_to(first + n).reply_serial for n in range(6))
        assert acked == [first + n for n in range(6)]
    assert running.sink.wait_for(lambda r: len(r) == 6)
    assert [r.location for r in running.sink.snapshot()] == [fix(n) for n in range(6)]


def test_subpackaged_blind_area_batch(start_server) -> None:
    running = start_server()
    batch = BatchLocations(BatchType.BLIND_AREA, tuple(fix(n, speed=n % 50) for n in range(80)))
    with terminal(running, PHONE_2019, version=1) as term:
        term.login()
        assert len(encode_packets(batch, phone=PHONE_2019, serial=0, version=1)) > 1
        assert term.general(batch).result == 0
        assert term.report(fix(100)).result == 0
    assert running.sink.wait_for(lambda r: len(r) == 81)
    stored = running.sink.snapshot()
    assert [r.location for r in stored[:80]] == list(batch.locations)
    assert {r.source for r in stored[:80]} == {ReportSource.BLIND_AREA}
    state = running.server.tracker.state(PHONE_2019)
    assert state is not None
    assert state.location == fix(100)  # back-fill did not move the vehicle back


def test_garbage_and_half_frames_do_not_disturb_a_good_terminal(start_server) -> None:
    running = start_server(max_consecutive_errors=10, max_garbage_bytes=4096)
    stop = threading.Event()
    good_acks: list[int] = []
    good_errors: list[BaseException] = []

    def good_terminal() -> None:
        try:
            with terminal(running, "013900000777") as term:
                term.login()
                n = 0
                while not stop.is_set() or n < 40:
                    good_acks.append(term.report(fix(n)).result)
                    n += 1
                    time.sleep(0.005)
        except BaseException as exc:  # recorded for the main thread
            good_errors.append(exc)

    worker = threading.Thread(target=good_terminal, name="good-terminal")
    worker.start()
    rng = random.Random(808)
    closed_by_server = 0
    valid = encode_frame(fix(1), phone="013900000666", serial=1)
    for round_no in range(30):
        sock = socket.create_connection(("127.0.0.1", running.port), timeout=5)
        try:
            kind = round_no % 5
            try:
                if kind == 0:  # random garbage
                    sock.sendall(rng.randbytes(6000))
                elif kind == 1:  # half a frame, then hang up
                    sock.sendall(valid[: rng.randint(1, len(valid) - 1)])
                elif kind == 2:  # frames with a flipped bit
                    for _ in range(15):
                        broken = bytearray(valid)
                        broken[rng.randrange(1, len(valid) - 1)] ^= 1 << rng.randrange(8)
                        sock.sendall(bytes(broken))
                elif kind == 3:  # endless frame without closing flag
                    sock.sendall(b"\x7e" + b"\x01" * 5000)
                else:  # unauthenticated but well-formed reports
                    for s in range(15):
                        sock.sendall(encode_frame(fix(s), phone="013900000666", serial=s))
            except OSError:  # the server hung up on us mid-send
                closed_by_server += 1
                continue
            if kind in (0, 2, 3, 4):
                sock.settimeout(5)
                try:
                    while sock.recv(65536):
                        pass
                    closed_by_server += 1
                except ConnectionError:  # reset: closed with our bytes unread
                    closed_by_server += 1
                except TimeoutError:
                    pass
        finally:
            sock.close()
    stop.set()
    worker.join(30)
    assert not worker.is_alive()
    assert good_errors == []
    assert len(good_acks) >= 40
    assert set(good_acks) == {0}
    assert running.sink.wait_for(
        lambda r: len([x for x in r if x.phone == "013900000777"]) == len(good_acks)
    )
    assert all(r.phone == "013900000777" for r in running.sink.snapshot())
    assert closed_by_server == 24  # every misbehaving connection was cut, none left hanging
    assert running.server.stats.bad_frames > 0
    assert running.server.stats.closed_for_errors > 0
    # and the server still takes new terminals
    with terminal(running, "013900000888") as term:
        term.login()
        assert term.report(fix(1)).result == 0


def test_idle_connection_is_closed(start_server) -> None:
    running = start_server(idle_timeout_s=0.5, sweep_interval_s=0.1)
    with terminal(running) as term:
        term.login()
        started = time.monotonic()
        assert term.wait_closed(5.0)
        assert time.monotonic() - started < 3.0
    reasons = [args[1] for args in running.recorder.wait_for("disconnected")]
    assert any("idle" in r for r in reasons)
    kinds = [e.kind for e in running.recorder.vehicle_events()]
    assert VehicleEventKind.OFFLINE in kinds


def test_connection_limit(start_server) -> None:
    running = start_server(max_connections=2)
    with terminal(running, "013900000001") as a, terminal(running, "013900000002") as b:
        a.login()
        b.login()
        with terminal(running, "013900000003") as c:
            assert c.wait_closed(5.0)
        assert a.report(fix(1)).result == 0
        assert b.report(fix(1)).result == 0
    assert running.server.stats.connections_refused == 1


def test_reconnect_replaces_the_old_session(start_server) -> None:
    running = start_server()
    old = terminal(running)
    code = old.login()
    with terminal(running) as new:
        assert new.authenticate(code).result == 0
        assert old.wait_closed(5.0)
        assert new.report(fix(1)).result == 0
    old.close()
    assert running.server.stats.authenticated == 2


# --------------------------------------------------------------------------- alarms


def test_sos_raises_one_alarm_and_is_acknowledged(start_server) -> None:
    running = start_server()
    with terminal(running) as term:
        term.login()
        term.report(fix(1))
        for n in range(2, 6):
            assert term.report(fix(n, alarm=1)).result == 0
        alarms = running.recorder.wait_for("alarm")
        assert len(alarms) == 1
        event = alarms[0][0]
        assert event.kind is VehicleEventKind.SOS_RAISED
        assert event.phone == PHONE
        assert event.sos.location == fix(2, alarm=1)
        ok = running.thread.call(running.server.acknowledge_sos, event.sos.alarm_id, "op1")
        assert ok.result(5.0) is True
        term.report(fix(6))
    vehicle_kinds = [e.kind for e in running.recorder.vehicle_events()]
    assert vehicle_kinds.count(VehicleEventKind.SOS_RAISED) == 1
    assert VehicleEventKind.SOS_ACKNOWLEDGED in vehicle_kinds
    running.recorder.wait_for("disconnected")
    assert VehicleEventKind.SOS_CLEARED in [e.kind for e in running.recorder.vehicle_events()]


def test_heartbeat_only_terminal_stays_online(start_server) -> None:
    running = start_server()
    with terminal(running) as term:
        term.login()
        for _ in range(3):
            assert term.general(Heartbeat()).result == 0
        kinds = [e.kind for e in running.recorder.vehicle_events()]
        assert kinds == [VehicleEventKind.ONLINE]


# --------------------------------------------------------------------------- registry behaviour


class RefusingRegistry(MemoryRegistry):
    async def register(self, phone, registration):
        raise RegistrationRefused(1, "vehicle already registered to another terminal")


class BrokenRegistry(MemoryRegistry):
    async def lookup(self, phone):
        raise RuntimeError("database unavailable")


def test_registry_can_refuse_with_a_specific_result(start_server) -> None:
    running = start_server(registry=RefusingRegistry())
    with terminal(running) as term:
        assert term.register() == RegistrationReply(0, 1, "")
        assert term.heartbeat().result == 1  # still not authenticated
    assert running.recorder.wait_for("rejected")[0][1].startswith("vehicle already registered")


@pytest.mark.expect_log_errors
def test_registry_failure_is_logged_and_answered(start_server, caplog) -> None:
    running = start_server(registry=BrokenRegistry())
    with terminal(running) as term:
        assert term.general(Authentication("x")).result == 1
        assert term.general(Authentication("x")).result == 1  # connection still served
    assert "database unavailable" in caplog.text


def test_repeated_authentication_failures_close_the_connection(start_server) -> None:
    running = start_server(registry=MemoryRegistry({PHONE: "right"}), max_consecutive_errors=3)
    with terminal(running) as term:
        for _ in range(3):
            term.send_raw(term.frames_for(Authentication("wrong"))[0])
        assert term.wait_closed(5.0)
    assert running.server.stats.closed_for_errors == 1
