"""Media sources (body cameras, venue monitoring devices) and evidence items."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, str_enum, utcnow
from models.enums import EvidenceKind, MediaKind, MediaOwnerKind


class MediaSource(Base):
    """A live or recorded audio/video source, opened once by the console."""

    __tablename__ = "media_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(500))
    kind: Mapped[MediaKind] = mapped_column(str_enum(MediaKind))
    owner_kind: Mapped[MediaOwnerKind] = mapped_column(str_enum(MediaOwnerKind))
    #: Body camera id or venue id, by ``owner_kind``.
    owner_id: Mapped[int | None]
    has_audio: Mapped[bool] = mapped_column(default=False)
    enabled: Mapped[bool] = mapped_column(default=True)


class EvidenceItem(Base):
    """A captured piece of evidence; its SHA-256 and SM3 are computed at capture.

    Each new row is chained into the evidence ledger (:mod:`models.ledger`) in the
    transaction that adds it; the row is never changed afterwards.
    """

    __tablename__ = "evidence_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EvidenceKind] = mapped_column(str_enum(EvidenceKind))
    path: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    #: SM3 (GB/T 32905) of the file, computed at capture with the SHA-256 (migration 0008).
    sm3: Mapped[str] = mapped_column(String(64), default="", server_default="")
    size_bytes: Mapped[int]
    captured_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: Time range of the recorded content (clips, recordings).
    content_start: Mapped[dt.datetime | None]
    content_end: Mapped[dt.datetime | None]
    media_source_id: Mapped[int | None] = mapped_column(ForeignKey("media_source.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    captured_by: Mapped[str] = mapped_column(String(40), default="")
    console_id: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(String(200), default="")
