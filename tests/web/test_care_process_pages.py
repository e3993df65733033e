"""The patient page's care-process panels against a small demo database: a relative recorded with consent
and the support coded, MDK-rehab referred and concluded by the region's coordinator with a recommendation
and a proposed plan, the children's rules (konsultsjuksköterska, handover from the barncancercentrum to the
home region, the transition at 18), the worklist's team flag with its one action; a refused form is shown
again with its error and the input kept, and nothing is written."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.domain.mdk_rehab import MdkRehabRegion
from canrehab.domain.model import CareUnit, KeyMoment, NeedsLevel, Profession, Respondent, Staff
from canrehab.services import accounts, assessments, patients
from canrehab.services.context import SYSTEM, Services
from canrehab.synth.demo import DEMO_PASSWORD, build_demo
from canrehab.web.app import create_app
from tests.services.test_care_children_and_team import _answers, personnummer
from tests.web.login import logged_in

BCC = "SE2321000099-BCC"


@dataclass
class CareWorld:
    app: object
    services: Services  # the app's own
    today: date
    onk: str  # the nurse's (ssk) unit
    rehab: str  # the physiotherapist's unit: the MDK-rehab coordinator here


def child_world(tmp: Path, patients_n: int = 60) -> CareWorld:
    """A small demo region with a barncancercentrum (unit, a nurse with the login ``bcc``) named in the
    children's rules, and the rehab unit as the MDK-rehab coordinator of the oncology unit's county."""
    settings = Settings(data_dir=tmp, secret_key="care-secret")
    build_demo(settings, patients=patients_n, seed=11, analytics_persons=300)
    app = create_app(settings)
    services: Services = app.state.services  # type: ignore[attr-defined]
    with services.uow(SYSTEM, log_reads=False) as uow:
        nurse = uow.staff.get(uow.accounts.get("ssk").staff_id)
        physio = uow.staff.get(uow.accounts.get("fysioterapeut").staff_id)
        county = uow.units.get(nurse.unit_hsa_id).county_code
        uow.units.add(CareUnit(hsa_id=BCC, name="Barncancercentrum", county_code=county))
        uow.staff.add(
            Staff(
                id="bcc-1",
                hsa_id="SE-BCC-P1",
                name="Bea Barnsjuksköterska",
                profession=Profession.NURSE,
                unit_hsa_id=BCC,
            )
        )
    accounts.create_user(services, username="bcc", role="nurse", password=DEMO_PASSWORD, staff_id="bcc-1")
    catalog = services.catalog
    catalog.children = catalog.children.model_copy(update={"childrens_cancer_centres": (BCC,)})
    catalog.mdk_rehab_regions = (
        MdkRehabRegion(
            id="test",
            name_sv="Testregionen",
            coordinator_unit_hsa_id=physio.unit_hsa_id,
            county_codes=(county,),
            processes=("colorectal", "prostate"),
        ),
    )
    return CareWorld(app, services, services.today(), nurse.unit_hsa_id, physio.unit_hsa_id)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CareWorld]:
    yield child_world(Path(tmp_path_factory.mktemp("care")))


def _actor(world: CareWorld, username: str) -> Actor:
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        account = uow.accounts.get(username)
        staff = uow.staff.get(account.staff_id)
    return Actor(
        role=account.role, staff_id=staff.id, unit_hsa_ids=frozenset({staff.unit_hsa_id}), username=username
    )


def _register(world: CareWorld, born: date, icd10: str, unit: str, username: str) -> str:
    actor = _actor(world, username)
    patient = patients.register_patient(
        world.services,
        actor,
        personnummer=personnummer(born, serial=str(300 + born.day)),
        name="Test Testsson",
        county_code=None,
    )
    patients.open_pathway(
        world.services,
        actor,
        patient_id=patient.id,
        icd10=icd10,
        diagnosed_on=world.today - timedelta(days=5),
        unit_hsa_id=unit,
    )
    return patient.id


def _pathway(world: CareWorld, patient_id: str) -> str:
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        return str(uow.pathways.for_patient(patient_id)[0].id)


def test_a_relative_is_recorded_with_consent_and_the_support_coded_gb010(world: CareWorld) -> None:
    client = logged_in(world.app, "ssk")
    patient_id = _register(world, date(1970, 4, 4), "C50.9", world.onk, "ssk")
    refused = client.post(
        f"/patient/{patient_id}/narstaende",
        data={"name": "", "relation": "partner", "consent": "given", "phone": "070-111 22 33"},
    )
    assert refused.status_code == 400
    assert "070-111 22 33" in refused.text and 'role="alert"' in refused.text  # input kept, error shown
    r = client.post(
        f"/patient/{patient_id}/narstaende",
        data={"name": "Anna Andersson", "relation": "partner", "consent": "given", "phone": "070-111 22 33"},
    )
    assert r.status_code == 200 and "Anna Andersson" in r.text and "medgivande finns" in r.text
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        from canrehab.services.relatives import relatives_of

        relative = relatives_of(uow).for_patient(patient_id)[0]
    r = client.post(
        f"/patient/{patient_id}/narstaende/stod",
        data={
            "pathway_id": _pathway(world, patient_id),
            "relative_id": relative.id,
            "kind": "information",
            "on": world.today.isoformat(),
            "care_type": "oppen",
        },
    )
    assert r.status_code == 200 and "information och undervisning till närstående" in r.text
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        assert [k.code for k in uow.kva.for_patient(patient_id)] == ["GB010"]


def test_mdk_rehab_is_referred_and_the_coordinator_records_recommendation_and_proposed_plan(
    world: CareWorld,
) -> None:
    nurse = logged_in(world.app, "ssk")
    patient_id = _register(world, date(1960, 5, 5), "C20.9", world.onk, "ssk")
    refused = nurse.post(
        f"/patient/{patient_id}/mdk-rehab", data={"pathway_id": _pathway(world, patient_id), "reason": ""}
    )
    assert refused.status_code == 400 and "frågeställning" in refused.text
    r = nurse.post(
        f"/patient/{patient_id}/mdk-rehab",
        data={"pathway_id": _pathway(world, patient_id), "reason": "Tarmbesvär efter strålning"},
    )
    assert r.status_code == 200 and "remitterad till koordinator" in r.text
    coordinator = logged_in(world.app, "fysioterapeut")
    page = coordinator.get(f"/patient/{patient_id}")
    assert "Ta emot remissen" in page.text
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        from canrehab.services.mdk_rehab import cases_of

        case = cases_of(uow).for_patient(patient_id)[0]
    coordinator.post(
        f"/patient/{patient_id}/mdk-rehab/{case.id}", data={"step": "receive", "version": case.version}
    )
    refused = coordinator.post(
        f"/patient/{patient_id}/mdk-rehab/{case.id}",
        data={
            "step": "conclude",
            "version": case.version + 1,
            "on": world.today.isoformat(),
            "recommendation": "Bäckenbottenträning",
            "proposed_plan": "",
        },
    )
    assert refused.status_code == 400 and "Bäckenbottenträning" in refused.text  # kept
    r = coordinator.post(
        f"/patient/{patient_id}/mdk-rehab/{case.id}",
        data={
            "step": "conclude",
            "version": case.version + 1,
            "on": world.today.isoformat(),
            "recommendation": "Bäckenbottenträning",
            "proposed_plan": "Uroterapeut 6 veckor",
            "professions": ["uro_therapist", "dietitian"],
        },
    )
    assert r.status_code == 200 and "Uroterapeut 6 veckor" in r.text and "konferens hållen" in r.text


def test_avancerad_without_a_team_is_on_the_worklist_with_its_reason_and_one_action(world: CareWorld) -> None:
    nurse = _actor(world, "ssk")
    patient_id = _register(world, date(1965, 6, 6), "C50.9", world.onk, "ssk")
    a = assessments.start(
        world.services,
        nurse,
        patient_id=patient_id,
        pathway_id=_pathway(world, patient_id),
        key_moment=KeyMoment.DIAGNOSIS,
        respondent=Respondent.STAFF_ON_BEHALF,
    )
    a = assessments.save_answers(
        world.services, nurse, a.id, _answers(world.services, True), a.version, submit=True
    )
    assessments.confirm(world.services, nurse, a.id, level=NeedsLevel.ADVANCED, reason="", version=a.version)
    client = logged_in(world.app, "ssk")
    listed = client.get("/arbetslista?due=team_missing")
    assert listed.status_code == 200 and "Avancerad nivå utan rehabteam" in listed.text
    assert f"/patient/{patient_id}" in listed.text
    page = client.get(f"/patient/{patient_id}")
    assert f'href="#mdk-rehab-{_pathway(world, patient_id)}"' in page.text
    assert "Remittera till rehabteam eller MDK-rehab" in page.text


def test_a_childs_pathway_konsultsjukskoterska_home_region_and_transition(world: CareWorld) -> None:
    bcc = logged_in(world.app, "bcc")
    born = world.today - timedelta(days=365 * 17 + 100)  # 17, the transition within the year
    patient_id = _register(world, born, "C91.0", BCC, "bcc")
    pathway_id = _pathway(world, patient_id)
    page = bcc.get(f"/patient/{patient_id}")
    assert "Barn och ungdom (0–17 år)" in page.text and "framtaget för vuxna" in page.text
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        version = uow.pathways.get(pathway_id).version
    r = bcc.post(
        f"/patient/{patient_id}/konsultsjukskoterska",
        data={"pathway_id": pathway_id, "version": version, "staff_id": "bcc-1"},
    )
    assert r.status_code == 200 and "Bea Barnsjuksköterska" in r.text
    refused = bcc.post(
        f"/patient/{patient_id}/overlamning-hemort",
        data={"pathway_id": pathway_id, "to_unit": BCC, "needs": "Fysioterapi i hemorten"},
    )
    assert refused.status_code == 400 and "Fysioterapi i hemorten" in refused.text
    r = bcc.post(
        f"/patient/{patient_id}/overlamning-hemort",
        data={
            "pathway_id": pathway_id,
            "to_unit": world.onk,
            "needs": "Fysioterapi i hemorten",
            "disease": "ALL",
            "treatment": "Underhåll",
            "patient_informed": "1",
        },
    )
    assert r.status_code == 200 and "Överlämning till hemortssjukhuset" in r.text
    refused = bcc.post(
        f"/patient/{patient_id}/overgang-vuxenvard",
        data={"pathway_id": pathway_id, "to_unit": world.rehab, "needs": "Trötthet, skola"},
    )
    assert refused.status_code == 400 and "rehabiliteringspersonal" in refused.text
    r = bcc.post(
        f"/patient/{patient_id}/overgang-vuxenvard",
        data={
            "pathway_id": pathway_id,
            "to_unit": world.rehab,
            "to_profession": "physiotherapist",
            "needs": "Trötthet, skola",
            "patient_informed": "1",
        },
    )
    assert r.status_code == 200 and "Överlämning till vuxenvården" in r.text
