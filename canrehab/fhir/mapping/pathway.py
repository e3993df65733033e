"""Pathway -> EpisodeOfCare (+ Condition for the diagnosis); Min vårdplan -> CarePlan (category Min vårdplan).

EpisodeOfCare: ``careManager`` is the current named contact nurse (PractitionerRole), ``period`` runs from the
pathway's start (the diagnosis date, or the välgrundad misstanke of a pathway started at one, also carried in
the extension ``valgrundad-misstanke``) to ``closed_on``; phases, the contact-nurse history, the Min vårdplan
status and the confirmed needs level travel in canrehab extensions, and so does the pathway's SVF record
(the extension ``svf``, ``canrehab.fhir.mapping.svf``; kept in its own table, so the caller passes it).
The Condition has the id ``<pathway id>-dx``.

The Condition's ``verificationStatus`` (HL7 R4 condition-ver-status) says where a suspicion stands:
``provisional`` while the suspicion is investigated (the code is text only, naming the diagnosis process;
``recordedDate`` the suspicion), ``confirmed`` with the ICD-10-SE code and the diagnosis date, ``refuted``
once the suspicion was dismissed (``clinicalStatus`` inactive and ``abatementDateTime`` the day; R4's con-3
wants a clinicalStatus on a problem-list item that is not entered-in-error, con-4 an inactive one when
abated). The EpisodeOfCare of a dismissed suspicion is ``finished``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.episodeofcare import EpisodeOfCare

from canrehab.domain.definitions import ProcessDef
from canrehab.domain.diagnosis import normalise_icd10, process_for
from canrehab.domain.errors import DomainError
from canrehab.domain.model import (
    ClosedReason,
    ContactNurseAssignment,
    Diagnosis,
    MinVardplan,
    MinVardplanStatus,
    NurseRole,
    Pathway,
    PhaseEntry,
    PhaseKind,
)
from canrehab.fhir import systems
from canrehab.fhir.mapping.common import (
    Json,
    MappingError,
    as_json,
    clean,
    code_in,
    codes_in,
    coding,
    complex_ext,
    concept,
    expect_type,
    ext,
    ext_one,
    exts,
    iso,
    meta_version,
    opt_date,
    parse_date,
    parse_enum,
    ref,
    ref_id,
    require,
    resource_id,
    sub,
    to_model,
    version_of,
)
from canrehab.fhir.mapping.svf import SvfState, svf_ext
from canrehab.fhir.mapping.vocab import level_coding, parse_level

CONDITION_SUFFIX = "-dx"
MVP_SUFFIX = "-mvp"
MVP_CATEGORY = concept(systems.CS_CAREPLAN_CATEGORY, "min-vardplan", "Min vårdplan")


def condition_id(pathway_id: str) -> str:
    return pathway_id + CONDITION_SUFFIX


def min_vardplan_id(pathway_id: str) -> str:
    return pathway_id + MVP_SUFFIX


@cache
def _processes() -> tuple[ProcessDef, ...]:
    from canrehab.codes.catalog import load_processes

    return tuple(load_processes())


def icd10_display_code(icd10: str) -> str:
    """``C509`` -> ``C50.9`` (the form of the ICD-10-SE classification)."""
    return icd10 if len(icd10) <= 3 else f"{icd10[:3]}.{icd10[3:]}"


def _sub_values(extension: Json) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for part in extension.get("extension", []) or []:
        values = [v for k, v in part.items() if k.startswith("value")]
        out.setdefault(part.get("url", ""), []).extend(values)
    return out


def _one(parts: dict[str, list[Any]], key: str, path: str, required: bool = False) -> Any:
    values = parts.get(key, [])
    if len(values) > 1:
        raise MappingError(f"{path}.extension('{key}')", "repeated, expected at most one")
    if not values:
        if required:
            raise MappingError(f"{path}.extension('{key}')", "required")
        return None
    return values[0]


# ---------------------------------------------------------------------------------------------- Condition


CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"


def verification_status(pathway: Pathway) -> str:
    """confirmed (a diagnosis), refuted (a dismissed suspicion) or provisional (a suspicion investigated)."""
    if pathway.diagnosis.confirmed:
        return "confirmed"
    return "refuted" if pathway.suspicion_dismissed else "provisional"


def _suspected_code(process: str) -> Json:
    names = {p.id: p.name_sv for p in _processes()}
    return {"text": f"Välgrundad misstanke om cancer: {names.get(process, process)}"}


def condition_json(pathway: Pathway) -> Json:
    dx = pathway.diagnosis
    status = verification_status(pathway)
    data = {
        "resourceType": "Condition",
        "id": condition_id(pathway.id),
        "meta": meta_version(pathway.version),  # a view of the pathway: its version
        "extension": [
            ext(systems.EXT_DIAGNOSIS_PROCESS, valueCoding=coding(systems.CS_DIAGNOSIS_PROCESS, dx.process))
        ],
        "clinicalStatus": concept(CLINICAL, "inactive" if status == "refuted" else "active"),
        "verificationStatus": concept(VERIFICATION, status),
        "category": [
            concept("http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item")
        ],
        "code": concept(systems.ICD10_SE, icd10_display_code(dx.icd10))
        if dx.icd10 is not None
        else _suspected_code(dx.process),
        "subject": ref("Patient", pathway.patient_id),
        "abatementDateTime": iso(pathway.closed_on) if status == "refuted" else None,
        "recordedDate": iso(dx.diagnosed_on or pathway.suspicion_on),
    }
    return clean(data)


def condition_to_fhir(pathway: Pathway) -> Condition:
    model: Condition = to_model(condition_json(pathway))  # type: ignore[assignment]
    return model


def condition_verification(resource: Any) -> str:
    """The Condition's verificationStatus code (``confirmed`` when absent, canrehab's earlier form); only
    provisional, confirmed and refuted are pathways canrehab keeps."""
    data = as_json(resource)
    found = code_in(
        data.get("verificationStatus"), VERIFICATION, "Condition.verificationStatus", required=False
    )
    status = found or "confirmed"
    if status not in ("provisional", "confirmed", "refuted"):
        raise MappingError(
            "Condition.verificationStatus", f"{status}: expected provisional, confirmed or refuted"
        )
    return status


def diagnosis_from_fhir(resource: Any) -> Diagnosis:
    """The diagnosis of a confirmed Condition; of a provisional or refuted one (a suspicion) only its
    diagnosis process (the extension ``diagnosis-process``, required then)."""
    data = as_json(resource)
    expect_type(data, "Condition")
    if condition_verification(data) != "confirmed":
        found = ext_one(data, systems.EXT_DIAGNOSIS_PROCESS, "Condition")
        process = ((found or {}).get("valueCoding") or {}).get("code")
        if not process:
            raise MappingError(
                "Condition.extension('diagnosis-process')",
                "required on a provisional or refuted Condition (a suspicion names its diagnosis process)",
            )
        return Diagnosis(icd10=None, diagnosed_on=None, process=process)
    raw = code_in(data.get("code"), systems.ICD10_SE, "Condition.code")
    if raw is None:  # pragma: no cover - code_in raises when required
        raise MappingError("Condition.code", "ICD-10-SE code required")
    try:
        icd10 = normalise_icd10(raw)
    except DomainError as exc:
        raise MappingError("Condition.code.coding.code", exc.message_en) from exc
    process_ext = ext_one(data, systems.EXT_DIAGNOSIS_PROCESS, "Condition")
    if process_ext is not None:
        process = (process_ext.get("valueCoding") or {}).get("code")
        if not process:
            raise MappingError("Condition.extension('diagnosis-process')", "valueCoding.code required")
    else:
        process = process_for(icd10, _processes())
    recorded = data.get("recordedDate") or data.get("onsetDateTime")
    if recorded is None:
        raise MappingError("Condition.recordedDate", "the date of diagnosis is required")
    return Diagnosis(
        icd10=icd10, diagnosed_on=parse_date(recorded, "Condition.recordedDate"), process=process
    )


# ---------------------------------------------------------------------------------------------- EpisodeOfCare


def _phase_ext(p: PhaseEntry) -> Json:
    return complex_ext(
        systems.EXT_PHASE,
        sub("kind", valueCoding=coding(systems.CS_PHASE, p.kind.value)),
        sub("on", valueDate=iso(p.on)),
    )


def _nurse_ext(a: ContactNurseAssignment) -> Json:
    return complex_ext(
        systems.EXT_CONTACT_NURSE,
        sub("staff", valueReference=ref("PractitionerRole", a.staff_id)),
        sub("role", valueCoding=coding(systems.CS_NURSE_ROLE, a.role.value, a.role.label_sv)),
        sub("offered", valueDate=iso(a.offered_on)),
        sub("from", valueDate=iso(a.from_date)),
        sub("to", valueDate=iso(a.to_date)),
    )


def _mvp_ext(m: MinVardplan) -> Json:
    return complex_ext(
        systems.EXT_MIN_VARDPLAN,
        sub("status", valueCoding=coding(systems.CS_MIN_VARDPLAN_STATUS, m.status.value)),
        sub("offered", valueDate=iso(m.offered_on)),
        sub("established", valueDate=iso(m.established_on)),
        *[sub("revised", valueDate=iso(d)) for d in m.revised_on],
        sub("declined", valueDate=iso(m.declined_on)),
        sub("digital1177", valueBoolean=m.digital_1177),
    )


def current_contact_nurse(pathway: Pathway) -> str | None:
    current = [a for a in pathway.contact_nurses if a.to_date is None]
    return current[-1].staff_id if current else None


def episode_json(pathway: Pathway, svf: SvfState | None = None) -> Json:
    """The pathway's EpisodeOfCare; ``svf``: its SVF record (the extension ``svf``), when it has one."""
    extensions = [_phase_ext(p) for p in pathway.phases]
    extensions += [_nurse_ext(a) for a in pathway.contact_nurses]
    extensions.append(_mvp_ext(pathway.min_vardplan))
    if pathway.confirmed_level is not None:
        extensions.append(
            complex_ext(
                systems.EXT_CONFIRMED_LEVEL,
                sub("level", valueCoding=level_coding(pathway.confirmed_level)),
                sub("on", valueDate=iso(pathway.confirmed_level_on)),
            )
        )
    if pathway.suspicion_on is not None:
        extensions.append(ext(systems.EXT_SUSPICION, valueDate=iso(pathway.suspicion_on)))
    if svf is not None:
        extensions.append(svf_ext(svf))
    nurse = current_contact_nurse(pathway)
    data = {
        "resourceType": "EpisodeOfCare",
        "id": pathway.id,
        "meta": meta_version(pathway.version),
        "extension": extensions,
        "status": "finished" if pathway.closed_on else "active",
        "diagnosis": [{"condition": ref("Condition", condition_id(pathway.id)), "rank": 1}],
        "patient": ref("Patient", pathway.patient_id),
        "managingOrganization": ref("Organization", pathway.unit_hsa_id),
        "period": clean({"start": iso(pathway.started_on), "end": iso(pathway.closed_on)}),
        "careManager": ref("PractitionerRole", nurse) if nurse else None,
    }
    return clean(data)


