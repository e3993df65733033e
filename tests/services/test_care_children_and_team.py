"""Children and young adults and the worklist's team flag through the services, on SQLite and PostgreSQL
(002 "Barn och ungdom"; 001 "Avancerade och Mycket avancerade behov: Bedömning och behandling i
multiprofessionellt rehabiliteringsteam"): the children's variant and level set, the konsultsjuksköterska,
the handover from the barncancercentrum to the home region, key visits on the worklist, the transition to
adult care at 18 involving rehab staff, the young-adult flag, the adult-only instrument warning, and
``team_missing`` stored with the worklist row; bad input is a DomainError and nothing is written."""

from __future__ import annotations

from datetime import date

import pytest

from canrehab.domain.access import Actor
from canrehab.domain.children import AgeGroup, PathwayVariant
from canrehab.domain.errors import DomainError
from canrehab.domain.mdk_rehab import MdkRehabRegion
from canrehab.domain.model import (
    CareUnit,
    HandoverContent,
    KeyMoment,
    NeedsLevel,
    NurseRole,
    Profession,
    Respondent,
    Staff,
)
from canrehab.services import assessments, children, handovers, mdk_rehab, min_vardplan, worklist
from canrehab.services import patients as patient_service
from canrehab.services.context import SYSTEM, Services
from tests.services.conftest import NURSE, ONK, TODAY, patient_with_pathway

BCC = "SE2321000016-BCC"
BCC_NURSE = Actor(
    role="nurse", staff_id="bcc-1", unit_hsa_ids=frozenset({BCC}), patient_id=None, username="bea"
)


def personnummer(born: date, serial: str = "238") -> str:
    """A valid personnummer for a birth date (Luhn check digit over YYMMDDNNN)."""
    digits = born.strftime("%y%m%d") + serial
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d // 10 + d % 10
    return f"{born:%Y%m%d}-{serial}{(10 - total % 10) % 10}"


@pytest.fixture
def bcc(services: Services) -> Services:
    """The services with a barncancercentrum, its nurse, and the centre named in the children's rules."""
    with services.uow(SYSTEM, log_reads=False) as uow:
        uow.units.add(CareUnit(hsa_id=BCC, name="Barncancercentrum", county_code="01"))
        uow.staff.add(
            Staff(id="bcc-1", hsa_id="SE-P9", name="Bea Barn", profession=Profession.NURSE, unit_hsa_id=BCC)
        )
    rules = children.children_rules(services)
    services.catalog.children = rules.model_copy(update={"childrens_cancer_centres": (BCC,)})
    return services


def _child(services: Services, born: date, unit: str = BCC, actor: Actor = BCC_NURSE) -> tuple[str, str]:
    patient = patient_service.register_patient(
        services, actor, personnummer=personnummer(born), name="Barnet Barnsson", county_code="01"
    )
    pathway = patient_service.open_pathway(
        services, actor, patient_id=patient.id, icd10="C91.0", diagnosed_on=date(2026, 2, 1), unit_hsa_id=unit
    )
    return patient.id, pathway.id


def _answers(services: Services, last: bool) -> dict[str, object]:
    """Every choice item answered: the first option (no problem) or the last (very troublesome)."""
    instrument = services.catalog.instruments["halsoskattning"]
    return {
        item.link_id: item.options[-1 if last else 0].value
        for item in instrument.items
        if item.kind == "choice" and item.options and not item.repeats
    }


def _version(services: Services, pathway_id: str) -> int:
    with services.uow(SYSTEM, log_reads=False) as uow:
        return int(uow.pathways.get(pathway_id).version)


def test_a_child_gets_the_childrens_variant_level_set_and_konsultsjukskoterska(bcc: Services) -> None:
    patient_id, pathway_id = _child(bcc, date(2012, 5, 5))
    saved = children.assign_consulting_nurse(bcc, BCC_NURSE, pathway_id, "bcc-1", _version(bcc, pathway_id))
    assert saved.contact_nurses[-1].role is NurseRole.CONSULTING_NURSE
    view = children.child_views(bcc, BCC_NURSE, patient_id)[pathway_id]
    assert view.variant is PathwayVariant.CHILDREN and view.age_group is AgeGroup.CHILD
    assert view.level_set.id == "children" and view.consulting_nurse == "Bea Barn"
    assert [age for age, _on in view.key_visits] == [15, 17, 25]
    assert view.warnings and "framtaget för vuxna" in view.warnings[0]
    rows = worklist.pathway_rows(bcc, BCC_NURSE, [pathway_id])
    assert not rows or not rows[pathway_id].no_contact_nurse  # the konsultsjuksköterska is the named nurse


