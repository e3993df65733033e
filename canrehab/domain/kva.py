"""KVÅ procedure records and the patient-register-like (PAR) extract built from them.

One PAR row is one contact: a patient's records on one date at one unit with one care type. ``op`` holds the
sorted distinct KVÅ codes of the contact (profession add-on codes included), ``hdia`` the pathway's ICD-10,
``vardform`` is ``sluten``/``oppen`` and ``utdatum`` is only given for inpatient care (as in the register).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from canrehab.domain.definitions import ProfessionDef
from canrehab.domain.model import CareType, KvaRecord, Pathway, Patient, Profession, Staff

PAR_COLUMNS = ("lopnr", "kon", "alder", "lan", "vardform", "indatum", "utdatum", "hdia", "op")


def make_record(
    *,
    code: str,
    pathway: Pathway,
    on: date,
    unit_hsa_id: str,
    performer: Staff | None,
    professions: Mapping[Profession, ProfessionDef],
    source: str,
    care_type: CareType = CareType.OUTPATIENT,
) -> KvaRecord:
    """A KVÅ record for an action on a pathway; the profession add-on code comes from the performer."""
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
    care_type: CareType = CareType.OUTPATIENT,
) -> KvaRecord:
    """Like ``make_record`` for aggregates that carry the patient and pathway ids (plans, handovers)."""
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
    hdia = {p.id: p.diagnosis.icd10 for p in pathways}
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
