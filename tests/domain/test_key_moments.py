"""Key moments per 004 ("Bakgrund kunskapsstöd": the assessment is repeated "i samband med diagnos,
inledning och avslutning av behandling, förändringar i sjukdom eller behandling samt överlämning från
specialistvård till primärvård"), triggers on any pathway event, and prehabilitation between diagnosis and
treatment start (001 "Prehabilitering")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from canrehab.codes.catalog import (
    RoutinesFile,
    check_routines_against_kva,
    load_kva,
    load_routines,
    read_definition,
)
from canrehab.domain.definitions import DefinitionError, RoutineDef, RoutineTrigger
from canrehab.domain.errors import DomainError
from canrehab.domain.handover import confirm_patient_contact, reject, send_handover
from canrehab.domain.kva import record_for
from canrehab.domain.model import (
    CareLevel,
    CareUnit,
    ContactMethod,
    HandoverContent,
    HandoverStatus,
    KeyMoment,
    Pathway,
    PhaseKind,
    Staff,
)
from canrehab.domain.pathway import current_phase, record_phase
from canrehab.domain.prehabilitation import (
    in_prehabilitation,
    prehabilitation_actions,
    prehabilitation_for,
    prehabilitation_window,
)
from canrehab.domain.routines import due_assessments
from canrehab.domain.worklist import flags_change_on
from tests.domain.conftest import DIAGNOSED

D = DIAGNOSED
DEFAULT = load_routines()["default"]
PRIMARY = CareUnit(
    hsa_id="SE2321000032-VC1", name="Vårdcentralen", county_code="01", level=CareLevel.REGIONAL_PRIMARY
)
ONCOLOGY_2 = CareUnit(hsa_id="SE2321000032-ONK2", name="Onkologi 2", county_code="01")


def day(n: int) -> date:
    return D + timedelta(days=n)


def moments(pathway: Pathway, today: date, handovers=()) -> set[KeyMoment]:  # type: ignore[no-untyped-def]
    return {i.key_moment for i in due_assessments(pathway, [], DEFAULT, today, handovers=handovers)}


def test_default_routine_asks_at_diagnosis_treatment_start_and_end_change_in_disease_and_handover() -> None:
    asked = {(t.key_moment, t.anchor_name) for t in DEFAULT.triggers}
    assert {
        (KeyMoment.DIAGNOSIS, "diagnosis"),
        (KeyMoment.TREATMENT_START, "treatment_start"),
        (KeyMoment.END_OF_TREATMENT, "treatment_end"),
        (KeyMoment.PROGRESSION, "progression"),
        (KeyMoment.HANDOVER, "handover[specialised->regional_primary+municipal]"),
    } <= asked


def test_an_assessment_is_due_at_treatment_start(pathway: Pathway) -> None:
    p = record_phase(pathway, PhaseKind.TREATMENT_START, day(20))
    assert KeyMoment.TREATMENT_START in moments(p, day(21))


def test_a_change_in_disease_or_treatment_triggers_an_assessment(pathway: Pathway) -> None:
    p = record_phase(pathway, PhaseKind.TREATMENT_START, day(20))
    p = record_phase(p, PhaseKind.PROGRESSION, day(100))
    assert KeyMoment.PROGRESSION in moments(p, day(101))
    assert current_phase(p, day(101)) is PhaseKind.TREATMENT_START  # a progression is an event, not a phase
    assert flags_change_on(
        _patient(p), p, [], [], DEFAULT, day(99), handover_overdue_days=14, plan_follow_up_window_days=14
    ) == day(100)


def _patient(p: Pathway):  # type: ignore[no-untyped-def]
    from canrehab.domain.model import Patient, Sex

    return Patient(
        id=p.patient_id,
        personnummer="198112189876",
        pseudonym="p",
        sex=Sex.FEMALE,
        birth_date=date(1981, 12, 18),
    )


def _handover(pathway: Pathway, nurse: Staff, unit: CareUnit, to: CareUnit, on: date):  # type: ignore[no-untyped-def]
    return send_handover(
        pathway,
        from_staff=nurse,
        from_unit=unit,
        to_unit=to,
        to_profession=None,
        content=HandoverContent(
            needs="Trötthet", disease="Bröstcancer C50.9", treatment="Cytostatika avslutad"
        ),
        patient_informed=True,
        on=on,
    )


def test_a_handover_from_specialist_care_to_primary_care_triggers_an_assessment(
    pathway: Pathway, nurse: Staff, unit: CareUnit
) -> None:
    h = _handover(pathway, nurse, unit, PRIMARY, day(200))
    assert (h.from_care_level, h.to_care_level) == (CareLevel.SPECIALISED, CareLevel.REGIONAL_PRIMARY)
    assert KeyMoment.HANDOVER in moments(pathway, day(201), [h])
    assert KeyMoment.HANDOVER not in moments(pathway, day(201))


def test_a_handover_within_specialist_care_or_a_rejected_one_does_not(
    pathway: Pathway, nurse: Staff, unit: CareUnit
) -> None:
    within = _handover(pathway, nurse, unit, ONCOLOGY_2, day(200))
    assert KeyMoment.HANDOVER not in moments(pathway, day(201), [within])
    to_primary = _handover(pathway, nurse, unit, PRIMARY, day(200))
    receiver = Staff(hsa_id="S-VC", name="V", profession=nurse.profession, unit_hsa_id=PRIMARY.hsa_id)
    rejected = reject(to_primary, by=receiver, on=day(201), reason="Fel vårdcentral")
    assert KeyMoment.HANDOVER not in moments(pathway, day(202), [rejected])


def test_a_trigger_can_anchor_a_given_time_after_a_handover(
    pathway: Pathway, nurse: Staff, unit: CareUnit
) -> None:
    routine = RoutineDef(
        process="test",
        triggers=(
            RoutineTrigger(
                key_moment=KeyMoment.FOLLOW_UP,
                anchor="handover",
                handover_to=(CareLevel.REGIONAL_PRIMARY,),
                offset_days=60,
                upcoming_days=0,
            ),
        ),
    )
    h = _handover(pathway, nurse, unit, PRIMARY, day(200))
    assert due_assessments(pathway, [], routine, day(259), handovers=[h]) == []
    assert [i.due_on for i in due_assessments(pathway, [], routine, day(260), handovers=[h])] == [day(260)]


def test_care_levels_go_only_with_a_handover_anchor() -> None:
    with pytest.raises(ValidationError, match="handover_from/handover_to go with anchor: handover"):
        RoutineTrigger(
            key_moment=KeyMoment.DIAGNOSIS, anchor=PhaseKind.DIAGNOSIS, handover_to=(CareLevel.MUNICIPAL,)
        )


def test_old_routine_files_with_phase_anchors_still_load(tmp_path) -> None:  # type: ignore[no-untyped-def]
    old = tmp_path / "routines.yaml"
    old.write_text(
        "routines:\n  - process: default\n    triggers:\n"
        "      - {key_moment: diagnosis, anchor: diagnosis, offset_days: 0, grace_days: 30}\n"
        "      - {key_moment: follow_up, anchor: treatment_end, offset_days: 90}\n",
        encoding="utf-8",
    )
    loaded = read_definition(old, RoutinesFile)
    assert [t.anchor for t in loaded.routines[0].triggers] == [PhaseKind.DIAGNOSIS, PhaseKind.TREATMENT_END]
    assert loaded.routines[0].prehabilitation is None


def test_an_unknown_anchor_is_refused_naming_the_field(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "routines.yaml"
    bad.write_text(
        "routines:\n  - process: default\n    triggers:\n      - {key_moment: diagnosis, anchor: moon}\n",
        encoding="utf-8",
    )
    with pytest.raises(DefinitionError, match="anchor"):
        read_definition(bad, RoutinesFile)


def test_there_is_a_prehabilitation_window_between_diagnosis_and_treatment_start(pathway: Pathway) -> None:
    window = prehabilitation_window(pathway)
    assert window is not None and (window.opens_on, window.closes_on) == (D, None)
    p = record_phase(pathway, PhaseKind.PREHABILITATION, day(3))
    p = record_phase(p, PhaseKind.TREATMENT_START, day(30))
    window = prehabilitation_window(p)
    assert window is not None and (window.opens_on, window.closes_on) == (day(3), day(29))
    assert in_prehabilitation(p, day(10)) and not in_prehabilitation(p, day(30))
    assert current_phase(p, day(10)) is PhaseKind.PREHABILITATION


def test_prehabilitation_lies_between_diagnosis_and_treatment_start(pathway: Pathway) -> None:
    p = record_phase(pathway, PhaseKind.TREATMENT_START, day(30))
    with pytest.raises(DomainError) as err:
        record_phase(p, PhaseKind.PREHABILITATION, day(31))
    assert err.value.code == "pathway.phase_order"
    with pytest.raises(DomainError):
        record_phase(pathway, PhaseKind.PREHABILITATION, day(-1))


def test_prehabilitation_actions_are_tobacco_physical_activity_nutrition_and_psychosocial_support(
    pathway: Pathway, nurse: Staff, professions: dict
) -> None:
    prehab = prehabilitation_for(load_routines()["breast"], load_routines())
    assert prehab is not None
    assert [a.id for a in prehab.actions] == ["tobacco", "physical_activity", "nutrition", "psychosocial"]
    p = record_phase(pathway, PhaseKind.TREATMENT_START, day(30))
    advice = record_for(
        code="DV111",
        patient_id=p.patient_id,
        pathway_id=p.id,
        on=day(5),
        unit_hsa_id=p.unit_hsa_id,
        performer=nurse,
        professions=professions,
        source="t",
    )
    late = advice.model_copy(update={"code": "DV131", "performed_on": day(40)})  # after the start: not prehab
    done = {a.action.id: a.done_on for a in prehabilitation_actions(p, prehab, [advice, late])}
    assert done == {"tobacco": day(5), "physical_activity": None, "nutrition": None, "psychosocial": None}


def test_the_shipped_prehabilitation_codes_are_in_the_code_list() -> None:
    check_routines_against_kva(load_routines(), load_kva())
    with pytest.raises(DefinitionError, match="ZZ999"):
        bad = DEFAULT.model_copy(
            update={
                "prehabilitation": DEFAULT.prehabilitation.model_copy(  # type: ignore[union-attr]
                    update={
                        "actions": (
                            DEFAULT.prehabilitation.actions[0].model_copy(update={"codes": ("ZZ999",)}),
                        )
                    }  # type: ignore[union-attr]
                )
            }
        )
        check_routines_against_kva({"default": bad}, load_kva())


def test_the_handover_content_carries_disease_and_treatment(
    pathway: Pathway, nurse: Staff, unit: CareUnit
) -> None:
    h = _handover(pathway, nurse, unit, PRIMARY, day(200))
    assert (h.content.disease, h.content.treatment) == ("Bröstcancer C50.9", "Cytostatika avslutad")
    only_disease = send_handover(
        pathway,
        from_staff=nurse,
        to_unit=PRIMARY,
        to_profession=None,
        content=HandoverContent(disease="Bröstcancer"),
        patient_informed=False,
        on=day(200),
    )
    assert only_disease.content.disease == "Bröstcancer"


def test_confirming_patient_contact_records_its_date_and_how(
    pathway: Pathway, nurse: Staff, unit: CareUnit
) -> None:
    h = _handover(pathway, nurse, unit, PRIMARY, day(200))
    receiver = Staff(hsa_id="S-VC", name="V", profession=nurse.profession, unit_hsa_id=PRIMARY.hsa_id)
    confirmed = confirm_patient_contact(
        h, by=receiver, on=day(205), how=ContactMethod.PHONE, contacted_on=day(203)
    )
    assert confirmed.status is HandoverStatus.PATIENT_CONTACTED
    assert (confirmed.patient_contacted_on, confirmed.patient_contact_method) == (
        day(203),
        ContactMethod.PHONE,
    )
    assert confirmed.patient_contact_method.label_sv == "telefon"
    with pytest.raises(DomainError) as err:
        confirm_patient_contact(h, by=receiver, on=day(205), how=ContactMethod.VISIT, contacted_on=day(206))
    assert err.value.code == "handover.future_contact"
    with pytest.raises(DomainError) as err:
        confirm_patient_contact(h, by=receiver, on=day(205), how=ContactMethod.VISIT, contacted_on=day(199))
    assert err.value.code == "handover.date_order"
    assert h.status is HandoverStatus.SENT


def test_every_shipped_routine_asks_at_a_change_in_disease_and_at_a_handover_to_primary_care() -> None:
    for name, routine in load_routines().items():
        moments_asked = {t.key_moment for t in routine.triggers}
        assert {KeyMoment.PROGRESSION, KeyMoment.HANDOVER} <= moments_asked, name
