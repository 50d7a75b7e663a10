"""Virtual JT/T 808 vehicle terminals driving around central Beijing.

Each virtual terminal speaks real JT/T 808 over TCP: register (0x0100) unless it already holds an
auth code, authenticate (0x0102), then send a location report (0x0200) every few seconds and a
heartbeat (0x0002) now and then, waiting for the platform's answer to each. About a quarter of
the terminals use 2019 headers. Now and then a vehicle drives through a blind area (no network):
it keeps its fixes and uploads them as a 0x0704 blind-area batch when it is back, sub-packaged
when long. When the server goes away, terminals reconnect with exponential back-off and upload
what they could not deliver.

Entry points:

* :func:`run_simulator` (coroutine) and :class:`SimulatorThread` for the demo;
* :func:`main` for ``python -m app sim-vehicles --server HOST:PORT --count N`` and
  ``python -m app.tracking.jt808.simulator --server HOST:PORT --count N``;
* :func:`run_flood` (coroutine), a load generator sending as fast as the server answers.

With ``--commands`` the vehicles can be steered through stdin, one command a line, each
answered with one JSON line on stdout (:class:`FleetControl`)::

    goto PHONE LAT LON [KMH]   drive that vehicle to the point (a crew sent to an incident)
                               and wait there; KMH overrides the cruising speed
    resume PHONE               back to free driving
    where PHONE                its position, speed and whether it has arrived

PHONE is the terminal's number with or without its leading zeros. A bad command is answered
with ``{"error": …}`` and changes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import random
import sys
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from app.tracking.jt808.codec import FrameSplitter, decode_frame, encode_packets
from app.tracking.jt808.messages import (
    ALARM_OVERSPEED,
    ALARM_SOS,
    STATUS_ACC_ON,
    STATUS_BEIDOU,
    STATUS_GPS,
    STATUS_POSITIONED,
    Authentication,
    BatchLocations,
    BatchType,
    Heartbeat,
    Location,
    Message,
    PlatformGeneralReply,
    Registration,
    RegistrationReply,
    RegistrationResult,
    ReplyResult,
    make_items,
)
from app.tracking.jt808.wire import FrameError
from models.clock import utcnow

__all__ = [
    "BEIJING_BOUNDS",
    "BEIJING_PLACES",
    "FleetControl",
    "FloodStats",
    "RouteDriver",
    "SimulatorStats",
    "SimulatorThread",
    "TerminalIdentity",
    "main",
    "parse_server",
    "run_flood",
    "run_simulator",
    "terminal_identities",
]

log = logging.getLogger("app.tracking.jt808.simulator")

#: (south, west, north, east) of the area the vehicles drive in.
BEIJING_BOUNDS = (39.75, 116.20, 40.10, 116.60)

#: Plausible destinations around the central districts (WGS-84).
BEIJING_PLACES: tuple[tuple[str, float, float], ...] = (
    ("Tiananmen", 39.9087, 116.3975),
    ("Wangfujing", 39.9147, 116.4110),
    ("Xidan", 39.9110, 116.3740),
    ("Qianmen", 39.8990, 116.3980),
    ("Dongzhimen", 39.9410, 116.4340),
    ("Sanlitun", 39.9366, 116.4547),
    ("Guomao", 39.9086, 116.4600),
    ("Chaoyangmen", 39.9240, 116.4340),
    ("Houhai", 39.9410, 116.3850),
    ("Nanluoguxiang", 39.9370, 116.4030),
    ("Beijing Railway Station", 39.9030, 116.4270),
    ("Beijing West Station", 39.8950, 116.3220),
    ("Beijing South Station", 39.8650, 116.3790),
    ("Zhongguancun", 39.9830, 116.3160),
    ("Wudaokou", 39.9920, 116.3380),
    ("Olympic Park", 40.0000, 116.3900),
    ("Wangjing", 39.9960, 116.4700),
    ("Shuangjing", 39.8940, 116.4610),
    ("Fengtai", 39.8580, 116.2870),
    ("Gongzhufen", 39.9070, 116.3090),
    ("Muxiyuan", 39.8660, 116.3950),
    ("Tiantan", 39.8822, 116.4066),
    ("Lama Temple", 39.9470, 116.4170),
    ("Deshengmen", 39.9480, 116.3800),
    ("Panjiayuan", 39.8720, 116.4560),
    ("Shijingshan", 39.9060, 116.2230),
    ("Yayuncun", 40.0050, 116.4120),
    ("Jiuxianqiao (798)", 39.9840, 116.4950),
    ("Lize", 39.8600, 116.3200),
    ("Beiyuan", 40.0700, 116.4300),
)

_M_PER_DEG_LAT = 111_320.0
#: Speed above which a simulated terminal sets the overspeed alarm bit.
OVERSPEED_KMH = 75.0


@dataclass(frozen=True, slots=True)
class TerminalIdentity:
    """Who a virtual terminal is.

    Attributes:
        phone: Phone number exactly as its headers carry it (12 digits, or 20 for 2019).
        version: 2019 protocol version byte, or ``None`` for a 2013 terminal.
        plate: Plate number it registers with.
    """

    phone: str
    version: int | None
    plate: str


def terminal_identities(count: int, *, first: int = 1) -> list[TerminalIdentity]:
    """The deterministic identities of ``count`` virtual terminals.

    Every fourth terminal uses 2019 headers. The demo can seed its registry with these.

    Args:
        count: Number of terminals.
        first: Number of the first terminal.

    Returns:
        Identities; terminal *n* has the 11-digit number ``139`` + *n* as 8 digits, left-padded
        to 12 digits (2013) or 20 digits (2019).
    """
    identities = []
    for n in range(first, first + count):
        number = f"139{n:08d}"
        is_2019 = n % 4 == 0
        identities.append(
            TerminalIdentity(
                phone=number.zfill(20 if is_2019 else 12),
                version=1 if is_2019 else None,
                plate=f"京A{n % 100000:05d}",
            )
        )
    return identities


def parse_server(server: str | tuple[str, int]) -> tuple[str, int]:
    """Parse ``"HOST:PORT"`` (or pass a tuple through).

    Raises:
        ValueError: Not ``HOST:PORT``.
    """
    if isinstance(server, tuple):
        return server
    host, sep, port = server.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ValueError(f"server must be HOST:PORT, got {server!r}")
    return host.strip("[]"), int(port)


# --------------------------------------------------------------------------- movement


#: Farthest a vehicle is sent by :meth:`RouteDriver.goto` (beyond: a mistaken point).
MAX_GOTO_KM = 300.0


class RouteDriver:
    """Plausible urban driving: grid-like legs between destinations, lights and stops.

    Vehicles drive an L-shaped path (along the street grid) to a destination near one of
    :data:`BEIJING_PLACES`, at 25–55 km/h (a tenth of the legs 55–75 km/h, as on a ring road)
    with traffic-light stops, park there for a while, then pick the next destination.

    :meth:`goto` sends the vehicle to a given point instead (a crew answering an order): it
    sets off within seconds, drives the grid path at 30–45 km/h (50–65 km/h beyond 8 km, on
    ring roads and expressways), stops at red lights like any car, and waits at the point
    until :meth:`resume` or the next :meth:`goto`.
    """

    def __init__(self, rng: random.Random, *, lights_every_s: float = 120.0) -> None:
        """Start at a random place.

        Args:
            rng: Random source (seeded for reproducible runs).
            lights_every_s: Mean seconds of driving between red-light stops (0: none).
        """
        self.rng = rng
        self.lights_every_s = lights_every_s
        #: the point :meth:`goto` sent the vehicle to (None: driving freely)
        self.mission: tuple[float, float] | None = None
        #: whether it has reached the mission's point and waits there
        self.arrived = False
        _, lat, lon = rng.choice(BEIJING_PLACES)
        self.lat, self.lon = self._clamp(
            lat + rng.uniform(-0.01, 0.01), lon + rng.uniform(-0.01, 0.01)
        )
        self.heading = 0.0
        self.speed_kmh = 0.0
        self.cruise_kmh = 40.0
        self.odometer_km = rng.uniform(5_000, 150_000)
        self.fuel_l = rng.uniform(20, 60)
        self.stop_left_s = rng.uniform(0, 20)
        self.waypoints: list[tuple[float, float]] = []

    @staticmethod
    def _clamp(lat: float, lon: float) -> tuple[float, float]:
        south, west, north, east = BEIJING_BOUNDS
        return min(max(lat, south), north), min(max(lon, west), east)

    def _new_destination(self) -> None:
        _, lat, lon = self.rng.choice(BEIJING_PLACES)
        dest = self._clamp(
            lat + self.rng.uniform(-0.008, 0.008), lon + self.rng.uniform(-0.008, 0.008)
        )
        corner = (self.lat, dest[1]) if self.rng.random() < 0.5 else (dest[0], self.lon)
        self.waypoints = [corner, dest]
        # mostly city streets; now and then a ring road or expressway
        fast = self.rng.random() < 0.1
        self.cruise_kmh = self.rng.uniform(55, 75) if fast else self.rng.uniform(25, 55)

    def goto(self, lat: float, lon: float, cruise_kmh: float | None = None) -> float:
        """Drive to (``lat``, ``lon``) and wait there; returns the straight distance in metres.

        Raises:
            ValueError: Not a finite WGS-84 point within :data:`MAX_GOTO_KM`, or a cruising
                speed outside 5–120 km/h; the vehicle carries on as before.
        """
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90
                and -180 <= lon <= 180):
            raise ValueError(f"not a WGS-84 point: {lat}, {lon}")
        if cruise_kmh is not None and not (math.isfinite(cruise_kmh) and 5 <= cruise_kmh <= 120):
            raise ValueError(f"cruising speed must be 5–120 km/h, got {cruise_kmh}")
        distance = self.distance_to(lat, lon)
        if distance > MAX_GOTO_KM * 1000:
            raise ValueError(f"{distance / 1000:.0f} km away (more than {MAX_GOTO_KM:.0f} km)")
        corner = (self.lat, lon) if self.rng.random() < 0.5 else (lat, self.lon)
        self.waypoints = [corner, (lat, lon)]
        self.mission = (lat, lon)
        self.arrived = False
        if cruise_kmh is None:
            far = distance > 8_000
            cruise_kmh = self.rng.uniform(50, 65) if far else self.rng.uniform(30, 45)
        self.cruise_kmh = cruise_kmh
        # the crew gets in and sets off (a red light or a parked car's wait ends)
        self.stop_left_s = min(self.stop_left_s, self.rng.uniform(2, 6))
        return distance

    def resume(self) -> None:
        """Back to free driving after a :meth:`goto` (after a short while)."""
        if self.mission is None:
            return
        self.mission = None
        self.arrived = False
        self.waypoints = []
        self.stop_left_s = self.rng.uniform(10, 40)

    def distance_to(self, lat: float, lon: float) -> float:
        """Metres from the vehicle to a point (flat-earth, fine within a city)."""
        cos_lat = math.cos(math.radians(self.lat))
        return math.hypot((lat - self.lat) * _M_PER_DEG_LAT,
                          (lon - self.lon) * _M_PER_DEG_LAT * cos_lat)

    def step(self, dt: float) -> None:
        """Advance the vehicle by ``dt`` seconds."""
        rng = self.rng
        while dt > 0:
            part = min(dt, 1.0)
            dt -= part
            if self.arrived:  # waits at the mission's point
                self.speed_kmh = 0.0
                continue
            if self.stop_left_s > 0:
                self.stop_left_s -= part
                self.speed_kmh = max(0.0, self.speed_kmh - 10 * part)
                continue
            if not self.waypoints:
                self._new_destination()
            # a red light every two minutes or so
            if self.lights_every_s > 0 and rng.random() < part / self.lights_every_s:
                self.stop_left_s = rng.uniform(15, 60)
                continue
            target = min(self.cruise_kmh + rng.uniform(-5, 5), 90.0)
            accel = 7.0 * part  # about 2 m/s²
            if self.speed_kmh < target:
                self.speed_kmh = min(self.speed_kmh + accel, target)
            else:
                self.speed_kmh = max(self.speed_kmh - 1.5 * accel, target, 0.0)
            self._advance(self.speed_kmh / 3.6 * part)

    def _advance(self, metres: float) -> None:
        self.odometer_km += metres / 1000
        self.fuel_l = max(5.0, self.fuel_l - metres / 1000 * 0.09)
        while metres > 0 and self.waypoints:
            lat, lon = self.waypoints[0]
            cos_lat = math.cos(math.radians(self.lat))
            dy = (lat - self.lat) * _M_PER_DEG_LAT
            dx = (lon - self.lon) * _M_PER_DEG_LAT * cos_lat
            dist = math.hypot(dx, dy)
            if dist > 0.5:
                self.heading = math.degrees(math.atan2(dx, dy)) % 360
            if dist <= metres:
                self.lat, self.lon = lat, lon
                metres -= dist
                self.waypoints.pop(0)
                if not self.waypoints:  # arrived: park (at a mission's point until resumed)
                    if self.mission is not None:
                        self.arrived = True
                    else:
                        self.stop_left_s = self.rng.uniform(30, 180)
                    self.speed_kmh = 0.0
                    return
                continue
            frac = metres / dist
            self.lat += (lat - self.lat) * frac
            self.lon += (lon - self.lon) * frac
            return

    def location(self, when: datetime, *, alarm: int = 0, beidou: bool = False) -> Location:
        """The current fix as a :class:`Location`.

        Args:
            when: Fix time (UTC; rounded down to the second).
            alarm: Alarm flags to report.
            beidou: Whether BeiDou is used too.

        Returns:
            The location with mileage, fuel, signal and satellite items.
        """
        status = STATUS_ACC_ON | STATUS_POSITIONED | STATUS_GPS
        if beidou:
            status |= STATUS_BEIDOU
        if self.speed_kmh > OVERSPEED_KMH:
            alarm |= ALARM_OVERSPEED
        heading = round(self.heading + self.rng.uniform(-2, 2)) % 360
        return Location(
            latitude=round(self.lat, 6),
            longitude=round(self.lon, 6),
            time=when.replace(microsecond=0),
            speed_kmh=round(self.speed_kmh, 1),
            heading_deg=heading,
            altitude_m=round(45 + 10 * math.sin(self.lat * 300)),
            alarm=alarm,
            status=status,
            items=make_items(
                mileage_km=round(self.odometer_km, 1),
                fuel_l=round(self.fuel_l, 1),
                signal_strength=self.rng.randint(15, 31),
                satellites=self.rng.randint(6, 18),
            ),
        )


# --------------------------------------------------------------------------- link


class _SessionError(Exception):
    """The connection is unusable (closed, timed out, refused)."""


class _Link:
    """One TCP connection of a virtual terminal, with request/answer matching."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        identity: TerminalIdentity,
        timeout: float,
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.identity = identity
        self.timeout = timeout
        self.splitter = FrameSplitter()
        self.inbox: deque[bytes] = deque()
        self.serial = 0
        self.frames_sent = 0

    async def request(self, message: Message) -> Message:
        """Send a message (sub-packaged if long) and return the answer to its last packet."""
        ident = self.identity
        frames = encode_packets(
            message, phone=ident.phone, serial=self.serial, version=ident.version
        )
        answer: Message | None = None
        for frame in frames:
            serial = self.serial
            self.serial = (self.serial + 1) & 0xFFFF
            self.writer.write(frame)
            self.frames_sent += 1
            answer = await self._answer(serial, message.MSG_ID)
            if isinstance(answer, PlatformGeneralReply) and answer.result != ReplyResult.SUCCESS:
                return answer
        assert answer is not None
        return answer

    async def _answer(self, serial: int, msg_id: int) -> Message:
        try:
            async with asyncio.timeout(self.timeout):
                while True:
                    while self.inbox:
                        raw = self.inbox.popleft()
                        try:
                            message = decode_frame(raw).message
                        except FrameError as exc:
                            log.debug(
                                "terminal %s: bad frame from server: %s", self.identity.phone, exc
                            )
                            continue
                        if (
                            isinstance(message, PlatformGeneralReply)
                            and message.reply_serial == serial
                            and message.reply_id == msg_id
                        ) or (
                            isinstance(message, RegistrationReply)
                            and message.reply_serial == serial
                        ):
                            return message
                    data = await self.reader.read(4096)
                    if not data:
                        raise _SessionError("server closed the connection")
                    self.inbox.extend(self.splitter.feed(data))
        except TimeoutError:
            raise _SessionError(f"no answer to 0x{msg_id:04X} within {self.timeout} s") from None

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError, asyncio.TimeoutError):
            await asyncio.wait_for(self.writer.wait_closed(), 1.0)


