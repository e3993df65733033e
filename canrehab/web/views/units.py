"""Care-unit names for page headers, cached briefly per app."""

from __future__ import annotations

import time

from fastapi import FastAPI

from canrehab.services import organisation
from canrehab.services.context import Services

UNIT_NAMES_TTL_SECONDS = 60.0


def unit_names(app: FastAPI, services: Services) -> dict[str, str]:
    """HSA-id → unit name, read at most once a minute per process (the worklist header shows them on
    every request; a renamed unit shows its new name within the minute)."""
    cached: tuple[float, dict[str, str]] | None = getattr(app.state, "unit_names", None)
    now = time.monotonic()
    if cached is not None and now - cached[0] < UNIT_NAMES_TTL_SECONDS:
        return cached[1]
    names = {u.hsa_id: u.name for u in organisation.care_units(services)}
    app.state.unit_names = (now, names)
    return names