def episode_to_fhir(pathway: Pathway, svf: SvfState | None = None) -> EpisodeOfCare:
    model: EpisodeOfCare = to_model(episode_json(pathway, svf))  # type: ignore[assignment]
    return model


def _min_vardplan(data: Json, path: str) -> MinVardplan:
    found = ext_one(data, systems.EXT_MIN_VARDPLAN, path)
    if found is None:
        return MinVardplan()
    p = f"{path}.extension('min-vardplan')"
    parts = _sub_values(found)
    status = _one(parts, "status", p)
    return MinVardplan(
        status=parse_enum(MinVardplanStatus, (status or {}).get("code"), p)
        if status
        else MinVardplanStatus.NONE,
        offered_on=opt_date(_one(parts, "offered", p), p),
        established_on=opt_date(_one(parts, "established", p), p),
        revised_on=tuple(parse_date(v, p) for v in parts.get("revised", [])),
        declined_on=opt_date(_one(parts, "declined", p), p),
        digital_1177=bool(_one(parts, "digital1177", p)),
    )


def _nurse_role(value: Any, path: str) -> NurseRole:
    """The named nurse's role (kontaktsjuksköterska when not given, canrehab's earlier form)."""
    if value is None:
        return NurseRole.CONTACT_NURSE
    if not isinstance(value, dict) or value.get("system") != systems.CS_NURSE_ROLE:
        raise MappingError(path, f"expected a coding of {systems.CS_NURSE_ROLE}")
    return parse_enum(NurseRole, value.get("code"), f"{path}.valueCoding.code")


