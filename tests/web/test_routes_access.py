"""Every page against a real (SQLite) demo database: access by role and care unit, refusals answered with 403
and written to the audit log, every read of a patient's record audited, stale versions answered with 409."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.domain.model import (
    HandoverContent,
    HandoverStatus,
    KeyMoment,
    PlanStatus,
    Profession,
    Respondent,
)
from canrehab.services import assessments, handovers
from canrehab.services.context import SYSTEM, Services
from canrehab.synth.demo import build_demo
from canrehab.web.app import create_app
from tests.web.login import logged_in


@dataclass
class World:
    app: object
    services: Services
    own_patient: str  # a patient of the nurse's unit
    own_pathway: str
    other_patient: str  # a patient only treated at another unit
    other_assessment: str
    other_plan: str
    other_handover: str
    own_submitted: str  # a submitted assessment at the nurse's unit, awaiting confirmation
    inbox_handover: str  # a handover sent to the physiotherapist's unit, awaiting receipt
    patient_account_patient: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("routes")), secret_key="routes-secret")
    build_demo(settings, patients=500, seed=5, analytics_persons=2000)
    services = Services.open(settings)
    with services.uow(SYSTEM, log_reads=False) as uow:
        nurse = uow.staff.get(uow.accounts.get("ssk").staff_id)
        physio = uow.staff.get(uow.accounts.get("fysioterapeut").staff_id)
        patient_of_account = uow.accounts.get("patient").patient_id
        own = [p for p in uow.pathways.for_unit(nurse.unit_hsa_id) if p.closed_on is None]
        others = []
        for unit in uow.units.list_all():
            if unit.hsa_id != nurse.unit_hsa_id and unit.hsa_id.endswith(("-KIR", "-URO")):
                others.extend(uow.pathways.for_unit(unit.hsa_id))
        other_ids = {p.patient_id for p in others}
        own_ids = {p.patient_id for p in own}

        def pick(items: list, pred) -> object:  # type: ignore[no-untyped-def,type-arg]
            return next(i for i in items if pred(i))

        assessments_other = [
            a for pid in list(other_ids - own_ids)[:200] for a in uow.assessments.for_patient(pid)
        ]
        plans_other = [p for pid in list(other_ids - own_ids)[:300] for p in uow.plans.for_patient(pid)]
        handovers_other = [
            h
            for pid in list(other_ids - own_ids)
            for h in uow.handovers.for_patient(pid)
            if nurse.unit_hsa_id not in (h.to_unit_hsa_id, h.from_unit_hsa_id)
        ]
        other_assessment = pick(assessments_other, lambda a: True)
        world = World(
            app=create_app(settings),
            services=services,
            own_patient=own[0].patient_id,
            own_pathway=own[0].id,
            other_patient=other_assessment.patient_id,  # type: ignore[attr-defined]
            other_assessment=other_assessment.id,  # type: ignore[attr-defined]
            other_plan=pick(plans_other, lambda p: p.status != PlanStatus.DRAFT).id,  # type: ignore[attr-defined]
            other_handover=handovers_other[0].id,
            own_submitted="",
            inbox_handover="",
            patient_account_patient=patient_of_account,
        )
    # A submitted self-assessment and an open handover to the rehabilitation unit, made by the nurse.
    nurse_actor = Actor(
        role="nurse", staff_id=nurse.id, unit_hsa_ids=frozenset({nurse.unit_hsa_id}), username="ssk"
    )
    started = assessments.start(
        services,
        nurse_actor,
        patient_id=own[1].patient_id,
        pathway_id=own[1].id,
        key_moment=KeyMoment.OTHER,
        respondent=Respondent.STAFF_ON_BEHALF,
    )
    answers = {
        i.link_id: (False if i.kind == "boolean" else i.options[0].value)
        for i in services.catalog.instruments["halsoskattning"].items
        if i.kind in ("boolean", "choice")
    }
    world.own_submitted = assessments.save_answers(
        services, nurse_actor, started.id, answers, started.version, submit=True
    ).id
    world.inbox_handover = handovers.send(
        services,
        nurse_actor,
        patient_id=own[2].patient_id,
        pathway_id=own[2].id,
        to_unit_hsa_id=physio.unit_hsa_id,
        to_profession=Profession.PHYSIOTHERAPIST,
        content=HandoverContent(needs="Träning"),
        patient_informed=True,
    ).id
    yield world
    services.engine.dispose()


def client_for(world: World, username: str) -> TestClient:
    return logged_in(world.app, username)


def audit(world: World, *, patient_id: str | None = None, actor: str | None = None) -> list:  # type: ignore[type-arg]
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        return list(uow.audit.query(patient_id=patient_id, actor=actor, limit=1000))


def test_nurse_reads_own_units_patient_and_the_read_is_audited(world: World) -> None:
    nurse = client_for(world, "ssk")
    r = nurse.get(f"/patient/{world.own_patient}")
    assert r.status_code == 200
    assert "Tidslinje" in r.text
    reads = [e for e in audit(world, patient_id=world.own_patient, actor="ssk") if e.action == "read"]
    assert reads, "reading a patient's record must leave an audit row"
    assert nurse.get(f"/patient/{world.own_patient}/plan?pathway_id={world.own_pathway}").status_code == 200
    assert (
        nurse.get(f"/patient/{world.own_patient}/overlamning?pathway_id={world.own_pathway}").status_code
        == 200
    )
    assert nurse.get(f"/patient/{world.own_patient}/remiss?pathway_id={world.own_pathway}").status_code == 200
    assert nurse.get("/arbetslista").status_code == 200
    assert nurse.get("/overlamningar").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/patient/{other_patient}",
        "/bedomning/{other_assessment}",
        "/plan/{other_plan}/pdf",
        "/overlamning/{other_handover}",
    ],
)
def test_another_units_records_are_refused_and_logged(world: World, path: str) -> None:
    nurse = client_for(world, "ssk")
    url = path.format(**world.__dict__)
    before = len([e for e in audit(world, actor="ssk") if e.action == "denied"])
    r = nurse.get(url)
    assert r.status_code == 403
    assert "Åtkomst nekad" in r.text
    denied = [e for e in audit(world, actor="ssk") if e.action == "denied"]
    assert len(denied) == before + 1
    assert denied[0].actor_role == "nurse"


def test_refused_write_changes_nothing(world: World) -> None:
    nurse = client_for(world, "ssk")
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        before = uow.assessments.get(world.other_assessment)
    r = nurse.post(
        f"/bedomning/{world.other_assessment}/bekrafta",
        data={"level": "2", "override_reason": "x", "version": str(before.version)},
    )
    assert r.status_code == 403
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        assert uow.assessments.get(world.other_assessment) == before


def test_stale_version_gets_409_and_nothing_is_lost(world: World) -> None:
    nurse = client_for(world, "ssk")
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        current = uow.assessments.get(world.own_submitted)
    r = nurse.post(
        f"/bedomning/{world.own_submitted}/bekrafta",
        data={"level": "1", "override_reason": "test", "version": str(current.version - 1 or 99)},
    )
    assert r.status_code == 409
    assert "ändrats av någon annan" in r.text
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        assert uow.assessments.get(world.own_submitted) == current


def test_only_the_receiving_unit_can_acknowledge_a_handover(world: World) -> None:
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        handover = uow.handovers.get(world.inbox_handover)
    nurse = client_for(world, "ssk")  # staff of a unit that is neither sender nor receiver, or the sender
    r = nurse.post(f"/overlamning/{handover.id}/mottagen", data={"version": str(handover.version)})
    assert r.status_code in (400, 403)
    physio = client_for(world, "fysioterapeut")
    r = physio.post(
        f"/overlamning/{handover.id}/mottagen",
        data={"version": str(handover.version)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        assert uow.handovers.get(handover.id).status == HandoverStatus.RECEIVED


def test_patient_sees_only_their_own_data(world: World) -> None:
    patient = client_for(world, "patient")
    r = patient.get("/min-vardplan")
    assert r.status_code == 200
    assert "Min vårdplan" in r.text
    pdf = patient.get("/min-vardplan/plan.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    for path in (
        f"/patient/{world.patient_account_patient}",
        f"/patient/{world.other_patient}",
        "/arbetslista",
        "/uppfoljning",
        "/logg",
        f"/bedomning/{world.other_assessment}",
    ):
        assert patient.get(path).status_code == 403, path


def test_analyst_sees_suppressed_aggregates_only(world: World) -> None:
    analyst = client_for(world, "analytiker")
    r = analyst.get("/uppfoljning")
    assert r.status_code == 200
    assert "<4" in r.text or "visas som" in r.text
    assert "Visa de som saknas" not in r.text
    for path in (
        f"/patient/{world.own_patient}",
        "/arbetslista",
        "/logg",
        "/uppfoljning/patienter?indicator=named_nurse&unit=x",
    ):
        assert analyst.get(path).status_code == 403, path


def test_unit_manager_drills_down_to_patients_missing_an_indicator(world: World) -> None:
    manager = client_for(world, "chef")
    page = manager.get("/uppfoljning")
    assert page.status_code == 200
    link = re.search(r'href="(/uppfoljning/patienter\?indicator=named_nurse[^"]+)"', page.text)
    assert link, "a drill-down link per unit row"
    r = manager.get(link.group(1).replace("&amp;", "&"))
    assert r.status_code == 200
    # the list of patients not meeting it, or the page saying there are none (every patient meets it)
    assert (
        "patienter uppfyller inte indikatorn" in r.text
        or "Inga patienter: alla patienter i urvalet" in r.text
    )


def test_audit_view_for_administrator_only(world: World) -> None:
    client_for(world, "ssk").get(f"/patient/{world.own_patient}")
    admin = client_for(world, "processledare")
    r = admin.get(f"/logg?patient={world.own_patient}")
    assert r.status_code == 200
    assert "ssk" in r.text
    assert client_for(world, "ssk").get("/logg").status_code == 403


def test_unknown_or_expired_link_is_refused(world: World) -> None:
    anonymous = TestClient(world.app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    r = anonymous.get("/skattning/not-a-real-token")
    assert r.status_code == 404
    assert "Länken fungerar inte" in r.text


def test_referral_to_the_rehabilitation_unit_is_accepted_and_completed_there(world: World) -> None:
    nurse = client_for(world, "ssk")
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        physio_unit = uow.staff.get(uow.accounts.get("fysioterapeut").staff_id).unit_hsa_id
    r = nurse.post(
        f"/patient/{world.own_patient}/remiss",
        data={
            "pathway_id": world.own_pathway,
            "to_unit": physio_unit,
            "to_profession": "physiotherapist",
            "reason": "Nedsatt kondition efter behandling.",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        referral = next(
            x for x in uow.referrals.for_patient(world.own_patient) if x.reason.startswith("Nedsatt")
        )
    assert "Nedsatt kondition" not in nurse.get("/remisser").text  # not the nurse's inbox
    r = nurse.post(f"/remiss/{referral.id}/accept", data={"version": str(referral.version)})
    assert r.status_code in (400, 403)  # only the receiving unit answers a referral

    physio = client_for(world, "fysioterapeut")
    page = physio.get("/remisser")
    assert page.status_code == 200 and "Nedsatt kondition efter behandling." in page.text
    r = physio.post(
        f"/remiss/{referral.id}/accept", data={"version": str(referral.version)}, follow_redirects=False
    )
    assert r.status_code == 303
    r = physio.post(
        f"/remiss/{referral.id}/complete", data={"version": str(referral.version + 1)}, follow_redirects=False
    )
    assert r.status_code == 303
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        assert uow.referrals.get(referral.id).status == "completed"
    assert physio.get(f"/patient/{world.own_patient}").status_code == 200  # the referral gives access


def test_worklist_pages_through_the_units_patients(world: World) -> None:
    nurse = client_for(world, "ssk")
    first = nurse.get("/arbetslista")
    assert first.status_code == 200
    total = int(re.search(r"(\d+) patienter med något att göra", first.text).group(1))  # type: ignore[union-attr]
    if total > 50:
        assert "Nästa →" in first.text
        second = nurse.get("/arbetslista?sida=2")
        assert "← Föregående" in second.text and "Visar 51–" in second.text
    else:
        assert "Nästa →" not in first.text
    assert nurse.get("/arbetslista?sida=0").status_code == 200
    assert nurse.get("/arbetslista?sida=x").status_code in (400, 422)
