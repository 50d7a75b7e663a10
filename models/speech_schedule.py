"""Approved performances (演出审批/备案) at venues: the schedule that drives recording and analysis.

A performance carries its approval number (批准文号), venue, time window, troupe, performers,
the approved programme (节目单) and script (审批剧本). While a key venue has a performance on,
its stream is recorded; after the show the recording is analysed against the script.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class Performance(Base):
    """One approved performance (one show) at one venue."""

    __tablename__ = "performance"
    __table_args__ = (Index("ix_performance_venue_start", "venue_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 批准文号 of the culture authority (one approval may cover several shows).
    approval_no: Mapped[str] = mapped_column(String(60), index=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venue.id"))
    title: Mapped[str] = mapped_column(String(200))
    troupe: Mapped[str] = mapped_column(String(100), default="")
    #: Performers, separated by 、 as on the approval.
    performers: Mapped[str] = mapped_column(Text, default="")
    #: Approved programme (节目单), one item per line.
    programme: Mapped[str] = mapped_column(Text, default="")
    #: Approved script (审批剧本) as plain text; empty when only a programme was filed.
    script: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="zh")
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    #: Where the entry came from: ``manual`` or ``import:<file name>``.
    source: Mapped[str] = mapped_column(String(120), default="manual")
    #: Batch analysis after the show: "" (not yet), ``running``, ``done``, ``failed``.
    analysis_state: Mapped[str] = mapped_column(String(16), default="")
    analysed_at: Mapped[dt.datetime | None]
    report_path: Mapped[str] = mapped_column(String(500), default="")
    findings_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    def is_on(self, at: dt.datetime) -> bool:
        """Whether the performance is on at ``at`` (aware)."""
        return self.starts_at <= at < self.ends_at

    def __repr__(self) -> str:
        return f"Performance({self.id} {self.approval_no} venue={self.venue_id})"
