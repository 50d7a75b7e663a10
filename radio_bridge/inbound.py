"""Turn unsolicited result codes into events (pure: no I/O, time passed in).

:class:`InboundProcessor` is the stateful part of the receive path: it decodes ``+CTSDSR``
payloads, reassembles concatenated texts, drops duplicate SDS-TL texts (same sender, reference
and bytes within a window), keeps track of calls, and says which SDS-TL reports must be sent
back. The session feeds it from its reader thread and carries out the replies.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from radio_bridge import events as ev
from radio_bridge import pei, sdstl
from radio_bridge.at import Malformed, Unsolicited
from radio_bridge.errors import ProtocolError
from radio_bridge.status import DEFAULT_STATUS_PLAN, StatusPlan, classify

__all__ = ["CallInfo", "DeliveryNotice", "InboundProcessor", "InboundResult", "ReportReply"]

log = logging.getLogger("radio_bridge.inbound")


@dataclass(frozen=True, slots=True)
class ReportReply:
    """An SDS-TL report (or SDS-ACK) the session must send back.

    Attributes:
        destination: Who gets it (the original sender).
        pid: PID of the message being answered.
        reference: Its message reference.
        status: Delivery status to report (0x00 received, 0x02 consumed, 0x01 for an ACK).
        ack: True for an SDS-ACK (answering a report that asked for one).
    """

    destination: int
    pid: int
    reference: int
    status: int = 0x00
    ack: bool = False

    def user_data(self) -> bytes:
        """The SDS type-4 user data to send."""
        if self.ack:
            return bytes([self.pid, 0x20, self.status, self.reference])
        return sdstl.encode_report(self.pid, self.reference, self.status)


@dataclass(frozen=True, slots=True)
class DeliveryNotice:
    """A delivery report for something we sent (to be matched against the outbox)."""

    source: int | None
    report: sdstl.SdsReport


@dataclass(frozen=True, slots=True)
class CallInfo:
    """A call the radio told us about."""

    cc_instance: int
    group: bool
    called: int | None
    caller: int | None
    direction: str


@dataclass
class InboundResult:
    """What one item produced."""

    events: list[ev.RadioEvent] = field(default_factory=list)
    replies: list[ReportReply] = field(default_factory=list)
    cmgs: list[pei.CmgsResult] = field(default_factory=list)
    notices: list[DeliveryNotice] = field(default_factory=list)


class InboundProcessor:
    """Decode unsolicited items into events, replies and outbox notices.

    Thread-safety: :meth:`process` and :meth:`expire` are called from one thread (the session's
    reader); :meth:`calls` and :meth:`note_call` may be called from others.
    """

    def __init__(
        self,
        status_plan: StatusPlan = DEFAULT_STATUS_PLAN,
        *,
        duplicate_window_s: float = 600.0,
        reassembly_timeout_s: float = 300.0,
    ) -> None:
        """Create a processor.

        Args:
            status_plan: Meanings of status values.
            duplicate_window_s: A text with the same sender, reference and bytes seen within
                this time is a duplicate (the sender resent it); it is answered but not shown.
            reassembly_timeout_s: Concatenated texts still incomplete after this are shown
                with the missing parts marked.
        """
        self.status_plan = status_plan
        self._window = duplicate_window_s
        self._seen: OrderedDict[tuple[int | None, int, int, str], float] = OrderedDict()
        self._reassembler = sdstl.Reassembler(reassembly_timeout_s)
        self._calls: dict[int, CallInfo] = {}
        self._calls_lock = threading.Lock()
        self._concat_destination: dict[int, int] = {}
        self.duplicates_dropped = 0

    # ------------------------------------------------------------------ calls

    def calls(self) -> dict[int, CallInfo]:
        """Return a copy of the active calls by CC instance."""
        with self._calls_lock:
            return dict(self._calls)

    def note_call(self, info: CallInfo) -> None:
        """Record a call (the session calls this for its own ``ATD``)."""
        with self._calls_lock:
            self._calls[info.cc_instance] = info

    def forget_calls(self) -> None:
        """Drop all calls (the link was lost; the radio will report them again)."""
        with self._calls_lock:
            self._calls.clear()

    # ------------------------------------------------------------------ processing

    def expire(self, now: float | None = None) -> list[ev.RadioEvent]:
        """Release concatenated texts that timed out incomplete and prune the duplicate window."""
        now = time.monotonic() if now is None else now
        while self._seen:
            key, seen_at = next(iter(self._seen.items()))
            if now - seen_at < self._window:
                break
            del self._seen[key]
        out: list[ev.RadioEvent] = []
        for text in self._reassembler.expire(now):
            dest = self._concat_destination.get(text.source, 0)
            out.append(self._text_event(text, text.first.pid, dest))
        return out

    def process(self, item: Unsolicited | Malformed, now: float | None = None) -> InboundResult:
        """Process one item from the line reader. Never raises for bad input.

        Args:
            item: An unsolicited result code or a rejected line.
            now: Monotonic time for windows and timeouts.

        Returns:
            Events to emit, reports to send, ``+CMGS`` results and delivery notices.
        """
        now = time.monotonic() if now is None else now
        result = InboundResult()
        if isinstance(item, Malformed):
            log.warning("dropped malformed input (%s): %s", item.reason, item.line)
            result.events.append(ev.MalformedInput(line=item.line, reason=item.reason))
            return result
        try:
            self._dispatch(item, now, result)
        except ProtocolError as exc:
            log.warning("dropped %s: %s (%s)", item.prefix, exc, item.line)
            shown = item.line if item.payload is None else f"{item.line} / {item.payload}"
            result.events.append(ev.MalformedInput(line=shown[:300], reason=str(exc)))
        return result

    def _dispatch(self, item: Unsolicited, now: float, result: InboundResult) -> None:
        prefix = item.prefix
        if prefix == "+CTSDSR":
            self._sds(item, now, result)
        elif prefix == "+CMGS":
            result.cmgs.append(pei.parse_cmgs_result(item.args))
        elif prefix == "+CTICN":
            call = pei.parse_cticn(item.args)
            self.note_call(CallInfo(call.cc_instance, call.is_group, call.called, call.caller,
                                    "incoming"))
            result.events.append(ev.CallStarted(
                cc_instance=call.cc_instance, caller=call.caller, called=call.called,
                group=call.is_group, direction="incoming", call_status=call.call_status,
                simplex=None if call.simplex is None else bool(call.simplex),
                priority=call.priority))
        elif prefix == "+CTCC":
            cc = pei.parse_ctcc(item.args)
            group = None if cc.comms_type is None else cc.comms_type in (1, 2, 3)
            with self._calls_lock:
                if cc.cc_instance not in self._calls:
                    self._calls[cc.cc_instance] = CallInfo(cc.cc_instance, bool(group), None,
                                                           None, "outgoing")
            result.events.append(ev.CallConnected(
                cc_instance=cc.cc_instance, group=group,
                simplex=None if cc.simplex is None else bool(cc.simplex)))
        elif prefix == "+CTCR":
            rel = pei.parse_ctcr(item.args)
            with self._calls_lock:
                self._calls.pop(rel.cc_instance, None)
            result.events.append(ev.CallEnded(cc_instance=rel.cc_instance, cause=rel.cause,
                                              cause_text=rel.cause_text))
        elif prefix == "+CTXG":
            g = pei.parse_ctxg(item.args)
            result.events.append(ev.TxGranted(
                cc_instance=g.cc_instance, grant=g.grant, grant_text=g.grant_text,
                talking_party=g.talking_party, own=g.grant == 0))
        elif prefix == "+CDTXC":
            d = pei.parse_cdtxc(item.args)
            result.events.append(ev.TxCeased(cc_instance=d.cc_instance, own=False))
        else:
            log.info("unsolicited %s %s (not interpreted)", prefix, item.args)

    def _sds(self, item: Unsolicited, now: float, result: InboundResult) -> None:
        header = pei.parse_ctsdsr_header(item.args)
        if item.payload is None:
            raise ProtocolError("+CTSDSR without payload")
        content = sdstl.decode_sds(header.ai_service, item.payload, header.length_bits)
        src, dst = header.source, header.destination
        if isinstance(content, sdstl.TextMessage):
            self._text(header, content, item.payload, now, result)
        elif isinstance(content, sdstl.SdsReport):
            result.notices.append(DeliveryNotice(src, content))
            if content.ack_required and src is not None and content.pid is not None:
                result.replies.append(ReportReply(src, content.pid, content.reference, 0x01,
                                                  ack=True))
        elif isinstance(content, sdstl.SdsAck):
            log.debug("SDS-ACK from %s ref %d status 0x%02X", src, content.reference,
                      content.status)
        elif isinstance(content, sdstl.StatusMessage):
            value = content.value
            meaning = self.status_plan.lookup(value)
            result.events.append(ev.StatusReceived(
                source=src, destination=dst, value=value,
                key=None if meaning is None else meaning.key,
                label=self.status_plan.describe(value),
                label_zh="" if meaning is None else meaning.label_zh,
                category="user" if classify(value) != "reserved" else "reserved"))
            if value == 0:
                result.events.append(ev.EmergencyAlarm(source=src, destination=dst,
                                                       origin="status"))
        elif isinstance(content, sdstl.LocationMessage):
            r = content.report
            result.events.append(ev.LocationReport(
                source=src, destination=dst, latitude=r.latitude, longitude=r.longitude,
                speed_kmh=r.speed_kmh, heading_deg=r.heading_deg,
                position_error_m=r.position_error_m, reason=r.reason,
                reason_text=r.reason_text, kind=r.kind, user_data=r.user_data,
                time_elapsed=r.time_elapsed, altitude_m=r.altitude_m))
            if r.is_emergency:
                result.events.append(ev.EmergencyAlarm(
                    source=src, destination=dst, origin="location", latitude=r.latitude,
                    longitude=r.longitude))
        else:
            result.events.append(ev.UnknownSds(
                source=src, destination=dst, ai_service=content.ai_service, pid=content.pid,
                payload_hex=content.payload_hex, length_bits=content.length_bits,
                description=content.description))

    def _text(self, header: pei.SdsHeader, msg: sdstl.TextMessage, payload: str, now: float,
              result: InboundResult) -> None:
        src = header.source
        if msg.reference is not None and msg.report_request and src is not None:
            status = 0x02 if msg.report_request & 2 else 0x00
            result.replies.append(ReportReply(src, msg.pid, msg.reference, status))
        if msg.reference is not None:
            key = (src, msg.pid, msg.reference, payload.strip().upper())
            seen_at = self._seen.get(key)
            if seen_at is not None and now - seen_at < self._window:
                self.duplicates_dropped += 1
                log.info("duplicate text from %s ref %d dropped", src, msg.reference)
                return
            self._seen[key] = now
            self._seen.move_to_end(key)
            while len(self._seen) > 4096:
                self._seen.popitem(last=False)
        if msg.concat is not None:
            self._concat_destination[-1 if src is None else src] = header.destination
            if len(self._concat_destination) > 1024:
                self._concat_destination.clear()
        for text in self._reassembler.add(-1 if src is None else src, msg, now):
            result.events.append(self._text_event(text, msg.pid, header.destination))

    @staticmethod
    def _text_event(
        text: sdstl.AssembledText, pid: int, destination: int
    ) -> ev.TextMessageReceived:
        first = text.first
        return ev.TextMessageReceived(
            source=None if text.source < 0 else text.source,
            destination=destination,
            text=text.text,
            pid=pid,
            coding=first.coding,
            reference=text.references[0] if text.references else first.reference,
            immediate=first.immediate,
            parts=text.parts,
            complete=text.complete,
            report_requested=bool(first.report_request),
        )
