"""Read, search, create and update of each FHIR resource type on one unit of work.

``create`` stores the resource under the ``id`` it carries: the API assigns a new server id to every POSTed
resource before calling it (client ids are never trusted); Organization ids are HSA-ids.

Creates store the record as given (an import of what the sending system recorded), after mapping validation,
access checks and referential checks. Updates honour the version (If-Match / meta.versionId) and change state
only through the domain rules, so KVÅ records and rules apply as in the web app; a requested change the rules
do not produce is refused (422), never silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from canrehab.codes.catalog import require_kva
from canrehab.domain.errors import ConflictError, DomainError
from canrehab.domain.identity import pseudonymise
from canrehab.domain.model import (
    Assessment,
    Handover,
    HandoverStatus,
    Pathway,
    Patient,
    Referral,
    ReferralStatus,
    RehabPlan,
)
from canrehab.domain.permissions import Action, allowed, roles_for
from canrehab.fhir import mapping as m
from canrehab.fhir import systems
from canrehab.fhir.audit_events import audit_read, audit_search
from canrehab.fhir.context import ADMIN_ROLES, Ctx, find
from canrehab.fhir.mapping.assessment import parse_canonical
from canrehab.fhir.mapping.common import as_json
from canrehab.fhir.mapping.pathway import CONDITION_SUFFIX, MVP_SUFFIX
from canrehab.fhir.mapping.plan import is_min_vardplan, plan_version_to_fhir
from canrehab.fhir.outcome import FhirError
from canrehab.fhir.search import Page, Param, Query, page_of
from canrehab.fhir.search_params import params_of

Json = dict[str, Any]
CREATE_ROLES = roles_for(Action.REGISTER_PATIENT)


def _questionnaire(instrument_id: str) -> Json | None:
    from canrehab.instruments import questionnaire_json

    try:
        return questionnaire_json(instrument_id)
    except (KeyError, ValueError, LookupError):
        return None


def _professions() -> Any:
    from canrehab.codes.catalog import load_professions

    return load_professions()


def version_of(resource: Json) -> int | None:
    raw = (resource.get("meta") or {}).get("versionId")
    return int(raw) if raw is not None and str(raw).isdigit() else None


def _check_version(current: int, expected: int, what: str) -> None:
    if current != expected:
        raise FhirError(
            412,
            f"{what} has version {current}, the update was based on version {expected}: read it again.",
            code="conflict",
        )


def _pathway_for(ctx: Ctx, pathway_id: str, patient_id: str, what: str) -> Pathway:
    try:
        pathway: Pathway = find(ctx.uow.pathways, pathway_id, "EpisodeOfCare")
    except FhirError as exc:
        raise FhirError(
            422, f"{what}: the pathway EpisodeOfCare/{pathway_id} does not exist.", code="processing"
        ) from exc
    if pathway.patient_id != patient_id:
        raise FhirError(
            422, f"{what}: EpisodeOfCare/{pathway_id} belongs to another patient.", code="processing"
        )
    return pathway


def _domain_failure(exc: DomainError) -> FhirError:
    if isinstance(exc, ConflictError):
        return FhirError(412, exc.message_en, code="conflict")
    return FhirError(422, f"{exc.message_sv} ({exc.code})", code="business-rule")


@dataclass
class Handler:
    """The FHIR interactions of one resource type. ``history``: the versions kept (newest first);
    ``vread``: one of them by version id (otherwise only the current version is served)."""

    type: str
    read: Callable[[Ctx, str], Json]
    search: Callable[[Ctx, Query], Page]
    create: Callable[[Ctx, Json], Json] | None = None
    update: Callable[[Ctx, str, Json, int], Json] | None = None
    history: Callable[[Ctx, str], list[Json]] | None = None
    vread: Callable[[Ctx, str, str], Json] | None = None

    @property
    def params(self) -> Mapping[str, Param]:
        return params_of(self.type)


def _need_patients(query: Query, rtype: str) -> list[str]:
    """The patients a search is about (every ``patient`` parameter must allow them); 400 without one."""
    wanted = query.candidates("patient", lambda v: str(v.id))
    if wanted is None:
        raise FhirError(
            400,
            f"Searching {rtype} requires the patient parameter.",
            code="required",
            expression=("patient",),
        )
    return sorted(wanted)


def _patient_checked(ctx: Ctx, patient_id: str) -> None:
    find(ctx.uow.patients, patient_id, "Patient")
    ctx.check_read(patient_id, "patient", patient_id)


# ---------------------------------------------------------------------------------------------- Patient


def _patient_json(ctx: Ctx, patient: Patient) -> Json:
    return as_json(m.patient_to_fhir(patient, pseudonymised=not ctx.sees_identities))


def patient_read(ctx: Ctx, rid: str) -> Json:
    patient: Patient = find(ctx.uow.patients, rid, "Patient")
    ctx.check_read(patient.id, "patient", patient.id)
    return _patient_json(ctx, patient)


def _patients_by_identifier(ctx: Ctx, values: tuple[Any, ...]) -> list[Patient]:
    found = []
    for token in values:
        if token.code is None or token.no_system:
            continue  # a personnummer always has a system; "system|" alone would list every patient
        if token.system == systems.PSEUDONYM:
            patient = ctx.uow.patients.get_by_pseudonym(token.code)
        elif token.system is None or token.system in (
            systems.PERSONNUMMER_SYSTEMS | systems.SAMORDNINGSNUMMER_SYSTEMS
        ):
            patient = ctx.uow.patients.get_by_personnummer(token.code)
        else:
            continue
        if patient is not None:
            found.append(patient)
    return found


def patient_search(ctx: Ctx, query: Query) -> Page:
    """By identifier (personnummer, samordningsnummer, pseudonym) or ``_id``; the other parameters filter."""
    found: list[Patient] = []
    identifiers = query.groups("identifier")
    ids = query.candidates("_id", lambda v: str(v.code) if v.system is None else "")
    if identifiers:
        found = _patients_by_identifier(ctx, identifiers[0])
    elif ids is not None:
        for rid in sorted(ids - {""}):
            try:
                found.append(find(ctx.uow.patients, rid, "Patient"))
            except FhirError:
                continue
    else:
        raise FhirError(
            400,
            "Searching Patient requires identifier (personnummer) or _id.",
            code="required",
            expression=("identifier",),
        )
    out = []
    for p in {p.id: p for p in found}.values():
        ctx.check_read(p.id, "patient", p.id)
        out.append(_patient_json(ctx, p))
    return page_of(out, query)


PATIENT_ELEMENTS = frozenset(
    {
        "resourceType",
        "id",
        "meta",
        "text",
        "extension",
        "identifier",
        "name",
        "gender",
        "birthDate",
        "deceasedDateTime",
    }
)


def _check_patient_elements(data: Json) -> None:
    """canrehab keeps the patient's identity, name, sex, county and date of death: anything else in a
    Patient write is refused rather than silently dropped."""
    extra = sorted(set(data) - PATIENT_ELEMENTS)
    if extra:
        raise FhirError(
            422,
            f"Patient.{', Patient.'.join(extra)} is not kept by canrehab (supported: name, gender, "
            "birthDate, deceasedDateTime, the county extension and the identifiers); leave it out.",
            code="not-supported",
            expression=tuple(f"Patient.{e}" for e in extra),
        )


def _check_death_date(ctx: Ctx, patient: Patient) -> None:
    died = patient.deceased_on
    if died is not None and not (patient.birth_date <= died <= ctx.services.today()):
        raise FhirError(
            422,
            "Patient.deceasedDateTime must lie between the birth date and today.",
            code="business-rule",
            expression=("Patient.deceasedDateTime",),
        )


def patient_create(ctx: Ctx, data: Json) -> Json:
    ctx.require_role(CREATE_ROLES, "register patients")
    _check_patient_elements(data)
    patient = m.patient_from_fhir(data)
    _check_death_date(ctx, patient)
    secret = ctx.services.settings.pseudonym_secret()
    patient = patient.model_copy(update={"pseudonym": pseudonymise(patient.personnummer, secret)})
    if ctx.uow.patients.get_by_personnummer(patient.personnummer) is not None:
        raise FhirError(
            409, "A patient with this personnummer/samordningsnummer already exists.", code="duplicate"
        )
    saved: Patient = ctx.uow.patients.add(patient)
    return as_json(m.patient_to_fhir(saved))


def patient_update(ctx: Ctx, rid: str, data: Json, expected: int) -> Json:
    """Demographics from the journal or the population register: name, sex, county of residence, date of
    death. The identity (personnummer/samordningsnummer, and with it birth date and pseudonym) cannot change
    here: a new number for the same person is an identity merge, which would break the analytical
    pseudonym."""
    current: Patient = find(ctx.uow.patients, rid, "Patient")
    ctx.check_write(current.id, "patient", rid)
    _check_version(current.version, expected, f"Patient/{rid}")
    _check_patient_elements(data)
    wanted = m.patient_from_fhir({**data, "id": rid})
    _check_death_date(ctx, wanted)
    fixed = {
        "personnummer/samordningsnummer": (wanted.personnummer, current.personnummer),
        "birthDate": (wanted.birth_date, current.birth_date),
    }
    changed = [name for name, (new, old) in fixed.items() if new != old]
    if wanted.pseudonym and wanted.pseudonym != current.pseudonym:
        changed.append("pseudonym identifier")
    if changed:
        raise FhirError(
            422,
            f"Patient update cannot change {', '.join(changed)}: only name, gender, county of residence "
            "and date of death can be updated (a new identity number is an identity merge, done by an "
            "administrator).",
            code="business-rule",
        )
    result = current.model_copy(
        update={
            "name": wanted.name,
            "sex": wanted.sex,
            "county_code": wanted.county_code,
            "deceased_on": wanted.deceased_on,
        }
    )
    if result == current:
        return as_json(m.patient_to_fhir(current))
    try:
        saved: Patient = ctx.uow.patients.update(result, expected_version=expected)
    except ConflictError as exc:
        raise _domain_failure(exc) from exc
    return as_json(m.patient_to_fhir(saved))


# ---------------------------------------------------------------------------------------------- organisation


def organization_read(ctx: Ctx, rid: str) -> Json:
    return as_json(m.organization_to_fhir(find(ctx.uow.units, rid, "Organization")))


def organization_search(ctx: Ctx, query: Query) -> Page:
    return page_of((as_json(m.organization_to_fhir(u)) for u in ctx.uow.units.list_all()), query)


def organization_create(ctx: Ctx, data: Json) -> Json:
    unit = m.organization_from_fhir(data)
    existing = ctx.uow.units.find(unit.hsa_id) if hasattr(ctx.uow.units, "find") else None
    if existing is not None:
        if existing == unit:
            return as_json(m.organization_to_fhir(existing))
        raise FhirError(409, f"Organization {unit.hsa_id} exists with other data.", code="duplicate")
    ctx.require_role(ADMIN_ROLES, "register care units")
    ctx.uow.units.add(unit)
    return as_json(m.organization_to_fhir(unit))


def staff_read(ctx: Ctx, rid: str) -> Json:
    return as_json(m.practitioner_role_to_fhir(find(ctx.uow.staff, rid, "PractitionerRole")))


def practitioner_read(ctx: Ctx, rid: str) -> Json:
    return as_json(m.practitioner_to_fhir(find(ctx.uow.staff, rid, "Practitioner")))


def _staff_list(ctx: Ctx, query: Query) -> list[Any]:
    units = query.candidates("organization", lambda v: str(v.id))
    if units is not None:
        return [s for unit in sorted(units) for s in ctx.uow.staff.for_unit(unit)]
    ids = query.candidates("_id", lambda v: str(v.code) if v.system is None else "")
    if ids is not None:
        return [s for s in (ctx.uow.staff.find(rid) for rid in sorted(ids - {""})) if s is not None]
    raise FhirError(
        400,
        "Searching PractitionerRole or Practitioner requires organization or _id.",
        code="required",
        expression=("organization",),
    )


def staff_search(ctx: Ctx, query: Query) -> Page:
    return page_of((as_json(m.practitioner_role_to_fhir(s)) for s in _staff_list(ctx, query)), query)


def practitioner_search(ctx: Ctx, query: Query) -> Page:
    return page_of((as_json(m.practitioner_to_fhir(s)) for s in _staff_list(ctx, query)), query)


def staff_create(ctx: Ctx, data: Json) -> Json:
    staff = m.staff_from_fhir(data)
    existing = ctx.uow.staff.find(staff.id) if staff.id else None
    if existing is None:
        # The HSA-id identifies the person's role nationally: a pathway Bundle naming a contact nurse the
        # system already knows refers to that staff member (its references resolve to the stored id).
        existing = ctx.uow.staff.get_by_hsa_id(staff.hsa_id)
    if existing is not None:
        if existing.model_copy(update={"id": staff.id}) == staff:
            return as_json(m.practitioner_role_to_fhir(existing))
        raise FhirError(
            409,
            f"PractitionerRole with HSA-id {staff.hsa_id} exists with other data (id {existing.id}).",
            code="duplicate",
        )
    ctx.require_role(ADMIN_ROLES, "register staff")
    find(ctx.uow.units, staff.unit_hsa_id, "Organization")
    saved = ctx.uow.staff.add(staff)
    return as_json(m.practitioner_role_to_fhir(saved or staff))


# ---------------------------------------------------------------------------------------------- pathway


def _episode(p: Pathway) -> Json:
    return as_json(m.episode_to_fhir(p))


def _pathway_read(ctx: Ctx, rid: str, rtype: str) -> Pathway:
    pathway: Pathway = find(ctx.uow.pathways, rid, rtype)
    ctx.check_read(pathway.patient_id, "pathway", pathway.id)
    return pathway


def episode_read(ctx: Ctx, rid: str) -> Json:
    return _episode(_pathway_read(ctx, rid, "EpisodeOfCare"))


def _pathways_of(ctx: Ctx, query: Query, rtype: str) -> list[Pathway]:
    out = []
    for patient_id in _need_patients(query, rtype):
        _patient_checked(ctx, patient_id)
        out += ctx.uow.pathways.for_patient(patient_id)
    return out


def episode_search(ctx: Ctx, query: Query) -> Page:
    return page_of((_episode(p) for p in _pathways_of(ctx, query, "EpisodeOfCare")), query)


def condition_read(ctx: Ctx, rid: str) -> Json:
    if not rid.endswith(CONDITION_SUFFIX):
        raise FhirError(404, f"Condition/{rid} not found.", code="not-found")
    return as_json(m.condition_to_fhir(_pathway_read(ctx, rid.removesuffix(CONDITION_SUFFIX), "Condition")))


def condition_search(ctx: Ctx, query: Query) -> Page:
    return page_of((as_json(m.condition_to_fhir(p)) for p in _pathways_of(ctx, query, "Condition")), query)


def _contained_condition(data: Json) -> Json:
    diagnoses = data.get("diagnosis") or []
    if not diagnoses:
        raise FhirError(
            422,
            "EpisodeOfCare.diagnosis: the Condition (ICD-10 diagnosis) is required.",
            code="required",
            expression=("EpisodeOfCare.diagnosis",),
        )
    reference = str((diagnoses[0].get("condition") or {}).get("reference", ""))
    contained = {str(c.get("id")): c for c in data.get("contained", []) or []}
    if reference.startswith("#") and reference[1:] in contained:
        return contained[reference[1:]]
    raise FhirError(
        422,
        "EpisodeOfCare.diagnosis[0].condition must reference a contained Condition (#id) or a Condition "
        "in the same transaction Bundle.",
        code="processing",
        expression=("EpisodeOfCare.diagnosis[0].condition",),
    )


def episode_create(ctx: Ctx, data: Json) -> Json:
    condition = _contained_condition(data)
    episode = {k: v for k, v in data.items() if k != "contained"}
    pathway = m.pathway_from_fhir(episode, condition)
    pathway = pathway.model_copy(update={"version": 1})
    find(ctx.uow.patients, pathway.patient_id, "Patient")
    find(ctx.uow.units, pathway.unit_hsa_id, "Organization")
    ctx.check_write(pathway.patient_id, "pathway", pathway.id, unit_hsa_id=pathway.unit_hsa_id)
    saved: Pathway = ctx.uow.pathways.add(pathway)
    return _episode(saved)


def episode_update(ctx: Ctx, rid: str, data: Json, expected: int) -> Json:
    """Phases, contact nurse, Min vårdplan and closing through the domain pathway rules."""
    from canrehab.domain import pathway as rules

    current: Pathway = find(ctx.uow.pathways, rid, "EpisodeOfCare")
    ctx.check_write(current.patient_id, "pathway", rid)
    _check_version(current.version, expected, f"EpisodeOfCare/{rid}")
    condition = as_json(m.condition_to_fhir(current))
    episode = {k: v for k, v in data.items() if k != "contained"}
    wanted = m.pathway_from_fhir({**episode, "id": rid}, condition).model_copy(
        update={"version": current.version}
    )
    result = current
    records: list[Any] = []
    try:
        for phase in wanted.phases:
            if phase not in result.phases:
                result = rules.record_phase(result, phase.kind, phase.on)
        new_nurses = [
            a for a in wanted.contact_nurses if a not in result.contact_nurses and a.to_date is None
        ]
        for assignment in new_nurses:
            staff = find(ctx.uow.staff, assignment.staff_id, "PractitionerRole")
            result = rules.assign_contact_nurse(result, staff, assignment.from_date, assignment.offered_on)
        result, records = _mvp_transition(ctx, rules, result, wanted)
        if wanted.closed_on is not None and result.closed_on is None:
            result = rules.close_pathway(result, wanted.closed_on)
    except DomainError as exc:
        raise _domain_failure(exc) from exc
    if result.model_copy(update={"version": 0}) != wanted.model_copy(update={"version": 0}):
        raise FhirError(
            422,
            "EpisodeOfCare update: only new phases, a new contact nurse, Min vårdplan steps (offer, "
            "establish, revise, decline) and closing can be changed; the requested resource differs in "
            "other elements (the diagnosis, unit and patient cannot change).",
            code="business-rule",
        )
    try:
        saved: Pathway = ctx.uow.pathways.update(result, expected_version=expected)
    except ConflictError as exc:
        raise _domain_failure(exc) from exc
    if records:
        ctx.uow.kva.add_many(records)
    return _episode(saved)


def _mvp_transition(ctx: Ctx, rules: Any, current: Pathway, wanted: Pathway) -> tuple[Pathway, list[Any]]:
    from canrehab.domain.model import MinVardplanStatus as S

    have, want = current.min_vardplan, wanted.min_vardplan
    if have == want:
        return current, []
    result = current
    records: list[Any] = []
    if want.status is S.OFFERED and want.offered_on:
        result = rules.offer_min_vardplan(result, want.offered_on)
    elif want.status is S.DECLINED and want.declined_on:
        result = rules.decline_min_vardplan(result, want.declined_on)
    elif want.status in (S.ESTABLISHED, S.REVISED) and want.established_on:
        staff = ctx.staff_member()
        unit = find(ctx.uow.units, current.unit_hsa_id, "Organization")
        if have.status not in (S.ESTABLISHED, S.REVISED):
            result, recs = rules.establish_min_vardplan(
                result, staff, unit, want.established_on, _professions(), digital_1177=want.digital_1177
            )
            records += recs
        for on in want.revised_on[len(result.min_vardplan.revised_on) :]:
            result, recs = rules.revise_min_vardplan(result, staff, unit, on, _professions())
            records += recs
    return result, records


# ---------------------------------------------------------------------------------------------- assessment


def _qr(a: Assessment) -> Json:
    return as_json(m.questionnaire_response_to_fhir(a, _questionnaire(a.instrument_id)))


def qr_read(ctx: Ctx, rid: str) -> Json:
    a: Assessment = find(ctx.uow.assessments, rid, "QuestionnaireResponse")
    ctx.check_read(a.patient_id, "assessment", a.id)
    return _qr(a)


def _children(ctx: Ctx, query: Query, rtype: str, repo: Any) -> list[Any]:
    """The patients' records in ``repo`` (access checked per patient)."""
    out = []
    for patient_id in _need_patients(query, rtype):
        _patient_checked(ctx, patient_id)
        out += repo.for_patient(patient_id)
    return out


