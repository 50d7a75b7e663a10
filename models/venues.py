"""Venues (文化市场经营主体/场所) and their credit-grade history."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, str_enum, utcnow
from models.enums import CreditGrade, VenueClass, VenueType


class Venue(Base):
    """A supervised business premises with its licence and credit-risk grade."""

    __tablename__ = "venue"
    __table_args__ = (Index("ix_venue_district_grade", "district_adcode", "grade"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    licence_no: Mapped[str] = mapped_column(String(40), unique=True)
    venue_type: Mapped[VenueType] = mapped_column(str_enum(VenueType))
    venue_class: Mapped[VenueClass] = mapped_column(str_enum(VenueClass))
    address: Mapped[str] = mapped_column(String(200))
    #: WGS-84 location (stored in WGS-84 only; converted for GCJ-02 base maps when drawn).
    lat: Mapped[float]
    lon: Mapped[float]
    district_adcode: Mapped[str] = mapped_column(ForeignKey("district.adcode"))
    grade: Mapped[CreditGrade] = mapped_column(str_enum(CreditGrade, 1))
    #: Credit-risk score (0–100, higher is riskier) behind the current grade.
    risk_score: Mapped[float] = mapped_column(default=0.0)
    grade_updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    contact_name: Mapped[str] = mapped_column(String(40), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    active: Mapped[bool] = mapped_column(default=True)

    grade_history: Mapped[list[VenueGradeChange]] = relationship(
        back_populates="venue", order_by="VenueGradeChange.effective_at",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"Venue({self.id} {self.name} {self.grade})"


class VenueGradeChange(Base):
    """One entry of a venue's credit-grade history (graded yearly and after penalties)."""

    __tablename__ = "venue_grade_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venue.id", ondelete="CASCADE"), index=True)
    grade: Mapped[CreditGrade] = mapped_column(str_enum(CreditGrade, 1))
    risk_score: Mapped[float]
    reason: Mapped[str] = mapped_column(String(200), default="")
    effective_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    venue: Mapped[Venue] = relationship(back_populates="grade_history")
