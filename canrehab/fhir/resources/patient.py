"""Patient: read and search (by personnummer, samordningsnummer, pseudonym or id); create and update
through ``services.registry``."""

from __future__ import annotations

from typing import Any

from canrehab.domain.model import Patient
from canrehab.fhir import mapping as m
from canrehab.fhir import systems
from canrehab.fhir.context import Ctx, find
from canrehab.fhir.mapping.common import as_json
from canrehab.fhir.outcome import FhirError
from canrehab.fhir.resources.common import Handler, Json, Kept, check_version, refuse_unkept
from canrehab.fhir.search import Page, Query, page_of
from canrehab.services import registry


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


def patient_create(ctx: Ctx, data: Json) -> Json:
    patient = m.patient_from_fhir(data)
    refuse_unkept(data, as_json(m.patient_to_fhir(patient)))
    saved = registry.record_patient(ctx.services, ctx.actor, patient)
    return as_json(m.patient_to_fhir(saved))


def patient_update(ctx: Ctx, rid: str, data: Json, expected: int) -> Json:
    """Demographics from the journal or the population register: name, sex, county of residence, date of
    death. The identity (personnummer/samordningsnummer, and with it birth date and pseudonym) cannot change
    here: a new number for the same person is an identity merge, which would break the analytical
    pseudonym."""
    current: Patient = find(ctx.uow.patients, rid, "Patient")
    ctx.check_write(current.id, "patient", rid)
    check_version(current.version, expected, f"Patient/{rid}")
    wanted = m.patient_from_fhir({**data, "id": rid})
    refuse_unkept(data, as_json(m.patient_to_fhir(wanted)))
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
    saved = registry.update_demographics(
        ctx.services,
        ctx.actor,
        rid,
        name=wanted.name,
        sex=wanted.sex,
        county_code=wanted.county_code,
        deceased_on=wanted.deceased_on,
        version=expected,
    )
    return as_json(m.patient_to_fhir(saved))


HANDLER = Handler(
    "Patient",
    patient_read,
    patient_search,
    patient_create,
    patient_update,
    Kept(lambda ctx, patient, _rid: _patient_json(ctx, patient), lambda rid: ("patients", rid)),
)