def qr_search(ctx: Ctx, query: Query) -> Page:
    found = _children(ctx, query, "QuestionnaireResponse", ctx.uow.assessments)
    return page_of((_qr(a) for a in found), query)


def _ext_value(r: Json, suffix: str) -> Any:
    for e in r.get("extension", []) or []:
        if str(e.get("url", "")).endswith("/" + suffix):
            return next((v for k, v in e.items() if k.startswith("value")), None)
    return None


def qr_create(ctx: Ctx, data: Json) -> Json:
    from canrehab.domain.instrument import validate_answers
    from canrehab.instruments import load_instruments

    canonical = data.get("questionnaire")
    if not canonical:
        raise FhirError(
            422,
            "QuestionnaireResponse.questionnaire is required.",
            code="required",
            expression=("QuestionnaireResponse.questionnaire",),
        )
    instrument_id, _ = parse_canonical(str(canonical), "QuestionnaireResponse.questionnaire")
    questionnaire = _questionnaire(instrument_id)
    if questionnaire is None:
        raise FhirError(
            422,
            f"QuestionnaireResponse.questionnaire: unknown instrument {instrument_id!r}.",
            code="not-found",
            expression=("QuestionnaireResponse.questionnaire",),
        )
    a = m.assessment_from_fhir(data, questionnaire)
    try:
        answers = validate_answers(load_instruments()[instrument_id], a.answers)
    except DomainError as exc:
        raise FhirError(
            422,
            f"QuestionnaireResponse.item: {exc.message_en}",
            code="invalid",
            expression=("QuestionnaireResponse.item",),
        ) from exc
    a = a.model_copy(update={"answers": answers, "version": 1})
    _pathway_for(ctx, a.pathway_id, a.patient_id, "QuestionnaireResponse")
    ctx.check_write(a.patient_id, "assessment", a.id)
    saved: Assessment = ctx.uow.assessments.add(a)
    return _qr(saved)


