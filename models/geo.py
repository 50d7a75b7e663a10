"""Districts: the 16 districts of Beijing and their boundaries."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class District(Base):
    """A district (区) identified by its administrative code (adcode), e.g. ``110105`` 朝阳区."""

    __tablename__ = "district"

    adcode: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    #: GeoJSON geometry (Polygon or MultiPolygon), WGS-84 lon/lat.
    boundary_geojson: Mapped[str] = mapped_column(Text)
    centroid_lat: Mapped[float]
    centroid_lon: Mapped[float]
    #: Where the outline came from (file name and note), for audits of the boundary data.
    boundary_source: Mapped[str] = mapped_column(String(200), default="")

    def __repr__(self) -> str:
        return f"District({self.adcode} {self.name})"
