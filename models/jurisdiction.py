"""Jurisdiction (管辖权限): the city centre sees everything, a district centre its own district.

Until login exists, the setting ``console.jurisdiction`` decides a console's jurisdiction; every
query that lists units, venues or incidents for display goes through :func:`scope`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Select

from models.force import Unit
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


def scope(stmt: _S, entity: type[Unit | Venue | Incident], j: Jurisdiction) -> _S:
    """Restrict a SELECT on units, venues or incidents to what ``j`` may see.

    A district centre sees its own district's rows; the city sees all rows, and city-level
    units (no district) are visible to the city only.
    """
    if j.is_city:
        return stmt
    if entity is Incident:
        return stmt.where(Incident.district_adcode == j.adcode)
    if entity is Unit:
        return stmt.where(Unit.district_adcode == j.adcode)
    if entity is Venue:
        return stmt.where(Venue.district_adcode == j.adcode)
    raise TypeError(f"no jurisdiction rule for {entity.__name__}")  # pragma: no cover