QR_COMPARED = frozenset(
    {
        "patient_id",
        "pathway_id",
        "unit_hsa_id",
        "instrument_id",
        "instrument_version",
        "key_moment",
        "respondent",
        "answers",
        "status",
        "confirmed_level",
    }
)


def qr_update(ctx: Ctx, rid: str, data: Json, expected: int) -> Json:
    """Save answers, submit (suggestion computed) and confirm the level (AU010/AW019) through the assessment
    rules; the pathway gets the confirmed level as in the web app."""
    from canrehab.domain import assessment as rules
    from canrehab.domain.model import AssessmentStatus as S
    from canrehab.instruments import load_instruments, load_rules

    current: Assessment = find(ctx.uow.assessments, rid, "QuestionnaireResponse")
    ctx.check_write(current.patient_id, "assessment", rid)
    _check_version(current.version, expected, f"QuestionnaireResponse/{rid}")
    questionnaire = _questionnaire(current.instrument_id)
    wanted = m.assessment_from_fhir({**data, "id": rid}, questionnaire).model_copy(
        update={"version": expected}
    )
    instrument = load_instruments()[current.instrument_id]
    result = current
    records: list[Any] = []
    pathway: Pathway | None = None
    today = ctx.services.today()
    try:
        submit = wanted.status is not S.IN_PROGRESS and current.status is not S.CONFIRMED
        changed = {k: v for k, v in wanted.answers.items() if current.answers.get(k, None) != v}
        changed.update({k: None for k in current.answers if k not in wanted.answers})
        if changed or (submit and current.status is S.IN_PROGRESS):
            result = rules.save_answers(
                result,
                instrument,
                changed,
                on=wanted.submitted_on or today,
                submit=submit,
                rules=load_rules(current.instrument_id),
            )
        if wanted.status is S.CONFIRMED and result.status is not S.CONFIRMED:
            if wanted.confirmed_level is None:
                raise FhirError(
                    422, "Confirming needs the confirmed-needs-level extension with a level.", code="required"
                )
            pathway = find(ctx.uow.pathways, current.pathway_id, "EpisodeOfCare")
            result, pathway, records = rules.confirm_level(
                result,
                pathway,
                level=wanted.confirmed_level,
                by=ctx.staff_member(),
                on=wanted.confirmed_on or today,
                reason=wanted.override_reason,
                professions=_professions(),
            )
    except DomainError as exc:
        raise _domain_failure(exc) from exc
    if _kept(result, QR_COMPARED) != _kept(wanted, QR_COMPARED):
        raise FhirError(
            422,
            "QuestionnaireResponse update: only answers, submitting (status completed) and confirming the "
            "needs level can change; the result of the assessment rules differs from the requested resource.",
            code="business-rule",
        )
    try:
        saved: Assessment = ctx.uow.assessments.update(result, expected_version=expected)
        if pathway is not None:
            ctx.uow.pathways.update(pathway, expected_version=pathway.version)
    except ConflictError as exc:
        raise _domain_failure(exc) from exc
    if records:
        ctx.uow.kva.add_many(records)
    return _qr(saved)