# --------------------------------------------------------------------------- terminals


@dataclass(slots=True)
class SimulatorStats:
    """Counters of a simulator run."""

    connects: int = 0
    connect_failures: int = 0
    registrations: int = 0
    authentications: int = 0
    reports_acked: int = 0
    batches_acked: int = 0
    batch_items_acked: int = 0
    heartbeats_acked: int = 0
    refused: int = 0
    session_errors: int = 0


@dataclass(slots=True)
class _Settings:
    interval_s: float
    heartbeat_s: float
    blind_probability: float
    sos_probability: float
    timeout_s: float
    batch_size: int
    max_backlog: int
    lights_every_s: float = 120.0


class _Stopper:
    """An asyncio event set by an asyncio.Event, a threading.Event or the deadline."""

    def __init__(
        self, external: threading.Event | asyncio.Event | None, deadline: float | None
    ) -> None:
        self.event = asyncio.Event()
        self._external = external
        self._deadline = deadline
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        external = self._external
        while not self.event.is_set():
            if external is not None and external.is_set():
                break
            if self._deadline is not None and time.monotonic() >= self._deadline:
                break
            if isinstance(external, asyncio.Event):
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(0.1):
                        await external.wait()
            else:
                await asyncio.sleep(0.05)
        self.event.set()

    async def sleep(self, seconds: float) -> bool:
        """Sleep unless stopped first; return whether stopped."""
        if self.event.is_set():
            return True
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(0.0, seconds)):
                await self.event.wait()
        return self.event.is_set()

    async def close(self) -> None:
        self.event.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)