def pathway_from_fhir(episode: Any, condition: Any) -> Pathway:
    """The pathway from its EpisodeOfCare and the Condition it references (resolved by the caller)."""
    data = as_json(episode)
    expect_type(data, "EpisodeOfCare")
    path = "EpisodeOfCare"
    phases = []
    for i, e in enumerate(exts(data, systems.EXT_PHASE)):
        parts = _sub_values(e)
        p = f"{path}.extension('pathway-phase')[{i}]"
        kind = _one(parts, "kind", p, required=True)
        phases.append(
            PhaseEntry(
                kind=parse_enum(PhaseKind, (kind or {}).get("code"), p),
                on=parse_date(_one(parts, "on", p, required=True), p),
            )
        )
    nurses = []
    for i, e in enumerate(exts(data, systems.EXT_CONTACT_NURSE)):
        parts = _sub_values(e)
        p = f"{path}.extension('contact-nurse')[{i}]"
        role = _one(parts, "role", p)
        nurses.append(
            ContactNurseAssignment(
                staff_id=ref_id(_one(parts, "staff", p, required=True), "PractitionerRole", p),
                role=_nurse_role(role, f"{p}.extension('role')"),
                offered_on=opt_date(_one(parts, "offered", p), p),
                from_date=parse_date(_one(parts, "from", p, required=True), p),
                to_date=opt_date(_one(parts, "to", p), p),
            )
        )
    if not nurses and data.get("careManager"):
        start = parse_date((data.get("period") or {}).get("start"), f"{path}.period.start")
        nurses.append(
            ContactNurseAssignment(
                staff_id=ref_id(data["careManager"], "PractitionerRole", f"{path}.careManager"),
                from_date=start,
            )
        )
    level = None
    level_on = None
    confirmed = ext_one(data, systems.EXT_CONFIRMED_LEVEL, path)
    if confirmed is not None:
        parts = _sub_values(confirmed)
        p = f"{path}.extension('confirmed-needs-level')"
        level = parse_level(_one(parts, "level", p, required=True), p)
        level_on = opt_date(_one(parts, "on", p), p)
    status = require(data, "status", path)
    closed_on = opt_date((data.get("period") or {}).get("end"), f"{path}.period.end")
    if status in ("finished", "cancelled") and closed_on is None:
        raise MappingError(f"{path}.period.end", f"status {status} requires the end date")
    suspicion = ext_one(data, systems.EXT_SUSPICION, path)
    suspicion_on = opt_date((suspicion or {}).get("valueDate"), f"{path}.extension('valgrundad-misstanke')")
    verification = condition_verification(condition)
    if verification != "confirmed" and suspicion_on is None:
        raise MappingError(
            f"{path}.extension('valgrundad-misstanke')",
            f"a {verification} Condition belongs to a pathway started at välgrundad misstanke: its date is "
            "required",
        )
    if verification == "refuted" and closed_on is None:
        raise MappingError(f"{path}.period.end", "a dismissed suspicion (refuted Condition) is closed")
    return Pathway(
        id=resource_id(data),
        patient_id=ref_id(data.get("patient"), "Patient", f"{path}.patient"),
        unit_hsa_id=ref_id(data.get("managingOrganization"), "Organization", f"{path}.managingOrganization"),
        diagnosis=diagnosis_from_fhir(condition),
        phases=tuple(phases),
        contact_nurses=tuple(nurses),
        min_vardplan=_min_vardplan(data, path),
        confirmed_level=level,
        confirmed_level_on=level_on,
        closed_on=closed_on,
        suspicion_on=suspicion_on,
        closed_reason=ClosedReason.SUSPICION_DISMISSED if verification == "refuted" else None,
        version=version_of(data),
    )