# ---------------------------------------------------------------------------------------------- care plans


def _careplan(p: RehabPlan) -> Json:
    return as_json(m.care_plan_to_fhir(p))


def careplan_read(ctx: Ctx, rid: str) -> Json:
    if rid.endswith(MVP_SUFFIX):
        pathway = _pathway_read(ctx, rid.removesuffix(MVP_SUFFIX), "CarePlan")
        return as_json(m.min_vardplan_to_fhir(pathway))
    return _careplan(_plan_read(ctx, rid))


def _plans_of(ctx: Ctx, query: Query, rtype: str) -> list[RehabPlan]:
    found: list[RehabPlan] = _children(ctx, query, rtype, ctx.uow.plans)
    return found


def careplan_search(ctx: Ctx, query: Query) -> Page:
    out = [_careplan(p) for p in _plans_of(ctx, query, "CarePlan")]
    for patient_id in _need_patients(query, "CarePlan"):
        for pathway in ctx.uow.pathways.for_patient(patient_id):
            if pathway.min_vardplan.status.value != "none":
                out.append(as_json(m.min_vardplan_to_fhir(pathway)))
    return page_of(out, query)


def _plan_read(ctx: Ctx, rid: str) -> RehabPlan:
    plan: RehabPlan = find(ctx.uow.plans, rid, "CarePlan")
    ctx.check_read(plan.patient_id, "plan", plan.id)
    return plan


