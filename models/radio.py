"""SDS messages to and from TETRA radios; the console's durable radio outbox."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, str_enum, utcnow
from models.enums import RadioDirection, RadioMessageKind, RadioMessageState


class RadioMessage(Base):
    """One SDS (text or pre-coded status); outbound rows are the radio bridge's outbox.

    Each delivery state is timestamped: queued → accepted (``+CMGS: n``) → sent
    (``+CMGS: n,4,ref``) → delivered (SDS-TL report) or failed.
    """

    __tablename__ = "radio_message"
    __table_args__ = (Index("ix_radio_message_state", "direction", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[RadioDirection] = mapped_column(str_enum(RadioDirection, 4))
    kind: Mapped[RadioMessageKind] = mapped_column(str_enum(RadioMessageKind, 8))
    source_issi: Mapped[int | None]
    dest_issi: Mapped[int | None]
    #: True when the destination is a group (GSSI).
    to_group: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(Text, default="")
    status_code: Mapped[int | None]
    #: SDS-TL message reference (0–255); kept across resends so receivers drop duplicates.
    message_ref: Mapped[int | None]
    state: Mapped[RadioMessageState] = mapped_column(str_enum(RadioMessageState, 12))
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    delivered_at: Mapped[dt.datetime | None]
    failed_at: Mapped[dt.datetime | None]
    #: Opaque key of the radio bridge's outbox (its own message id), for correlation.
    outbox_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    #: The radio bridge's full outbox record (JSON: parts, references, state history), so a
    #: restarted console resumes every unfinished message exactly where it stood.
    record: Mapped[str | None] = mapped_column(Text)
