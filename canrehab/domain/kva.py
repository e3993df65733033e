"""KVÅ procedure records and the patient-register-like (PAR) extract built from them.

One PAR row is one contact: a patient's records on one date at one unit with one care type. ``op`` holds the
sorted distinct KVÅ codes of the contact (profession add-on codes included), ``hdia`` the pathway's ICD-10,
``vardform`` is ``sluten``/``oppen`` and ``utdatum`` is only given for inpatient care (as in the register).

Care type: every record carries the care type (``CareType``) of the contact that produced it; the caller
says which. Where the caller does not know, the record is outpatient (``DEFAULT_CARE_TYPE``): the care
process's actions (contact-nurse contacts, assessments, plans, handovers) are mostly outpatient, and the
patient register's specialised outpatient care is where they are reported.

Validity: with the code list (``codes``), a record is made only for a known code, on a date within the
code's validity and for a care type the code belongs to (``require_recordable``). ``require_in_force`` is the
same check for one code and date, for importers (the follow-up's PAR import) to call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from canrehab.domain.definitions import KvaDef, ProfessionDef
from canrehab.domain.errors import DomainError
from canrehab.domain.model import CareType, KvaRecord, Pathway, Patient, Profession, Staff

PAR_COLUMNS = ("lopnr", "kon", "alder", "lan", "vardform", "indatum", "utdatum", "hdia", "op")
DEFAULT_CARE_TYPE = CareType.OUTPATIENT


def _validity_sv(d: KvaDef) -> str:
    if d.valid_from and d.valid_to:
        return f"gäller från {d.valid_from.isoformat()} till och med {d.valid_to.isoformat()}"
    if d.valid_from:
        return f"gäller från {d.valid_from.isoformat()}"
    return f"gällde till och med {d.valid_to.isoformat()}" if d.valid_to else "gäller alltid"


def require_in_force(code: str, on: date, codes: Mapping[str, KvaDef]) -> KvaDef:
    """The definition of ``code`` if it is in the list and valid on ``on``; otherwise ``DomainError``
    ``kva.unknown`` or ``kva.not_valid`` naming the code's dates. Pure: the follow-up importer calls it for
    every imported code and date."""
    definition = codes.get(code)
    if definition is None:
        raise DomainError(
            "kva.unknown",
            f"KVÅ-koden {code!r} finns inte i kodlistan.",
            f"unknown KVÅ code {code!r}",
        )
    if not definition.valid_on(on):
        raise DomainError(
            "kva.not_valid",
            f"KVÅ-koden {code} ({definition.text_sv}) {_validity_sv(definition)} och kan inte "
            f"registreras {on.isoformat()}.",
            f"{code} is valid {definition.valid_from or '-'}..{definition.valid_to or '-'}, not on {on}",
        )
    return definition


def require_recordable(code: str, on: date, care_type: CareType, codes: Mapping[str, KvaDef]) -> KvaDef:
    """``require_in_force`` and: not a profession add-on code by itself, and a care type the code belongs to
    (``kva.add_on``, ``kva.care_type``)."""
    definition = require_in_force(code, on, codes)
    if definition.add_on:
        raise DomainError(
            "kva.add_on",
            f"{code} ({definition.text_sv}) är en tilläggskod för profession och registreras med en åtgärd.",
            f"{code} is a profession add-on code, not an action",
        )
    if definition.care_types and care_type not in definition.care_types:
        allowed = " eller ".join(c.label_sv for c in definition.care_types)
        raise DomainError(
            "kva.care_type",
            f"{code} ({definition.text_sv}) registreras inom {allowed}, inte inom {care_type.label_sv}.",
            f"{code} belongs to {[c.value for c in definition.care_types]}, not {care_type.value}",
        )
    return definition


def make_record(
    *,
    code: str,
    pathway: Pathway,
    on: date,
    unit_hsa_id: str,
    performer: Staff | None,
    professions: Mapping[Profession, ProfessionDef],
    source: str,
    care_type: CareType = DEFAULT_CARE_TYPE,
    codes: Mapping[str, KvaDef] | None = None,
) -> KvaRecord:
    """A KVÅ record for an action on a pathway; the profession add-on code comes from the performer.
    With ``codes`` (the code list) the code must be recordable on the date (``require_recordable``)."""
    return record_for(
        code=code,
        patient_id=pathway.patient_id,
        pathway_id=pathway.id,
        on=on,
        unit_hsa_id=unit_hsa_id,
        performer=performer,
        professions=professions,
        source=source,
        care_type=care_type,
        codes=codes,
    )


def record_for(
    *,
    code: str,
    patient_id: str,
    pathway_id: str,
    on: date,
    unit_hsa_id: str,
    performer: Staff | None,
    professions: Mapping[Profession, ProfessionDef],
    source: str,
    care_type: CareType = DEFAULT_CARE_TYPE,
    codes: Mapping[str, KvaDef] | None = None,
) -> KvaRecord:
    """Like ``make_record`` for aggregates that carry the patient and pathway ids (plans, handovers)."""
    if codes is not None:
        require_recordable(code, on, CareType(care_type), codes)
    profession_code = None
    if performer is not None:
        definition = professions.get(performer.profession)
        profession_code = definition.kva_code if definition is not None else None
    return KvaRecord(
        patient_id=patient_id,
        pathway_id=pathway_id,
        code=code,
        performed_on=on,
        unit_hsa_id=unit_hsa_id,
        performer_id=performer.id if performer is not None else None,
        profession_code=profession_code,
        care_type=care_type,
        source=source,
    )


@dataclass
class ParRow:
    lopnr: str
    kon: str
    alder: int
    lan: str
    vardform: str
    indatum: date
    utdatum: date | None
    hdia: str
    op: str

    def as_csv_row(self) -> tuple[str, ...]:
        return (
            self.lopnr,
            self.kon,
            str(self.alder),
            self.lan,
            self.vardform,
            self.indatum.isoformat(),
            self.utdatum.isoformat() if self.utdatum else "",
            self.hdia,
            self.op,
        )


def age_on(birth_date: date, on: date) -> int:
    """Age in whole years on a date."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def to_par_rows(patient: Patient, pathways: Sequence[Pathway], records: Sequence[KvaRecord]) -> list[ParRow]:
    """The patient's KVÅ records grouped into PAR-like contacts, sorted by date, unit and care type."""
    # A suspicion not yet confirmed has no main diagnosis to report (the contact's own diagnosis stays empty)
    hdia = {p.id: p.diagnosis.icd10 or "" for p in pathways}
    contacts: dict[tuple[date, str, CareType], tuple[set[str], str]] = {}
    for r in records:
        if r.patient_id != patient.id:
            raise ValueError("to_par_rows got a record of another patient")
        key = (r.performed_on, r.unit_hsa_id, r.care_type)
        codes, diagnosis = contacts.get(key, (set(), ""))
        codes.add(r.code)
        if r.profession_code:
            codes.add(r.profession_code)
        contacts[key] = (codes, diagnosis or hdia.get(r.pathway_id, ""))
    rows = []
    for (on, _unit, care_type), (codes, diagnosis) in sorted(contacts.items()):
        rows.append(
            ParRow(
                lopnr=patient.pseudonym,
                kon=patient.sex.par_code,
                alder=age_on(patient.birth_date, on),
                lan=patient.county_code or "",
                vardform=care_type.value,
                indatum=on,
                utdatum=on if care_type is CareType.INPATIENT else None,
                hdia=diagnosis,
                op=" ".join(sorted(codes)),
            )
        )
    return rows