class _VirtualTerminal:
    def __init__(
        self,
        identity: TerminalIdentity,
        address: tuple[str, int],
        rng: random.Random,
        settings: _Settings,
        stats: SimulatorStats,
        auth_code: str | None,
    ) -> None:
        self.identity = identity
        self.address = address
        self.rng = rng
        self.settings = settings
        self.stats = stats
        self.auth_code = auth_code
        self.driver = RouteDriver(rng, lights_every_s=settings.lights_every_s)
        self.backlog: deque[Location] = deque(maxlen=settings.max_backlog)
        self.blind_ticks = 0
        self.sos_ticks = 0
        self.beidou = rng.random() < 0.5
        self.last_step = time.monotonic()

    def advance(self) -> None:
        """Drive the vehicle up to now (before a report, or before it is steered)."""
        now = time.monotonic()
        self.driver.step(now - self.last_step)
        self.last_step = now

    def _fix(self) -> Location:
        self.advance()
        alarm = 0
        if self.sos_ticks > 0:
            self.sos_ticks -= 1
            alarm |= ALARM_SOS
        elif self.rng.random() < self.settings.sos_probability:
            self.sos_ticks = self.rng.randint(3, 8)
            alarm |= ALARM_SOS
        return self.driver.location(utcnow(), alarm=alarm, beidou=self.beidou)

    async def run(self, stop: _Stopper) -> None:
        backoff = 0.5
        while not stop.event.is_set():
            link: _Link | None = None
            try:
                try:
                    async with asyncio.timeout(self.settings.timeout_s):
                        reader, writer = await asyncio.open_connection(*self.address)
                except (OSError, TimeoutError) as exc:
                    self.stats.connect_failures += 1
                    raise _SessionError(f"connect failed: {exc}") from None
                self.stats.connects += 1
                link = _Link(reader, writer, self.identity, self.settings.timeout_s)
                await self._login(link)
                backoff = 0.5
                await self._report(link, stop)
            except (_SessionError, OSError) as exc:
                self.stats.session_errors += 1
                log.debug("terminal %s: %s", self.identity.phone, exc)
            finally:
                if link is not None:
                    await link.close()
            if stop.event.is_set():
                break
            delay = backoff * self.rng.uniform(0.5, 1.5)
            backoff = min(backoff * 2, 30.0)
            if await stop.sleep(delay):
                break

    async def _login(self, link: _Link) -> None:
        ident = self.identity
        for _ in range(2):
            if self.auth_code is None:
                reply = await link.request(
                    Registration(
                        province_id=11,
                        city_id=100,
                        manufacturer_id="SIMUL",
                        model="VT-808",
                        terminal_id=ident.phone[-7:],
                        plate_color=1,
                        plate=ident.plate,
                    )
                )
                if (
                    not isinstance(reply, RegistrationReply)
                    or reply.result != RegistrationResult.SUCCESS
                ):
                    self.stats.refused += 1
                    raise _SessionError(f"registration refused: {reply}")
                self.stats.registrations += 1
                self.auth_code = reply.auth_code
            reply = await link.request(
                Authentication(
                    self.auth_code, imei=f"86{ident.phone[-13:]:0>13}", software_version="1.0"
                )
            )
            if isinstance(reply, PlatformGeneralReply) and reply.result == ReplyResult.SUCCESS:
                self.stats.authentications += 1
                return
            self.auth_code = None  # stale code: register again
        raise _SessionError("authentication refused")

    async def _report(self, link: _Link, stop: _Stopper) -> None:
        settings = self.settings
        last_heartbeat = time.monotonic()
        while not stop.event.is_set():
            fix = self._fix()
            if self.blind_ticks > 0:
                self.blind_ticks -= 1
                self.backlog.append(fix)
            else:
                if self.rng.random() < settings.blind_probability:
                    self.blind_ticks = self.rng.randint(4, 20)
                    self.backlog.append(fix)
                else:
                    await self._flush_backlog(link)
                    try:
                        reply = await link.request(fix)
                    except _SessionError:
                        self.backlog.append(fix)
                        raise
                    if _ok(reply):
                        self.stats.reports_acked += 1
                    else:
                        self.stats.refused += 1
                        self.backlog.append(fix)
                    if time.monotonic() - last_heartbeat >= settings.heartbeat_s:
                        if _ok(await link.request(Heartbeat())):
                            self.stats.heartbeats_acked += 1
                        last_heartbeat = time.monotonic()
            if await stop.sleep(settings.interval_s * self.rng.uniform(0.9, 1.1)):
                break

    async def _flush_backlog(self, link: _Link) -> None:
        while self.backlog:
            items = [
                self.backlog[i] for i in range(min(self.settings.batch_size, len(self.backlog)))
            ]
            reply = await link.request(BatchLocations(BatchType.BLIND_AREA, tuple(items)))
            if not _ok(reply):
                self.stats.refused += 1
                return
            for _ in items:
                self.backlog.popleft()
            self.stats.batches_acked += 1
            self.stats.batch_items_acked += len(items)


