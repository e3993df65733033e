"""Use cases of the care process: access by role and care unit, audit, optimistic locking, KVÅ recording.

Each use case takes the ``Services`` context and the acting ``Actor``, opens one unit of work (one
transaction), calls the pure domain rules and stores the result. The web app and the FHIR API both call these.

The re-exported names are loaded on first use (PEP 562), so a command that only needs ``services.cli``'s
helpers (the follow-up reports) does not pay for importing SQLAlchemy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from canrehab.domain.access import Actor
    from canrehab.services.context import SYSTEM, Services

__all__ = ["SYSTEM", "Actor", "Services"]

_HOMES = {
    "Actor": "canrehab.domain.access",
    "SYSTEM": "canrehab.services.context",
    "Services": "canrehab.services.context",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
