"""Transcripts of venue audio and the findings of content analysis."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class TranscriptSegment(Base):
    """A committed piece of transcript with its absolute time range."""

    __tablename__ = "transcript_segment"
    __table_args__ = (Index("ix_transcript_source_start", "media_source_id", "start_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    media_source_id: Mapped[int | None] = mapped_column(ForeignKey("media_source.id"))
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id"))
    #: Recording analysed in batch (evidence item), when not live.
    recording_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_item.id"))
    start_at: Mapped[dt.datetime]
    end_at: Mapped[dt.datetime]
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="zh")
    confidence: Mapped[float | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Finding(Base):
    """A passage that matches a prohibited-content category or deviates from the script.

    ``category_no`` is the number (1–10) of the category in 《营业性演出管理条例》; 0 marks an
    unscripted passage (deviation from the approved script).
    """

    __tablename__ = "finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id"), index=True)
    media_source_id: Mapped[int | None] = mapped_column(ForeignKey("media_source.id"))
    category_no: Mapped[int]
    tag: Mapped[str] = mapped_column(String(40), default="")
    start_at: Mapped[dt.datetime]
    end_at: Mapped[dt.datetime]
    matched_text: Mapped[str] = mapped_column(Text)
    rule_id: Mapped[str] = mapped_column(String(60), default="")
    confidence: Mapped[float]
    evidence_item_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_item.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
