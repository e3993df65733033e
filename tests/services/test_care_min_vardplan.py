"""Min vårdplan follows the patient (001): "Byte av ansvarig vårdkontakt ska tydligt framgå ... i patientens
Min vårdplan"; "Efter avslutad behandling görs en sammanfattning av vården, biverkningar och tydlig
information om uppföljning och vem som är ansvarig för fortsatt vård"; the kurator's contact; patient
associations as data; the patient reads only their own answers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from canrehab.domain.access import Actor
from canrehab.domain.errors import DomainError
from canrehab.domain.model import (
    CareLevel,
    CareUnit,
    ContactMethod,
    HandoverContent,
    PhaseKind,
    Profession,
    Staff,
)
from canrehab.services import handovers, min_vardplan
from canrehab.services import patients as patient_service
from canrehab.services.context import SYSTEM, Services
from tests.services.conftest import NURSE, TODAY

VC = "SE2321000016-VC1"
VC_NURSE = Actor(
    role="nurse", staff_id="vc-1", unit_hsa_ids=frozenset({VC}), patient_id=None, username="vera"
)


def _setup(services: Services) -> tuple[str, str, Actor]:
    with services.uow(SYSTEM, log_reads=False) as uow:
        uow.units.add(
            CareUnit(hsa_id=VC, name="Vårdcentralen Norr", county_code="01", level=CareLevel.REGIONAL_PRIMARY)
        )
        uow.staff.add(
            Staff(id="vc-1", hsa_id="SE-P9", name="Vera Vård", profession=Profession.NURSE, unit_hsa_id=VC)
        )
        uow.staff.add(
            Staff(
                id="kur-1",
                hsa_id="SE-P8",
                name="Klara Kurator",
                profession=Profession.COUNSELLOR,
                unit_hsa_id=VC,
            )
        )
    patient = patient_service.register_patient(
        services, NURSE, personnummer="19121212-1212", name="Tolvan Tolvansson", county_code="01"
    )
    pathway = patient_service.open_pathway(
        services,
        NURSE,
        patient_id=patient.id,
        icd10="C50.9",
        diagnosed_on=TODAY - timedelta(days=120),
        unit_hsa_id="SE2321000016-ONK",
    )
    pathway = patient_service.record_phase(
        services, NURSE, pathway.id, PhaseKind.TREATMENT_START, TODAY - timedelta(days=100), pathway.version
    )
    patient_service.record_phase(
        services, NURSE, pathway.id, PhaseKind.TREATMENT_END, TODAY - timedelta(days=5), pathway.version
    )
    me = Actor(
        role="patient", staff_id=None, unit_hsa_ids=frozenset(), patient_id=patient.id, username="tolvan"
    )
    return patient.id, pathway.id, me


def test_after_a_handover_min_vardplan_shows_the_new_responsible_unit_and_the_treatment_summary(
    services: Services,
) -> None:
    patient_id, pathway_id, me = _setup(services)
    before = min_vardplan.for_patient_self(services, me)
    assert before.responsible[0].unit == "Onkologiska kliniken" and before.responsible_since is None
    h = handovers.send(
        services,
        NURSE,
        patient_id=patient_id,
        pathway_id=pathway_id,
        to_unit_hsa_id=VC,
        to_profession=None,
        content=HandoverContent(
            disease="Bröstcancer",
            treatment="Operation och strålbehandling",
            needs="Trötthet, lymfödem i armen",
            plan_summary="Uppföljning hos vårdcentralens sjuksköterska var tredje månad",
        ),
        patient_informed=True,
    )
    handovers.step(
        services,
        VC_NURSE,
        h.id,
        "patientkontakt",
        h.version,
        contact_method=ContactMethod.PHONE,
        contacted_on=TODAY,
    )
    view = min_vardplan.for_patient_self(services, me)
    assert view.responsible[0].unit == "Vårdcentralen Norr"
    assert view.responsible_since == TODAY and view.previous_unit == "Onkologiska kliniken"
    assert [k.name for k in view.kurator] == ["Klara Kurator"]
    summary = view.summary
    assert summary is not None and summary.treatment_ended_on == TODAY - timedelta(days=5)
    assert summary.care_given == "Operation och strålbehandling"
    assert summary.side_effects.startswith("Trötthet")
    assert view.summary_unit == "Vårdcentralen Norr"
    names = [a.name_sv for a in view.associations]
    assert "Bröstcancerförbundet" in names and "Prostatacancerförbundet" not in names


def test_staff_cannot_use_the_patients_own_view_and_another_patients_assessment_is_not_found(
    services: Services,
) -> None:
    _, _, me = _setup(services)
    with pytest.raises(DomainError) as err:
        min_vardplan.for_patient_self(services, NURSE)
    assert err.value.code == "access.denied"
    with pytest.raises(DomainError) as err:
        min_vardplan.own_assessment(services, me, "someone-elses")
    assert err.value.code == "not_found"