def _ok(reply: Message) -> bool:
    return isinstance(reply, PlatformGeneralReply) and reply.result == ReplyResult.SUCCESS


class FleetControl:
    """Steers running terminals from outside: ``goto``, ``resume``, ``where`` (see the module
    docstring). :meth:`command` may be called from any thread; the work runs on the
    simulator's event loop, where the vehicles are driven."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._terminals: dict[str, _VirtualTerminal] = {}
        self._ready = threading.Event()

    def attach(self, loop: asyncio.AbstractEventLoop,
               terminals: Sequence[_VirtualTerminal]) -> None:
        """Called by :func:`run_simulator` once its terminals exist."""
        self._terminals = {}
        for term in terminals:
            phone = term.identity.phone
            self._terminals[phone] = term
            self._terminals[phone.lstrip("0")] = term
        self._loop = loop
        self._ready.set()

    def command(self, line: str, timeout: float = 5.0) -> dict[str, object]:
        """Carry out one command line and return its JSON-able answer (from any thread)."""
        if not line.strip():
            return {}
        if not self._ready.wait(timeout) or self._loop is None:
            return {"error": "the vehicles are not running yet"}
        loop = self._loop

        async def run() -> dict[str, object]:
            return self.execute(line)

        try:
            return asyncio.run_coroutine_threadsafe(run(), loop).result(timeout)
        except (RuntimeError, TimeoutError) as exc:  # the loop has ended
            return {"error": f"not carried out: {exc or type(exc).__name__}"}

    def execute(self, line: str) -> dict[str, object]:
        """Carry out one command line on the simulator's loop."""
        words = line.split()
        if not words:
            return {}
        cmd, args = words[0].lower(), words[1:]
        if cmd not in ("goto", "resume", "where"):
            return {"error": f"unknown command {cmd!r} (goto, resume, where)"}
        if not args:
            return {"error": f"{cmd} needs a terminal phone number"}
        term = self._terminals.get(args[0]) or self._terminals.get(args[0].lstrip("0"))
        if term is None:
            return {"error": f"no simulated terminal {args[0]!r}"}
        driver = term.driver
        term.advance()
        phone = term.identity.phone
        if cmd == "goto":
            if len(args) not in (3, 4):
                return {"error": "usage: goto PHONE LAT LON [KMH]"}
            try:
                lat, lon = float(args[1]), float(args[2])
                kmh = float(args[3]) if len(args) == 4 else None
                distance = driver.goto(lat, lon, kmh)
            except ValueError as exc:
                return {"error": f"goto {phone}: {exc}"}
            log.info("terminal %s: driving to %.6f, %.6f (%.0f m, %.0f km/h)", phone, lat, lon,
                     distance, driver.cruise_kmh)
            return {"ok": "goto", "phone": phone, "distance_m": round(distance),
                    "cruise_kmh": round(driver.cruise_kmh, 1)}
        if cmd == "resume":
            driver.resume()
            return {"ok": "resume", "phone": phone}
        return {"ok": "where", "phone": phone, "lat": round(driver.lat, 6),
                "lon": round(driver.lon, 6), "speed_kmh": round(driver.speed_kmh, 1),
                "arrived": driver.arrived}


