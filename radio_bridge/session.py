"""The radio session: owns the serial port, keeps the link up and runs the durable outbox.

Threads (all daemon threads, all stopped and joined by :meth:`Session.stop`):

* ``radio-session`` (the worker) opens the port, runs the init sequence, sends commands – one
  at a time, each waits for its final result –, sends the outbox, supervises the link with a
  periodic ``AT`` and reconnects with capped exponential backoff when the port disappears or the
  radio stops answering.
* ``radio-reader`` (one per connection) reads the port, feeds the line reader, hands final
  results to the command in flight and decodes unsolicited result codes.
* ``radio-events`` calls ``on_event(event)`` for every event, one at a time, in order.

**The callback runs on the ``radio-events`` thread**, never on the caller's thread. It must
return quickly (a Qt console emits a signal, which Qt queues to the GUI thread); it may call the
non-blocking Session methods. Exceptions it raises are logged and ignored.

Public methods are thread-safe. ``send_text``/``send_status``/``request_location`` store the
message (on the caller's thread, through the store) and return its id at once; the worker sends
it when the link is up. ``select_talkgroup``, ``ptt``, ``hangup`` and ``command`` return a
:class:`concurrent.futures.Future`; they fail at once with :class:`LinkDownError` while the link
is not up.

Usage::

    store = SqliteOutboxStore("outbox.sqlite3")      # or the console's own OutboxStore
    session = Session("/dev/ttyUSB0", store=store, on_event=print,
                      config=SessionConfig(baudrate=38400, rtscts=True))
    session.start()
    msg_id = session.send_text(2269001, "请到3号剧场检查")
    ...
    session.stop()
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

import serial

from radio_bridge import events as ev
from radio_bridge import lip, pei, sdstl
from radio_bridge.at import (
    ESC,
    Echo,
    FinalResult,
    Item,
    LineReader,
    Malformed,
    Response,
    Unsolicited,
    encode_cmgs,
    encode_command,
)
from radio_bridge.errors import (
    RETRYABLE_CME_CODES,
    CancelRefused,
    CommandError,
    CommandTimeout,
    LinkDownError,
    ProtocolError,
)
from radio_bridge.inbound import CallInfo, DeliveryNotice, InboundProcessor, ReportReply
from radio_bridge.outbox import (
    MemoryOutboxStore,
    MessageKind,
    OutboxMessage,
    OutboxState,
    OutboxStore,
    new_message,
    utc_now,
)
from radio_bridge.status import DEFAULT_STATUS_PLAN, StatusPlan

__all__ = ["DEFAULT_INIT_COMMANDS", "Session", "SessionConfig"]

log = logging.getLogger("radio_bridge.session")
wire_log = logging.getLogger("radio_bridge.wire")

#: Routing set up after ``ATE0`` (PROTOCOLS.md §1.4). Sepura STP9000 needs ``AT+CTSP=2,3,10``
#: instead of ``AT+CTSP=1,3,10`` to route LIP to the PC.
DEFAULT_INIT_COMMANDS: tuple[str, ...] = (
    "AT+CTSP=2,0,0",
    "AT+CTSP=2,2,20",
    "AT+CTSP=1,3,10",
    "AT+CTSP=1,3,130",
    "AT+CTSP=1,3,137",
    "AT+CTSP=1,3,138",
    "AT+CTSP=1,3,2",
)


@dataclass(frozen=True)
class SessionConfig:
    """Settings of a :class:`Session` (all have working defaults).

    Attributes:
        baudrate: Serial speed (set in the radio's codeplug: 38400, 115200, 9600 …).
        rtscts: RTS/CTS hardware flow control.
        xonxoff: XON/XOFF software flow control.
        init_commands: Commands after ``ATE0`` (routing). ``+CME ERROR: 38`` (PID already
            registered) counts as success; other errors are logged and skipped.
        force_tmo: Send ``AT+CTOM=0`` (trunked mode) during init.
        sds_parameters: Parameters after the service in ``AT+CTSDS=12,…`` (identity type, area,
            access priority, end-to-end encryption).
        status_parameters: Parameters after the service in ``AT+CTSDS=13,…``.
        call_setup: Command sent before ``ATD<GSSI>`` when PTT starts a group call.
        command_timeout_s: Wait for the final result of an ordinary command.
        send_timeout_s: Wait for the final result of ``AT+CMGS``. A send that times out is
            retried; its late answer is never taken for the next command's (see
            ``resync_command``).
        confirm_timeout_s: A part the radio accepted (``+CMGS: n``) whose transmission is not
            confirmed (``+CMGS: n,4,ref``) within this time becomes ``unconfirmed``; 0: never.
        report_timeout_s: A part sent (or unconfirmed) with a delivery report requested whose
            report does not come within this time fails (``no delivery report``); 0: never.
        group_ssis: Talkgroup GSSIs: texts to them ask for no delivery report (a group does
            not answer one) and end at ``sent``.
        resync_command: After a command timed out, this command is sent before the next one;
            final results that arrive before its information line (``+CNUMF: …``) answer the
            timed-out command and are discarded (PROTOCOLS.md §1.1 rule 1).
        keepalive_s: Send ``AT`` when no command succeeded for this long.
        keepalive_failures: Unanswered keepalives before the link counts as lost.
        reconnect_initial_s: First reconnect delay; doubles up to ``reconnect_max_s``.
        reconnect_max_s: Reconnect delay cap.
        busy_retry_s: First retry delay after ``+CME ERROR: 42``; doubles up to
            ``retry_max_s``. Busy answers never make a message fail.
        retry_initial_s: First retry delay after another retryable error.
        retry_max_s: Retry delay cap.
        max_failures: Non-busy failed attempts before a message is marked failed.
        max_user_data_bits: Largest SDS type-4 user data; longer texts are concatenated.
        call_setup_timeout_s: How long PTT waits for the call instance after ``ATD``.
        duplicate_window_s: Window for dropping resent texts (see InboundProcessor).
        reassembly_timeout_s: Incomplete concatenated texts are shown after this.
        read_timeout_s: Serial read timeout (reader loop granularity).
        trace: Optional ``trace(direction, data)`` called with ``"tx"``/``"rx"`` and raw bytes
            (on the worker / reader thread) – for diagnostics and benchmarks.
    """

    baudrate: int = 38400
    rtscts: bool = False
    xonxoff: bool = False
    init_commands: tuple[str, ...] = DEFAULT_INIT_COMMANDS
    force_tmo: bool = False
    sds_parameters: str = "0,0,0,0"
    status_parameters: str = "0"
    call_setup: str = "AT+CTSDC=0,0,0,1,1,0,1,1,0,0,0"
    command_timeout_s: float = 5.0
    send_timeout_s: float = 15.0
    confirm_timeout_s: float = 60.0
    report_timeout_s: float = 300.0
    group_ssis: frozenset[int] = frozenset()
    resync_command: str = "AT+CNUMF?"
    keepalive_s: float = 15.0
    keepalive_failures: int = 2
    reconnect_initial_s: float = 0.5
    reconnect_max_s: float = 30.0
    busy_retry_s: float = 2.0
    retry_initial_s: float = 2.0
    retry_max_s: float = 60.0
    max_failures: int = 8
    max_user_data_bits: int = sdstl.DEFAULT_MAX_USER_DATA_BITS
    call_setup_timeout_s: float = 5.0
    duplicate_window_s: float = 600.0
    reassembly_timeout_s: float = 300.0
    read_timeout_s: float = 0.05
    trace: Callable[[str, bytes], None] | None = field(default=None, compare=False)


class _Command:
    """The command in flight.

    A resynchronising command has a ``marker`` (the prefix of its information line): final
    results before that line answer commands that timed out earlier and are not its own.
    """

    __slots__ = ("done", "final", "label", "lines", "marked", "marker")

    def __init__(self, label: str, marker: str | None = None) -> None:
        self.label = label
        self.lines: list[Response] = []
        self.final: FinalResult | None = None
        self.done = threading.Event()
        self.marker = marker
        self.marked = False


class _Stale:
    """A command that timed out: the radio may still answer it (its final result is owed)."""

    __slots__ = ("label", "lines", "send")

    def __init__(self, label: str, send: tuple[str, int] | None) -> None:
        self.label = label
        self.send = send  # (message id, part) for an AT+CMGS
        self.lines: list[Response] = []


class _ClockLike(Protocol):
    def now(self) -> datetime: ...


class _UtcClock:
    """The bridge's default clock (``models.clock.SystemClock`` fits the same slot)."""

    def now(self) -> datetime:
        return utc_now()


