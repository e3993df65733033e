"""The care actions' forms against a real (SQLite) demo database: SIP, the rehabilitation team, the contact
nurse's lifecycle, the sender informing the patient about a handover, a plan follow-up with the next date and
advice ticked when a level is confirmed. Each posts the form the page renders (with its CSRF token) and checks
the stored result and KVÅ record; a clinician of an unrelated unit is refused and nothing is written."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.domain.model import (
    Goal,
    HandoverContent,
    KeyMoment,
    PlanContent,
    Profession,
    Respondent,
)
from canrehab.services import assessments, handovers, plans
from canrehab.services import patients as patient_service
from canrehab.services.context import SYSTEM, Services
from canrehab.synth.demo import build_demo
from canrehab.web.app import create_app
from tests.web.login import logged_in

TODAY = date.today()


@dataclass
class World:
    app: object
    services: Services
    nurse: Actor
    patient_id: str
    pathway_id: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("care-actions")), secret_key="care-secret")
    build_demo(settings, patients=40, seed=11, analytics_persons=200)
    services = Services.open(settings)
    with services.uow(SYSTEM, log_reads=False) as uow:
        nurse_staff = uow.staff.get(uow.accounts.get("ssk").staff_id)
    nurse = Actor(
        role="nurse",
        staff_id=nurse_staff.id,
        unit_hsa_ids=frozenset({nurse_staff.unit_hsa_id}),
        username="ssk",
    )
    patient = patient_service.register_patient(
        services, nurse, personnummer="19121212-1212", name="Tolvan Tolvansson", county_code="01"
    )
    pathway = patient_service.open_pathway(
        services,
        nurse,
        patient_id=patient.id,
        icd10="C50.9",
        diagnosed_on=TODAY - timedelta(days=40),
        unit_hsa_id=nurse_staff.unit_hsa_id,
    )
    yield World(create_app(settings), services, nurse, patient.id, pathway.id)
    services.engine.dispose()


def client_for(world: World, username: str) -> TestClient:
    return logged_in(world.app, username)


def codes(world: World) -> list[str]:
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        return sorted(k.code for k in uow.kva.for_patient(world.patient_id))


def pathway(world: World):  # type: ignore[no-untyped-def]
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        return uow.pathways.get(world.pathway_id)


def post_form(client: TestClient, url: str, data: dict[str, str]) -> object:
    return client.post(url, data=data, follow_redirects=False)


def test_patient_page_offers_the_actions_with_csrf_on_every_form(world: World) -> None:
    page = client_for(world, "ssk").get(f"/patient/{world.patient_id}").text
    for action in ("kontaktsjukskoterska", "sip", "rehabteam"):
        assert f'action="/patient/{world.patient_id}/{action}"' in page
    assert "Registrera upprättad SIP (AU124)" in page
    assert "MDK-rehab: konferens om patienten (XS008)" in page and "Teamrehabilitering (DV076)" in page
    forms = re.findall(r"<form method=\"post\".*?</form>", page, flags=re.S)
    assert forms and all('name="csrf_token"' in f for f in forms)


def test_sip_and_team_conference_are_recorded_from_the_patient_page(world: World) -> None:
    nurse = client_for(world, "ssk")
    base = f"/patient/{world.patient_id}"
    before = codes(world)
    r = post_form(
        nurse,
        f"{base}/sip",
        {
            "pathway_id": world.pathway_id,
            "on": TODAY.isoformat(),
            "participants": "Patienten, socialtjänsten",
        },
    )
    assert r.status_code == 303  # type: ignore[attr-defined]
    r = post_form(
        nurse,
        f"{base}/rehabteam",
        {
            "pathway_id": world.pathway_id,
            "kind": "conference",
            "on": TODAY.isoformat(),
            "note": "PT, dietist",
        },
    )
    assert r.status_code == 303  # type: ignore[attr-defined]
    assert sorted([*before, "AU124", "XS008"]) == codes(world)
    page = nurse.get(base).text
    assert "AU124 Upprättande av samordnad individuell plan (SIP)" in page
    assert "XS008 Konferens om patient" in page
    # the same SIP again: a Swedish message, nothing written
    r = post_form(
        nurse, f"{base}/sip", {"pathway_id": world.pathway_id, "on": TODAY.isoformat(), "participants": "X"}
    )
    assert r.status_code == 400 and "redan registrerad" in r.text  # type: ignore[attr-defined]
    r = post_form(nurse, f"{base}/rehabteam", {"pathway_id": world.pathway_id, "kind": "fika", "on": "x"})
    assert r.status_code == 400  # type: ignore[attr-defined]
    assert sorted([*before, "AU124", "XS008"]) == codes(world)


def test_another_units_clinician_cannot_record_a_sip(world: World) -> None:
    physio = client_for(world, "fysioterapeut")
    before = codes(world)
    r = post_form(
        physio,
        f"/patient/{world.patient_id}/sip",
        {"pathway_id": world.pathway_id, "on": TODAY.isoformat(), "participants": "Patienten"},
    )
    assert r.status_code == 403  # type: ignore[attr-defined]
    assert codes(world) == before


def test_contact_nurse_is_assigned_with_the_offer_date_and_ended(world: World) -> None:
    nurse = client_for(world, "ssk")
    base = f"/patient/{world.patient_id}"
    page = nurse.get(base).text
    staff_id = re.search(rf'id="cn-staff-{world.pathway_id}".*?<option value="([^"]+)"', page, re.S)
    assert staff_id is not None
    before = codes(world)
    current = pathway(world)
    offered, start = TODAY - timedelta(days=3), TODAY - timedelta(days=2)
    r = post_form(
        nurse,
        f"{base}/kontaktsjukskoterska",
        {
            "pathway_id": world.pathway_id,
            "version": str(current.version),
            "staff_id": staff_id.group(1),
            "offered_on": offered.isoformat(),
            "from_date": start.isoformat(),
        },
    )
    assert r.status_code == 303  # type: ignore[attr-defined]
    assigned = pathway(world)
    [a] = assigned.contact_nurses
    assert (a.staff_id, a.offered_on, a.from_date, a.to_date) == (staff_id.group(1), offered, start, None)
    # a form opened before the assignment is stale
    r = post_form(
        nurse,
        f"{base}/kontaktsjukskoterska/avsluta",
        {"pathway_id": world.pathway_id, "version": str(current.version), "to_date": TODAY.isoformat()},
    )
    assert r.status_code == 409  # type: ignore[attr-defined]
    r = post_form(
        nurse,
        f"{base}/kontaktsjukskoterska/avsluta",
        {"pathway_id": world.pathway_id, "version": str(assigned.version), "to_date": TODAY.isoformat()},
    )
    assert r.status_code == 303  # type: ignore[attr-defined]
    assert pathway(world).contact_nurses[0].to_date == TODAY
    assert codes(world) == before  # no KVÅ code for a named contact nurse


def test_sender_records_that_the_patient_was_informed(world: World) -> None:
    handover = handovers.send(
        world.services,
        world.nurse,
        patient_id=world.patient_id,
        pathway_id=world.pathway_id,
        to_unit_hsa_id=next(
            u.hsa_id
            for u in _units(world)
            if u.hsa_id not in world.nurse.unit_hsa_ids and u.hsa_id.endswith("-REH")
        ),
        to_profession=Profession.PHYSIOTHERAPIST,
        content=HandoverContent(needs="Träning"),
        patient_informed=False,
    )
    nurse = client_for(world, "ssk")
    page = nurse.get(f"/overlamning/{handover.id}").text
    assert "Patienten är informerad om överlämningen" in page and "inte ännu" in page
    receiver_page = client_for(world, "fysioterapeut").get(f"/overlamning/{handover.id}").text
    assert "patient-informerad" not in receiver_page  # only the sender is offered the button
    r = post_form(nurse, f"/overlamning/{handover.id}/patient-informerad", {"version": str(handover.version)})
    assert r.status_code == 303  # type: ignore[attr-defined]
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        stored = uow.handovers.get(handover.id)
    assert stored.patient_informed and stored.patient_informed_on == TODAY
    assert "patient-informerad" not in nurse.get(f"/overlamning/{handover.id}").text


def _units(world: World) -> list:  # type: ignore[type-arg]
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        return list(uow.units.list_all())


def test_plan_follow_up_without_revision_sets_the_next_date(world: World) -> None:
    content = PlanContent(summary="Trötthet", goals=(Goal(text="Promenera"),), follow_up_on=TODAY)
    plan = plans.act(
        world.services,
        world.nurse,
        patient_id=world.patient_id,
        pathway_id=world.pathway_id,
        op="establish",
        content=content,
        version=0,
    )
    nurse = client_for(world, "ssk")
    page = nurse.get(f"/patient/{world.patient_id}/plan?pathway_id={world.pathway_id}").text
    assert 'name="next_follow_up_on"' in page
    nxt = TODAY + timedelta(days=90)
    r = post_form(
        nurse,
        f"/patient/{world.patient_id}/plan",
        {
            "pathway_id": world.pathway_id,
            "version": str(plan.version),
            "op": "follow_up",
            "goal_rows": "1",
            "goal_text_0": "Promenera",
            "action_rows": "0",
            "follow_up_on": TODAY.isoformat(),
            "next_follow_up_on": nxt.isoformat(),
            "note": "Bättre",
        },
    )
    assert r.status_code == 303  # type: ignore[attr-defined]
    followed = plans.current(world.services, world.nurse, world.pathway_id)
    assert followed is not None and followed.content.follow_up_on == nxt
    assert followed.events[-1].follow_up_on == nxt and len(followed.versions) == 1
    assert "AW024" in codes(world)


def test_advice_ticked_at_confirmation_is_coded(world: World) -> None:
    started = assessments.start(
        world.services,
        world.nurse,
        patient_id=world.patient_id,
        pathway_id=world.pathway_id,
        key_moment=KeyMoment.OTHER,
        respondent=Respondent.STAFF_ON_BEHALF,
    )
    answers = {
        i.link_id: (False if i.kind == "boolean" else i.options[0].value)
        for i in world.services.catalog.instruments["halsoskattning"].items
        if i.kind in ("boolean", "choice")
    }
    tobacco = next(
        i for i in world.services.catalog.instruments["halsoskattning"].items if i.link_id == "tobak"
    )
    answers["tobak"] = tobacco.options[1].value  # the decision support suggests advice on tobacco (DV111)
    submitted = assessments.save_answers(
        world.services, world.nurse, started.id, answers, started.version, submit=True
    )
    nurse = client_for(world, "ssk")
    page = nurse.get(f"/bedomning/{submitted.id}").text
    boxes = re.findall(r'<input type="checkbox" name="advice" value="(DV\d{3})"( checked)?', page)
    assert [code for code, _ in boxes] == ["DV111", "DV121", "DV131", "DV141"]
    assert submitted.suggestion is not None and submitted.suggestion.advice_codes == ("DV111",)
    assert {code for code, checked in boxes if checked} == {"DV111"}  # pre-ticked from the suggestion
    before = codes(world)
    r = nurse.post(
        f"/bedomning/{submitted.id}/bekrafta",
        data={
            "level": str(int(submitted.suggestion.level)),
            "override_reason": "",
            "version": str(submitted.version),
            "advice": ["DV131", "DV141"],
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    added = list(codes(world))
    for code in before:
        added.remove(code)
    assert sorted(added) == sorted(
        ["AU010" if int(submitted.suggestion.level) == 1 else "AW019", "DV131", "DV141"]
    )  # type: ignore[union-attr]
