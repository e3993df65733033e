"""The region's organisation as the pages list it: the care units (to choose a receiving unit, to name a
unit). Unit names are not patient data: read without an audit entry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from canrehab.domain.model import CareUnit
from canrehab.services.context import SYSTEM

if TYPE_CHECKING:
    from canrehab.services.context import Services


def care_units(services: Services) -> list[CareUnit]:
    """Every care unit, by name."""
    with services.uow(SYSTEM, log_reads=False) as uow:
        return list(uow.units.list_all())
