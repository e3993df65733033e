from __future__ import annotations

from datetime import date

import pytest

from canrehab.codes.catalog import load_professions
from canrehab.domain.kva import PAR_COLUMNS, ParRow, age_on, make_record, to_par_rows
from canrehab.domain.model import (
    CareType,
    Diagnosis,
    Pathway,
    Patient,
    Profession,
    Sex,
    Staff,
)

PROFESSIONS = load_professions()


def _patient(county: str | None = "01") -> Patient:
    return Patient(
        personnummer="198112189876",
        pseudonym="abc123",
        sex=Sex.MALE,
        birth_date=date(1981, 12, 18),
        county_code=county,
    )


def _pathway(patient: Patient, icd: str = "C509") -> Pathway:
    return Pathway(
        patient_id=patient.id,
        unit_hsa_id="U1",
        diagnosis=Diagnosis(icd10=icd, diagnosed_on=date(2026, 1, 10), process="breast"),
    )


def test_make_record_takes_profession_code_from_performer() -> None:
    patient = _patient()
    pathway = _pathway(patient)
    pt = Staff(hsa_id="S1", name="Fysio", profession=Profession.PHYSIOTHERAPIST, unit_hsa_id="U1")
    rec = make_record(
        code="AW020",
        pathway=pathway,
        on=date(2026, 2, 1),
        unit_hsa_id="U1",
        performer=pt,
        professions=PROFESSIONS,
        source="plan:x:established",
    )
    assert (rec.code, rec.profession_code, rec.performer_id, rec.patient_id, rec.pathway_id) == (
        "AW020",
        "XS918",
        pt.id,
        patient.id,
        pathway.id,
    )
    assert rec.care_type is CareType.OUTPATIENT
    sexologist = pt.model_copy(update={"profession": Profession.SEXOLOGIST})
    assert (
        make_record(
            code="AW019",
            pathway=pathway,
            on=date(2026, 2, 1),
            unit_hsa_id="U1",
            performer=sexologist,
            professions=PROFESSIONS,
            source="s",
        ).profession_code
        is None
    )
    assert (
        make_record(
            code="AW019",
            pathway=pathway,
            on=date(2026, 2, 1),
            unit_hsa_id="U1",
            performer=None,
            professions=PROFESSIONS,
            source="s",
        ).profession_code
        is None
    )


def test_age_on() -> None:
    assert age_on(date(1981, 12, 18), date(2026, 12, 17)) == 44
    assert age_on(date(1981, 12, 18), date(2026, 12, 18)) == 45
    assert age_on(date(2000, 2, 29), date(2001, 2, 28)) == 0


def test_par_rows_group_contacts() -> None:
    patient = _patient()
    pathway = _pathway(patient)
    nurse = Staff(hsa_id="S1", name="Ssk", profession=Profession.CONTACT_NURSE, unit_hsa_id="U1")
    day1, day2 = date(2026, 2, 1), date(2026, 3, 1)

    def rec(
        code: str,
        on: date,
        unit: str = "U1",
        care: CareType = CareType.OUTPATIENT,
        performer: Staff | None = nurse,
    ) -> object:
        return make_record(
            code=code,
            pathway=pathway,
            on=on,
            unit_hsa_id=unit,
            performer=performer,
            professions=PROFESSIONS,
            source="t",
            care_type=care,
        )

    records = [
        rec("AW020", day1),
        rec("AU010", day1),
        rec("AW020", day1),
        rec("DV131", day1, unit="U2"),
        rec("AW024", day2, care=CareType.INPATIENT, performer=None),
    ]
    rows = to_par_rows(patient, [pathway], records)  # type: ignore[arg-type]
    assert rows == [
        ParRow("abc123", "1", 44, "01", "oppen", day1, None, "C509", "AU010 AW020 XS919"),
        ParRow("abc123", "1", 44, "01", "oppen", day1, None, "C509", "DV131 XS919"),
        ParRow("abc123", "1", 44, "01", "sluten", day2, day2, "C509", "AW024"),
    ]
    assert rows[2].as_csv_row() == (
        "abc123",
        "1",
        "44",
        "01",
        "sluten",
        "2026-03-01",
        "2026-03-01",
        "C509",
        "AW024",
    )
    assert rows[0].as_csv_row()[6] == ""
    assert PAR_COLUMNS == ("lopnr", "kon", "alder", "lan", "vardform", "indatum", "utdatum", "hdia", "op")
    assert (
        to_par_rows(_patient(None).model_copy(update={"id": patient.id}), [pathway], records[:1])[0].lan == ""
    )  # type: ignore[list-item]


def test_par_rows_reject_foreign_records() -> None:
    patient = _patient()
    other = _patient()
    pathway = _pathway(other)
    record = make_record(
        code="AW020",
        pathway=pathway,
        on=date(2026, 2, 1),
        unit_hsa_id="U1",
        performer=None,
        professions=PROFESSIONS,
        source="t",
    )
    with pytest.raises(ValueError, match="another patient"):
        to_par_rows(patient, [pathway], [record])
