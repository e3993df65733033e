"""Use cases of the care process: access by role and care unit, audit, optimistic locking, KVÅ recording.

Each use case takes the ``Services`` context and the acting ``Actor``, opens one unit of work (one
transaction), calls the pure domain rules and stores the result. The web app and the FHIR API both call these.
"""

from canrehab.domain.access import Actor
from canrehab.services.context import SYSTEM, Services

__all__ = ["SYSTEM", "Actor", "Services"]
