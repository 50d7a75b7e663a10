"""Which talkgroups a console follows: its jurisdiction applied to TETRA groups (no Qt).

Talkgroups are not in the database: the console knows them from settings. ``radio.talkgroups``
lists the groups (GSSI:name); ``radio.talkgroup_districts`` says which of them belong to one
district (GSSI:adcode); a group it does not list is city-wide (the city command group, the
片区 groups) and every console follows it. ``radio.patched_talkgroups`` names other districts'
groups patched into this console.

A district console offers, shows calls of and shows group texts to its own district's groups,
the city-wide groups and the patched ones, never another district's; the city console
follows every group.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from models.jurisdiction import Jurisdiction


@dataclass(frozen=True, slots=True)
class TalkgroupScope:
    """The talkgroup rule of one console (see the module docstring)."""

    jurisdiction: Jurisdiction = field(default_factory=Jurisdiction)
    #: GSSI → adcode of the district the group belongs to (unlisted groups: city-wide)
    districts: Mapping[int, str] = field(default_factory=dict)
    #: other districts' groups patched into this console
    patched: frozenset[int] = frozenset()

    def visible(self, gssi: int | None) -> bool:
        """Whether this console follows group ``gssi``."""
        if self.jurisdiction.is_city or gssi is None:
            return True
        owner = self.districts.get(gssi)
        return owner is None or owner == self.jurisdiction.adcode or gssi in self.patched

    def is_party(self, gssi: int | None) -> bool:
        """Whether the group is this console's own (its district's, or patched in): whoever
        talks on it is named, even from outside the jurisdiction."""
        if self.jurisdiction.is_city:
            return True
        if gssi is None:
            return False
        return self.districts.get(gssi) == self.jurisdiction.adcode or gssi in self.patched

    def hidden(self) -> frozenset[int]:
        """The GSSIs of other districts' groups this console does not follow."""
        return frozenset(g for g in self.districts if not self.visible(g))

    def offered(self, talkgroups: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
        """The (GSSI, name) pairs of ``talkgroups`` this console follows, in order."""
        return [(gssi, name) for gssi, name in talkgroups if self.visible(gssi)]
