"""The patient's Min vårdplan read model: who is responsible now (after a handover, the receiving unit and
contact), the treatment summary at the end of treatment, the kurator's contact, self-care advice with its
content, the patient's own answers, and patient associations (data). Patient role only, own data only;
every read is audited by the repositories."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel

from canrehab.domain.access import Actor
from canrehab.domain.errors import DomainError
from canrehab.domain.min_vardplan import (
    ResponsibleCare,
    TreatmentSummary,
    responsible_care,
    treatment_summary,
)
from canrehab.domain.model import Assessment, Profession, RehabPlan
from canrehab.domain.pathway import current_contact_nurse
from canrehab.services import patients as patient_service
from canrehab.services import plans as plan_service

if TYPE_CHECKING:
    from canrehab.services.context import Services

CODES_DIR = Path(__file__).resolve().parent.parent / "codes"


class PatientAssociation(BaseModel):
    name_sv: str
    url: str
    processes: tuple[str, ...] = ()


class Advice(BaseModel):
    code: str
    title_sv: str
    content_sv: str


@cache
def patient_associations() -> tuple[PatientAssociation, ...]:
    data = yaml.safe_load((CODES_DIR / "patient_associations.yaml").read_text(encoding="utf-8"))
    return tuple(PatientAssociation.model_validate(a) for a in data["associations"])


@cache
def self_care_advice() -> dict[str, Advice]:
    data = yaml.safe_load((CODES_DIR / "self_care_advice.yaml").read_text(encoding="utf-8"))
    return {a.code: a for a in (Advice.model_validate(x) for x in data["advice"])}


@dataclass(frozen=True)
class Contact:
    role: str
    name: str
    unit: str


@dataclass
class MinVardplanView:
    patient_name: str
    today: date
    responsible: list[Contact]  # who is responsible now (first), with since-date in ``responsible_since``
    responsible_since: date | None
    previous_unit: str | None
    kurator: list[Contact]
    plan: RehabPlan | None
    advice: list[Advice]
    assessments: list[Assessment]
    summary: TreatmentSummary | None
    summary_unit: str
    associations: list[PatientAssociation]
    next_dates: list[tuple[date, str]] = field(default_factory=list)


def own_patient_id(actor: Actor) -> str:
    if actor.role != "patient" or not actor.patient_id:
        raise DomainError("access.denied", "Bara patienten själv ser sin vårdplan här.", "patient only")
    return actor.patient_id


def for_patient_self(services: Services, actor: Actor) -> MinVardplanView:
    patient_id = own_patient_id(actor)
    record = patient_service.patient_record(services, actor, patient_id)
    today = services.today()
    open_pathways = [p for p in record.pathways if p.closed_on is None] or record.pathways
    pathway = open_pathways[-1] if open_pathways else None
    responsible: list[Contact] = []
    kurator: list[Contact] = []
    care: ResponsibleCare | None = None
    summary = None
    if pathway is not None:
        care = responsible_care(pathway, record.handovers, today)
        unit_name = record.unit_names.get(care.unit_hsa_id, care.unit_hsa_id)
        if care.staff_id:
            nurse = current_contact_nurse(pathway, today) if care.since is None else None
            # the named nurse by their role (a child's is the konsultsjuksköterska at barncancercentrum)
            role = f"Din {nurse.role.label_sv}" if nurse is not None else "Din ansvariga vårdkontakt"
            responsible.append(Contact(role, record.staff_names.get(care.staff_id, ""), unit_name))
        else:
            responsible.append(Contact("Ansvarig mottagning", "", unit_name))
        kurator = [
            Contact("Kurator", s.name, unit_name)
            for s in _staff_of(services, actor, care.unit_hsa_id)
            if s.profession is Profession.COUNSELLOR
        ]
        summary = treatment_summary(pathway, record.plans, record.handovers, today)
    plan = plan_service.for_patient_self(services, actor)
    codes: list[str] = []
    for a in record.assessments:
        if a.suggestion is not None:
            codes.extend(c for c in a.suggestion.advice_codes if c not in codes)
    advice = [self_care_advice()[c] for c in codes if c in self_care_advice()]
    processes = {p.diagnosis.process for p in record.pathways}
    associations = [a for a in patient_associations() if not a.processes or processes & set(a.processes)]
    next_dates: list[tuple[date, str]] = []
    if plan is not None and plan.content.follow_up_on is not None and plan.content.follow_up_on >= today:
        next_dates.append((plan.content.follow_up_on, "Uppföljning av din rehabiliteringsplan"))
    return MinVardplanView(
        patient_name=record.patient.name,
        today=today,
        responsible=responsible,
        responsible_since=care.since if care else None,
        previous_unit=(
            record.unit_names.get(care.previous_unit_hsa_id, care.previous_unit_hsa_id)
            if care and care.previous_unit_hsa_id
            else None
        ),
        kurator=kurator,
        plan=plan,
        advice=advice,
        assessments=list(record.assessments),
        summary=summary,
        summary_unit=(
            record.unit_names.get(summary.responsible_unit_hsa_id, summary.responsible_unit_hsa_id)
            if summary
            else ""
        ),
        associations=associations,
        next_dates=sorted(next_dates),
    )


def _staff_of(services: Services, actor: Actor, unit_hsa_id: str) -> list[Any]:
    with services.uow(actor) as uow:
        return list(uow.staff.for_unit(unit_hsa_id))


def own_assessment(services: Services, actor: Actor, assessment_id: str) -> Assessment:
    """One of the patient's own assessments, to read their answers (another patient's is refused)."""
    patient_id = own_patient_id(actor)
    record = patient_service.patient_record(services, actor, patient_id)
    for a in record.assessments:
        if a.id == assessment_id:
            return a  # type: ignore[no-any-return]
    raise DomainError("not_found", "Hittade inte skattningen.", "assessment not found among own")
