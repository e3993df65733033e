"""Refused requests written to the audit log as ``denied`` events, for the refusals that no use case logged
itself: a page's role check, a role check inside a use case that could not log, a non-clinician refused a
clinical action. The event names what was asked (method and route, the path) and the patient when the
request names one (directly, or through an assessment, plan, handover or referral id)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from canrehab.domain.access import Actor
from canrehab.domain.errors import DomainError
from canrehab.store.audit import PNR_SHAPE

if TYPE_CHECKING:
    from canrehab.services.context import Services

# Request parameters that name a patient's record, and the repository that knows its patient.
RECORD_PARAMS = {
    "assessment_id": "assessments",
    "plan_id": "plans",
    "handover_id": "handovers",
    "referral_id": "referrals",
}
MAX_PATH = 300
MAX_DETAIL = 500
# Use-case refusals that are not access codes (``access.*``) but refuse a request reaching for a record
# through another patient's (answered 400/422): audited like a 403.
REFUSAL_CODES = frozenset({"pathway.mismatch"})


def is_unaudited_refusal(exc: DomainError) -> bool:
    """Whether the door that answers ``exc`` must write its ``denied`` row: a refusal by access or by a
    record that does not belong to the patient, not already logged by the use case (``AccessRefused``)."""
    from canrehab.services.guard import AccessRefused

    if isinstance(exc, AccessRefused) and exc.audited:
        return False
    return exc.code.startswith("access.") or exc.code in REFUSAL_CODES


def _patient_of(uow: Any, params: Mapping[str, Any]) -> str | None:
    try:
        if "patient_id" in params:
            return str(uow.patients.get(str(params["patient_id"])).id)
        for name, repository in RECORD_PARAMS.items():
            if name in params:
                return str(getattr(uow, repository).get(str(params[name])).patient_id)
    except DomainError:  # no such record: the path is logged, no patient
        return None
    return None


def record_refusal(
    services: Services,
    actor: Actor,
    *,
    method: str,
    route: str,
    path: str,
    params: Mapping[str, Any],
    reason: str,
) -> None:
    """Writes a ``denied`` event for ``actor``'s refused request: ``route`` is the route's template (e.g.
    ``/patient/{patient_id}``), ``path`` the path asked for, ``params`` the route's parameters."""
    if PNR_SHAPE.search(path):  # a personnummer typed into the address is not copied into the log
        path = route
    with services.uow(actor, log_reads=False) as uow:
        patient_id = _patient_of(uow, params)
        uow.audit.record(
            "denied", "page", path[:MAX_PATH], patient_id, f"{method} {route}: {reason}"[:MAX_DETAIL]
        )