def careplan_history(ctx: Ctx, rid: str) -> list[Json]:
    """The plan as it is now (version id = its ETag), then its content versions, newest first: each
    established or revised content is kept (PlanVersion) and served as version ``v<n>``. Min vårdplan keeps
    no versions of its own: only the current one."""
    current = careplan_read(ctx, rid)
    if rid.endswith(MVP_SUFFIX):
        return [current]
    plan = _plan_read(ctx, rid)
    return [current, *(as_json(plan_version_to_fhir(plan, v.number)) for v in reversed(plan.versions))]


def careplan_vread(ctx: Ctx, rid: str, vid: str) -> Json:
    """``v<n>``: content version n; a number: the current version when it is that one."""
    for resource in careplan_history(ctx, rid):
        if str((resource.get("meta") or {}).get("versionId")) == vid:
            return resource
    raise FhirError(
        404,
        f"CarePlan/{rid} has no version {vid!r} (kept: the current version and the content versions "
        "v1, v2, ... listed by _history).",
        code="not-found",
    )


def careplan_create(ctx: Ctx, data: Json) -> Json:
    if is_min_vardplan(data):
        raise FhirError(
            422,
            "Min vårdplan is part of the pathway: change it through the EpisodeOfCare "
            "(extension min-vardplan).",
            code="not-supported",
            expression=("CarePlan.category",),
        )
    plan = m.rehab_plan_from_fhir(data).model_copy(update={"version": 1})
    pathway = _pathway_for(ctx, plan.pathway_id, plan.patient_id, "CarePlan")
    if plan.unit_hsa_id != pathway.unit_hsa_id:
        find(ctx.uow.units, plan.unit_hsa_id, "Organization")
    ctx.check_write(plan.patient_id, "plan", plan.id)
    saved: RehabPlan = ctx.uow.plans.add(plan)
    return _careplan(saved)


