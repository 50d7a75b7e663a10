"""Incidents (clues, alarms, findings) with their timeline and unit assignments."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, str_enum, utcnow
from models.enums import (
    AssignmentState,
    IncidentCategory,
    IncidentPriority,
    IncidentSource,
    IncidentStatus,
)


class Incident(Base):
    """Something the corps must act on: a complaint, an alarm, a finding, an inspection task."""

    __tablename__ = "incident"
    __table_args__ = (Index("ix_incident_status_district", "status", "district_adcode"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Human-readable number shown to dispatchers, e.g. ``20261127-0007``.
    number: Mapped[str] = mapped_column(String(20), unique=True)
    source: Mapped[IncidentSource] = mapped_column(str_enum(IncidentSource))
    category: Mapped[IncidentCategory] = mapped_column(str_enum(IncidentCategory))
    priority: Mapped[int] = mapped_column(default=int(IncidentPriority.NORMAL))
    status: Mapped[IncidentStatus] = mapped_column(
        str_enum(IncidentStatus), default=IncidentStatus.NEW
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id"), index=True)
    district_adcode: Mapped[str | None] = mapped_column(ForeignKey("district.adcode"))
    #: Escalated to the city centre: seen by the city even if the district owns it.
    escalated: Mapped[bool] = mapped_column(default=False)
    address: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    caller_name: Mapped[str] = mapped_column(String(40), default="")
    caller_phone: Mapped[str] = mapped_column(String(20), default="")
    reported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_at: Mapped[dt.datetime | None]
    outcome: Mapped[str] = mapped_column(String(40), default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"))

    events: Mapped[list[IncidentEvent]] = relationship(
        back_populates="incident", order_by="IncidentEvent.at", cascade="all, delete-orphan"
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="incident", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"Incident({self.number} {self.status})"


class IncidentEvent(Base):
    """One entry of an incident's timeline (created, dispatched, escalated, closed, …)."""

    __tablename__ = "incident_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[IncidentStatus | None] = mapped_column(str_enum(IncidentStatus))
    detail: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(40), default="")

    incident: Mapped[Incident] = relationship(back_populates="events")


class Assignment(Base):
    """A unit assigned to an incident, with the dispatch order sent over radio."""

    __tablename__ = "assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    state: Mapped[AssignmentState] = mapped_column(
        str_enum(AssignmentState), default=AssignmentState.ACTIVE
    )
    assigned_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime | None]
    assigned_by: Mapped[str] = mapped_column(String(40), default="")
    order_message_id: Mapped[int | None] = mapped_column(ForeignKey("radio_message.id"))

    incident: Mapped[Incident] = relationship(back_populates="assignments")