def test_an_adult_gets_no_konsultsjukskoterska_and_nothing_is_written(bcc: Services) -> None:
    _patient_id, pathway_id = patient_with_pathway(bcc)
    version = _version(bcc, pathway_id)
    with pytest.raises(DomainError) as err:
        children.assign_consulting_nurse(bcc, NURSE, pathway_id, "nurse-1", version)
    assert err.value.code == "children.consulting_nurse_adult"
    assert _version(bcc, pathway_id) == version


def test_a_childs_level_is_confirmed_in_the_childrens_level_set(bcc: Services) -> None:
    patient_id, pathway_id = _child(bcc, date(2012, 5, 5))
    a = assessments.start(
        bcc,
        BCC_NURSE,
        patient_id=patient_id,
        pathway_id=pathway_id,
        key_moment=KeyMoment.DIAGNOSIS,
        respondent=Respondent.STAFF_ON_BEHALF,
    )
    a = assessments.save_answers(bcc, BCC_NURSE, a.id, _answers(bcc, False), a.version, submit=True)
    assessments.confirm(
        bcc, BCC_NURSE, a.id, level=NeedsLevel.SPECIAL, reason="Vill träffa fysioterapeut.", version=a.version
    )
    view = children.child_views(bcc, BCC_NURSE, patient_id)[pathway_id]
    assert view.level_label == "särskilda individanpassade insatser"


def test_the_handover_from_barncancercentrum_to_the_home_regions_hospital(bcc: Services) -> None:
    patient_id, pathway_id = _child(bcc, date(2012, 5, 5))
    content = HandoverContent(needs="Fysioterapi", disease="ALL", treatment="Underhållsbehandling")
    sent = children.hand_over_to_home_region(
        bcc,
        BCC_NURSE,
        patient_id=patient_id,
        pathway_id=pathway_id,
        to_unit_hsa_id=ONK,
        content=content,
        patient_informed=True,
    )
    view = children.child_views(bcc, BCC_NURSE, patient_id)[pathway_id]
    assert [h.id for h in view.home_region_handovers] == [sent.id]


def test_a_home_region_handover_not_from_a_centre_is_refused_and_nothing_is_written(bcc: Services) -> None:
    patient_id, pathway_id = _child(bcc, date(2012, 5, 5), unit=ONK, actor=NURSE)
    with pytest.raises(DomainError) as err:
        children.hand_over_to_home_region(
            bcc,
            NURSE,
            patient_id=patient_id,
            pathway_id=pathway_id,
            to_unit_hsa_id="SE2321000016-KIR",
            content=HandoverContent(needs="x"),
            patient_informed=True,
        )
    assert err.value.code == "children.not_from_bcc"
    with bcc.uow(SYSTEM, log_reads=False) as uow:
        assert uow.handovers.for_patient(patient_id) == []


def test_overgangen_till_vuxenvarden_nar_barnet_fyller_18_involves_rehab_staff(bcc: Services) -> None:
    patient_id, pathway_id = _child(bcc, date(2008, 9, 1))  # 18 on 2026-09-01
    args = {
        "patient_id": patient_id,
        "pathway_id": pathway_id,
        "to_unit_hsa_id": "SE2321000016-REH",
        "content": HandoverContent(needs="Trötthet", disease="ALL", treatment="Avslutad"),
        "patient_informed": True,
    }
    with pytest.raises(DomainError) as err:
        children.hand_over_to_adult_care(bcc, BCC_NURSE, to_profession=None, **args)  # type: ignore[arg-type]
    assert err.value.code == "children.transition_without_rehab"
    sent = children.hand_over_to_adult_care(
        bcc,
        BCC_NURSE,
        to_profession=Profession.PHYSIOTHERAPIST,
        **args,  # type: ignore[arg-type]
    )
    view = children.child_views(bcc, BCC_NURSE, patient_id)[pathway_id]
    assert view.transition_on == date(2026, 9, 1) and view.transition_open
    assert [h.id for h in view.transition_handovers] == [sent.id]
    assert handovers.detail(bcc, BCC_NURSE, sent.id).handover.to_profession is Profession.PHYSIOTHERAPIST


