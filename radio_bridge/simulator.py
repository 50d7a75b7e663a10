"""A simulated TETRA gateway radio (MT) that speaks the PEI on a pseudo-terminal or TCP.

Run it::

    python -m radio_bridge.simulator --pty [--link /tmp/tetra] [--fleet 20] [--seed 1]
        [--activity 2.0 | --quiet] [--activity-statuses 0x8010,0x8011]
        [--crew-response 5,20] [--vendor motorola|sepura] [--ledger FILE]
        [--misbehave busy=0.2,garbage=0.05,slow=0.5,slow-send=3,drop=30,hang-on-send,
                     no-confirm,no-report]
    python -m radio_bridge.simulator --tcp 127.0.0.1:7000 …   (then use socket://127.0.0.1:7000)
    python -m radio_bridge.simulator --ledger-stats FILE        (print delivery counts, exit)

The first line on stdout is the port to open: the pty slave path (or ``--link``, a symlink that
is kept pointing at the current pty, also after a drop or a restart), or ``socket://host:port``.
Later stdout lines are JSON. Commands on stdin, one per line::

    stats                       → {"deliveries": …, "distinct": …, "reports_received": …, …}
    misbehave SPEC              change the misbehaviour (same syntax as --misbehave; "none")
    drop                        drop the line now (pty closed and re-created / TCP closed)
    lip ISSI | lip-long ISSI    a location report from ISSI
    status ISSI VALUE           a status (decimal or 0x…) from ISSI
    text ISSI TEXT…             an SDS-TL text (report requested) from ISSI
    call GSSI ISSI [ISSI…]      a group call with these talkers in turn
    emergency ISSI              emergency status plus a LIP report with reason 2
    raw LINE                    write LINE as an unsolicited line
    quit

What it does, like a gateway MT: echo until ``ATE0``; answers ``AT``, ``ATE0``, ``AT+CTOM``,
``AT+CTSP`` (``+CME ERROR: 38`` for a PID registered twice), ``AT+CNUMF?``, ``AT+CREG?``,
``AT+CSQ?``, ``AT+CTSDS``, ``AT+CMGS`` (``+CMGS: n`` / ``OK``, later ``+CMGS: n,4,ref``),
``AT+CTGS``, ``AT+CTSDC``, ``ATD``, ``AT+CTXD``, ``AT+CUTXC``, ``ATH``; answers SDS-TL texts that
ask for a report with a report from the destination (fleet units; ``0x4B`` "not registered" for
unknown ISSIs; none for groups); answers LIP immediate location requests; and, unless quiet,
emits LIP reports, status messages, texts and group calls with talking parties for its fleet.

Every SDS the console sends is counted (and appended to ``--ledger`` as a JSON line) as an
over-the-air delivery; ``distinct`` counts distinct (destination, SDS-TL message reference) of
texts – what a receiver that drops duplicates would show.

Misbehaviour (``--misbehave``, comma-separated): ``busy=P`` answer ``AT+CMGS`` with
``+CME ERROR: 42`` with probability P; ``garbage=P`` put a line of binary garbage before an output
line with probability P; ``slow=S`` delay every answer by up to S seconds; ``slow-send=S`` answer
each ``AT+CMGS`` only after S seconds (longer than the console waits: its late ``+CMGS: n`` / ``OK``
must not be taken for the next command's answer); ``drop=S`` drop the line every S seconds;
``hang-on-send`` transmit the first ``AT+CMGS`` and then go silent for good; ``no-confirm`` never
send the delayed ``+CMGS: n,4,ref`` (transmitted); ``no-report`` destinations never send an SDS-TL
delivery report. Like a real MT, the radio answers commands strictly in order: an answer never
overtakes the answer to an earlier command.
"""

from __future__ import annotations

import argparse
import contextlib
import heapq
import json
import logging
import math
import os
import random
import select
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from radio_bridge import lip, sdstl
from radio_bridge.at import is_hex
from radio_bridge.outbox import utc_now

__all__ = [
    "Misbehaviour",
    "RadioModel",
    "SimulatorServer",
    "control",
    "ledger_stats",
    "main",
]

log = logging.getLogger("radio_bridge.simulator")

BEIJING_CENTRE = (39.9042, 116.4074)


@dataclass(frozen=True)
class Misbehaviour:
    """How the simulated radio misbehaves (all off by default)."""

    busy: float = 0.0
    garbage: float = 0.0
    slow: float = 0.0
    drop_every: float = 0.0
    hang_on_send: bool = False
    slow_send: float = 0.0
    no_confirm: bool = False
    no_report: bool = False

    @classmethod
    def parse(cls, spec: str) -> Misbehaviour:
        """Parse ``busy=0.2,garbage=0.05,slow=0.5,slow-send=3,drop=30,hang-on-send,no-confirm,
        no-report`` (or ``none``).

        Raises:
            ValueError: For unknown items or bad numbers.
        """
        result = cls()
        for item in (s.strip() for s in spec.split(",")):
            if not item or item == "none":
                continue
            name, _, value = item.partition("=")
            name = name.strip().replace("_", "-")
            if name in ("hang-on-send", "no-confirm", "no-report"):
                result = replace(result, **{name.replace("-", "_"): True})
                continue
            try:
                number = float(value)
            except ValueError:
                raise ValueError(f"misbehaviour {item!r}: expected NAME=NUMBER") from None
            if number < 0 or math.isnan(number):
                raise ValueError(f"misbehaviour {item!r}: negative")
            if name == "busy":
                result = replace(result, busy=number)
            elif name == "garbage":
                result = replace(result, garbage=number)
            elif name == "slow":
                result = replace(result, slow=number)
            elif name == "slow-send":
                result = replace(result, slow_send=number)
            elif name == "drop":
                result = replace(result, drop_every=number)
            else:
                raise ValueError(f"unknown misbehaviour {name!r}")
        return result


