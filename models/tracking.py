"""Position fixes from vehicle terminals (JT/T 808) and radios (LIP)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, str_enum, utcnow
from models.enums import PositionSource


class PositionFix(Base):
    """One WGS-84 position of a device at a time (the device's own time, in UTC)."""

    __tablename__ = "position_fix"
    __table_args__ = (
        Index("ix_position_fix_unit_ts", "unit_id", "ts"),
        Index("ix_position_fix_device_ts", "source", "device_id", "ts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[PositionSource] = mapped_column(str_enum(PositionSource, 12))
    #: Terminal phone (JT/T 808) or ISSI (LIP), as text.
    device_id: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    ts: Mapped[dt.datetime]
    lat: Mapped[float]
    lon: Mapped[float]
    speed_kmh: Mapped[float | None]
    heading_deg: Mapped[float | None]
    altitude_m: Mapped[float | None]
    accuracy_m: Mapped[float | None]
    alarm_bits: Mapped[int] = mapped_column(default=0)
    status_bits: Mapped[int] = mapped_column(default=0)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
