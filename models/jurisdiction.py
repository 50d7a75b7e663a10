"""Jurisdiction (管辖权限): the city centre sees everything, a district centre its own district.

Until login exists, the setting ``console.jurisdiction`` decides a console's jurisdiction; every
query that lists units, officers, vehicles, body cameras, radios, venues, incidents or geofences
for display goes through :func:`scope`.

Where a thing belongs: a unit, officer, venue or incident by its own district; a vehicle and a
body camera by the district of the unit they belong to; a radio by its unit's district (a radio
with no unit by its officer's district); a geofence by its own district, and a city-wide fence
(no district) applies to — and is shown to — every console.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Select, and_, or_, select

from models.force import BodyCamera, Officer, RadioTerminal, Unit, Vehicle
from models.geofence import Geofence
from models.incidents import Incident
from models.venues import Venue

#: Beijing's 16 districts (adcode → name). 110103/110104 were merged into 东城/西城 in 2010.
BEIJING_DISTRICTS: dict[str, str] = {
    "110101": "东城区",
    "110102": "西城区",
    "110105": "朝阳区",
    "110106": "丰台区",
    "110107": "石景山区",
    "110108": "海淀区",
    "110109": "门头沟区",
    "110111": "房山区",
    "110112": "通州区",
    "110113": "顺义区",
    "110114": "昌平区",
    "110115": "大兴区",
    "110116": "怀柔区",
    "110117": "平谷区",
    "110118": "密云区",
    "110119": "延庆区",
}

CITY = "city"

_S = TypeVar("_S", bound=Select)

@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """``adcode`` None is the city centre; otherwise one district's adcode."""

    adcode: str | None = None

    @classmethod
    def parse(cls, text: str) -> Jurisdiction:
        """Parse ``city`` or a district adcode; raise ValueError with a readable reason."""
        value = text.strip()
        if value.lower() == CITY:
            return cls(None)
        if value in BEIJING_DISTRICTS:
            return cls(value)
        raise ValueError(
            f"jurisdiction must be 'city' or a Beijing district adcode "
            f"({', '.join(BEIJING_DISTRICTS)}), got {text!r}"
        )

    @property
    def is_city(self) -> bool:
        """The city centre (市级指挥调度中心)."""
        return self.adcode is None

    def covers(self, district_adcode: str | None) -> bool:
        """Whether something in ``district_adcode`` (None: city-level) is within reach."""
        return self.adcode is None or district_adcode == self.adcode

    def __str__(self) -> str:
        return CITY if self.adcode is None else self.adcode


Scoped = type[Unit | Venue | Incident | Officer | Vehicle | BodyCamera | RadioTerminal | Geofence]


def scope(stmt: _S, entity: Scoped, j: Jurisdiction) -> _S:
    """Restrict a SELECT on ``entity`` to the rows ``j`` may see (see the module docstring).

    A district centre sees its own district's rows; the city sees all rows, and city-level
    units, officers and their devices (no district) are visible to the city only.
    """
    if j.is_city:
        return stmt
    adcode = j.adcode
    if entity is Incident:
        return stmt.where(Incident.district_adcode == adcode)
    if entity is Unit:
        return stmt.where(Unit.district_adcode == adcode)
    if entity is Venue:
        return stmt.where(Venue.district_adcode == adcode)
    if entity is Officer:
        return stmt.where(Officer.district_adcode == adcode)
    units = select(Unit.id).where(Unit.district_adcode == adcode)
    if entity is Vehicle:
        return stmt.where(Vehicle.id.in_(
            select(Unit.vehicle_id).where(Unit.district_adcode == adcode,
                                          Unit.vehicle_id.is_not(None))))
    if entity is BodyCamera:
        return stmt.where(BodyCamera.unit_id.in_(units))
    if entity is RadioTerminal:
        officers = select(Officer.id).where(Officer.district_adcode == adcode)
        return stmt.where(or_(RadioTerminal.unit_id.in_(units),
                              and_(RadioTerminal.unit_id.is_(None),
                                   RadioTerminal.officer_id.in_(officers))))
    if entity is Geofence:
        return stmt.where(or_(Geofence.district_adcode == adcode,
                              Geofence.district_adcode.is_(None)))
    raise TypeError(f"no jurisdiction rule for {entity.__name__}")  # pragma: no cover