def test_a_young_adult_18_to_25_is_flagged_with_referral_targets(bcc: Services) -> None:
    patient = patient_service.register_patient(
        bcc, NURSE, personnummer=personnummer(date(2004, 1, 1)), name="Unga Vuxen", county_code="01"
    )
    pathway = patient_service.open_pathway(
        bcc, NURSE, patient_id=patient.id, icd10="C81.9", diagnosed_on=date(2026, 2, 1), unit_hsa_id=ONK
    )
    view = children.child_views(bcc, NURSE, patient.id)[pathway.id]
    assert view.age_group is AgeGroup.YOUNG_ADULT and view.variant is PathwayVariant.ADULT
    assert Profession.COUNSELLOR in view.young_adult_targets and not view.warnings


def test_a_childs_key_visit_by_age_falls_due_on_the_worklist(bcc: Services) -> None:
    born = date(TODAY.year - 13, TODAY.month, TODAY.day)  # 13 today: the first key visit is due
    _patient_id, pathway_id = _child(bcc, born)
    with bcc.uow(SYSTEM, log_reads=False) as uow:
        patient = uow.patients.get(_patient_id)
        pathway = uow.pathways.get(pathway_id)
    routine = children.routine_for(bcc, patient, pathway)
    assert len(routine.triggers) > len(bcc.catalog.routine_for("other").triggers)
    row = worklist.pathway_rows(bcc, BCC_NURSE, [pathway_id])[pathway_id]
    assert row.assessment_due == TODAY  # the key visit (the missed diagnosis trigger is superseded by it)


REGIONS = (
    MdkRehabRegion(
        id="test",
        name_sv="Testregionen",
        coordinator_unit_hsa_id="SE2321000016-REH",
        county_codes=("01",),
        processes=("colorectal",),
    ),
)


def _advanced(services: Services, icd10: str = "C18.9") -> tuple[str, str]:
    patient_id, pathway_id = patient_with_pathway(services, icd10=icd10, days_ago=3)
    a = assessments.start(
        services,
        NURSE,
        patient_id=patient_id,
        pathway_id=pathway_id,
        key_moment=KeyMoment.DIAGNOSIS,
        respondent=Respondent.STAFF_ON_BEHALF,
    )
    a = assessments.save_answers(services, NURSE, a.id, _answers(services, True), a.version, submit=True)
    assessments.confirm(
        services, NURSE, a.id, level=NeedsLevel.ADVANCED, reason="Behöver team.", version=a.version
    )
    return patient_id, pathway_id


def test_avancerad_level_without_a_rehab_team_raises_team_missing_until_mdk_rehab(services: Services) -> None:
    patient_id, pathway_id = _advanced(services)
    row = worklist.pathway_rows(services, NURSE, [pathway_id])[pathway_id]
    assert row.team_missing
    listed = worklist.unit_worklist(services, NURSE, due="team_missing")
    assert [r.pathway_id for r in listed.rows] == [pathway_id] and listed.counts["team_missing"] == 1
    mdk_rehab.refer(
        services, NURSE, patient_id=patient_id, pathway_id=pathway_id, reason="Tarmbesvär", regions=REGIONS
    )
    rows = worklist.pathway_rows(services, NURSE, [pathway_id])
    assert pathway_id not in rows or not rows[pathway_id].team_missing


def test_a_rehab_team_referral_clears_team_missing(services: Services) -> None:
    patient_id, pathway_id = _advanced(services, icd10="C50.9")
    handovers.send_referral(
        services,
        NURSE,
        patient_id=patient_id,
        pathway_id=pathway_id,
        to_unit_hsa_id="SE2321000016-REH",
        to_profession=Profession.REHAB_TEAM,
        reason="Teamrehabilitering",
    )
    rows = worklist.pathway_rows(services, NURSE, [pathway_id])
    assert pathway_id not in rows or not rows[pathway_id].team_missing


def test_min_vardplan_names_the_childs_konsultsjukskoterska_by_her_role(bcc: Services) -> None:

    patient_id, pathway_id = _child(bcc, date(2013, 6, 6))
    children.assign_consulting_nurse(bcc, BCC_NURSE, pathway_id, "bcc-1", _version(bcc, pathway_id))
    me = Actor(
        role="patient", staff_id=None, unit_hsa_ids=frozenset(), patient_id=patient_id, username="barn"
    )
    view = min_vardplan.for_patient_self(bcc, me)
    assert [(c.role, c.name) for c in view.responsible] == [("Din konsultsjuksköterska", "Bea Barn")]