# ---------------------------------------------------------------------------------------------- Min vårdplan

MVP_STATUS = {
    MinVardplanStatus.NONE: "draft",
    MinVardplanStatus.OFFERED: "draft",
    MinVardplanStatus.ESTABLISHED: "active",
    MinVardplanStatus.REVISED: "active",
    MinVardplanStatus.DECLINED: "revoked",
}


def min_vardplan_to_fhir(pathway: Pathway) -> CarePlan:
    """The patient's Min vårdplan as a CarePlan (id ``<pathway id>-mvp``); read-only view of the pathway."""
    m = pathway.min_vardplan
    data = {
        "resourceType": "CarePlan",
        "id": min_vardplan_id(pathway.id),
        "meta": meta_version(pathway.version),
        "extension": [_mvp_ext(m), ext(systems.EXT_PATHWAY, valueReference=ref("EpisodeOfCare", pathway.id))],
        "status": MVP_STATUS[m.status],
        "intent": "plan",
        "category": [MVP_CATEGORY],
        "title": "Min vårdplan",
        "subject": ref("Patient", pathway.patient_id),
        "created": iso(m.established_on),
        "author": ref("Organization", pathway.unit_hsa_id),
        "period": clean({"start": iso(m.established_on)}) or None,
    }
    model: CarePlan = to_model(clean(data))  # type: ignore[assignment]
    return model


def min_vardplan_from_fhir(resource: Any) -> tuple[str, MinVardplan]:
    """(pathway id, Min vårdplan) from a Min vårdplan CarePlan."""
    data = as_json(resource)
    expect_type(data, "CarePlan")
    if not any(
        "min-vardplan" in codes_in(c, systems.CS_CAREPLAN_CATEGORY) for c in data.get("category", []) or []
    ):
        raise MappingError("CarePlan.category", "not a Min vårdplan")
    pathway_ref = ext_one(data, systems.EXT_PATHWAY, "CarePlan")
    if pathway_ref is None:
        raise MappingError("CarePlan.extension('pathway')", "the pathway (EpisodeOfCare) is required")
    pathway_id = ref_id(pathway_ref.get("valueReference"), "EpisodeOfCare", "CarePlan.extension('pathway')")
    return pathway_id, _min_vardplan(data, "CarePlan")