async def run_simulator(
    server: str | tuple[str, int],
    count: int,
    *,
    seed: int | None = None,
    interval_s: float = 5.0,
    stop_event: threading.Event | asyncio.Event | None = None,
    duration_s: float | None = None,
    heartbeat_s: float = 30.0,
    blind_probability: float = 0.01,
    sos_probability: float = 0.0002,
    auth_codes: dict[str, str] | None = None,
    first: int = 1,
    timeout_s: float = 10.0,
    lights_every_s: float = 120.0,
    control: FleetControl | None = None,
) -> SimulatorStats:
    """Run ``count`` virtual terminals on the current event loop until stopped.

    Args:
        server: ``"HOST:PORT"`` or ``(host, port)`` of the JT/T 808 server.
        count: Number of terminals.
        seed: Random seed (routes, timings); ``None`` for a random run.
        interval_s: Seconds between location reports.
        stop_event: Stops the run when set (threading or asyncio event).
        duration_s: Stop after this many seconds.
        heartbeat_s: Seconds between heartbeats.
        blind_probability: Chance per report of entering a blind area (no network).
        sos_probability: Chance per report of an SOS episode starting.
        auth_codes: Known auth codes by phone (skips registration); updated with the codes
            the server issues.
        first: Number of the first terminal (see :func:`terminal_identities`).
        timeout_s: Connect and answer timeout.
        lights_every_s: Mean seconds of driving between red-light stops (0: none).
        control: Steers the vehicles from outside while they run (``goto`` …).

    Returns:
        Counters of the run.
    """
    address = parse_server(server)
    rng = random.Random(seed)
    settings = _Settings(
        interval_s=interval_s,
        heartbeat_s=heartbeat_s,
        blind_probability=blind_probability,
        sos_probability=sos_probability,
        timeout_s=timeout_s,
        batch_size=40,
        max_backlog=5000,
        lights_every_s=lights_every_s,
    )
    stats = SimulatorStats()
    codes = auth_codes if auth_codes is not None else {}
    stopper = _Stopper(stop_event, None if duration_s is None else time.monotonic() + duration_s)
    stopper.start()
    terminals = [
        _VirtualTerminal(
            ident, address, random.Random(rng.random()), settings, stats, codes.get(ident.phone)
        )
        for ident in terminal_identities(count, first=first)
    ]
    if control is not None:
        control.attach(asyncio.get_running_loop(), terminals)
    log.info("simulating %d JT/T 808 terminals against %s:%d", count, *address)

    async def start(term: _VirtualTerminal) -> None:
        if await stopper.sleep(rng.uniform(0, min(interval_s, 2.0))):
            return
        await term.run(stopper)

    try:
        await asyncio.gather(*(start(t) for t in terminals))
    finally:
        await stopper.close()
        for term in terminals:
            if term.auth_code is not None:
                codes[term.identity.phone] = term.auth_code
    log.info("simulator stopped: %s", stats)
    return stats