class _Connection:
    """One open port with its reader thread."""

    def __init__(self, port: Any) -> None:
        self.port = port
        self.reader = LineReader()
        self.alive = True
        self.lost_reason = ""
        self.sds_service: int | None = None
        self.thread: threading.Thread | None = None
        #: Commands that timed out, oldest first, whose final results may still come.
        self.stale: collections.deque[_Stale] = collections.deque()


@dataclass
class _Request:
    kind: str
    args: tuple[Any, ...]
    future: concurrent.futures.Future[Any]


def _check_ssi(issi: int | str) -> int:
    try:
        value = int(issi)
    except (TypeError, ValueError):
        raise ValueError(f"not an SSI: {issi!r}") from None
    if not 1 <= value <= 0xFFFFFF:
        raise ValueError(f"SSI {value} out of range 1-16777215")
    return value


class Session:
    """A connection to a TETRA radio over the PEI (see the module docstring)."""

    def __init__(
        self,
        port: str,
        *,
        store: OutboxStore | None = None,
        on_event: Callable[[ev.RadioEvent], None] | None = None,
        config: SessionConfig | None = None,
        status_plan: StatusPlan = DEFAULT_STATUS_PLAN,
        port_factory: Callable[..., Any] | None = None,
        clock: _ClockLike | None = None,
    ) -> None:
        """Create a session and load the store's unfinished messages (no port is opened until
        :meth:`start`).

        Args:
            port: Any pyserial URL: ``/dev/ttyUSB0``, ``COM3``, ``socket://host:port``,
                ``loop://``, or a pseudo-terminal path.
            store: Durable outbox store; default an in-memory store (not durable).
            on_event: Called with every event on the ``radio-events`` thread.
            config: Settings.
            status_plan: Meanings of status values (also resolves keys in ``send_status``).
            port_factory: Opens the port; default :func:`serial.serial_for_url`. Called as
                ``factory(url, baudrate=…, rtscts=…, xonxoff=…, timeout=…, write_timeout=…)``.
            clock: Tells the time of state changes (an object with ``now()`` returning an
                aware UTC datetime, e.g. ``models.clock.SystemClock``); timeouts use
                :func:`time.monotonic`.
        """
        self.port_url = port
        self.config = config or SessionConfig()
        self.status_plan = status_plan
        self._store: OutboxStore = store if store is not None else MemoryOutboxStore()
        self._on_event = on_event
        self._port_factory = port_factory or serial.serial_for_url
        self.inbound = InboundProcessor(
            status_plan,
            duplicate_window_s=self.config.duplicate_window_s,
            reassembly_timeout_s=self.config.reassembly_timeout_s,
        )
        self._lock = threading.RLock()
        self._cmd_lock = threading.Lock()
        self._inflight: _Command | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._events: queue.Queue[ev.RadioEvent | None] = queue.Queue()
        self._requests: queue.Queue[_Request] = queue.Queue()
        self._replies: list[tuple[float, int, ReportReply]] = []
        self._outbox: dict[str, OutboxMessage] = {}
        self._awaiting: list[tuple[int | None, str, int]] = []
        self._reply_instances: collections.deque[int] = collections.deque(maxlen=32)
        self._conn: _Connection | None = None
        self._worker: threading.Thread | None = None
        self._event_thread: threading.Thread | None = None
        self._link_state = ev.LinkState.DOWN
        self._own: pei.OwnNumber | None = None
        self._talkgroup: int | None = None
        self._last_ok = 0.0
        self._keepalive_misses = 0
        self._busy_streak = 0
        self._started = False
        self._clock: _ClockLike = clock if clock is not None else _UtcClock()
        #: (message id, part) → (what is awaited: "confirm"/"report", monotonic deadline)
        self._deadlines: dict[tuple[str, int], tuple[str, float]] = {}
        #: Finished-as-unconfirmed messages a late +CMGS: n,4 may still move to sent.
        self._late: collections.OrderedDict[str, OutboxMessage] = collections.OrderedDict()
        self._sending: str | None = None  # id of the message being written to the radio
        for msg in self._store.unfinished():  # resent after (re)connecting, same bytes
            self._outbox[msg.id] = msg
            self._arm_deadlines(None, msg)  # a restart gives a report the full timeout again
        if self._outbox:
            log.info("outbox: %d unfinished message(s) loaded", len(self._outbox))

    # ================================================================== public API

    @property
    def link_state(self) -> ev.LinkState:
        """Current link state."""
        return self._link_state

    @property
    def own_identity(self) -> pei.OwnNumber | None:
        """The radio's identity from ``AT+CNUMF?`` (None until read)."""
        return self._own

    @property
    def talkgroup(self) -> int | None:
        """The selected talkgroup GSSI, if known."""
        return self._talkgroup

    @property
    def store(self) -> OutboxStore:
        """The outbox store."""
        return self._store

    def calls(self) -> dict[int, CallInfo]:
        """Active calls by CC instance."""
        return self.inbound.calls()

    def outbox(self) -> list[OutboxMessage]:
        """Snapshot of the unfinished outbox messages, oldest first."""
        with self._lock:
            return list(self._outbox.values())

    def message(self, message_id: str) -> OutboxMessage | None:
        """Return the current record of a message (from the cache or the store)."""
        with self._lock:
            msg = self._outbox.get(message_id)
            return msg if msg is not None else self._store.get(message_id)

    def start(self) -> None:
        """Start the threads (the unfinished outbox messages were loaded by the constructor).

        Raises:
            RuntimeError: If already started.
        """
        if self._started:
            raise RuntimeError("session already started")
        self._started = True
        self._event_thread = threading.Thread(target=self._event_loop, name="radio-events",
                                              daemon=True)
        self._event_thread.start()
        self._worker = threading.Thread(target=self._run, name="radio-session", daemon=True)
        self._worker.start()

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop the threads and close the port. Safe to call more than once.

        Args:
            timeout: Total time to wait for the threads.

        Returns:
            True if every thread ended within the timeout.
        """
        self._stop.set()
        self._wake.set()
        deadline = time.monotonic() + timeout
        ok = True
        if self._worker is not None:
            self._worker.join(max(0.0, deadline - time.monotonic()))
            ok = not self._worker.is_alive()
        if self._event_thread is not None and self._event_thread.is_alive():
            self._events.put(None)
            if self._event_thread is not threading.current_thread():  # stop() from on_event
                self._event_thread.join(max(0.0, deadline - time.monotonic()))
                ok = ok and not self._event_thread.is_alive()
        if not ok:
            log.warning("session threads did not stop within %.1f s", timeout)
        return ok

    def __enter__(self) -> Session:
        """Start the session."""
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the session."""
        self.stop()

    def wait_until_up(self, timeout: float) -> bool:
        """Block until the link is up (for scripts and tests; not for a GUI thread)."""
        deadline = time.monotonic() + timeout
        while self._link_state != ev.LinkState.UP:
            if time.monotonic() >= deadline or self._stop.is_set():
                return False
            time.sleep(0.01)
        return True

    def send_text(self, issi: int | str, text: str, *, report: bool = True,
                  immediate: bool = False, group: bool | None = None) -> str:
        """Queue an SDS-TL text (concatenated when long) and return the message id.

        The message is stored before this returns; the worker sends it when the link is up.

        Args:
            issi: Destination ISSI or GSSI.
            text: The text; Chinese is sent as UCS-2 (coding 26), Latin-1 text as coding 1.
            report: Ask the destination for a delivery report (state ``delivered``). Never
                for a group: a talkgroup does not answer reports, so its texts end at ``sent``.
            immediate: Send as immediate text (PID 0x89) – shown at once by the receiver.
            group: The destination is a talkgroup (GSSI); default: it is one of
                ``config.group_ssis``.

        Raises:
            ValueError: For a bad ISSI or an empty/too long text.
            Exception: Whatever the store raises (the message was then not queued).
        """
        dest = _check_ssi(issi)
        is_group = dest in self.config.group_ssis if group is None else group
        if is_group:
            report = False
        _coding, chunks = sdstl.split_text(text, self.config.max_user_data_bits)
        with self._lock:
            refs = [self._allocate_reference() for _ in chunks]
            payloads = sdstl.build_text(text, refs, report=report, immediate=immediate,
                                        max_user_data_bits=self.config.max_user_data_bits)
            msg = new_message(
                kind=MessageKind.TEXT, destination=dest, ai_service=pei.AI_SERVICE_SDS4,
                parts=[(p.hex().upper(), len(p) * 8) for p in payloads],
                references=list(refs), report_requested=report, text=text, group=is_group,
                now=self._clock.now())
            self._queue(msg)
        return msg.id

    def cancel(self, message_id: str, reason: str = "cancelled by the dispatcher") -> OutboxMessage:
        """Withdraw a queued message that no byte of could have reached the air.

        Returns:
            The stored record, now ``cancelled`` (an ``OutboxStateChanged`` event follows).

        Raises:
            CancelRefused: The message is unknown, already finished, (partly) accepted or sent
                by the radio, being written to it right now, or an earlier attempt may be on
                the air; ``reason`` says which.
            Exception: Whatever the store raises (the message then stays queued).
        """
        with self._lock:
            msg = self._outbox.get(message_id)
            if msg is None:
                stored = self._store.get(message_id)
                if stored is None:
                    raise CancelRefused(message_id, "no such message")
                raise CancelRefused(message_id, stored.cancel_refusal or "already finished")
            if self._sending == message_id:
                raise CancelRefused(message_id, "it is being handed to the radio right now")
            refusal = msg.cancel_refusal
            if refusal is not None:
                raise CancelRefused(message_id, refusal)
            new = replace(msg, part_states=tuple(OutboxState.CANCELLED for _ in msg.parts),
                          next_attempt_at=None, last_error=None)
            new = new.with_history(OutboxState.CANCELLED, reason, self._clock.now())
            self._commit(msg, new, reason)
            return new

    def send_status(self, issi: int | str, code: int | str) -> str:
        """Queue a pre-coded status and return the message id.

        Args:
            issi: Destination ISSI or GSSI.
            code: 0–65535, a ``0x…`` string, or a status plan key such as ``"acknowledge"``.

        Raises:
            ValueError: For a bad ISSI, an unknown key or a short-report value.
        """
        dest = _check_ssi(issi)
        value = self.status_plan.resolve(code)
        if not 0 <= value <= 0xFFFF:
            raise ValueError(f"status {value} is not 16 bits")
        msg = new_message(
            kind=MessageKind.STATUS, destination=dest, ai_service=pei.AI_SERVICE_STATUS,
            parts=[(f"{value:04X}", 16)], references=[None], report_requested=False,
            status_value=value)
        with self._lock:
            self._queue(msg)
        return msg.id

    def request_location(self, issi: int | str) -> str:
        """Queue a LIP immediate location request (short report preferred); returns the id."""
        dest = _check_ssi(issi)
        payload, bits = lip.immediate_request(short=True)
        msg = new_message(
            kind=MessageKind.LOCATION_REQUEST, destination=dest,
            ai_service=pei.AI_SERVICE_SDS4, parts=[(payload, bits)], references=[None],
            report_requested=False)
        with self._lock:
            self._queue(msg)
        return msg.id

    def select_talkgroup(self, gssi: int | str) -> concurrent.futures.Future[None]:
        """Select the talkgroup for outgoing group calls (``AT+CTGS=1,<gssi>``).

        Returns:
            A future that completes when the radio confirmed (a ``TalkgroupSelected`` event is
            emitted too) or fails with LinkDownError/CommandError/CommandTimeout.
        """
        return self._request("talkgroup", _check_ssi(gssi))

    def ptt(self, press: bool) -> concurrent.futures.Future[int | None]:
        """Press or release push-to-talk.

        Press: in an active call ``AT+CTXD=<cc>,1``; otherwise start a group call on the selected
        talkgroup (``call_setup`` then ``ATD<GSSI>``). Release: ``AT+CUTXC=<cc>``.

        Returns:
            A future with the CC instance used (None for a release without a call). The grant
            itself arrives as a ``TxGranted`` event.
        """
        return self._request("ptt", bool(press))

    def hangup(self) -> concurrent.futures.Future[None]:
        """Leave/end the current call (``ATH``)."""
        return self._request("hangup")

    def command(
        self, line: str, timeout: float | None = None
    ) -> concurrent.futures.Future[list[str]]:
        """Send any AT command (diagnostics) and get its information lines.

        Returns:
            A future with the response lines (without the final ``OK``), or CommandError.
        """
        return self._request("raw", line, timeout)

    # ================================================================== outbox helpers

    def _allocate_reference(self) -> int:
        in_use = {r for m in self._outbox.values() for r in m.references if r is not None}
        ref = self._store.next_reference()
        for _ in range(256):
            if ref not in in_use:
                break
            ref = self._store.next_reference()
        else:
            log.warning("all 256 message references are in use; reusing %d", ref)
        return ref

    def _queue(self, msg: OutboxMessage) -> None:
        self._store.add(msg)
        self._outbox[msg.id] = msg
        log.info("outbox: queued %s (%s), %d part(s)", msg.id, msg.summary(), len(msg.parts))
        self._emit_outbox(msg, None, "queued")
        self._wake.set()

    def _emit_outbox(self, msg: OutboxMessage, previous: OutboxState | None, detail: str) -> None:
        self._emit(ev.OutboxStateChanged(
            message_id=msg.id, kind=msg.kind, destination=msg.destination, state=msg.state,
            previous_state=previous, detail=detail, attempts=msg.attempts,
            last_error=msg.last_error, references=msg.references, state_at=msg.updated_at))

    def _commit(self, old: OutboxMessage, new: OutboxMessage, detail: str,
                note: bool = False) -> None:
        """Store ``new``, update the cache and emit an event (state change or ``note``)."""
        self._store.update(new)
        self._late.pop(new.id, None)
        if new.is_final:
            self._outbox.pop(new.id, None)
            if new.state == OutboxState.UNCONFIRMED:  # a late +CMGS: n,4 may still come
                self._late[new.id] = new
                while len(self._late) > 64:
                    gone, _msg = self._late.popitem(last=False)
                    self._awaiting = [a for a in self._awaiting if a[1] != gone]
            else:
                self._awaiting = [a for a in self._awaiting if a[1] != new.id]
        else:
            self._outbox[new.id] = new
        self._arm_deadlines(old, new)
        if new.state != old.state or note:
            log.info("outbox: %s %s -> %s (%s)", new.id, old.state, new.state, detail)
            self._emit_outbox(new, old.state, detail)

    def _arm_deadlines(self, old: OutboxMessage | None, new: OutboxMessage) -> None:
        """Start or stop the confirmation and report timers of ``new``'s parts."""
        cfg = self.config
        now = time.monotonic()
        for i, state in enumerate(new.part_states):
            key = (new.id, i)
            if old is not None and old.part_states[i] == state and not new.is_final:
                continue  # unchanged: the running timer goes on
            self._deadlines.pop(key, None)
            if new.is_final:
                continue
            if state == OutboxState.ACCEPTED and cfg.confirm_timeout_s > 0:
                self._deadlines[key] = ("confirm", now + cfg.confirm_timeout_s)
            elif (state in (OutboxState.SENT, OutboxState.UNCONFIRMED) and new.report_requested
                  and cfg.report_timeout_s > 0):
                self._deadlines[key] = ("report", now + cfg.report_timeout_s)
            else:
                continue
            self._wake.set()  # the worker recomputes how long it may sleep

    def _check_deadlines(self) -> None:
        """Parts whose confirmation or report did not come in time (worker thread)."""
        cfg = self.config
        now = time.monotonic()
        with self._lock:
            due = sorted((when, key, what) for key, (what, when) in self._deadlines.items()
                         if when <= now)
            for _when, key, what in due:
                self._deadlines.pop(key, None)
                msg = self._outbox.get(key[0])
                if msg is None:
                    continue
                state = msg.part_states[key[1]]
                if what == "confirm" and state == OutboxState.ACCEPTED:
                    detail = (f"no transmission confirmation (+CMGS: n,4) within "
                              f"{cfg.confirm_timeout_s:g} s")
                    new = msg.with_part_state(key[1], OutboxState.UNCONFIRMED, detail,
                                              self._clock.now())
                    self._commit(msg, replace(new, last_error=detail), detail)
                elif what == "report" and state in (OutboxState.SENT, OutboxState.UNCONFIRMED):
                    detail = f"no delivery report within {cfg.report_timeout_s:g} s"
                    new = msg.with_part_state(key[1], OutboxState.FAILED, detail,
                                              self._clock.now())
                    self._commit(msg, new, detail)

    def _next_deadline_in(self) -> float | None:
        with self._lock:
            if not self._deadlines:
                return None
            first = min(when for _what, when in self._deadlines.values())
        return max(0.0, first - time.monotonic())

    def _retry_later(self, msg: OutboxMessage, part: int, error: str, *, busy: bool) -> None:
        cfg = self.config
        if busy:
            self._busy_streak += 1
            delay = min(cfg.busy_retry_s * 2 ** (self._busy_streak - 1), cfg.retry_max_s)
            failures = msg.failures
        else:
            failures = msg.failures + 1
            delay = min(cfg.retry_initial_s * 2 ** (failures - 1), cfg.retry_max_s)
        if failures >= cfg.max_failures:
            new = replace(msg, failures=failures).with_part_state(
                part, OutboxState.FAILED, f"gave up after {failures} failures: {error}")
            self._commit(msg, new, new.last_error or error)
            return
        when = utc_now() + timedelta(seconds=delay)
        new = replace(msg, failures=failures, next_attempt_at=when, last_error=error)
        new = new.with_part_state(part, OutboxState.QUEUED, error)
        new = replace(new, next_attempt_at=when, last_error=error)
        self._commit(msg, new, f"{error}; retry in {delay:g} s", note=True)

    def _requeue_unsent(self, reason: str) -> None:
        """After a reconnect: parts not yet reported sent go back to queued (same bytes)."""
        with self._lock:
            self._awaiting.clear()
            for msg in list(self._outbox.values()):
                new = msg
                for i, state in enumerate(msg.part_states):
                    if state == OutboxState.ACCEPTED:
                        new = new.with_part_state(i, OutboxState.QUEUED, f"requeued: {reason}")
                if new is not msg:  # the radio had it: it may have gone out before the drop
                    new = replace(new, next_attempt_at=None, maybe_sent=True)
                    self._commit(msg, new, f"requeued: {reason}")

    def _next_outbox(self) -> tuple[OutboxMessage, int] | None:
        now = utc_now()
        for msg in self._outbox.values():
            if msg.next_attempt_at is not None and msg.next_attempt_at > now:
                continue
            for i, state in enumerate(msg.part_states):
                if state == OutboxState.QUEUED:
                    return msg, i
        return None

    def _next_due_in(self) -> float | None:
        with self._lock:
            due: list[datetime] = [
                m.next_attempt_at for m in self._outbox.values()
                if m.next_attempt_at is not None and OutboxState.QUEUED in m.part_states
            ]
        if not due:
            return None
        return max(0.0, (min(due) - utc_now()).total_seconds())

    # ================================================================== threads

    def _emit(self, event: ev.RadioEvent) -> None:
        self._events.put(event)

    def _event_loop(self) -> None:
        while True:
            event = self._events.get()
            if event is None:
                return
            if self._on_event is None:
                continue
            try:
                self._on_event(event)
            except Exception:
                log.exception("on_event callback failed for %s", event.event_type)

    def _set_link(self, state: ev.LinkState, detail: str = "",
                  retry_in: float | None = None) -> None:
        self._link_state = state
        log.info("link %s %s %s", state.value, self.port_url, detail)
        self._emit(ev.LinkStateChanged(state=state, port=self.port_url, detail=detail,
                                       retry_in_s=retry_in))

    def _run(self) -> None:
        cfg = self.config
        backoff = cfg.reconnect_initial_s
        try:
            while not self._stop.is_set():
                conn: _Connection | None = None
                try:
                    self._set_link(ev.LinkState.CONNECTING)
                    conn = self._open()
                    self._initialise(conn)
                    backoff = cfg.reconnect_initial_s
                    self._serve(conn)
                    reason = "stopped"
                except (OSError, ValueError, LinkDownError, CommandTimeout, CommandError) as exc:
                    # OSError includes serial.SerialException; ValueError: a bad port URL
                    reason = str(exc) or type(exc).__name__
                except Exception as exc:  # a bug must not kill the link for good
                    log.exception("session worker error")
                    reason = f"internal error: {exc!r}"
                finally:
                    if conn is not None:
                        self._close(conn)
                self._fail_requests(LinkDownError(reason))
                if self._stop.is_set():
                    break
                self._set_link(ev.LinkState.DOWN, reason, backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, cfg.reconnect_max_s)
        finally:
            self._set_link(ev.LinkState.STOPPED)

    def _open(self) -> _Connection:
        cfg = self.config
        port = self._port_factory(
            self.port_url, baudrate=cfg.baudrate, rtscts=cfg.rtscts, xonxoff=cfg.xonxoff,
            timeout=cfg.read_timeout_s, write_timeout=5.0)
        conn = _Connection(port)
        with contextlib.suppress(OSError, AttributeError):
            port.reset_input_buffer()
        conn.thread = threading.Thread(target=self._read_loop, args=(conn,),
                                       name="radio-reader", daemon=True)
        self._conn = conn
        conn.thread.start()
        return conn

    def _close(self, conn: _Connection) -> None:
        conn.alive = False
        if conn.thread is not None and conn.thread is not threading.current_thread():
            conn.thread.join(2.0)
        try:
            conn.port.close()
        except Exception:
            log.debug("closing the port failed", exc_info=True)
        if self._conn is conn:
            self._conn = None
        self.inbound.forget_calls()

    def _lost(self, conn: _Connection, reason: str) -> None:
        if conn.alive and not self._stop.is_set():
            log.warning("link lost: %s", reason)
        conn.lost_reason = conn.lost_reason or reason
        conn.alive = False
        with self._cmd_lock:
            if self._inflight is not None:
                self._inflight.done.set()
        self._wake.set()

    def _read_loop(self, conn: _Connection) -> None:
        trace = self.config.trace
        next_expire = time.monotonic() + 1.0
        try:
            while conn.alive and not self._stop.is_set():
                port = conn.port
                data = port.read(port.in_waiting or 1)
                now = time.monotonic()
                if data:
                    if trace is not None:
                        trace("rx", bytes(data))
                    for item in conn.reader.feed(bytes(data)):
                        self._on_item(item, now, conn)
                if now >= next_expire:
                    next_expire = now + 1.0
                    for event in self.inbound.expire(now):
                        self._emit(event)
        except Exception as exc:  # SerialException (an OSError), EIO, a vanished port …
            self._lost(conn, f"read failed: {exc}")
            return
        self._lost(conn, "closed")

    def _on_item(self, item: Item, now: float, conn: _Connection | None = None) -> None:
        """Route one item (reader thread). Never raises."""
        try:
            if isinstance(item, Echo):
                wire_log.debug("echo %s", item.line)
                return
            if isinstance(item, FinalResult | Response):
                wire_log.debug("<- %s", item.line)
                late: tuple[_Stale, FinalResult] | None = None
                with self._cmd_lock:
                    cmd = self._inflight
                    stale = conn.stale if conn is not None else None
                    resyncing = cmd is not None and cmd.marker is not None and not cmd.marked
                    if cmd is not None and not cmd.done.is_set() and not (resyncing and stale):
                        if isinstance(item, FinalResult):
                            cmd.final = item
                            cmd.done.set()
                        else:
                            if cmd.marker is not None and item.prefix == cmd.marker:
                                cmd.marked = True
                            cmd.lines.append(item)
                        return
                    if stale:
                        # the answer to a command that timed out: never the next one's
                        if isinstance(item, FinalResult):
                            late = (stale.popleft(), item)
                        elif (cmd is not None and not cmd.done.is_set()
                              and item.prefix == cmd.marker):
                            cmd.marked = True  # the resync command's line: all before is old
                            cmd.lines.append(item)
                            return
                        else:
                            stale[0].lines.append(item)
                            return
                if late is not None:
                    self._late_answer(*late)
                    return
                log.info("unsolicited line outside a command: %s", item.line)
                return
            assert isinstance(item, Unsolicited | Malformed)
            wire_log.debug("<- %s%s", getattr(item, "line", ""),
                           f" / {item.payload}" if isinstance(item, Unsolicited)
                           and item.payload else "")
            result = self.inbound.process(item, now)
            for event in result.events:
                self._emit(event)
            for res in result.cmgs:
                self._on_cmgs_result(res)
            for notice in result.notices:
                self._on_delivery(notice)
            if result.replies:
                with self._lock:
                    for reply in result.replies:
                        self._replies.append((0.0, 0, reply))
                self._wake.set()
        except Exception:
            log.exception("error handling %r", item)

    # ================================================================== worker

    def _fail_requests(self, exc: Exception) -> None:
        while True:
            try:
                req = self._requests.get_nowait()
            except queue.Empty:
                return
            if not req.future.done():
                req.future.set_exception(exc)

    def _request(self, kind: str, *args: Any) -> concurrent.futures.Future[Any]:
        fut: concurrent.futures.Future[Any] = concurrent.futures.Future()
        if self._link_state != ev.LinkState.UP:
            fut.set_exception(LinkDownError(f"link is {self._link_state.value}"))
            return fut
        self._requests.put(_Request(kind, args, fut))
        self._wake.set()
        return fut

    def _write(self, conn: _Connection, data: bytes) -> None:
        if not conn.alive:
            raise LinkDownError(conn.lost_reason or "link lost")
        try:
            conn.port.write(data)
        except Exception as exc:
            self._lost(conn, f"write failed: {exc}")
            raise LinkDownError(f"write failed: {exc}") from exc
        if self.config.trace is not None:
            self.config.trace("tx", data)
        wire_log.debug("-> %r", data)

    def _execute(self, conn: _Connection, data: bytes, label: str, timeout: float, *,
                 marker: str | None = None, sync: bool = True,
                 send: tuple[str, int] | None = None) -> tuple[list[Response], FinalResult]:
        """Write one command and wait for its final result (worker thread only).

        When an earlier command timed out (its answer may still come), the radio is first
        resynchronised (:meth:`_resync`) unless ``sync`` is False. ``marker``: this is the
        resync command itself. ``send``: the (message id, part) an ``AT+CMGS`` carries, so a
        late acceptance of a timed-out send is not lost.
        """
        if sync and marker is None and conn.stale:
            self._resync(conn)
        cmd = _Command(label, marker)
        with self._cmd_lock:
            self._inflight = cmd
        try:
            self._write(conn, data)
            deadline = time.monotonic() + timeout
            while not cmd.done.wait(min(0.1, max(0.0, deadline - time.monotonic()))):
                if self._stop.is_set():
                    raise LinkDownError("session stopping")
                if time.monotonic() >= deadline:
                    with self._cmd_lock:
                        if not cmd.done.is_set():  # its final result is still owed
                            self._inflight = None
                            conn.stale.append(_Stale(label, send))
                            raise CommandTimeout(label, timeout)
            if cmd.final is None:
                raise LinkDownError(conn.lost_reason or "link lost")
        finally:
            with self._cmd_lock:
                self._inflight = None
        self._last_ok = time.monotonic()
        self._keepalive_misses = 0
        return cmd.lines, cmd.final

    def _command(self, conn: _Connection, line: str, timeout: float | None = None,
                 accept: tuple[int, ...] = ()) -> list[Response]:
        """Run a command; raise CommandError unless OK (or a CME code in ``accept``)."""
        lines, final = self._execute(conn, encode_command(line), line,
                                     timeout or self.config.command_timeout_s)
        if not final.ok and not (final.is_cme and final.code in accept):
            raise CommandError(line, final.line, final.code)
        return lines

    def _initialise(self, conn: _Connection) -> None:
        cfg = self.config
        # Synchronise: repeat AT until OK (an interrupted AT+CMGS answers +CME ERROR: 35).
        for attempt in range(6):
            if attempt == 3:
                self._write(conn, ESC)
            try:
                _lines, final = self._execute(conn, b"AT\r", "AT", min(1.5, cfg.command_timeout_s),
                                              sync=False)
            except CommandTimeout:
                continue
            if final.ok:
                break
            self._stop.wait(0.2)
        else:
            raise LinkDownError("radio does not answer AT")
        self._command(conn, "ATE0")
        if cfg.force_tmo:
            self._command(conn, "AT+CTOM=0")
        for line in cfg.init_commands:
            try:
                self._command(conn, line, accept=(38,))
            except CommandError as exc:
                log.warning("init: %s", exc)
        try:
            for r in self._command(conn, "AT+CNUMF?"):
                if r.prefix == "+CNUMF":
                    self._own = pei.parse_cnumf(r.args)
                    self._emit(ev.OwnIdentity(issi=self._own.ssi, number=self._own.number,
                                              num_type=self._own.num_type))
        except (CommandError, ProtocolError) as exc:
            log.warning("init: own identity unknown: %s", exc)
        try:
            for r in self._command(conn, "AT+CTGS?"):
                if r.prefix == "+CTGS":
                    self._talkgroup = pei.parse_ctgs(r.args)
        except (CommandError, ProtocolError) as exc:
            log.info("init: selected talkgroup unknown: %s", exc)
        self._requeue_unsent("link re-established")
        own = f"radio {self._own.ssi} ready" if self._own else "radio ready"
        self._set_link(ev.LinkState.UP, own)

    def _serve(self, conn: _Connection) -> None:
        cfg = self.config
        while not self._stop.is_set():
            self._wake.clear()
            if not conn.alive:
                raise LinkDownError(conn.lost_reason or "link lost")
            if self._do_reply(conn):
                continue
            try:
                req = self._requests.get_nowait()
            except queue.Empty:
                req = None
            if req is not None:
                self._do_request(conn, req)
                continue
            if self._do_outbox(conn):
                continue
            self._check_deadlines()
            idle = time.monotonic() - self._last_ok
            if idle >= cfg.keepalive_s:
                self._keepalive(conn)
                continue
            wait = cfg.keepalive_s - idle
            due = self._next_due_in()
            if due is not None:
                wait = min(wait, due + 0.01)
            timer = self._next_deadline_in()
            if timer is not None:
                wait = min(wait, timer + 0.01)
            with self._lock:
                if self._replies:
                    wait = min(wait, max(0.0, self._replies[0][0] - time.monotonic()) + 0.01)
            self._wake.wait(max(0.01, wait))

    def _keepalive(self, conn: _Connection) -> None:
        try:
            self._execute(conn, b"AT\r", "AT", self.config.command_timeout_s)
        except CommandTimeout:
            self._keepalive_misses += 1
            self._last_ok = time.monotonic() - self.config.keepalive_s + 1.0
            log.warning("keepalive: no answer (%d)", self._keepalive_misses)
            if self._keepalive_misses >= self.config.keepalive_failures:
                raise LinkDownError("radio stopped answering") from None

    def _select_service(self, conn: _Connection, service: int) -> None:
        if conn.sds_service == service:
            return
        params = (self.config.status_parameters if service == pei.AI_SERVICE_STATUS
                  else self.config.sds_parameters)
        self._command(conn, f"AT+CTSDS={service},{params}")
        conn.sds_service = service

    def _do_reply(self, conn: _Connection) -> bool:
        with self._lock:
            if not self._replies or self._replies[0][0] > time.monotonic():
                return False
            _due, tries, reply = self._replies.pop(0)
        try:
            self._select_service(conn, pei.AI_SERVICE_SDS4)
            data = reply.user_data()
            lines, final = self._execute(conn, encode_cmgs(reply.destination, data), "AT+CMGS",
                                         self.config.send_timeout_s)
            if not final.ok:
                raise CommandError("AT+CMGS (report)", final.line, final.code)
            for r in lines:
                if r.prefix == "+CMGS":
                    with contextlib.suppress(ProtocolError):
                        self._reply_instances.append(pei.parse_cmgs_accepted(r.args).instance)
            log.info("sent %s for ref %d to %d", "SDS-ACK" if reply.ack else "report",
                     reply.reference, reply.destination)
        except CommandError as exc:
            if tries < 5 and (exc.busy or exc.code in RETRYABLE_CME_CODES):
                with self._lock:
                    self._replies.append((time.monotonic() + 1.0 + tries, tries + 1, reply))
                    self._replies.sort(key=lambda r: r[0])
            else:
                log.warning("report to %d not sent: %s", reply.destination, exc)
        return True

    def _do_request(self, conn: _Connection, req: _Request) -> None:
        fut = req.future
        if not fut.set_running_or_notify_cancel():
            return
        try:
            if req.kind == "talkgroup":
                gssi = req.args[0]
                self._command(conn, f"AT+CTGS=1,{gssi}")
                self._talkgroup = gssi
                self._emit(ev.TalkgroupSelected(gssi=gssi))
                fut.set_result(None)
            elif req.kind == "ptt":
                fut.set_result(self._ptt(conn, req.args[0]))
            elif req.kind == "hangup":
                self._command(conn, "ATH")
                fut.set_result(None)
            elif req.kind == "raw":
                line, timeout = req.args
                fut.set_result([r.line for r in self._command(conn, line, timeout)])
            else:
                fut.set_exception(ValueError(f"unknown request {req.kind}"))
        except (LinkDownError, OSError) as exc:
            fut.set_exception(exc)
            raise
        except CommandTimeout as exc:
            fut.set_exception(exc)
            self._probe(conn)
        except Exception as exc:  # CommandError, ValueError …
            fut.set_exception(exc)

    def _probe(self, conn: _Connection) -> None:
        """After a command timed out: resynchronise now; LinkDownError if the radio is gone."""
        self._resync(conn)

    def _resync(self, conn: _Connection) -> None:
        """Make sure a late answer to a timed-out command is not taken for the next one's.

        Sends ``config.resync_command`` (default ``AT+CNUMF?``): the radio answers commands in
        order, so every final result before that command's information line belongs to a
        command that timed out (the reader discards it, see :meth:`_on_item`); the final
        result after the line is the resync command's own. Once it came, nothing older is
        still owed. Raises LinkDownError when the radio answers none of
        ``keepalive_failures`` tries.
        """
        cfg = self.config
        command = cfg.resync_command
        marker = command[2:].split("?", 1)[0].split("=", 1)[0].upper() or None
        for attempt in range(1, max(1, cfg.keepalive_failures) + 1):
            try:
                self._execute(conn, encode_command(command), f"{command} (resync)",
                              cfg.command_timeout_s, marker=marker)
            except CommandTimeout:
                log.warning("resync: no answer to %s (%d)", command, attempt)
                continue
            with self._cmd_lock:
                never = [s.label for s in conn.stale]
                conn.stale.clear()
            if never:
                log.info("resync: the radio never answered %s", ", ".join(never))
            log.info("resynchronised with the radio")
            return
        raise LinkDownError("radio stopped answering")

    def _active_call(self) -> CallInfo | None:
        calls = self.inbound.calls()
        if not calls:
            return None
        for info in calls.values():
            if self._talkgroup is not None and info.called == self._talkgroup:
                return info
        return max(calls.values(), key=lambda c: c.cc_instance)

    def _ptt(self, conn: _Connection, press: bool) -> int | None:
        call = self._active_call()
        if not press:
            if call is None:
                return None
            self._command(conn, f"AT+CUTXC={call.cc_instance}")
            self._emit(ev.TxCeased(cc_instance=call.cc_instance, own=True))
            return call.cc_instance
        if call is not None:
            self._command(conn, f"AT+CTXD={call.cc_instance},1")
            return call.cc_instance
        gssi = self._talkgroup
        if gssi is None:
            raise ValueError("no talkgroup selected")
        self._command(conn, self.config.call_setup)
        self._command(conn, f"ATD{gssi}")
        deadline = time.monotonic() + self.config.call_setup_timeout_s
        while time.monotonic() < deadline and conn.alive:
            call = self._active_call()
            if call is not None:
                self.inbound.note_call(replace(call, called=call.called or gssi, group=True))
                self._emit(ev.CallStarted(cc_instance=call.cc_instance, caller=(
                    self._own.ssi if self._own else None), called=gssi, group=True,
                    direction="outgoing", simplex=True))
                return call.cc_instance
            time.sleep(0.01)
        raise CommandTimeout(f"ATD{gssi} (call set-up)", self.config.call_setup_timeout_s)

    def _do_outbox(self, conn: _Connection) -> bool:
        with self._lock:
            picked = self._next_outbox()
            if picked is None:
                return False
            msg, part = picked
            attempt = replace(msg, attempts=msg.attempts + 1)
            try:
                self._store.update(attempt)  # stored before the bytes go out
            except Exception:
                log.exception("outbox store failed; not sending %s now", msg.id)
                self._outbox[msg.id] = replace(
                    msg, next_attempt_at=utc_now() + timedelta(seconds=5))
                return True
            self._outbox[msg.id] = attempt
            self._sending = msg.id  # cancel() refuses it until the radio answered
        msg = attempt
        writing = False  # True once the AT+CMGS bytes may have gone out
        try:
            self._select_service(conn, msg.ai_service)
            data = encode_cmgs(msg.destination, msg.parts[part], msg.part_bits[part])
            writing = True
            lines, final = self._execute(conn, data, "AT+CMGS", self.config.send_timeout_s,
                                         send=(msg.id, part))
        except CommandError as exc:
            self._sending = None
            self._send_failed(msg, part, exc.readable, exc.code, exc.is_cme)
            return True
        except CommandTimeout as exc:
            with self._lock:
                self._sending = None
                current = self._outbox.get(msg.id, msg)
                if writing and not current.maybe_sent:  # it may be on the air: no cancelling
                    current = replace(current, maybe_sent=True)
                self._retry_later(current, part, f"no answer from the radio ({exc})", busy=False)
            self._probe(conn)  # its late answer is discarded; LinkDownError if the radio is gone
            return True
        except LinkDownError:
            with self._lock:
                self._sending = None
                held = self._outbox.get(msg.id)
                if writing and held is not None and not held.maybe_sent:
                    try:
                        self._commit(held, replace(held, maybe_sent=True), "link lost")
                    except Exception:
                        log.exception("outbox store failed while the link went down")
            raise
        self._sending = None
        if final.ok:
            instance: int | None = None
            for r in lines:
                if r.prefix == "+CMGS":
                    try:
                        instance = pei.parse_cmgs_accepted(r.args).instance
                    except ProtocolError as exc:
                        log.warning("odd +CMGS answer %r: %s", r.line, exc)
            self._busy_streak = 0
            with self._lock:
                latest = self._outbox.get(msg.id)
                if latest is None or latest.part_states[part] != OutboxState.QUEUED:
                    return True  # already advanced by an early +CMGS/report
                detail = f"+CMGS: {instance}" if instance is not None else "OK"
                new = latest.with_part_state(part, OutboxState.ACCEPTED, detail)
                self._awaiting.append((instance, msg.id, part))
                self._commit(latest, new, detail)
        else:
            cme = final.is_cme
            readable = CommandError("AT+CMGS", final.line, final.code).readable
            self._send_failed(msg, part, readable, final.code, cme)
        return True

    def _send_failed(self, msg: OutboxMessage, part: int, readable: str, code: int | None,
                     cme: bool) -> None:
        with self._lock:
            current = self._outbox.get(msg.id, msg)
            if cme and code == 42:
                self._retry_later(current, part, readable, busy=True)
            elif code is None or (cme and code in RETRYABLE_CME_CODES):
                self._retry_later(current, part, readable, busy=False)
            else:
                new = current.with_part_state(part, OutboxState.FAILED, readable)
                self._commit(current, new, readable)

    # ================================================================== outbox notices

    def _late_answer(self, stale: _Stale, final: FinalResult) -> None:
        """The final result of a command that timed out (reader thread): discarded, except
        that a late ``+CMGS: n`` / ``OK`` to a send means the radio took the message after all:
        it goes on as accepted instead of being sent a second time."""
        log.warning("late answer %r to %s after its timeout: not taken for another command",
                    final.line, stale.label)
        if stale.send is None or not final.ok:
            return
        instance: int | None = None
        for r in stale.lines:
            if r.prefix == "+CMGS":
                with contextlib.suppress(ProtocolError):
                    instance = pei.parse_cmgs_accepted(r.args).instance
        msg_id, part = stale.send
        with self._lock:
            msg = self._outbox.get(msg_id)
            if msg is None or msg.part_states[part] != OutboxState.QUEUED:
                return
            detail = f"late +CMGS: {instance}" if instance is not None else "late OK"
            self._awaiting.append((instance, msg_id, part))
            self._commit(msg, msg.with_part_state(part, OutboxState.ACCEPTED, detail,
                                                  self._clock.now()), detail)

    def _on_cmgs_result(self, res: pei.CmgsResult) -> None:
        """Delayed ``+CMGS: n,status,ref`` (reader thread)."""
        with self._lock:
            match = self._match_cmgs(res)
            if match is None:
                if res.instance in self._reply_instances:
                    self._reply_instances.remove(res.instance)
                    log.debug("report transmitted (+CMGS: %d,%d)", res.instance, res.status)
                    return
                log.info("+CMGS: %d,%d,%s matches no outbox message", res.instance, res.status,
                         res.reference)
                return
            msg, part = match
            if res.status == 4:
                detail = f"+CMGS: {res.instance},4,{res.reference} (transmitted)"
                state = msg.part_states[part]
                if state == OutboxState.UNCONFIRMED:
                    detail += ", confirmed late"
                if state in (OutboxState.QUEUED, OutboxState.ACCEPTED, OutboxState.UNCONFIRMED):
                    new = msg.with_part_state(part, OutboxState.SENT, detail)
                    if state == OutboxState.UNCONFIRMED:
                        new = replace(new, last_error=None)
                    self._commit(msg, new, detail)
            elif res.status == 5:
                self._retry_later(msg, part, f"transmission failed (+CMGS: {res.instance},5)",
                                  busy=False)
                self._wake.set()
            else:
                log.info("+CMGS status %d (%s) for %s", res.status, res.status_text, msg.id)

    def _match_cmgs(self, res: pei.CmgsResult) -> tuple[OutboxMessage, int] | None:
        def ref_of(entry: tuple[int | None, str, int]) -> int | None:
            m = self._outbox.get(entry[1]) or self._late.get(entry[1])
            return None if m is None else m.references[entry[2]]

        candidates = [a for a in self._awaiting if a[0] == res.instance]
        chosen = next((a for a in candidates if res.reference is not None
                       and ref_of(a) == res.reference), None)
        if chosen is None:
            chosen = next((a for a in candidates if ref_of(a) is None), None)
        if chosen is None and candidates:
            chosen = candidates[0]
        if chosen is not None:
            self._awaiting.remove(chosen)
            msg = self._outbox.get(chosen[1]) or self._late.get(chosen[1])
            return None if msg is None else (msg, chosen[2])
        if res.reference is not None:  # e.g. answer to a write made before a reconnect
            for msg in (*self._outbox.values(), *self._late.values()):
                for i, ref in enumerate(msg.references):
                    if ref == res.reference and msg.part_states[i] in (
                            OutboxState.QUEUED, OutboxState.ACCEPTED, OutboxState.UNCONFIRMED):
                        return msg, i
        return None

    def _on_delivery(self, notice: DeliveryNotice) -> None:
        """An SDS-TL report arrived (reader thread)."""
        report = notice.report
        with self._lock:
            found: tuple[OutboxMessage, int] | None = None
            for msg in self._outbox.values():
                if notice.source is not None and msg.destination != notice.source:
                    continue
                for i, ref in enumerate(msg.references):
                    if ref == report.reference and msg.part_states[i] not in (
                            OutboxState.DELIVERED, OutboxState.FAILED):
                        found = (msg, i)
                        break
                if found:
                    break
            self._emit(ev.DeliveryReport(
                source=notice.source, reference=report.reference, status=report.status,
                status_text=report.status_text, status_class=report.status_class,
                short=report.short, message_id=found[0].id if found else None))
            if found is None:
                log.info("report ref %d from %s matches no outbox message", report.reference,
                         notice.source)
                return
            msg, part = found
            detail = f"report from {notice.source}: {report.status_text}"
            cls = report.status_class
            if cls == "success":
                self._commit(msg, msg.with_part_state(part, OutboxState.DELIVERED, detail), detail)
            elif cls == "failed":
                self._commit(msg, msg.with_part_state(part, OutboxState.FAILED, detail), detail)
            elif cls == "temporary":
                self._commit(msg, replace(msg, last_error=report.status_text), detail, note=True)
