"""KVÅ coding as the sources have it: 004 ("Indikatorer": AU010 for the Hälsoskattning, AW019 at särskild
and avancerad level, Hälsoskattning added to AU010's description from 2027-01-01), 002 (fotnot 29: AW027 and
AW035 from 2023-01-01; Bilaga 2: the rehab-relevant codes, recorded by the professions that perform them)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from canrehab.codes.catalog import load_kva, load_level_set, load_professions
from canrehab.codes.kva import rehab_codes
from canrehab.domain.assessment import (
    REHAB_PROFESSIONS,
    assess_rehab_needs,
    confirm_level,
    save_answers,
    start_assessment,
)
from canrehab.domain.errors import DomainError
from canrehab.domain.instrument import ItemKind
from canrehab.domain.kva import DEFAULT_CARE_TYPE, make_record, require_in_force
from canrehab.domain.model import (
    CareType,
    CareUnit,
    Diagnosis,
    KeyMoment,
    NeedsLevel,
    Pathway,
    Patient,
    Profession,
    Respondent,
    Sex,
    Staff,
)
from canrehab.domain.pathway import open_pathway
from canrehab.domain.procedure import record_procedure, recordable_codes
from canrehab.instruments import load_instruments, load_rules

DIAGNOSED = date(2026, 1, 10)
ON = DIAGNOSED + timedelta(days=3)
TODAY = DIAGNOSED + timedelta(days=30)
UNIT = CareUnit(hsa_id="SE2321000032-ONK1", name="Onkologkliniken", county_code="01")
KVA = load_kva()
PROFESSIONS = load_professions()
NATIONAL = load_level_set()
INSTRUMENTS = load_instruments()


def _pathway() -> Pathway:
    patient = Patient(
        personnummer="198112189876", pseudonym="p1", sex=Sex.FEMALE, birth_date=date(1981, 12, 18)
    )
    return open_pathway(
        patient, UNIT, Diagnosis(icd10="C509", diagnosed_on=DIAGNOSED, process="breast"), DIAGNOSED
    )


def _staff(profession: Profession) -> Staff:
    return Staff(hsa_id=f"S-{profession.value}", name="N N", profession=profession, unit_hsa_id=UNIT.hsa_id)


def _submitted(pathway: Pathway, instrument_id: str, troubled: bool):  # type: ignore[no-untyped-def]
    instrument = INSTRUMENTS[instrument_id]
    answers: dict[str, object] = {}
    for item in instrument.items:
        if item.kind is ItemKind.CHOICE:
            answers[item.link_id] = "2" if troubled else "0"
        elif item.kind is ItemKind.INTEGER:
            answers[item.link_id] = 9 if troubled else 0
    a = start_assessment(
        pathway, instrument, key_moment=KeyMoment.DIAGNOSIS, respondent=Respondent.PATIENT, on=ON
    )
    return save_answers(a, instrument, answers, on=ON, submit=True, rules=load_rules(instrument_id))


@settings(max_examples=40, deadline=None)
@given(
    instrument_id=st.sampled_from(["halsoskattning", "hantering-av-angest"]),
    troubled=st.booleans(),
    level=st.sampled_from(NATIONAL.ranks),
    profession=st.sampled_from(sorted(Profession)),
    care_type=st.sampled_from(list(CareType)),
)
def test_every_confirmed_structured_assessment_records_au010_whatever_the_level_and_whoever_confirms(
    instrument_id: str, troubled: bool, level: NeedsLevel, profession: Profession, care_type: CareType
) -> None:
    pathway = _pathway()
    a = _submitted(pathway, instrument_id, troubled)
    _, _, records = confirm_level(
        a,
        pathway,
        level=level,
        by=_staff(profession),
        on=ON,
        reason="Klinisk bedömning.",
        professions=PROFESSIONS,
        level_set=NATIONAL,
        care_type=care_type,
        codes=KVA,
    )
    assert [r.code for r in records] == ["AU010"]
    assert "AW019" not in {r.code for r in records}
    assert {r.care_type for r in records} == {care_type}


def test_every_confirmed_halsoskattning_records_au010_whatever_the_level() -> None:
    for level in NATIONAL.ranks:
        pathway = _pathway()
        a = _submitted(pathway, "halsoskattning", troubled=True)
        _, p, records = confirm_level(
            a,
            pathway,
            level=level,
            by=_staff(Profession.CONTACT_NURSE),
            on=ON,
            reason="x",
            professions=PROFESSIONS,
        )
        assert [r.code for r in records] == ["AU010"] and p.confirmed_level == level


@pytest.mark.parametrize("level", [NeedsLevel.SPECIAL, NeedsLevel.ADVANCED])
@pytest.mark.parametrize(
    ("profession", "add_on"),
    [
        (Profession.PHYSIOTHERAPIST, "XS918"),
        (Profession.COUNSELLOR, "XS913"),
        (Profession.DIETITIAN, "XS912"),
        (Profession.OCCUPATIONAL_THERAPIST, "XS910"),
    ],
)
def test_aw019_is_the_rehab_professionals_own_assessment_at_sarskild_or_avancerad_level(
    level: NeedsLevel, profession: Profession, add_on: str
) -> None:
    pathway = _pathway()
    new_pathway, record = assess_rehab_needs(
        pathway, level=level, by=_staff(profession), on=ON, today=TODAY, professions=PROFESSIONS, codes=KVA
    )
    assert (record.code, record.profession_code, record.care_type) == ("AW019", add_on, CareType.OUTPATIENT)
    assert new_pathway.confirmed_level == level and new_pathway.confirmed_level_on == ON


def test_aw019_is_not_the_basic_identification_of_needs_at_grundlaggande_level() -> None:
    with pytest.raises(DomainError) as err:
        assess_rehab_needs(
            _pathway(),
            level=NeedsLevel.BASIC,
            by=_staff(Profession.PHYSIOTHERAPIST),
            on=ON,
            today=TODAY,
            professions=PROFESSIONS,
            level_set=NATIONAL,
        )
    assert err.value.code == "assessment.rehab_level"
    assert "särskild eller avancerad" in err.value.message_sv and "AU010" in err.value.message_sv


@pytest.mark.parametrize("profession", [Profession.CONTACT_NURSE, Profession.PHYSICIAN])
def test_aw019_is_assessed_by_a_rehab_profession_not_the_contact_nurse_or_physician(
    profession: Profession,
) -> None:
    assert profession not in REHAB_PROFESSIONS
    with pytest.raises(DomainError) as err:
        assess_rehab_needs(
            _pathway(),
            level=NeedsLevel.SPECIAL,
            by=_staff(profession),
            on=ON,
            today=TODAY,
            professions=PROFESSIONS,
        )
    assert err.value.code == "assessment.rehab_profession"


def test_aw019_twice_by_the_same_professional_on_the_same_day_is_refused() -> None:
    pathway = _pathway()
    pt = _staff(Profession.PHYSIOTHERAPIST)
    _, first = assess_rehab_needs(
        pathway, level=NeedsLevel.SPECIAL, by=pt, on=ON, today=TODAY, professions=PROFESSIONS
    )
    with pytest.raises(DomainError) as err:
        assess_rehab_needs(
            pathway,
            level=NeedsLevel.SPECIAL,
            by=pt,
            on=ON,
            today=TODAY,
            professions=PROFESSIONS,
            existing=[first],
        )
    assert err.value.code == "assessment.rehab_already_recorded"


@pytest.mark.parametrize(("code", "before"), [("AW027", date(2022, 12, 31)), ("AW035", date(2022, 6, 1))])
def test_aw027_and_aw035_exist_from_2023_and_cannot_be_recorded_before_with_the_dates_named(
    code: str, before: date
) -> None:
    with pytest.raises(DomainError) as err:
        require_in_force(code, before, KVA)
    assert err.value.code == "kva.not_valid"
    assert "2023-01-01" in err.value.message_sv and before.isoformat() in err.value.message_sv
    assert require_in_force(code, date(2023, 1, 1), KVA).code == code


def test_a_record_outside_the_codes_validity_is_refused_and_nothing_is_made() -> None:
    pathway = _pathway().model_copy(
        update={"diagnosis": Diagnosis(icd10="C509", diagnosed_on=date(2022, 1, 1), process="breast")}
    )
    with pytest.raises(DomainError) as err:
        make_record(
            code="AW027",
            pathway=pathway,
            on=date(2022, 5, 1),
            unit_hsa_id=UNIT.hsa_id,
            performer=_staff(Profession.NURSE),
            professions=PROFESSIONS,
            source="test",
            codes=KVA,
        )
    assert err.value.code == "kva.not_valid" and "gäller från 2023-01-01" in err.value.message_sv


def test_an_unknown_code_is_refused_when_the_code_list_is_given() -> None:
    with pytest.raises(DomainError) as err:
        require_in_force("ZZ999", ON, KVA)
    assert err.value.code == "kva.unknown"


def test_au010s_description_gains_halsoskattning_from_2027_01_01() -> None:
    au010 = KVA["AU010"]
    assert "Hälsoskattning" not in au010.description_on(date(2026, 12, 31))
    assert "Hälsoskattning" in au010.description_on(date(2027, 1, 1))
    assert au010.valid_on(date(2027, 1, 1)) and au010.valid_on(date(2020, 1, 1))


def test_the_code_list_is_a_subset_of_the_reference_list_with_the_same_texts() -> None:
    reference = rehab_codes().by_code
    for code, definition in KVA.items():
        assert code in reference, code
        assert definition.text_sv == reference[code].text, code
        assert definition.add_on == reference[code].profession, code


@pytest.mark.parametrize(
    "code",
    [
        "AU125",
        "DU055",
        "DU056",
        "DU057",
        "GC001",
        "XS902",
        "AW030",
        "AW031",
        "QT011",
        "QQ001",
        "GB010",
        "XS001",
        "XS011",
        "XV018",
        "DV122",
        "DV132",
        "DV133",
        "DV143",
    ],
)
def test_the_rehab_relevant_codes_of_the_reference_list_can_be_recorded_by_the_professions_that_perform_them(
    code: str,
) -> None:
    definition = KVA[code]
    assert definition.performed_by, code
    profession = definition.performed_by[0]
    care_type = definition.care_types[0] if definition.care_types else CareType.OUTPATIENT
    record = record_procedure(
        _pathway(),
        code=code,
        by=_staff(profession),
        on=ON,
        today=TODAY,
        professions=PROFESSIONS,
        codes=KVA,
        care_type=care_type,
    )
    assert (record.code, record.care_type) == (code, care_type)
    assert record.profession_code == PROFESSIONS[profession].kva_code
    assert code in {c.code for c in recordable_codes(profession, KVA)}


def test_a_code_is_refused_for_a_profession_that_does_not_perform_it_naming_who_does() -> None:
    with pytest.raises(DomainError) as err:
        record_procedure(
            _pathway(),
            code="DV133",
            by=_staff(Profession.COUNSELLOR),
            on=ON,
            today=TODAY,
            professions=PROFESSIONS,
            codes=KVA,
        )
    assert err.value.code == "kva.not_performed_by" and "fysioterapeut" in err.value.message_sv.lower()


def test_codes_produced_by_their_care_process_action_are_not_recorded_on_their_own() -> None:
    for code in ("AU010", "AW019", "AW020", "AU124", "XV019"):
        with pytest.raises(DomainError) as err:
            record_procedure(
                _pathway(),
                code=code,
                by=_staff(Profession.NURSE),
                on=ON,
                today=TODAY,
                professions=PROFESSIONS,
                codes=KVA,
            )
        assert err.value.code == "kva.not_recordable", code


def test_a_profession_add_on_code_is_never_recorded_by_itself() -> None:
    with pytest.raises(DomainError) as err:
        record_procedure(
            _pathway(),
            code="XS918",
            by=_staff(Profession.PHYSIOTHERAPIST),
            on=ON,
            today=TODAY,
            professions=PROFESSIONS,
            codes=KVA,
        )
    assert err.value.code == "kva.add_on"


@pytest.mark.parametrize(
    ("code", "wrong"),
    [("AW030", CareType.OUTPATIENT), ("AW031", CareType.INPATIENT), ("AU125", CareType.OUTPATIENT)],
)
def test_aw030_is_inpatient_and_aw031_outpatient_care_as_their_texts_say(code: str, wrong: CareType) -> None:
    with pytest.raises(DomainError) as err:
        record_procedure(
            _pathway(),
            code=code,
            by=_staff(KVA[code].performed_by[0]),
            on=ON,
            today=TODAY,
            professions=PROFESSIONS,
            codes=KVA,
            care_type=wrong,
        )
    assert err.value.code == "kva.care_type" and wrong.label_sv in err.value.message_sv


def test_every_record_carries_the_care_type_of_its_contact_and_outpatient_only_where_unknown() -> None:
    assert DEFAULT_CARE_TYPE is CareType.OUTPATIENT
    pathway = _pathway()
    inpatient = make_record(
        code="AW020",
        pathway=pathway,
        on=ON,
        unit_hsa_id=UNIT.hsa_id,
        performer=None,
        professions=PROFESSIONS,
        source="t",
        care_type=CareType.INPATIENT,
        codes=KVA,
    )
    unknown = make_record(
        code="AW020",
        pathway=pathway,
        on=ON,
        unit_hsa_id=UNIT.hsa_id,
        performer=None,
        professions=PROFESSIONS,
        source="t",
    )
    assert (inpatient.care_type, unknown.care_type) == (CareType.INPATIENT, CareType.OUTPATIENT)


def test_a_procedure_outside_diagnosis_to_today_or_twice_the_same_day_is_refused() -> None:
    pathway = _pathway()
    counsellor = _staff(Profession.COUNSELLOR)
    args = {"code": "DU057", "by": counsellor, "today": TODAY, "professions": PROFESSIONS, "codes": KVA}
    for on in (DIAGNOSED - timedelta(days=1), TODAY + timedelta(days=1)):
        with pytest.raises(DomainError) as err:
            record_procedure(pathway, on=on, **args)  # type: ignore[arg-type]
        assert err.value.code == "pathway.date_order"
    first = record_procedure(pathway, on=ON, **args)  # type: ignore[arg-type]
    with pytest.raises(DomainError) as err:
        record_procedure(pathway, on=ON, existing=[first], **args)  # type: ignore[arg-type]
    assert err.value.code == "kva.already_recorded"


def test_importing_a_reference_list_code_outside_its_validity_is_refused_with_the_dates_named() -> None:
    reference = rehab_codes().definitions()
    with pytest.raises(DomainError) as err:
        require_in_force("AW035", date(2022, 11, 3), reference)
    assert err.value.code == "kva.not_valid" and "2023-01-01" in err.value.message_sv
    assert require_in_force("AW020", date(2022, 11, 3), reference).code == "AW020"
    assert "Hälsoskattning" in rehab_codes().text("AU010", date(2027, 1, 1))
    assert "Hälsoskattning" not in rehab_codes().text("AU010")


def test_the_code_list_and_the_reference_list_agree_on_validity_and_description_changes() -> None:
    reference = rehab_codes().definitions()
    for code, definition in KVA.items():
        ref = reference[code]
        assert (definition.valid_from, definition.valid_to) == (ref.valid_from, ref.valid_to), code
        assert definition.descriptions == ref.descriptions, code


def test_aw019_dated_before_the_diagnosis_or_after_today_is_refused() -> None:
    for on in (DIAGNOSED - timedelta(days=1), TODAY + timedelta(days=1)):
        with pytest.raises(DomainError) as err:
            assess_rehab_needs(
                _pathway(),
                level=NeedsLevel.SPECIAL,
                by=_staff(Profession.COUNSELLOR),
                on=on,
                today=TODAY,
                professions=PROFESSIONS,
            )
        assert err.value.code == "pathway.date_order" and on.isoformat() in err.value.message_sv