@dataclass
class _Unit:
    issi: int
    lat: float
    lon: float
    speed: float
    heading: float
    next_ref: int


@dataclass
class _Call:
    cci: int
    gssi: int
    talkers: list[int] = field(default_factory=list)


def _tsi(ssi: int) -> str:
    return f"0460{1:05d}{ssi:08d}"


class RadioModel:
    """The MT's protocol behaviour: bytes in, scheduled bytes out. No I/O, no threads.

    Call :meth:`feed` with received bytes and :meth:`poll` to collect what is due; :meth:`tick`
    drives fleet activity. All times are :func:`time.monotonic` seconds.
    """

    def __init__(
        self,
        *,
        own_issi: int = 2000001,
        fleet: int = 20,
        groups: tuple[int, ...] = (9001, 9002, 9003),
        seed: int | None = None,
        activity_interval: float = 2.0,
        vendor: str = "motorola",
        misbehaviour: Misbehaviour | None = None,
        air_delay: float = 0.05,
        report_delay: float = 0.15,
        crew_response: tuple[float, float] | None = None,
        activity_statuses: tuple[int, ...] = (0x8001, 0x8003, 0x8004, 0x8005),
        ledger: Path | None = None,
        talk_time: tuple[float, float] = (0.8, 2.0),
        hang_time: float = 1.5,
    ) -> None:
        """Create the radio.

        Args:
            own_issi: The gateway radio's ISSI.
            fleet: Number of simulated units (ISSIs 2269001, 2269002, …).
            groups: Talkgroup GSSIs.
            seed: Random seed (None: random).
            activity_interval: Mean seconds between fleet events; 0 for none.
            vendor: ``motorola`` (LIP padded to octets) or ``sepura`` (exact hex digits).
            misbehaviour: What to do wrong.
            air_delay: Delay of the delayed ``+CMGS: n,4,ref``.
            report_delay: Delay of the destination's SDS-TL report.
            crew_response: When set, a fleet unit that receives a text (a dispatch order)
                answers like a crew would: status "en route" after the first number of
                seconds, "on scene" after the second (at most once a minute per unit).
            activity_statuses: The statuses fleet activity picks from (the demo, whose crews
                report their unit states as they drive, gives messages only).
            ledger: JSON-lines file to append every transmitted SDS to.
            talk_time: Range of seconds each simulated talker holds the floor.
            hang_time: Seconds from the last transmission to the call release.
        """
        self.own_issi = own_issi
        self.groups = groups
        self.rng = random.Random(seed)
        self.activity_interval = activity_interval
        self.padded = vendor != "sepura"
        self.misbehaviour = misbehaviour or Misbehaviour()
        self.air_delay = air_delay
        self.report_delay = report_delay
        self.crew_response = crew_response
        self.activity_statuses = activity_statuses
        self._responded: dict[int, float] = {}
        self.ledger = ledger
        self.talk_time = talk_time
        self.hang_time = hang_time
        self.units: dict[int, _Unit] = {}
        for i in range(fleet):
            issi = 2269001 + i
            self.units[issi] = _Unit(
                issi,
                BEIJING_CENTRE[0] + self.rng.uniform(-0.08, 0.08),
                BEIJING_CENTRE[1] + self.rng.uniform(-0.12, 0.12),
                self.rng.choice([0.0, 0.0, 5.0, 20.0, 40.0]),
                self.rng.uniform(0, 360),
                self.rng.randrange(256),
            )
        self.echo = True
        self.service = 12
        self.registered: set[tuple[int, int]] = set()
        self.talkgroup = groups[0] if groups else 0
        self._buf = bytearray()
        self._data_mode: tuple[str, int] | None = None
        self._data_partial = ""
        self._calls_end_at: dict[int, float] = {}
        self._out: list[tuple[float, int, bytes]] = []
        self._answer_at = 0.0  # when the last command answer goes out (answers keep order)
        self._seq = 0
        self._instance = 0
        self._cci = 0
        self._calls: dict[int, _Call] = {}
        self._next_activity: float | None = None
        self.hung = False
        # counters
        self.deliveries: list[tuple[int, int | None]] = []
        self.reports_received: list[tuple[int, int]] = []
        self.statuses_received: list[tuple[int, int]] = []
        self.commands = 0

    # ------------------------------------------------------------------ output

    def _schedule(self, data: bytes, delay: float, now: float) -> None:
        self._seq += 1
        heapq.heappush(self._out, (now + delay, self._seq, data))

    def _lines(self, lines: list[str], now: float, delay: float = 0.0, *,
               answer: bool = True) -> None:
        if self.hung:
            return
        ms = self.misbehaviour
        if ms.slow:
            delay += self.rng.uniform(0.5 * ms.slow, ms.slow)
        if answer:  # a command's answer: never before the previous command's
            at = max(now + delay, self._answer_at)
            self._answer_at = at
            delay = at - now
        out = bytearray()
        for line in lines:
            if ms.garbage and self.rng.random() < ms.garbage:
                size = self.rng.randint(1, 12)
                junk = bytes(self.rng.randrange(0x80, 0x100) for _ in range(size))
                out += b"\r\n" + junk + b"\r\n"
            out += b"\r\n" + line.encode("latin-1") + b"\r\n"
        self._schedule(bytes(out), delay, now)

    def unsolicited(self, lines: list[str], now: float, delay: float = 0.0) -> None:
        """Schedule unsolicited lines."""
        self._lines(lines, now, delay, answer=False)

    def poll(self, now: float) -> bytes:
        """Return the bytes due at ``now``."""
        out = bytearray()
        while self._out and self._out[0][0] <= now:
            out += heapq.heappop(self._out)[2]
        if self.hung:
            return b""
        return bytes(out)

    def next_due(self) -> float | None:
        """When the next scheduled output or activity is due."""
        times = [t for t in (self._out[0][0] if self._out else None, self._next_activity)
                 if t is not None]
        return min(times) if times else None

    def reset_line(self) -> None:
        """The line dropped: forget partial input and output on the wire."""
        self._buf.clear()
        self._data_mode = None
        self._out.clear()
        self._answer_at = 0.0

    # ------------------------------------------------------------------ input

    def feed(self, data: bytes, now: float) -> None:
        """Process bytes written by the console."""
        if self.hung:
            return
        if self.echo and data:
            self._schedule(bytes(data), 0.0, now)
        self._buf += data
        while True:
            if self._data_mode is not None:
                end = next((i for i, b in enumerate(self._buf) if b in (0x1A, 0x1B, 0x0D)), -1)
                if end < 0:
                    return
                byte = self._buf[end]
                chunk = self._buf[:end].decode("latin-1").strip()
                del self._buf[: end + 1]
                if byte == 0x0D:
                    if chunk and not is_hex(chunk):
                        self._data_mode = None
                        self._lines(["+CME ERROR: 35"], now)
                    elif chunk:
                        self._data_partial += chunk
                    continue
                dest, bits = self._data_mode
                self._data_mode = None
                text = self._data_partial + chunk
                self._data_partial = ""
                if byte == 0x1A:
                    self._submit(dest, bits, text, now)
                else:
                    self._lines(["OK"], now)
                continue
            end = self._buf.find(b"\r")
            if end < 0:
                if len(self._buf) > 4096:
                    self._buf.clear()
                return
            line = self._buf[:end].decode("latin-1").strip(" \n\t\x00")
            del self._buf[: end + 1]
            if line:
                self.commands += 1
                self._command(line, now)

    def _command(self, line: str, now: float) -> None:
        up = line.upper()
        if not up.startswith("AT"):
            return
        body = line[2:]
        bu = up[2:]
        ok = ["OK"]
        if bu == "":
            self._lines(ok, now)
        elif bu in ("E0", "E1", "E"):
            self.echo = bu == "E1"
            self._lines(ok, now)
        elif bu == "Z":
            self._lines(ok, now)
        elif bu in ("I", "+GMI?", "+GMI"):
            self._lines(["+GMI: RADIO-BRIDGE SIMULATOR", "OK"], now)
        elif bu in ("+GMM?", "+GMM"):
            self._lines(["+GMM: PEI-SIM-1", "OK"], now)
        elif bu.startswith("+CTOM"):
            self._lines(["+CTOM: 0", "OK"] if bu.endswith("?") else ok, now)
        elif bu.startswith("+CTSP="):
            self._ctsp(body[6:], now)
        elif bu == "+CTSP?":
            self._lines([f"+CTSP: 1,{a},{b}" for a, b in sorted(self.registered)] + ok, now)
        elif bu == "+CNUMF?":
            self._lines([f"+CNUMF: 6,{_tsi(self.own_issi)}", "OK"], now)
        elif bu == "+CREG?":
            self._lines(["+CREG: 0,1", "OK"], now)
        elif bu == "+CSQ?":
            self._lines(["+CSQ: 22,99", "OK"], now)
        elif bu == "+CBC?":
            self._lines(["+CBC: 0,100", "OK"], now)
        elif bu.startswith("+CTSDS="):
            try:
                svc = int(body[7:].split(",")[0])
            except ValueError:
                self._lines(["+CME ERROR: 33"], now)
                return
            if not 9 <= svc <= 13:
                self._lines(["+CME ERROR: 34"], now)
                return
            self.service = svc
            self._lines(ok, now)
        elif bu == "+CMGS=?":
            self._lines(["+CMGS: (0-16777214),(8-1184)", "OK"], now)
        elif bu.startswith("+CMGS="):
            parts = body[6:].split(",")
            if len(parts) != 2 or not parts[0].strip().isdigit() or not parts[1].strip().isdigit():
                self._lines(["+CME ERROR: 35"], now)
                return
            self._data_mode = (parts[0].strip(), int(parts[1]))
            self._data_partial = ""
        elif bu.startswith("+CTGS="):
            parts = body[6:].split(",")
            try:
                self.talkgroup = int(parts[1][-8:])
            except (IndexError, ValueError):
                self._lines(["+CME ERROR: 35"], now)
                return
            self._lines(ok, now)
        elif bu == "+CTGS?":
            self._lines([f"+CTGS: 1,{self.talkgroup}", "OK"], now)
        elif bu.startswith("+CTSDC="):
            self._lines(ok, now)
        elif bu.startswith("D"):
            self._dial(body[1:].strip().rstrip(";#"), now)
        elif bu.startswith("+CTXD="):
            cci = self._cci_arg(body[6:])
            if cci is None:
                self._lines(["+CME ERROR: 3"], now)
                return
            self._lines(ok, now)
            self.unsolicited([f"+CTXG: {cci},0,0,0"], now, 0.05)
        elif bu.startswith("+CUTXC="):
            cci = self._cci_arg(body[7:])
            self._lines(ok if cci is not None else ["+CME ERROR: 3"], now)
            if cci is not None:
                self.unsolicited([f"+CTCR: {cci},13"], now, self.hang_time)
        elif bu == "H":
            self._lines(ok, now)
            for cci in list(self._calls):
                self._calls.pop(cci)
                self.unsolicited([f"+CTCR: {cci},1"], now, 0.05)
        elif bu == "A":
            self._lines(ok, now)
        else:
            self._lines(["+CME ERROR: 4"], now)

    def _cci_arg(self, args: str) -> int | None:
        try:
            cci = int(args.split(",")[0])
        except ValueError:
            return None
        return cci if cci in self._calls else None

    def _ctsp(self, args: str, now: float) -> None:
        parts = args.split(",")
        try:
            layer1 = int(parts[1])
            layer2 = int(parts[2]) if len(parts) > 2 and parts[2] else 0
        except (IndexError, ValueError):
            self._lines(["+CME ERROR: 35"], now)
            return
        key = (layer1, layer2)
        if layer1 == 3 and key in self.registered:
            self._lines(["+CME ERROR: 38"], now)
            return
        self.registered.add(key)
        self._lines(["OK"], now)

    def _dial(self, number: str, now: float) -> None:
        if not number.isdigit():
            self._lines(["+CME ERROR: 27"], now)
            return
        self._cci += 1
        cci = self._cci
        self._calls[cci] = _Call(cci, int(number[-8:]))
        self._lines(["OK"], now)
        self.unsolicited([f"+CTCC: {cci},1,1,0,0,1,1", f"+CTXG: {cci},0,0,0"], now, 0.1)

    # ------------------------------------------------------------------ SDS from the console

    def _submit(self, dest_text: str, bits: int, payload: str, now: float) -> None:
        if not is_hex(payload) or bits <= 0 or bits > len(payload) * 4 or bits > 2047:
            self._lines(["+CME ERROR: 32"], now)
            return
        dest = int(dest_text[-8:])
        service = self.service
        data = bytes.fromhex(payload + ("0" if len(payload) % 2 else ""))
        pid = data[0] if service == 12 else None
        ref: int | None = None
        if service == 12 and pid is not None and pid >= 0x80 and len(data) >= 3:
            ref = data[2]
        if self.misbehaviour.hang_on_send:
            self._record(dest, ref, pid, service, payload, bits)
            self.hung = True
            self._out.clear()
            log.warning("hang-on-send: transmitted the SDS to %d and going silent", dest)
            return
        lag = self.misbehaviour.slow_send
        if self.misbehaviour.busy and self.rng.random() < self.misbehaviour.busy:
            self._lines(["+CME ERROR: 42"], now, lag)
            return
        instance = self._instance
        self._instance = (self._instance + 1) % 16
        self._lines([f"+CMGS: {instance}", "OK"], now, lag)
        self._record(dest, ref, pid, service, payload, bits)
        if not self.misbehaviour.no_confirm:
            self.unsolicited([f"+CMGS: {instance},4,{0 if ref is None else ref}"], now,
                             lag + self.air_delay)
        if service == 13:
            self.statuses_received.append((dest, int(payload[:4], 16)))
            return
        is_request = len(data) >= 2 and data[1] >> 6 == 1 and (data[1] >> 2) & 15 == 1
        if pid == sdstl.PID_LIP and is_request:
            unit = self.units.get(dest)
            if unit is not None:
                self._lip(unit, now, delay=self.report_delay, reason=32)
            return
        if pid is None or pid < 0x80 or len(data) < 3:
            return
        mtype = data[1] >> 4
        if mtype == 1 and len(data) >= 4:
            self.reports_received.append((dest, data[3]))
            return
        if mtype == 0 and (data[1] >> 2) & 3 and not self.misbehaviour.no_report:
            if dest in self.units:
                status = 0x00
            elif dest in self.groups:
                return
            else:
                status = 0x4B
            report = f"{pid:02X}10{status:02X}{data[2]:02X}"
            self._sds(dest, self.own_issi, 12, report, now, lag + self.report_delay)
        if mtype == 0 and dest in self.units and self.crew_response is not None \
                and now - self._responded.get(dest, -1e9) > 60.0:
            self._responded[dest] = now
            en_route, on_scene = self.crew_response
            self._sds(dest, self.own_issi, 13, "8003", now, en_route)
            self._sds(dest, self.own_issi, 13, "8004", now, on_scene)

    def _record(self, dest: int, ref: int | None, pid: int | None, service: int, payload: str,
                bits: int) -> None:
        if service == 12 and pid is not None and pid >= 0x80 and len(payload) >= 4:
            if int(payload[2:4], 16) >> 4 == 0:  # SDS-TRANSFER (not a report we answer with)
                self.deliveries.append((dest, ref))
        elif service != 12 or pid != sdstl.PID_LIP:
            self.deliveries.append((dest, ref))
        if self.ledger is not None:
            entry = {"t": utc_now().isoformat(), "destination": dest, "reference": ref,
                     "pid": pid, "service": service, "bits": bits, "payload": payload}
            with self.ledger.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(entry) + "\n")
                fh.flush()

    # ------------------------------------------------------------------ fleet activity

    def _sds(self, source: int, dest: int, service: int, payload_hex: str, now: float,
             delay: float = 0.0) -> None:
        bits = len(payload_hex) * 4
        self.unsolicited([f"+CTSDSR: {service},{source},0,{dest},0,{bits}", payload_hex], now,
                         delay)

    def _lip(self, unit: _Unit, now: float, *, delay: float = 0.0, reason: int = 129,
             long: bool = False) -> None:
        # move the unit a little
        step = unit.speed / 3600.0 * 10.0 / 111.0
        unit.heading = (unit.heading + self.rng.uniform(-30, 30)) % 360
        unit.lat += step * math.cos(math.radians(unit.heading))
        unit.lon += step * math.sin(math.radians(unit.heading)) / math.cos(math.radians(unit.lat))
        speed = unit.speed if unit.speed else None if self.rng.random() < 0.3 else 0.0
        if long:
            payload, bits = lip.encode_long(unit.lat, unit.lon, speed_kmh=speed,
                                            heading_deg=unit.heading if speed else None,
                                            reason=reason, position_error_code=1,
                                            padded=self.padded)
        else:
            payload, bits = lip.encode_short(unit.lat, unit.lon, speed_kmh=speed,
                                             heading_deg=unit.heading, reason=reason,
                                             position_error_code=self.rng.choice([0, 1, 1, 2]),
                                             padded=self.padded)
        self.unsolicited([f"+CTSDSR: 12,{unit.issi},0,{self.own_issi},0,{bits}", payload], now,
                         delay)

    def emit_lip(self, issi: int, now: float, *, long: bool = False, reason: int = 129) -> None:
        """Send a location report from ``issi``."""
        unit = self.units.get(issi) or _Unit(issi, *BEIJING_CENTRE, 0.0, 0.0, 0)
        self._lip(unit, now, long=long, reason=reason)

    def emit_status(self, issi: int, value: int, now: float) -> None:
        """Send a status from ``issi`` to the gateway."""
        self._sds(issi, self.own_issi, 13, f"{value & 0xFFFF:04X}", now)

    def emit_text(self, issi: int, text: str, now: float, *, report: bool = True) -> list[int]:
        """Send a text from ``issi`` (concatenated when long); returns the references used."""
        unit = self.units.get(issi)
        _coding, chunks = sdstl.split_text(text)
        refs = []
        for _ in chunks:
            if unit is not None:
                unit.next_ref = (unit.next_ref + 1) % 256
                refs.append(unit.next_ref)
            else:
                refs.append(self.rng.randrange(256))
        for i, pdu in enumerate(sdstl.build_text(text, refs, report=report)):
            self._sds(issi, self.own_issi, 12, pdu.hex().upper(), now, 0.02 * i)
        return refs

    def emit_group_call(self, gssi: int, talkers: list[int], now: float) -> int:
        """Play a group call: +CTICN, a +CTXG/+CDTXC pair per talker, +CTCR after hang time."""
        self._cci += 1
        cci = self._cci
        self._calls[cci] = _Call(cci, gssi, list(talkers))
        t = 0.0
        first = talkers[0] if talkers else 0
        self.unsolicited([f"+CTICN: {cci},0,0,0,{first},0,1,0,1,1,0,{gssi},0"], now, t)
        for talker in talkers:
            t += 0.2
            self.unsolicited([f"+CTXG: {cci},3,0,0,0,{_tsi(talker)}"], now, t)
            t += self.rng.uniform(*self.talk_time)
            self.unsolicited([f"+CDTXC: {cci},0"], now, t)
        t += self.hang_time
        self.unsolicited([f"+CTCR: {cci},13"], now, t)
        self._calls_end_at[cci] = now + t
        return cci

    def emit_emergency(self, issi: int, now: float) -> None:
        """An emergency: status 0 and a LIP report with reason 2."""
        self.emit_status(issi, 0, now)
        unit = self.units.get(issi) or _Unit(issi, *BEIJING_CENTRE, 0.0, 0.0, 0)
        self._lip(unit, now, delay=0.1, reason=2)

    def tick(self, now: float) -> None:
        """Drive fleet activity (call often; does nothing when the interval is 0)."""
        for cci, end in list(self._calls_end_at.items()):
            if end <= now:
                self._calls_end_at.pop(cci)
                self._calls.pop(cci, None)
        if self.activity_interval <= 0 or not self.units or self.hung:
            return
        if self._next_activity is None:
            self._next_activity = now + self.rng.expovariate(1.0 / self.activity_interval)
            return
        if now < self._next_activity:
            return
        self._next_activity = now + self.rng.expovariate(1.0 / self.activity_interval)
        unit = self.rng.choice(list(self.units.values()))
        roll = self.rng.random()
        if roll < 0.55:
            self._lip(unit, now)
        elif roll < 0.65:
            self._lip(unit, now, long=True)
        elif roll < 0.80:
            if self.activity_statuses:
                self.emit_status(unit.issi, self.rng.choice(self.activity_statuses), now)
        elif roll < 0.88:
            self.emit_text(unit.issi, self.rng.choice(
                ["收到，正在前往", "已到达现场，开始检查", "检查完毕，无异常", "请求支援"]), now)
        elif not self._calls and self.groups:
            talkers = self.rng.sample(list(self.units), k=min(len(self.units), 2))
            self.emit_group_call(self.rng.choice(self.groups), talkers, now)

    def stats(self) -> dict[str, Any]:
        """Counters: deliveries (every SDS-TL text transmission and status), distinct
        (destination, reference) of texts, reports and statuses received from the console."""
        texts = [(d, r) for d, r in self.deliveries if r is not None]
        return {
            "deliveries": len(self.deliveries),
            "distinct": len(set(texts)),
            "reports_received": len(self.reports_received),
            "statuses_received": len(self.statuses_received),
            "commands": self.commands,
            "hung": self.hung,
        }


