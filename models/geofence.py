"""Geofences drawn by dispatchers: crossing one raises an alarm."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class Geofence(Base):
    """A polygon or circle (GeoJSON Feature, WGS-84) with a name and a severity 0–3."""

    __tablename__ = "geofence"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    #: GeoJSON Feature: a Polygon, or a Point with ``properties.radius_m`` (a circle).
    feature_geojson: Mapped[str] = mapped_column(Text)
    #: 0 info, 1 notice, 2 warning, 3 critical (critical crossings also open an incident).
    severity: Mapped[int] = mapped_column(default=2)
    #: District the fence belongs to (None: city-wide).
    district_adcode: Mapped[str | None] = mapped_column(String(6))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(40), default="")