def careplan_update(ctx: Ctx, rid: str, data: Json, expected: int) -> Json:
    """Edit a draft, establish (AW020), follow up (AW024), revise (AW027), close (AW035): the plan rules."""
    from canrehab.domain import plan as rules
    from canrehab.domain.model import PlanEventKind, PlanStatus

    if rid.endswith(MVP_SUFFIX):
        raise FhirError(
            422,
            "Min vårdplan is changed through the EpisodeOfCare (extension min-vardplan).",
            code="not-supported",
        )
    current: RehabPlan = find(ctx.uow.plans, rid, "CarePlan")
    ctx.check_write(current.patient_id, "plan", rid)
    _check_version(current.version, expected, f"CarePlan/{rid}")
    wanted = m.rehab_plan_from_fhir({**data, "id": rid}).model_copy(update={"version": current.version})
    seen = {(e.kind, e.on, e.by) for e in current.events}
    new_events = [e for e in wanted.events if (e.kind, e.on, e.by) not in seen]
    result = current
    records: list[Any] = []
    try:
        if current.status is PlanStatus.DRAFT and wanted.content != current.content:
            result = rules.edit_draft(result, wanted.content)
        for event in new_events:
            staff = ctx.staff_member()
            if event.kind is PlanEventKind.ESTABLISHED:
                result, recs = rules.establish(result, by=staff, on=event.on, professions=_professions())
            elif event.kind is PlanEventKind.FOLLOWED_UP:
                result, recs = rules.follow_up(
                    result,
                    by=staff,
                    on=event.on,
                    note=event.note,
                    professions=_professions(),
                    next_follow_up_on=event.follow_up_on,
                )
            elif event.kind is PlanEventKind.REVISED:
                result, recs = rules.revise(
                    result, wanted.content, by=staff, on=event.on, note=event.note, professions=_professions()
                )
            else:
                if wanted.close_reason is None:
                    raise FhirError(
                        422, "Closing a plan requires the plan-close-reason extension.", code="required"
                    )
                result, recs = rules.close(
                    result,
                    wanted.close_reason,
                    by=staff,
                    on=event.on,
                    professions=_professions(),
                    note=event.note,
                )
            records += recs
    except DomainError as exc:
        raise _domain_failure(exc) from exc
    if _kept(result, PLAN_COMPARED) != _kept(wanted, PLAN_COMPARED):
        raise FhirError(
            422,
            "CarePlan update: the requested plan is not what the plan rules produce. Add one plan-event "
            "(established, followed_up, revised, closed) per step with your staff id as 'by', or edit a "
            "draft's "
            "content; history (events, versions) cannot be rewritten.",
            code="business-rule",
        )
    try:
        saved: RehabPlan = ctx.uow.plans.update(result, expected_version=expected)
    except ConflictError as exc:
        raise _domain_failure(exc) from exc
    if records:
        ctx.uow.kva.add_many(records)
    return _careplan(saved)


def goal_read(ctx: Ctx, rid: str) -> Json:
    plan_id, sep, number = rid.rpartition("-g")
    if not sep or not number.isdigit():
        raise FhirError(404, f"Goal/{rid} not found.", code="not-found")
    plan: RehabPlan = find(ctx.uow.plans, plan_id, "Goal")
    ctx.check_read(plan.patient_id, "plan", plan.id)
    goals = _goals(plan)
    if rid not in goals:
        raise FhirError(404, f"Goal/{rid} not found.", code="not-found")
    return goals[rid]


def _goals(plan: RehabPlan) -> dict[str, Json]:
    from canrehab.fhir.mapping.plan import GOAL_STATUS, goal_resource

    out = {}
    for i, goal in enumerate(plan.content.goals):
        gid = f"{plan.id}-g{i + 1}"
        out[gid] = goal_resource(goal, gid, plan.patient_id, GOAL_STATUS[plan.status])
    return out


def goal_search(ctx: Ctx, query: Query) -> Page:
    return page_of((g for p in _plans_of(ctx, query, "Goal") for g in _goals(p).values()), query)


# ------------------------------------------------------------------------------------------- referral, task


def sr_read(ctx: Ctx, rid: str) -> Json:
    r: Referral = find(ctx.uow.referrals, rid, "ServiceRequest")
    ctx.check_read(r.patient_id, "referral", r.id)
    return as_json(m.service_request_to_fhir(r))


def sr_search(ctx: Ctx, query: Query) -> Page:
    found = _children(ctx, query, "ServiceRequest", ctx.uow.referrals)
    return page_of((as_json(m.service_request_to_fhir(r)) for r in found), query)


def sr_create(ctx: Ctx, data: Json) -> Json:
    r = m.referral_from_fhir(data).model_copy(update={"version": 1})
    _pathway_for(ctx, r.pathway_id, r.patient_id, "ServiceRequest")
    _staff_ref(ctx, r.from_staff_id, "ServiceRequest.requester")
    if r.to_unit_hsa_id:
        find(ctx.uow.units, r.to_unit_hsa_id, "Organization")
    ctx.check_write(r.patient_id, "referral", r.id)
    saved: Referral = ctx.uow.referrals.add(r)
    return as_json(m.service_request_to_fhir(saved))