def ledger_stats(path: str | Path) -> dict[str, int]:
    """Count the deliveries recorded in a ledger file (possibly by several simulator runs).

    Returns:
        ``{"deliveries": n, "distinct": m}``: every SDS-TL text transmission, and the distinct
        (destination, message reference) pairs among them.
    """
    total = 0
    distinct: set[tuple[int, int]] = set()
    p = Path(path)
    if not p.exists():
        return {"deliveries": 0, "distinct": 0}
    for line in p.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if entry.get("reference") is None or entry.get("service") != 12:
            continue
        payload = str(entry.get("payload", ""))
        if len(payload) >= 4 and int(payload[2:4], 16) >> 4 != 0:
            continue
        total += 1
        distinct.add((int(entry["destination"]), int(entry["reference"])))
    return {"deliveries": total, "distinct": len(distinct)}


class SimulatorServer:
    """Runs a :class:`RadioModel` on a pseudo-terminal (POSIX) or a TCP port.

    Thread-safe: :meth:`call` runs a function on the model under the server's lock.
    """

    def __init__(self, model: RadioModel, *, link: str | Path | None = None,
                 on_port: Callable[[str], None] | None = None) -> None:
        """Create the server.

        Args:
            model: The radio.
            link: For a pty: a symlink kept pointing at the current slave.
            on_port: Called with the new port path after a drop re-created the pty.
        """
        self.model = model
        self.link = Path(link) if link else None
        self._on_port = on_port
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._master: int | None = None
        self._slave: int | None = None
        self._listener: socket.socket | None = None
        self._client: socket.socket | None = None
        self._pending = b""
        self._thread: threading.Thread | None = None
        self._last_drop = time.monotonic()
        self._drop_now = False
        self.port = ""

    # ------------------------------------------------------------------ transports

    def open_pty(self) -> str:
        """Create the pseudo-terminal; return the path to open (the link if given)."""
        import tty  # POSIX only

        master, slave = os.openpty()
        tty.setraw(slave)
        os.set_blocking(master, False)
        self._master, self._slave = master, slave
        path = os.ttyname(slave)
        if self.link is not None:
            tmp = self.link.with_name(self.link.name + f".{os.getpid()}.tmp")
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            tmp.symlink_to(path)
            os.replace(tmp, self.link)
            path = str(self.link)
        self.port = path
        return path

    def open_tcp(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on TCP; return the pyserial URL ``socket://host:port``."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(1)
        listener.setblocking(False)
        self._listener = listener
        self.port = f"socket://{host}:{listener.getsockname()[1]}"
        return self.port

    def _close_pty(self) -> None:
        for fd in (self._master, self._slave):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._master = self._slave = None

    def drop(self) -> None:
        """Drop the line now (from any thread)."""
        self._drop_now = True

    def _do_drop(self) -> None:
        log.warning("dropping the line")
        with self._lock:
            self.model.reset_line()
        self._pending = b""
        if self._master is not None:
            # open the new pty and move the link before closing the old one, so the link never
            # points at a freed pty number that another program may get
            old = (self._master, self._slave)
            path = self.open_pty()
            for fd in old:
                if fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            if self._on_port is not None:
                self._on_port(path)
        if self._client is not None:
            with contextlib.suppress(OSError):
                self._client.close()
            self._client = None

    # ------------------------------------------------------------------ loop

    def call(self, fn: Callable[[RadioModel, float], Any]) -> Any:
        """Run ``fn(model, now)`` under the lock (e.g. to emit traffic); returns its result."""
        with self._lock:
            return fn(self.model, time.monotonic())

    def stats(self) -> dict[str, Any]:
        """The model's counters."""
        with self._lock:
            return self.model.stats()

    def start(self) -> None:
        """Serve on a background thread."""
        self._thread = threading.Thread(target=self.serve_forever, name="radio-simulator",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop serving and close everything."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.close()

    def close(self) -> None:
        """Close the transport (and remove the link if it still points at our pty)."""
        if self.link is not None and self._slave is not None:
            with contextlib.suppress(OSError):
                if os.readlink(self.link) == os.ttyname(self._slave):
                    self.link.unlink()
        self._close_pty()
        for s in (self._client, self._listener):
            if s is not None:
                with contextlib.suppress(OSError):
                    s.close()
        self._client = self._listener = None

    def _read_fd(self) -> int | None:
        if self._master is not None:
            return self._master
        if self._client is not None:
            return self._client.fileno()
        return None

    def _write(self, data: bytes) -> None:
        data = self._pending + data
        self._pending = b""
        if not data:
            return
        try:
            if self._master is not None:
                n = os.write(self._master, data)
            elif self._client is not None:
                n = self._client.send(data)
            else:
                return
        except (BlockingIOError, InterruptedError):
            n = 0
        except OSError:
            self._drop_client()
            return
        self._pending = data[n:][-65536:]

    def _drop_client(self) -> None:
        if self._client is not None:
            with contextlib.suppress(OSError):
                self._client.close()
            self._client = None
            with self._lock:
                self.model.reset_line()

    def serve_forever(self) -> None:
        """Serve until :meth:`stop` (or ``quit`` on stdin in the CLI)."""
        while not self._stop.is_set():
            now = time.monotonic()
            drop_every = self.model.misbehaviour.drop_every
            if self._drop_now or (drop_every and now - self._last_drop >= drop_every):
                self._drop_now = False
                self._last_drop = now
                self._do_drop()
            with self._lock:
                self.model.tick(now)
                out = self.model.poll(now)
                due = self.model.next_due()
            if out or self._pending:
                self._write(out)
            timeout = 0.05 if due is None else min(0.05, max(0.0, due - time.monotonic()))
            if self._pending:
                timeout = min(timeout, 0.01)
            rlist: list[Any] = []
            fd = self._read_fd()
            if fd is not None:
                rlist.append(fd)
            if self._listener is not None and self._client is None:
                rlist.append(self._listener)
            if not rlist:
                time.sleep(timeout)
                continue
            try:
                ready, _, _ = select.select(rlist, [], [], timeout)
            except (OSError, ValueError):
                time.sleep(0.01)
                continue
            if self._listener is not None and self._listener in ready:
                with contextlib.suppress(OSError):
                    client, _addr = self._listener.accept()
                    client.setblocking(False)
                    self._client = client
                    with self._lock:
                        self.model.reset_line()
                        self.model.echo = True
            if fd is not None and fd in ready:
                try:
                    if self._master is not None:
                        data = os.read(self._master, 4096)
                    elif self._client is not None:
                        data = self._client.recv(4096)
                        if not data:
                            self._drop_client()
                            continue
                    else:
                        continue
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    if self._client is not None:
                        self._drop_client()
                    else:
                        time.sleep(0.01)
                    continue
                with self._lock:
                    self.model.feed(data, time.monotonic())


# ====================================================================== CLI


def control(server: SimulatorServer, line: str) -> dict[str, Any]:
    """Carry out one control command (the stdin protocol) and return the JSON answer."""
    words = line.strip().split()
    if not words:
        return {}
    cmd, args = words[0].lower(), words[1:]
    try:
        if cmd == "stats":
            return server.stats()
        if cmd == "drop":
            server.drop()
            return {"ok": "drop"}
        if cmd == "misbehave":
            mb = Misbehaviour.parse(",".join(args) or "none")
            server.call(lambda m, _n: setattr(m, "misbehaviour", mb))
            return {"ok": "misbehave", "misbehaviour": mb.__dict__}
        if cmd in ("lip", "lip-long"):
            issi = int(args[0])
            server.call(lambda m, n: m.emit_lip(issi, n, long=cmd == "lip-long"))
            return {"ok": cmd}
        if cmd == "status":
            issi, value = int(args[0]), int(args[1], 0)
            server.call(lambda m, n: m.emit_status(issi, value, n))
            return {"ok": cmd}
        if cmd == "text":
            issi, text = int(args[0]), line.strip().split(None, 2)[2]
            return {"ok": cmd, "references": server.call(lambda m, n: m.emit_text(issi, text, n))}
        if cmd == "call":
            gssi, talkers = int(args[0]), [int(a) for a in args[1:]]
            cci = server.call(lambda m, n: m.emit_group_call(gssi, talkers, n))
            return {"ok": cmd, "cc_instance": cci}
        if cmd == "emergency":
            issi = int(args[0])
            server.call(lambda m, n: m.emit_emergency(issi, n))
            return {"ok": cmd}
        if cmd == "raw":
            raw = line.strip()[4:]
            server.call(lambda m, n: m.unsolicited([raw], n))
            return {"ok": cmd}
        return {"error": f"unknown command {cmd!r}"}
    except (ValueError, IndexError) as exc:
        return {"error": str(exc)}


def _stdin_commands(server: SimulatorServer, done: threading.Event) -> None:
    for raw in sys.stdin:
        if raw.strip().lower() == "quit":
            done.set()
            return
        answer = control(server, raw)
        if answer:
            print(json.dumps(answer, ensure_ascii=False), flush=True)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (see the module docstring)."""
    p = argparse.ArgumentParser(prog="python -m radio_bridge.simulator",
                                description="Simulated TETRA gateway radio (PEI).")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--pty", action="store_true", help="serve on a pseudo-terminal")
    where.add_argument("--tcp", metavar="HOST:PORT", help="serve on TCP (socket:// URL)")
    where.add_argument("--ledger-stats", metavar="FILE", help="print ledger counts and exit")
    p.add_argument("--link", help="symlink kept pointing at the current pty")
    p.add_argument("--fleet", type=int, default=20, help="number of units (default 20)")
    p.add_argument("--own", type=int, default=2000001, help="gateway ISSI (default 2000001)")
    p.add_argument("--groups", default="9001,9002,9003", help="talkgroup GSSIs")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--activity", type=float, default=2.0,
                   help="mean seconds between fleet events (default 2)")
    p.add_argument("--quiet", action="store_true", help="no fleet activity")
    p.add_argument("--vendor", choices=["motorola", "sepura"], default="motorola")
    p.add_argument("--misbehave", default="", help="e.g. busy=0.2,garbage=0.05,slow=0.5,"
                   "drop=30,hang-on-send")
    p.add_argument("--ledger", help="append every transmitted SDS to this JSON-lines file")
    p.add_argument("--crew-response", metavar="EN_ROUTE_S,ON_SCENE_S",
                   help="units answer a received text with status en route, then on scene, "
                        "after these delays (e.g. 5,20)")
    p.add_argument("--activity-statuses", metavar="CODES",
                   help="statuses fleet activity sends, e.g. 0x8010,0x8011 (default: "
                        "0x8001,0x8003,0x8004,0x8005, unit states; empty: none)")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    if args.ledger_stats:
        print(json.dumps(ledger_stats(args.ledger_stats)), flush=True)
        return 0
    try:
        misbehaviour = Misbehaviour.parse(args.misbehave)
        groups = tuple(int(g) for g in args.groups.split(",") if g)
        crew: tuple[float, float] | None = None
        if args.crew_response:
            first, second = (float(x) for x in args.crew_response.split(","))
            crew = (first, second)
    except ValueError as exc:
        p.error(f"{exc} (--crew-response takes two numbers, e.g. 5,20)")
    statuses: tuple[int, ...] = (0x8001, 0x8003, 0x8004, 0x8005)
    if args.activity_statuses is not None:
        try:
            statuses = tuple(int(x, 0) for x in args.activity_statuses.split(",") if x.strip())
        except ValueError as exc:
            p.error(f"--activity-statuses: {exc} (e.g. 0x8010,0x8011)")
        if any(not 0 <= v <= 0xFFFF for v in statuses):
            p.error("--activity-statuses: each status is 16 bits (0 … 0xFFFF)")
    model = RadioModel(
        own_issi=args.own, fleet=args.fleet, groups=groups, seed=args.seed,
        activity_interval=0.0 if args.quiet else args.activity, vendor=args.vendor,
        misbehaviour=misbehaviour, ledger=Path(args.ledger) if args.ledger else None,
        crew_response=crew, activity_statuses=statuses)
    server = SimulatorServer(
        model, link=args.link,
        on_port=lambda path: print(json.dumps({"event": "pty", "path": path}), flush=True))
    if args.pty:
        if not hasattr(os, "openpty"):
            p.error("--pty needs a POSIX system; use --tcp")
        port = server.open_pty()
    else:
        host, _, port_text = args.tcp.rpartition(":")
        port = server.open_tcp(host or "127.0.0.1", int(port_text))
    print(port, flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_a: done.set())
    threading.Thread(target=_stdin_commands, args=(server, done), daemon=True,
                     name="simulator-stdin").start()
    server.start()
    try:
        while not done.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
