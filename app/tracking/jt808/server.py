"""Asyncio TCP server for JT/T 808 vehicle terminals.

One event loop serves every terminal. Per connection: a :class:`FrameSplitter` cuts the stream,
frames are checked and answered (0x8100 for registrations, 0x8001 for everything else, in the
terminal's own header version), positions go to the :class:`PositionSink` and to the
:class:`VehicleStateTracker`.

A position report is answered "success" only once it is durable: when the sink hands back a
future (the console's sink does: it resolves after the database transaction holding the report
has committed), the 0x8001 is sent when that future turns ``True`` ("failure" if it turns
``False``, and the terminal sends again). A terminal does not resend an acknowledged report, so
nothing acknowledged may be lost by a crash. A connection with
``ServerSettings.max_unacked_per_connection`` reports waiting for durability is not read any
further until some are answered: while the database is behind, the terminals are slowed down
through TCP instead of filling the console's memory.

A connection that misbehaves (malformed frames, garbage, oversize frames, not reading its
replies, silence) is logged and closed; no other connection notices.

Usage from the console::

    server = Jt808Server("0.0.0.0", 6808, registry, sink, events=ServerEvents(...))
    thread = ServerThread(server)
    port = thread.start()
    ...
    thread.stop()
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import logging
import struct
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from app.tracking.jt808.codec import FrameSplitter, Reassembler
from app.tracking.jt808.interfaces import (
    ConnectionInfo,
    PositionReport,
    PositionSink,
    RegistrationRefused,
    ReportSource,
    TerminalRecord,
    TerminalRegistry,
)
from app.tracking.jt808.messages import (
    CHINA_OFFSET,
    Authentication,
    BatchLocations,
    BatchType,
    Heartbeat,
    Location,
    Message,
    MsgId,
    Registration,
    RegistrationReply,
    RegistrationResult,
    ReplyResult,
    TerminalGeneralReply,
    decode_body,
    encode_body,
)
from app.tracking.jt808.state import VehicleEvent, VehicleEventKind, VehicleStateTracker
from app.tracking.jt808.wire import MAX_FRAME_BYTES, FrameError, Header, pack_frame, unpack_frame
from models.clock import utcnow

__all__ = ["Jt808Server", "ServerEvents", "ServerSettings", "ServerStats", "ServerThread"]

log = logging.getLogger("app.tracking.jt808.server")

_T = TypeVar("_T")
_LOGGED_ERRORS_PER_CONNECTION = 5


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """Server policy and limits.

    Attributes:
        accept_unknown_terminals: Register terminals the registry does not know (``True``) or
            reject them with 0x8100 result 4 and close the connection (``False``).
        require_authentication: Refuse (0x8001 "failure") everything but registration and
            authentication until the terminal has authenticated on this connection.
        idle_timeout_s: Close a connection without a valid frame for this long.
        max_connections: Connections beyond this are closed at once.
        max_frame_bytes: Longest frame on the wire; a longer one closes the connection.
        max_buffered_bytes: Unsent reply bytes (terminal not reading) before closing.
        max_garbage_bytes: Bytes outside frames since the last valid frame before closing.
        max_consecutive_errors: Malformed frames in a row before closing.
        read_size: Bytes per socket read.
        backlog: Listen backlog (many terminals reconnect at once after an outage).
        reassembly_timeout_s: Unfinished sub-packaged messages expire after this.
        max_packets: Largest packet total of a sub-packaged message.
        sweep_interval_s: Period of the idle/offline check.
        default_utc_offset: Terminal clock offset when the registry record has none.
        max_unacked_per_connection: Position messages of one connection accepted by the sink
            but not yet durable (not yet answered); at this many the connection is not read
            until some are answered (back-pressure).
    """

    accept_unknown_terminals: bool = False
    require_authentication: bool = True
    idle_timeout_s: float = 180.0
    max_connections: int = 10_000
    max_frame_bytes: int = MAX_FRAME_BYTES
    max_buffered_bytes: int = 256 * 1024
    max_garbage_bytes: int = 64 * 1024
    max_consecutive_errors: int = 20
    read_size: int = 64 * 1024
    backlog: int = 2048
    reassembly_timeout_s: float = 120.0
    max_packets: int = 256
    sweep_interval_s: float = 1.0
    default_utc_offset: timedelta = CHINA_OFFSET
    max_unacked_per_connection: int = 64


@dataclass(slots=True)
class ServerEvents:
    """Optional callbacks, all called on the server's event loop thread; must not block.

    Exceptions raised by a callback are logged and otherwise ignored.

    Attributes:
        on_connected: A TCP connection was accepted.
        on_registered: A terminal registered (phone, registration, connection).
        on_authenticated: A terminal authenticated (phone, connection).
        on_rejected: A terminal was refused (phone, reason, connection): unknown terminal,
            refused registration, wrong auth code.
        on_disconnected: A connection closed (connection, reason).
        on_vehicle_event: Any state change from the tracker (online/offline, moving/stopped,
            alarms, SOS).
        on_alarm: Only ``ALARM_RAISED`` and ``SOS_RAISED`` events (also passed to
            ``on_vehicle_event``).
    """

    on_connected: Callable[[ConnectionInfo], None] | None = None
    on_registered: Callable[[str, Registration, ConnectionInfo], None] | None = None
    on_authenticated: Callable[[str, ConnectionInfo], None] | None = None
    on_rejected: Callable[[str, str, ConnectionInfo], None] | None = None
    on_disconnected: Callable[[ConnectionInfo, str], None] | None = None
    on_vehicle_event: Callable[[VehicleEvent], None] | None = None
    on_alarm: Callable[[VehicleEvent], None] | None = None


@dataclass(slots=True)
class ServerStats:
    """Counters since start (read from any thread; approximate while running)."""

    connections: int = 0
    connections_refused: int = 0
    frames: int = 0
    bad_frames: int = 0
    positions: int = 0
    positions_refused: int = 0
    registrations: int = 0
    rejected: int = 0
    authenticated: int = 0
    closed_for_errors: int = 0
    garbage_bytes: int = 0
    #: positions answered "success" after their batch committed
    positions_durable: int = 0
    #: positions accepted by the sink whose storage then failed (answered "failure")
    positions_failed: int = 0
    #: times a connection was not read because too many of its reports awaited durability
    read_pauses: int = 0


@dataclass(eq=False, slots=True)
class _Connection:
    conn_id: int
    peer: str
    writer: asyncio.StreamWriter
    splitter: FrameSplitter
    reassembler: Reassembler
    last_frame: float
    phones: dict[str, TerminalRecord] = field(default_factory=dict)
    serials: dict[str, int] = field(default_factory=dict)
    errors_in_row: int = 0
    errors_logged: int = 0
    garbage_seen: int = 0
    close_reason: str | None = None
    #: position messages accepted, waiting for durability before their answer
    unacked: int = 0
    room: asyncio.Event = field(default_factory=asyncio.Event)

    def info(self) -> ConnectionInfo:
        return ConnectionInfo(self.conn_id, self.peer, tuple(self.phones))

    def next_serial(self, phone: str) -> int:
        serial = self.serials.get(phone, 0)
        self.serials[phone] = (serial + 1) & 0xFFFF
        return serial

    def close(self, reason: str) -> None:
        if self.close_reason is None:
            self.close_reason = reason
        self.writer.close()
        self.room.set()  # a read loop waiting for acknowledgements ends


class Jt808Server:
    """JT/T 808 TCP server (2013 and 2019 terminals on the same port)."""

    def __init__(
        self,
        host: str,
        port: int,
        registry: TerminalRegistry,
        sink: PositionSink,
        *,
        settings: ServerSettings | None = None,
        events: ServerEvents | None = None,
        tracker: VehicleStateTracker | None = None,
    ) -> None:
        """Create a server (nothing listens until :meth:`start`).

        Args:
            host: Address to bind, e.g. ``"0.0.0.0"`` or ``"127.0.0.1"``.
            port: TCP port; 0 picks a free one (see :attr:`port` after start).
            registry: Terminal directory with auth codes.
            sink: Receiver of positions.
            settings: Policy and limits.
            events: Callbacks.
            tracker: Vehicle state tracker fed by this server (a default one if omitted);
                loop thread only.
        """
        self.host = host
        self.port = port
        self.registry = registry
        self.sink = sink
        self.settings = settings or ServerSettings()
        self.events = events or ServerEvents()
        self.tracker = tracker or VehicleStateTracker()
        self.stats = ServerStats()
        self._server: asyncio.Server | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._conns: dict[int, _Connection] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._sessions: dict[str, _Connection] = {}
        self._next_id = 0
        #: sink futures not yet resolved → the answers waiting for them (loop thread only)
        self._awaiting: dict[
            concurrent.futures.Future[bool], list[tuple[_Connection, Header, int]]
        ] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    # ------------------------------------------------------------------ lifecycle
    @property
    def listening(self) -> bool:
        """Whether the server is accepting connections."""
        return self._server is not None and self._server.is_serving()

    @property
    def connection_count(self) -> int:
        """Open connections."""
        return len(self._conns)

    def authenticated_phones(self) -> list[str]:
        """Terminals authenticated on an open connection."""
        return list(self._sessions)

    async def start(self) -> None:
        """Bind and start accepting connections.

        Raises:
            OSError: The address cannot be bound.
        """
        if self._server is not None:
            raise RuntimeError("server already started")
        self._loop = asyncio.get_running_loop()
        self._server = await asyncio.start_server(
            self._serve, self.host, self.port, backlog=self.settings.backlog
        )
        sockets = self._server.sockets
        if sockets:
            self.port = sockets[0].getsockname()[1]
        self._sweeper = asyncio.create_task(self._sweep_loop(), name="jt808-sweeper")
        log.info("JT/T 808 server listening on %s:%d", self.host, self.port)

    async def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, close every connection and wait for their handlers.

        Args:
            timeout: Seconds to wait for handlers before cancelling them.
        """
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for conn in list(self._conns.values()):
            conn.close("server stopping")
        tasks = list(self._tasks)
        if tasks:
            _, still = await asyncio.wait(tasks, timeout=timeout)
            for task in still:
                task.cancel()
            if still:
                await asyncio.wait(still, timeout=timeout)
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
            self._sweeper = None
        await server.wait_closed()
        log.info("JT/T 808 server on %s:%d stopped", self.host, self.port)

    def acknowledge_sos(self, alarm_id: int, operator: str) -> bool:
        """Acknowledge an SOS alarm (loop thread; see :meth:`ServerThread.call`).

        Args:
            alarm_id: The alarm's ID from the ``SOS_RAISED`` event.
            operator: Who acknowledged it.

        Returns:
            ``True`` if the alarm was pending.
        """
        events = self.tracker.acknowledge_sos(alarm_id, operator=operator, at=_now())
        self._publish(events)
        return bool(events)

    # ------------------------------------------------------------------ connection
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        loop = asyncio.get_running_loop()
        peername = writer.get_extra_info("peername")
        peer = f"{peername[0]}:{peername[1]}" if isinstance(peername, tuple) else str(peername)
        settings = self.settings
        if len(self._conns) >= settings.max_connections:
            self.stats.connections_refused += 1
            log.warning(
                "refusing connection from %s: %d connections open (limit)",
                peer,
                len(self._conns),
            )
            writer.close()
            return
        self._next_id += 1
        conn = _Connection(
            conn_id=self._next_id,
            peer=peer,
            writer=writer,
            splitter=FrameSplitter(settings.max_frame_bytes),
            reassembler=Reassembler(
                max_packets=settings.max_packets, timeout_s=settings.reassembly_timeout_s
            ),
            last_frame=loop.time(),
        )
        self._conns[conn.conn_id] = conn
        self.stats.connections += 1
        log.debug("connection %d from %s", conn.conn_id, peer)
        self._emit(self.events.on_connected, conn.info())
        reason = "closed by the terminal"
        try:
            reason = await self._read_loop(conn, reader, loop)
        except ConnectionError as exc:
            reason = f"connection error: {exc}"
        except asyncio.CancelledError:
            reason = "server stopping"
            raise
        except Exception:
            log.exception("connection %d (%s) failed; closing it", conn.conn_id, peer)
            reason = "internal error"
        finally:
            self._finish(conn, conn.close_reason or reason)

    async def _read_loop(
        self, conn: _Connection, reader: asyncio.StreamReader, loop: asyncio.AbstractEventLoop
    ) -> str:
        settings = self.settings
        splitter = conn.splitter
        writer = conn.writer
        transport = writer.transport
        while conn.close_reason is None:
            if not await self._room_for(conn):
                return conn.close_reason or "closed"
            data = await reader.read(settings.read_size)
            if not data:
                return "closed by the terminal"
            garbage_before = splitter.garbage_bytes
            frames = splitter.feed(data)
            garbage = splitter.garbage_bytes - garbage_before
            if garbage:
                self.stats.garbage_bytes += garbage
                conn.garbage_seen += garbage
            if splitter.oversize:
                self.stats.closed_for_errors += 1
                log.warning(
                    "connection %d (%s): frame longer than %d bytes; closing",
                    conn.conn_id,
                    conn.peer,
                    settings.max_frame_bytes,
                )
                return f"frame longer than {settings.max_frame_bytes} bytes"
            if frames:
                received_at = _now()
                for raw in frames:
                    # frames already read wait too (at most read_size bytes of them)
                    if not await self._room_for(conn):
                        return conn.close_reason or "closed"
                    await self._handle_frame(conn, raw, received_at, loop)
                    if conn.close_reason is not None:
                        return conn.close_reason
            if conn.garbage_seen > settings.max_garbage_bytes:
                self.stats.closed_for_errors += 1
                log.warning(
                    "connection %d (%s): %d bytes of garbage without a valid frame; closing",
                    conn.conn_id,
                    conn.peer,
                    conn.garbage_seen,
                )
                return "garbage"
            if transport.get_write_buffer_size() > settings.max_buffered_bytes:
                self.stats.closed_for_errors += 1
                log.warning(
                    "connection %d (%s): %d reply bytes unsent, terminal not reading; closing",
                    conn.conn_id,
                    conn.peer,
                    transport.get_write_buffer_size(),
                )
                return "terminal not reading replies"
            await writer.drain()
        return conn.close_reason

    async def _room_for(self, conn: _Connection) -> bool:
        """Wait while too many of this connection's reports await durability; False if closed."""
        while conn.unacked >= self.settings.max_unacked_per_connection:
            # the database is behind: stop reading this terminal until it catches up
            self.stats.read_pauses += 1
            conn.room.clear()
            await conn.room.wait()
            if conn.close_reason is not None:
                return False
        return conn.close_reason is None

    def _finish(self, conn: _Connection, reason: str) -> None:
        self._conns.pop(conn.conn_id, None)
        conn.writer.close()
        now = _now()
        info = conn.info()
        for phone in conn.phones:
            if self._sessions.get(phone) is conn:
                del self._sessions[phone]
                self._publish(self.tracker.disconnected(phone, now))
        log.log(
            logging.INFO if conn.phones else logging.DEBUG,
            "connection %d (%s, terminals %s) closed: %s",
            conn.conn_id,
            conn.peer,
            ",".join(conn.phones) or "-",
            reason,
        )
        self._emit(self.events.on_disconnected, info, reason)

    # ------------------------------------------------------------------ frames
    async def _handle_frame(
        self,
        conn: _Connection,
        raw: bytes,
        received_at: datetime,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self.stats.frames += 1
        try:
            header, body = unpack_frame(raw)
        except FrameError as exc:
            self._bad_frame(conn, exc)
            return
        reply_to = header
        if header.packet is not None:
            if not self._authorised(conn, header):
                return
            try:
                whole = conn.reassembler.add(header, body, loop.time())
            except FrameError as exc:
                self._bad_frame(conn, exc)
                return
            if whole is None:
                conn.last_frame = loop.time()
                conn.errors_in_row = 0
                conn.garbage_seen = 0
                self._reply(conn, header, ReplyResult.SUCCESS)
                return
            header, body = whole
        if header.encryption:
            self._reply(conn, reply_to, ReplyResult.NOT_SUPPORTED)
            return
        msg_id = header.msg_id
        if msg_id == MsgId.REGISTRATION:
            if not await self._on_registration(conn, header, body, reply_to):
                return
        elif msg_id == MsgId.AUTHENTICATION:
            if not await self._on_authentication(conn, header, body, reply_to, received_at):
                return
        elif self._authorised(conn, header):
            record = conn.phones.get(header.phone)
            offset = record.utc_offset if record else self.settings.default_utc_offset
            try:
                message = decode_body(header, body, offset)
            except FrameError as exc:
                self._bad_frame(conn, exc, reply_to)
                return
            self._on_message(conn, header, message, reply_to, received_at)
        else:
            return
        conn.last_frame = loop.time()
        conn.errors_in_row = 0
        conn.garbage_seen = 0

    def _authorised(self, conn: _Connection, header: Header) -> bool:
        if header.phone in conn.phones or not self.settings.require_authentication:
            return True
        if header.msg_id in (MsgId.REGISTRATION, MsgId.AUTHENTICATION):
            return True
        self._reply(conn, header, ReplyResult.FAILURE)
        self._count_error(
            conn,
            f"message 0x{header.msg_id:04X} from {header.phone} before authentication refused",
        )
        return False

    def _on_message(
        self,
        conn: _Connection,
        header: Header,
        message: Message | None,
        reply_to: Header,
        received_at: datetime,
    ) -> None:
        phone = header.phone
        if isinstance(message, Location):
            report = PositionReport(
                phone, message, received_at, ReportSource.LIVE, header.version, header.serial
            )
            self._answer_positions(conn, reply_to, [report])
        elif isinstance(message, BatchLocations):
            source = (
                ReportSource.BLIND_AREA
                if message.kind == BatchType.BLIND_AREA
                else ReportSource.BATCH
            )
            reports = [
                PositionReport(phone, loc, received_at, source, header.version, header.serial)
                for loc in message.locations
            ]
            self._answer_positions(conn, reply_to, reports)
        elif isinstance(message, Heartbeat):
            self._publish(self.tracker.seen(phone, received_at))
            self._reply(conn, reply_to, ReplyResult.SUCCESS)
        elif isinstance(message, TerminalGeneralReply):
            log.debug(
                "terminal %s answered 0x%04X serial %d: result %d",
                phone,
                message.reply_id,
                message.reply_serial,
                message.result,
            )
        else:
            self._reply(conn, reply_to, ReplyResult.NOT_SUPPORTED)

    def _answer_positions(
        self, conn: _Connection, reply_to: Header, reports: list[PositionReport]
    ) -> None:
        """Hand reports to the sink; answer now, or once the sink says they are durable."""
        accepted = self._submit(conn, reports)
        if not isinstance(accepted, concurrent.futures.Future):
            self._reply(conn, reply_to, accepted)
            return
        conn.unacked += 1
        waiting = self._awaiting.get(accepted)
        if waiting is not None:
            waiting.append((conn, reply_to, len(reports)))
            return
        self._awaiting[accepted] = [(conn, reply_to, len(reports))]
        accepted.add_done_callback(self._durable_threadsafe)

    def _durable_threadsafe(self, future: concurrent.futures.Future[bool]) -> None:
        # any thread (the database writer's): answer on the loop
        loop = self._loop
        if loop is None:
            return
        # a closed loop (the server stopped) raises RuntimeError: nothing left to answer
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(functools.partial(self._durable, future))

    def _durable(self, future: concurrent.futures.Future[bool]) -> None:
        waiting = self._awaiting.pop(future, [])
        try:
            stored = future.result() is True
        except BaseException as exc:  # a sink bug: not stored as far as we know
            log.error("position sink reported a failure: %s", exc)
            stored = False
        for conn, reply_to, count in waiting:
            conn.unacked -= 1
            if stored:
                self.stats.positions_durable += count
                self._reply(conn, reply_to, ReplyResult.SUCCESS)
            else:
                self.stats.positions_failed += count
                self._reply(conn, reply_to, ReplyResult.FAILURE)
            if conn.unacked < self.settings.max_unacked_per_connection:
                conn.room.set()
        if not stored and waiting:
            log.warning("storing %d position messages failed; terminals told to retry",
                        len(waiting))

    def _submit(
        self, conn: _Connection, reports: list[PositionReport]
    ) -> ReplyResult | concurrent.futures.Future[bool]:
        try:
            accepted = self.sink.submit(reports)
        except Exception:
            log.exception("position sink failed on %d reports", len(reports))
            accepted = False
        if accepted is not True and not isinstance(accepted, concurrent.futures.Future):
            self.stats.positions_refused += len(reports)
            log.warning(
                "position sink refused %d reports from %s; terminal told to retry",
                len(reports),
                reports[0].phone if reports else "-",
            )
            return ReplyResult.FAILURE
        self.stats.positions += len(reports)
        tracker = self.tracker
        try:
            for report in reports:
                self._publish(tracker.update(report))
        except Exception:  # the reports are accepted; a state bug must not cost the answer
            log.exception("vehicle state update failed for %s", reports[0].phone)
        return accepted if isinstance(accepted, concurrent.futures.Future) \
            else ReplyResult.SUCCESS

    async def _on_registration(
        self, conn: _Connection, header: Header, body: bytes, reply_to: Header
    ) -> bool:
        try:
            registration = decode_body(header, body)
        except FrameError as exc:
            self._bad_frame(conn, exc, reply_to)
            return False
        assert isinstance(registration, Registration)
        phone = header.phone
        self.stats.registrations += 1
        try:
            record = await self.registry.lookup(phone)
            if record is None and not self.settings.accept_unknown_terminals:
                self._reject(
                    conn,
                    reply_to,
                    RegistrationResult.TERMINAL_NOT_IN_DATABASE,
                    "unknown terminal",
                    registration,
                )
                conn.close("unknown terminal rejected")
                return False
            record = await self.registry.register(phone, registration)
        except RegistrationRefused as exc:
            self._reject(conn, reply_to, exc.result, exc.reason, registration)
            self._count_error(conn, f"registration of {phone} refused", logged=True)
            return False
        except Exception:
            log.exception("terminal registry failed on registration of %s", phone)
            self._reply(conn, reply_to, ReplyResult.FAILURE)
            return True  # our failure, not the terminal's
        if conn.close_reason is not None:
            return False
        self._send(
            conn,
            reply_to,
            RegistrationReply(reply_to.serial, RegistrationResult.SUCCESS, record.auth_code),
        )
        log.info(
            "terminal %s registered from %s (maker %r, model %r, id %r, plate %r)",
            phone,
            conn.peer,
            registration.manufacturer_id,
            registration.model,
            registration.terminal_id,
            registration.plate,
        )
        self._emit(self.events.on_registered, phone, registration, conn.info())
        return True

    def _reject(
        self,
        conn: _Connection,
        reply_to: Header,
        result: int,
        reason: str,
        registration: Registration,
    ) -> None:
        self.stats.rejected += 1
        log.warning(
            "registration of terminal %s from %s rejected (%s; maker %r, id %r, plate %r)",
            reply_to.phone,
            conn.peer,
            reason,
            registration.manufacturer_id,
            registration.terminal_id,
            registration.plate,
        )
        self._send(conn, reply_to, RegistrationReply(reply_to.serial, result))
        self._emit(self.events.on_rejected, reply_to.phone, reason, conn.info())

    async def _on_authentication(
        self,
        conn: _Connection,
        header: Header,
        body: bytes,
        reply_to: Header,
        received_at: datetime,
    ) -> bool:
        try:
            auth = decode_body(header, body)
        except FrameError as exc:
            self._bad_frame(conn, exc, reply_to)
            return False
        assert isinstance(auth, Authentication)
        phone = header.phone
        try:
            record = await self.registry.lookup(phone)
        except Exception:
            log.exception("terminal registry failed on authentication of %s", phone)
            self._reply(conn, reply_to, ReplyResult.FAILURE)
            return True  # our failure, not the terminal's
        if record is None or record.auth_code != auth.auth_code:
            reason = "unknown terminal" if record is None else "wrong authentication code"
            self.stats.rejected += 1
            log.warning("authentication of %s from %s failed: %s", phone, conn.peer, reason)
            self._reply(conn, reply_to, ReplyResult.FAILURE)
            self._emit(self.events.on_rejected, phone, reason, conn.info())
            self._count_error(conn, f"authentication of {phone} failed", logged=True)
            return False
        if conn.close_reason is not None:
            return False
        previous = self._sessions.get(phone)
        if previous is not None and previous is not conn:
            previous.phones.pop(phone, None)
            if not previous.phones:
                previous.close(f"terminal {phone} reconnected on another connection")
        conn.phones[phone] = record
        self._sessions[phone] = conn
        self.stats.authenticated += 1
        self._reply(conn, reply_to, ReplyResult.SUCCESS)
        log.info(
            "terminal %s authenticated from %s (%s header)",
            phone,
            conn.peer,
            "2019" if header.is_2019 else "2013",
        )
        self._publish(self.tracker.seen(phone, received_at))
        self._emit(self.events.on_authenticated, phone, conn.info())
        return True

    # ------------------------------------------------------------------ replies and errors
    def _reply(self, conn: _Connection, to: Header, result: int) -> None:
        if conn.writer.is_closing():
            return
        body = _reply_body(to.serial, to.msg_id, result)
        frame = pack_frame(
            MsgId.PLATFORM_GENERAL_REPLY,
            to.phone,
            conn.next_serial(to.phone),
            body,
            version=to.version,
        )
        conn.writer.write(frame)

    def _send(self, conn: _Connection, to: Header, message: Message) -> None:
        if conn.writer.is_closing():
            return
        body = encode_body(message, version=to.version)
        frame = pack_frame(
            message.MSG_ID, to.phone, conn.next_serial(to.phone), body, version=to.version
        )
        conn.writer.write(frame)

    def _bad_frame(
        self, conn: _Connection, exc: FrameError, reply_to: Header | None = None
    ) -> None:
        self.stats.bad_frames += 1
        header = reply_to or exc.header
        if header is not None:
            self._reply(conn, header, ReplyResult.MESSAGE_ERROR)
        self._count_error(conn, f"malformed frame: {exc}")

    def _count_error(self, conn: _Connection, what: str, *, logged: bool = False) -> None:
        conn.errors_in_row += 1
        if not logged:
            if conn.errors_logged < _LOGGED_ERRORS_PER_CONNECTION:
                conn.errors_logged += 1
                log.warning("connection %d (%s): %s", conn.conn_id, conn.peer, what)
            else:
                log.debug("connection %d (%s): %s", conn.conn_id, conn.peer, what)
        if conn.errors_in_row >= self.settings.max_consecutive_errors:
            self.stats.closed_for_errors += 1
            log.warning(
                "connection %d (%s): %d errors in a row; closing",
                conn.conn_id,
                conn.peer,
                conn.errors_in_row,
            )
            conn.close(f"{conn.errors_in_row} errors in a row")

    # ------------------------------------------------------------------ events and sweeping
    def _emit(self, callback: Callable[..., None] | None, *args: Any) -> None:
        if callback is None:
            return
        try:
            callback(*args)
        except Exception:
            log.exception("event callback %r failed", callback)

    def _publish(self, events: Sequence[VehicleEvent]) -> None:
        if not events:
            return
        on_event = self.events.on_vehicle_event
        on_alarm = self.events.on_alarm
        for event in events:
            if event.kind is VehicleEventKind.SOS_RAISED:
                log.warning(
                    "SOS from %s at %.6f, %.6f (alarm %d)",
                    event.phone,
                    event.sos.location.latitude if event.sos else 0.0,
                    event.sos.location.longitude if event.sos else 0.0,
                    event.sos.alarm_id if event.sos else 0,
                )
            self._emit(on_event, event)
            if event.kind in (VehicleEventKind.SOS_RAISED, VehicleEventKind.ALARM_RAISED):
                self._emit(on_alarm, event)

    async def _sweep_loop(self) -> None:
        loop = asyncio.get_running_loop()
        settings = self.settings
        while True:
            await asyncio.sleep(settings.sweep_interval_s)
            try:
                now = loop.time()
                for conn in list(self._conns.values()):
                    if now - conn.last_frame > settings.idle_timeout_s:
                        log.info(
                            "connection %d (%s, terminals %s): no valid frame for %.0f s; closing",
                            conn.conn_id,
                            conn.peer,
                            ",".join(conn.phones) or "-",
                            now - conn.last_frame,
                        )
                        conn.close(f"idle for more than {settings.idle_timeout_s:g} s")
                    conn.reassembler.expire(now)
                self._publish(self.tracker.sweep(_now()))
            except Exception:
                log.exception("JT/T 808 sweep failed")


def _now() -> datetime:
    return utcnow()


_REPLY = struct.Struct(">HHB")


def _reply_body(serial: int, msg_id: int, result: int) -> bytes:
    return _REPLY.pack(serial & 0xFFFF, msg_id & 0xFFFF, result & 0xFF)


class ServerThread:
    """Run a :class:`Jt808Server` on its own event loop in a background thread."""

    def __init__(self, server: Jt808Server, *, name: str = "jt808-server") -> None:
        """Wrap a server.

        Args:
            server: The server to run (not started yet).
            name: Thread name.
        """
        self.server = server
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The server's event loop (only while running)."""
        if self._loop is None:
            raise RuntimeError("server thread not running")
        return self._loop

    def start(self, timeout: float = 10.0) -> int:
        """Start the thread and wait until the server listens.

        Args:
            timeout: Seconds to wait.

        Returns:
            The bound port.

        Raises:
            OSError: The server could not bind.
            TimeoutError: It did not start in time.
        """
        if self._thread is not None:
            raise RuntimeError("server thread already started")
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("JT/T 808 server did not start in time")
        if self._error is not None:
            self._thread.join(timeout)
            self._thread = None
            raise self._error
        return self.server.port

    def call(self, fn: Callable[..., _T], *args: Any) -> concurrent.futures.Future[_T]:
        """Run ``fn(*args)`` on the server's loop thread (e.g. ``server.acknowledge_sos``).

        Returns:
            A future with the result.
        """
        future: concurrent.futures.Future[_T] = concurrent.futures.Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args))
            except BaseException as exc:
                future.set_exception(exc)

        self.loop.call_soon_threadsafe(run)
        return future

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server, close its connections and end the thread.

        Args:
            timeout: Seconds to wait.
        """
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        if loop.is_running():
            future = asyncio.run_coroutine_threadsafe(self.server.stop(), loop)
            try:
                future.result(timeout)
            except (concurrent.futures.TimeoutError, RuntimeError):
                log.warning("JT/T 808 server did not stop cleanly within %.1f s", timeout)
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        self._thread = None

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            try:
                loop.run_until_complete(self.server.start())
            except BaseException as exc:
                self._error = exc
                return
            finally:
                self._ready.set()
            loop.run_forever()
        finally:
            try:
                pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
                for task in pending:
                    task.cancel()
                if pending:
                    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                asyncio.set_event_loop(None)
                loop.close()
                self._loop = None
