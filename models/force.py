"""The enforcement force: officers, units (crews), vehicles and their devices."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, str_enum, utcnow
from models.enums import UnitStatus


class Unit(Base):
    """A crew that is dispatched as one: officers, a vehicle, radios and body cameras.

    ``district_adcode`` is None for units of the city corps (总队直属).
    """

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sign: Mapped[str] = mapped_column(String(20), unique=True)
    district_adcode: Mapped[str | None] = mapped_column(ForeignKey("district.adcode"), index=True)
    status: Mapped[UnitStatus] = mapped_column(str_enum(UnitStatus), default=UnitStatus.OFF_DUTY)
    status_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicle.id"), unique=True)
    #: Last known position (denormalised from PositionFix for fast map and ranking queries).
    last_lat: Mapped[float | None]
    last_lon: Mapped[float | None]
    last_fix_at: Mapped[dt.datetime | None]

    officers: Mapped[list[Officer]] = relationship(back_populates="unit")
    vehicle: Mapped[Vehicle | None] = relationship(back_populates="unit")
    radios: Mapped[list[RadioTerminal]] = relationship(back_populates="unit")
    cameras: Mapped[list[BodyCamera]] = relationship(back_populates="unit")
    status_history: Mapped[list[UnitStatusChange]] = relationship(
        back_populates="unit", order_by="UnitStatusChange.at", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"Unit({self.id} {self.call_sign} {self.status})"


class UnitStatusChange(Base):
    """One timestamped status change of a unit, with where it came from."""

    __tablename__ = "unit_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[UnitStatus | None] = mapped_column(str_enum(UnitStatus))
    to_status: Mapped[UnitStatus] = mapped_column(str_enum(UnitStatus))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: ``radio`` (status SDS), ``manual`` (dispatcher), ``dispatch`` (assignment), ``system``.
    source: Mapped[str] = mapped_column(String(20), default="manual")
    note: Mapped[str] = mapped_column(String(200), default="")

    unit: Mapped[Unit] = relationship(back_populates="status_history")


class Officer(Base):
    """An enforcement officer (执法人员)."""

    __tablename__ = "officer"

    id: Mapped[int] = mapped_column(primary_key=True)
    badge_no: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    #: None: city corps.
    district_adcode: Mapped[str | None] = mapped_column(ForeignKey("district.adcode"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    phone: Mapped[str] = mapped_column(String(20), default="")
    #: May act as inspector in double-random draws (holds an enforcement certificate).
    certified_inspector: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)

    unit: Mapped[Unit | None] = relationship(back_populates="officers")
    radio: Mapped[RadioTerminal | None] = relationship(back_populates="officer")


class Vehicle(Base):
    """An enforcement vehicle (执法车)."""

    __tablename__ = "vehicle"

    id: Mapped[int] = mapped_column(primary_key=True)
    plate: Mapped[str] = mapped_column(String(16), unique=True)
    model: Mapped[str] = mapped_column(String(40), default="")

    unit: Mapped[Unit | None] = relationship(back_populates="vehicle")
    terminal: Mapped[VehicleTerminal | None] = relationship(back_populates="vehicle")


class VehicleTerminal(Base):
    """A JT/T 808 vehicle terminal (车载定位终端), known by its SIM phone number."""

    __tablename__ = "vehicle_terminal"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: BCD phone number exactly as the terminal sends it (12 digits for 2013, 20 for 2019).
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicle.id"), unique=True)
    auth_code: Mapped[str | None] = mapped_column(String(64))
    #: ``2013`` or ``2019`` as last seen in the terminal's header.
    protocol_version: Mapped[str] = mapped_column(String(8), default="2013")
    registered_at: Mapped[dt.datetime | None]
    last_seen_at: Mapped[dt.datetime | None]

    vehicle: Mapped[Vehicle | None] = relationship(back_populates="terminal")


class RadioTerminal(Base):
    """A TETRA radio, known by its ISSI; carried by an officer or fitted in a vehicle."""

    __tablename__ = "radio_terminal"

    id: Mapped[int] = mapped_column(primary_key=True)
    issi: Mapped[int] = mapped_column(unique=True)
    label: Mapped[str] = mapped_column(String(40), default="")
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)

    officer: Mapped[Officer | None] = relationship(back_populates="radio")
    unit: Mapped[Unit | None] = relationship(back_populates="radios")


class BodyCamera(Base):
    """A 5G body camera (5G执法记录仪)."""

    __tablename__ = "body_camera"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(40), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    media_source_id: Mapped[int | None] = mapped_column(ForeignKey("media_source.id"))

    unit: Mapped[Unit | None] = relationship(back_populates="cameras")