def sr_update(ctx: Ctx, rid: str, data: Json, expected: int) -> Json:
    """accept / reject / complete / cancel through the referral rules."""
    from canrehab.domain import referral as rules

    current: Referral = find(ctx.uow.referrals, rid, "ServiceRequest")
    ctx.check_write(current.patient_id, "referral", rid)
    _check_version(current.version, expected, f"ServiceRequest/{rid}")
    wanted = m.referral_from_fhir({**data, "id": rid}).model_copy(update={"version": current.version})
    result = current
    if wanted.status is not current.status:
        staff = ctx.staff_member()
        on = wanted.completed_on or wanted.answered_on or ctx.services.today()
        try:
            if wanted.status is ReferralStatus.ACCEPTED:
                result = rules.accept(current, by=staff, on=on)
            elif wanted.status is ReferralStatus.REJECTED:
                result = rules.reject(current, by=staff, on=on, reason=wanted.reject_reason)
            elif wanted.status is ReferralStatus.COMPLETED:
                result = rules.complete(current, by=staff, on=on)
            elif wanted.status is ReferralStatus.CANCELLED:
                result = rules.cancel(current, by=staff, on=on)
            else:
                raise FhirError(
                    422, f"A referral cannot go back to {wanted.status.value}.", code="business-rule"
                )
        except DomainError as exc:
            raise _domain_failure(exc) from exc
        result, records = _with_records(result)
    else:
        records = []
    if _fixed(result, REFERRAL_STEP_FIELDS) != _fixed(wanted, REFERRAL_STEP_FIELDS):
        raise FhirError(
            422,
            "ServiceRequest update: only the referral status (accept, reject with reason, "
            "complete, cancel) can change.",
            code="business-rule",
        )
    try:
        saved: Referral = ctx.uow.referrals.update(result, expected_version=expected)
    except ConflictError as exc:
        raise _domain_failure(exc) from exc
    if records:
        ctx.uow.kva.add_many(records)
    return as_json(m.service_request_to_fhir(saved))


HANDOVER_STEP_FIELDS = frozenset(
    {
        "status",
        "received_on",
        "patient_contacted_on",
        "completed_on",
        "rejected_on",
        "reject_reason",
        "to_staff_id",
        "version",
    }
)
REFERRAL_STEP_FIELDS = frozenset({"status", "answered_on", "completed_on", "reject_reason", "version"})


PLAN_COMPARED = frozenset({"patient_id", "pathway_id", "unit_hsa_id", "content", "status", "close_reason"})


def _kept(entity: Any, fields: frozenset[str]) -> dict[str, Any]:
    """The fields of a requested plan that must equal what the rules produced (events: the rules')."""
    return {k: v for k, v in entity.model_dump().items() if k in fields}


def _fixed(entity: Any, step_fields: frozenset[str]) -> dict[str, Any]:
    """The fields a state change must leave as they are (the rules set the others)."""
    return {k: v for k, v in entity.model_dump().items() if k not in step_fields}


def _with_records(result: Any) -> tuple[Any, list[Any]]:
    """Domain transitions return the entity, or (entity, KVÅ records)."""
    if isinstance(result, tuple):
        return result[0], list(result[1])
    return result, []


def task_read(ctx: Ctx, rid: str) -> Json:
    h: Handover = find(ctx.uow.handovers, rid, "Task")
    ctx.check_read(h.patient_id, "handover", h.id)
    return as_json(m.task_to_fhir(h))


def task_search(ctx: Ctx, query: Query) -> Page:
    found = _children(ctx, query, "Task", ctx.uow.handovers)
    return page_of((as_json(m.task_to_fhir(h)) for h in found), query)


def task_create(ctx: Ctx, data: Json) -> Json:
    h = m.handover_from_fhir(data).model_copy(update={"version": 1})
    _pathway_for(ctx, h.pathway_id, h.patient_id, "Task")
    _staff_ref(ctx, h.from_staff_id, "Task.requester")
    _staff_ref(ctx, h.to_staff_id, "Task.owner")
    find(ctx.uow.units, h.to_unit_hsa_id, "Organization")
    ctx.check_write(h.patient_id, "handover", h.id)
    saved: Handover = ctx.uow.handovers.add(h)
    return as_json(m.task_to_fhir(saved))


STEP_ORDER = (
    HandoverStatus.SENT,
    HandoverStatus.RECEIVED,
    HandoverStatus.PATIENT_CONTACTED,
    HandoverStatus.COMPLETED,
)


def task_update(ctx: Ctx, rid: str, data: Json, expected: int) -> Json:
    """The receiver's steps (handover rules): received -> patient contacted -> completed, or rejected."""
    from canrehab.domain import handover as rules

    current: Handover = find(ctx.uow.handovers, rid, "Task")
    ctx.check_write(current.patient_id, "handover", rid)
    _check_version(current.version, expected, f"Task/{rid}")
    wanted = m.handover_from_fhir({**data, "id": rid}).model_copy(update={"version": current.version})
    result = current
    records: list[Any] = []
    if wanted.status is not current.status:
        staff = ctx.staff_member()
        today = ctx.services.today()
        try:
            if wanted.status is HandoverStatus.REJECTED:
                result, records = _with_records(
                    rules.reject(
                        current, by=staff, on=wanted.rejected_on or today, reason=wanted.reject_reason
                    )
                )
            elif wanted.status in STEP_ORDER and STEP_ORDER.index(wanted.status) > STEP_ORDER.index(
                current.status
            ):
                steps = {
                    HandoverStatus.RECEIVED: (rules.receive, wanted.received_on),
                    HandoverStatus.PATIENT_CONTACTED: (
                        rules.confirm_patient_contact,
                        wanted.patient_contacted_on,
                    ),
                    HandoverStatus.COMPLETED: (rules.complete, wanted.completed_on),
                }
                for status in STEP_ORDER[
                    STEP_ORDER.index(current.status) + 1 : STEP_ORDER.index(wanted.status) + 1
                ]:
                    step, on = steps[status]
                    result, recs = _with_records(step(result, by=staff, on=on or today))
                    records += recs
            else:
                raise FhirError(
                    422,
                    f"A handover cannot go from {current.status.value} to {wanted.status.value}.",
                    code="business-rule",
                    expression=("Task.businessStatus",),
                )
        except DomainError as exc:
            raise _domain_failure(exc) from exc
    if _fixed(result, HANDOVER_STEP_FIELDS) != _fixed(wanted, HANDOVER_STEP_FIELDS):
        raise FhirError(
            422,
            "Task update: only the handover's businessStatus (with Task.status) can change, plus "
            "statusReason when rejecting; the resulting handover differs from the requested one (dates and "
            "receiving staff are set by the rules).",
            code="business-rule",
        )
    try:
        saved: Handover = ctx.uow.handovers.update(result, expected_version=expected)
    except ConflictError as exc:
        raise _domain_failure(exc) from exc
    if records:
        ctx.uow.kva.add_many(records)
    return as_json(m.task_to_fhir(saved))


