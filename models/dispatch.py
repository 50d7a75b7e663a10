"""Dispatch records: escalations and hand-overs, double-random inspection draws and tasks.

An :class:`Escalation` is an incident handed up to the city centre or across to another
district; it stays open until someone at the receiving centre acknowledges it, and re-alerts
until then. An :class:`InspectionDraw` keeps everything needed to re-run and verify a
double-random draw (双随机) later, even after the venues and officers it drew from have
changed: the candidate lists with their weights, the parameters, the seed, the method and the
SHA-256 of the result. Its :class:`InspectionTask` rows link each drawn venue to the incident
that put the inspection in the queue and to the inspectors drawn for it.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, str_enum, utcnow


class EscalationKind(enum.StrEnum):
    """Where an incident went."""

    ESCALATE = "escalate"  # 上报市级指挥中心
    HANDOVER = "handover"  # 移交其他区


class IncidentOutcome(enum.StrEnum):
    """How an incident was closed (stored in ``incident.outcome``)."""

    NO_VIOLATION = "no_violation"  # 未发现违法行为
    CORRECTED_ON_SITE = "corrected_on_site"  # 当场责令改正
    ORDERED_TO_RECTIFY = "ordered_to_rectify"  # 责令限期整改
    CASE_OPENED = "case_opened"  # 立案查处
    REFERRED = "referred"  # 移交相关部门
    UNABLE_TO_VERIFY = "unable_to_verify"  # 无法核实（场所未营业等）
    FALSE_ALARM = "false_alarm"  # 误报


class DrawState(enum.StrEnum):
    """Where a double-random draw stands (``inspection_draw.state``)."""

    #: The seed's SHA-256 is committed and shown; the seed itself is not stored yet.
    PENDING = "pending"
    #: Drawn: result, tasks and the revealed seed are stored.
    DONE = "done"
    #: Run, but no result could be drawn (the seed is revealed, the reason kept in ``failure``).
    FAILED = "failed"


class Escalation(Base):
    """An incident escalated to the city or handed to another district, until acknowledged.

    ``from_scope`` and ``to_scope`` are ``city`` or a district adcode.
    """

    __tablename__ = "escalation"
    __table_args__ = (Index("ix_escalation_open", "to_scope", "acknowledged_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[EscalationKind] = mapped_column(str_enum(EscalationKind, 12))
    from_scope: Mapped[str] = mapped_column(String(6))
    to_scope: Mapped[str] = mapped_column(String(6))
    reason: Mapped[str] = mapped_column(Text, default="")
    raised_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    raised_by: Mapped[str] = mapped_column(String(40), default="")
    console_id: Mapped[str] = mapped_column(String(40), default="")
    acknowledged_at: Mapped[dt.datetime | None]
    acknowledged_by: Mapped[str] = mapped_column(String(40), default="")
    #: How many times it re-alerted while nobody acknowledged it, and when it last did.
    alert_count: Mapped[int] = mapped_column(default=0)
    last_alert_at: Mapped[dt.datetime | None]


class InspectionDraw(Base):
    """One double-random draw (双随机抽查), stored so anyone can re-run and verify it.

    The ``*_json`` columns hold canonical JSON (sorted keys, no spaces, UTF-8) exactly as it
    was hashed; ``record_sha256`` covers method, seed, parameters and both candidate lists,
    ``result_sha256`` the drawn venues and inspectors in draw order.

    A draw is made in two transactions (commit, then reveal): first the row is stored
    ``pending`` with the parameters, both candidate lists and ``seed_sha256``, the SHA-256 of
    a seed from the operating system's CSPRNG, which is shown before anything is drawn; the
    seed, ``result_json`` and the hashes stay empty. Running it stores the result and reveals
    the seed, whose hash must match. ``seed_committed`` is false only for draws made before
    the commitment existed (schema 0007), whose seed could be typed in.
    """

    __tablename__ = "inspection_draw"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Shown to users and printed on the task sheets, e.g. ``SJ20261127-01``.
    number: Mapped[str] = mapped_column(String(20), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(40))
    console_id: Mapped[str] = mapped_column(String(40))
    #: ``city`` (all districts) or the district adcode the venues were drawn from.
    scope: Mapped[str] = mapped_column(String(6))
    #: Empty while pending; revealed when the draw is run.
    seed: Mapped[str] = mapped_column(String(64))
    #: SHA-256 (hex) of the seed, stored and shown before the draw runs.
    seed_sha256: Mapped[str] = mapped_column(String(64), default="", server_default="")
    seed_committed: Mapped[bool] = mapped_column(default=False, server_default=false())
    state: Mapped[DrawState] = mapped_column(str_enum(DrawState, 10), default=DrawState.DONE,
                                             server_default=DrawState.DONE.value)
    #: When the draw was run (``created_at`` is when its seed hash was committed).
    drawn_at: Mapped[dt.datetime | None]
    #: Why a failed draw drew nothing: canonical JSON ``{"code", "message", "params"}``.
    failure: Mapped[str] = mapped_column(Text, default="", server_default="")
    method: Mapped[str] = mapped_column(String(40))
    params_json: Mapped[str] = mapped_column(Text)
    venue_candidates_json: Mapped[str] = mapped_column(Text)
    inspector_candidates_json: Mapped[str] = mapped_column(Text)
    result_json: Mapped[str] = mapped_column(Text)
    record_sha256: Mapped[str] = mapped_column(String(64))
    result_sha256: Mapped[str] = mapped_column(String(64))
    venue_candidates: Mapped[int] = mapped_column(default=0)
    task_count: Mapped[int] = mapped_column(default=0)

    tasks: Mapped[list[InspectionTask]] = relationship(
        back_populates="draw", order_by="InspectionTask.seq", cascade="all, delete-orphan"
    )


class InspectionTask(Base):
    """One drawn venue with its inspectors, queued as an inspection incident."""

    __tablename__ = "inspection_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(
        ForeignKey("inspection_draw.id", ondelete="CASCADE"), index=True
    )
    #: Position in the draw (1 = drawn first).
    seq: Mapped[int]
    venue_id: Mapped[int] = mapped_column(ForeignKey("venue.id"), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    draw: Mapped[InspectionDraw] = relationship(back_populates="tasks")
    inspectors: Mapped[list[InspectionTaskOfficer]] = relationship(
        back_populates="task", order_by="InspectionTaskOfficer.position",
        cascade="all, delete-orphan",
    )


class InspectionTaskOfficer(Base):
    """An inspector drawn for an inspection task."""

    __tablename__ = "inspection_task_officer"

    task_id: Mapped[int] = mapped_column(
        ForeignKey("inspection_task.id", ondelete="CASCADE"), primary_key=True
    )
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), primary_key=True,
                                            index=True)
    position: Mapped[int] = mapped_column(default=1)

    task: Mapped[InspectionTask] = relationship(back_populates="inspectors")