class SimulatorThread:
    """Run :func:`run_simulator` on its own event loop in a background thread."""

    def __init__(self, server: str | tuple[str, int], count: int, **kwargs: object) -> None:
        """Prepare a run (see :func:`run_simulator` for the keyword arguments)."""
        self._args = (server, count)
        self._kwargs = kwargs
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.stats: SimulatorStats | None = None

    def start(self) -> None:
        """Start the terminals."""
        self._thread = threading.Thread(target=self._run, name="jt808-simulator", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the terminals and wait for the thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        try:
            self.stats = asyncio.run(
                run_simulator(*self._args, stop_event=self._stop, **self._kwargs)  # type: ignore[arg-type]
            )
        except Exception:
            log.exception("vehicle simulator failed")


# --------------------------------------------------------------------------- load generator


@dataclass(slots=True)
class FloodStats:
    """Counters of :func:`run_flood`.

    Attributes:
        terminals: Terminals that authenticated.
        sent: Location reports written to the socket during the measured window.
        acked: Of those, answered with success.
        refused: Answered with anything else.
        lost_answers: Sent but never answered (connection trouble).
        seconds: Length of the measured window.
    """

    terminals: int = 0
    sent: int = 0
    acked: int = 0
    refused: int = 0
    lost_answers: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


async def run_flood(
    server: str | tuple[str, int],
    count: int,
    *,
    duration_s: float,
    seed: int = 0,
    connect_concurrency: int = 100,
    timeout_s: float = 15.0,
    when_ready: Callable[[FloodStats], Awaitable[None]] | None = None,
) -> FloodStats:
    """Connect ``count`` terminals, then have each send 0x0200 as fast as answers arrive.

    Each terminal registers and authenticates first; the measured window starts when all are
    ready. Every terminal then sends a report, waits for the 0x8001, and repeats until
    ``duration_s`` has passed.

    Args:
        server: ``"HOST:PORT"`` or ``(host, port)``.
        count: Number of terminals.
        duration_s: Length of the measured window.
        seed: Random seed.
        connect_concurrency: Parallel connection set-ups.
        timeout_s: Connect and answer timeout.
        when_ready: Awaited once every terminal is connected and authenticated, before the
            measured window starts (e.g. to synchronise with a benchmark).

    Returns:
        Counters.
    """
    address = parse_server(server)
    stats = FloodStats()
    rng = random.Random(seed)
    gate = asyncio.Semaphore(connect_concurrency)
    links: list[tuple[_Link, RouteDriver]] = []

    async def connect(ident: TerminalIdentity) -> None:
        async with gate:
            try:
                async with asyncio.timeout(timeout_s):
                    reader, writer = await asyncio.open_connection(*address)
                link = _Link(reader, writer, ident, timeout_s)
                reply = await link.request(
                    Registration(plate=ident.plate, terminal_id=ident.phone[-7:])
                )
                if not isinstance(reply, RegistrationReply) or reply.result != 0:
                    raise _SessionError(f"registration refused: {reply}")
                if not _ok(await link.request(Authentication(reply.auth_code))):
                    raise _SessionError("authentication refused")
            except (OSError, TimeoutError, _SessionError) as exc:
                stats.errors.append(f"{ident.phone}: {exc}")
                return
            links.append((link, RouteDriver(random.Random(rng.random()))))

    await asyncio.gather(*(connect(i) for i in terminal_identities(count)))
    stats.terminals = len(links)
    if when_ready is not None:
        await when_ready(stats)
    start = time.monotonic()
    deadline = start + duration_s

    async def pump(link: _Link, driver: RouteDriver) -> None:
        while time.monotonic() < deadline:
            driver.step(0.5)
            fix = driver.location(utcnow())
            stats.sent += 1
            try:
                reply = await link.request(fix)
            except (_SessionError, OSError) as exc:
                stats.lost_answers += 1
                stats.errors.append(f"{link.identity.phone}: {exc}")
                return
            if _ok(reply):
                stats.acked += 1
            else:
                stats.refused += 1

    await asyncio.gather(*(pump(link, driver) for link, driver in links))
    stats.seconds = time.monotonic() - start
    await asyncio.gather(*(link.close() for link, _ in links))
    return stats


# --------------------------------------------------------------------------- CLI


def _stdin_commands(control: FleetControl) -> None:
    """Answer each stdin line with one JSON line on stdout (until stdin closes)."""
    for raw in sys.stdin:
        try:
            answer = control.command(raw)
        except Exception as exc:  # a command must never end the simulator
            log.exception("command %r failed", raw.strip())
            answer = {"error": str(exc)}
        if answer:
            if "error" in answer:
                log.error("command %r refused: %s", raw.strip(), answer["error"])
            print(json.dumps(answer, ensure_ascii=False), flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``sim-vehicles --server HOST:PORT --count N [--interval S] ...``.

    Args:
        argv: Arguments without the program name (``sys.argv[1:]`` when ``None``).

    Returns:
        Process exit status.
    """
    parser = argparse.ArgumentParser(
        prog="sim-vehicles",
        description="Simulate JT/T 808 vehicle terminals driving around Beijing.",
    )
    parser.add_argument("--server", required=True, help="JT/T 808 server as HOST:PORT")
    parser.add_argument("--count", type=int, default=10, help="number of vehicles (default 10)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between reports")
    parser.add_argument("--heartbeat", type=float, default=30.0, help="seconds between heartbeats")
    parser.add_argument("--seed", type=int, default=None, help="random seed")
    parser.add_argument("--duration", type=float, default=None, help="stop after this many seconds")
    parser.add_argument("--first", type=int, default=1, help="number of the first terminal")
    parser.add_argument("--log-level", default="INFO", help="logging level (default INFO)")
    parser.add_argument("--lights-every", type=float, default=120.0, metavar="S",
                        help="mean seconds of driving between red lights (default 120; 0: none)")
    parser.add_argument("--commands", action="store_true",
                        help="take goto/resume/where commands on stdin (answers on stdout)")
    args = parser.parse_args(argv)
    try:
        address = parse_server(args.server)
    except ValueError as exc:
        parser.error(str(exc))
    if args.count < 1:
        parser.error("--count must be at least 1")
    if not (math.isfinite(args.lights_every) and args.lights_every >= 0):
        parser.error("--lights-every must be 0 or more seconds")
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    control: FleetControl | None = None
    if args.commands:
        control = FleetControl()
        threading.Thread(target=_stdin_commands, args=(control,), daemon=True,
                         name="sim-vehicles-stdin").start()
    try:
        stats = asyncio.run(
            run_simulator(
                address,
                args.count,
                seed=args.seed,
                interval_s=args.interval,
                heartbeat_s=args.heartbeat,
                duration_s=args.duration,
                first=args.first,
                lights_every_s=args.lights_every,
                control=control,
            )
        )
    except KeyboardInterrupt:
        return 0
    print(
        f"connects={stats.connects} reports_acked={stats.reports_acked} "
        f"batch_items_acked={stats.batch_items_acked} session_errors={stats.session_errors}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