# ----------------------------------------------------------------------------------------- procedure, audit


def procedure_read(ctx: Ctx, rid: str) -> Json:
    getter = getattr(ctx.uow.kva, "find", None) or getattr(ctx.uow.kva, "get", None)
    if getter is None:
        raise FhirError(404, f"Procedure/{rid} not found.", code="not-found")
    record = find(ctx.uow.kva, rid, "Procedure")
    ctx.check_read(record.patient_id, "kva", record.id)
    return as_json(m.procedure_to_fhir(record))


def procedure_search(ctx: Ctx, query: Query) -> Page:
    found = _children(ctx, query, "Procedure", ctx.uow.kva)
    return page_of((as_json(m.procedure_to_fhir(r)) for r in found), query)


def _staff_ref(ctx: Ctx, staff_id: str | None, element: str) -> None:
    """A referenced staff member must exist (a dangling PractitionerRole reference is refused)."""
    if staff_id is not None and ctx.uow.staff.find(staff_id) is None:
        raise FhirError(
            422,
            f"{element} refers to PractitionerRole/{staff_id}, which does not exist.",
            code="processing",
            expression=(element,),
        )


def _check_performer(ctx: Ctx, record: Any) -> None:
    """Clinical staff record procedures of their own care units: the performer named must work at one of
    the actor's units (themselves or a colleague), and so must the care unit the procedure is recorded for.

    Why the unit and not only the person: access in canrehab is by care unit (a nurse reads and writes the
    records of patients her units are involved with, as in the web app), and KVÅ registration is commonly
    done for a colleague of the same unit (a contact nurse registering the team's MDK-rehab). Naming staff
    of another unit, or recording for another unit, would put a KVÅ code in that unit's statistics that
    nobody there recorded: refused (403) and nothing is stored. Administrators and the system import
    records as the sending system recorded them and are not restricted."""
    if not allowed(ctx.actor.role, Action.CHANGE_RECORD):
        return
    own = ctx.actor.unit_hsa_ids
    if record.unit_hsa_id not in own:
        raise FhirError(
            403,
            f"Procedure: you may record procedures only for your own care unit(s) "
            f"({', '.join(sorted(own))}), "
            f"not {record.unit_hsa_id}.",
            code="forbidden",
            expression=("Procedure.extension('care-unit')",),
        )
    if record.performer_id is not None and record.performer_id != ctx.actor.staff_id:
        performer = ctx.uow.staff.find(record.performer_id)
        if performer is None or performer.unit_hsa_id not in own:
            raise FhirError(
                403,
                f"Procedure.performer: PractitionerRole/{record.performer_id} does not work at your care "
                "unit(s); name yourself or a colleague of your unit.",
                code="forbidden",
                expression=("Procedure.performer.actor",),
            )


def procedure_create(ctx: Ctx, data: Json) -> Json:
    record = m.kva_record_from_fhir(data)
    try:
        require_kva(record.code)
    except DomainError as exc:
        raise FhirError(
            422, f"Procedure.code: {exc.message_en}", code="code-invalid", expression=("Procedure.code",)
        ) from exc
    _pathway_for(ctx, record.pathway_id, record.patient_id, "Procedure")
    find(ctx.uow.units, record.unit_hsa_id, "Organization")
    _staff_ref(ctx, record.performer_id, "Procedure.performer.actor")
    ctx.check_write(record.patient_id, "kva", record.id)
    _check_performer(ctx, record)
    ctx.uow.kva.add_many([record])
    return as_json(m.procedure_to_fhir(record))


# ---------------------------------------------------------------------------------------------- Questionnaire


def questionnaire_read(ctx: Ctx, rid: str) -> Json:
    q = _questionnaire(rid)
    if q is None:
        raise FhirError(404, f"Questionnaire/{rid} not found.", code="not-found")
    return q


def questionnaire_search(ctx: Ctx, query: Query) -> Page:
    from canrehab.instruments import load_instruments

    found = (q for q in (_questionnaire(i) for i in sorted(load_instruments())) if q is not None)
    return page_of(found, query)


HANDLERS: dict[str, Handler] = {
    h.type: h
    for h in [
        Handler("Patient", patient_read, patient_search, patient_create, patient_update),
        Handler("Organization", organization_read, organization_search, organization_create),
        Handler("PractitionerRole", staff_read, staff_search, staff_create),
        Handler("Practitioner", practitioner_read, practitioner_search),
        Handler("EpisodeOfCare", episode_read, episode_search, episode_create, episode_update),
        Handler("Condition", condition_read, condition_search),
        Handler("QuestionnaireResponse", qr_read, qr_search, qr_create, qr_update),
        Handler(
            "CarePlan",
            careplan_read,
            careplan_search,
            careplan_create,
            careplan_update,
            careplan_history,
            careplan_vread,
        ),
        Handler("Goal", goal_read, goal_search),
        Handler("ServiceRequest", sr_read, sr_search, sr_create, sr_update),
        Handler("Task", task_read, task_search, task_create, task_update),
        Handler("Procedure", procedure_read, procedure_search, procedure_create),
        Handler("AuditEvent", audit_read, audit_search),
        Handler("Questionnaire", questionnaire_read, questionnaire_search),
    ]
}
