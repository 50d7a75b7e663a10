"""TETRA radio bridge: the PEI (EN 300 392-5) link between the console and a gateway radio.

Pure Python plus pyserial; no Qt. Main pieces:

* :class:`Session` – owns the serial port, init sequence, link supervision, reconnect, and the
  durable outbox; emits :mod:`radio_bridge.events` through a callback.
* :mod:`radio_bridge.at` – incremental AT line reader and command encoders.
* :mod:`radio_bridge.sdstl`, :mod:`radio_bridge.lip`, :mod:`radio_bridge.status` – codecs.
* :mod:`radio_bridge.outbox` – the :class:`OutboxStore` interface and message records;
  :mod:`radio_bridge.outbox_sqlite` – a SQLite store.
* :mod:`radio_bridge.simulator` – a simulated gateway radio on a pseudo-terminal or TCP.
* ``python -m radio_bridge`` – diagnostics CLI.

Malformed input raises :class:`ProtocolError` (a :class:`ValueError`).
"""

from __future__ import annotations

from radio_bridge import events, lip, sdstl, status
from radio_bridge.errors import (
    CommandError,
    CommandTimeout,
    LinkDownError,
    ProtocolError,
    RadioError,
    cme_message,
)
from radio_bridge.outbox import (
    MemoryOutboxStore,
    MessageKind,
    OutboxMessage,
    OutboxState,
    OutboxStore,
    StateChange,
)
from radio_bridge.outbox_sqlite import SqliteOutboxStore
from radio_bridge.session import Session, SessionConfig
from radio_bridge.status import DEFAULT_STATUS_PLAN, StatusMeaning, StatusPlan

__all__ = [
    "DEFAULT_STATUS_PLAN",
    "CommandError",
    "CommandTimeout",
    "LinkDownError",
    "MemoryOutboxStore",
    "MessageKind",
    "OutboxMessage",
    "OutboxState",
    "OutboxStore",
    "ProtocolError",
    "RadioError",
    "Session",
    "SessionConfig",
    "SqliteOutboxStore",
    "StateChange",
    "StatusMeaning",
    "StatusPlan",
    "cme_message",
    "events",
    "lip",
    "sdstl",
    "status",
]
