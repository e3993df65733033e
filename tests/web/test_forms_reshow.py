"""A refused form shows itself again with the input kept and the errors inline, in Swedish, for patients and
staff: the patient who submits the Hälsoskattning with questions open keeps (and on reopening the link
finds) the answers given, and never lands on the staff login; a needs-level override without a reason keeps
the chosen level and advice; the plan (rows as typed, wrong dates and rows without text marked at the field,
follow-up, close), the handover steps (reject, contact date and method, patient informed) and the referral
reject come back on their page with what was typed and the reason inline."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from canrehab.domain.access import Actor
from canrehab.domain.model import (
    Goal,
    HandoverContent,
    KeyMoment,
    PlanCloseReason,
    PlanContent,
    PlanStatus,
    Profession,
    Respondent,
)
from canrehab.services import assessments, handovers, plans
from canrehab.services.context import SYSTEM
from tests.web.login import CSRF_RE, logged_in
from tests.web.test_routes_access import World, world

__all__ = ["world"]
RADIO_RE = re.compile(r'<input type="radio" name="(q_[^"]+)" value="([^"]+)"')


def _nurse(world: World) -> Actor:
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        account = uow.accounts.get("ssk")
    return Actor(
        role="nurse", staff_id=account.staff_id, unit_hsa_ids=frozenset(account.unit_hsa_ids), username="ssk"
    )


def patient_link(world: World, key_moment: KeyMoment = KeyMoment.FOLLOW_UP) -> tuple[str, str]:
    """A new patient Hälsoskattning for the nurse's own patient and its link token, as "Skicka länk" makes
    them: (assessment id, token)."""
    nurse = _nurse(world)
    started = assessments.start(
        world.services,
        nurse,
        patient_id=world.own_patient,
        pathway_id=world.own_pathway,
        key_moment=key_moment,
        respondent=Respondent.PATIENT,
    )
    link, _expires = assessments.create_link(world.services, nurse, started.id, validity=timedelta(days=3))
    return started.id, link


@pytest.fixture(scope="module")
def token(world: World) -> str:
    return patient_link(world)[1]


def test_a_patient_submitting_with_questions_open_keeps_the_answers_and_sees_which_are_open(
    world: World, token: str
) -> None:
    patient = TestClient(world.app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    form = patient.get(f"/skattning/{token}").text
    csrf = CSRF_RE.search(form).group(1)  # type: ignore[union-attr]
    version = re.search(r'name="version" value="(\d+)"', form).group(1)  # type: ignore[union-attr]
    first_name, first_value = RADIO_RE.findall(form)[0]
    r = patient.post(
        f"/skattning/{token}",
        data={"csrf_token": csrf, "version": version, "op": "submit", first_name: first_value},
    )
    assert r.status_code == 422
    assert "Svaren är inte inskickade ännu" in r.text
    assert "Svara på den här frågan innan du skickar in." in r.text  # inline, at each open question
    assert f'name="{first_name}" value="{first_value}" checked' in r.text  # the answer is kept
    assert "/logga-in" not in r.text
    # reopening the link shows the answer given
    again = patient.get(f"/skattning/{token}").text
    assert f'name="{first_name}" value="{first_value}" checked' in again


def test_an_override_without_a_reason_shows_the_form_again_with_the_choice_kept(world: World) -> None:
    nurse = logged_in(world.app, "ssk")
    page = nurse.get(f"/bedomning/{world.own_submitted}").text
    csrf = CSRF_RE.search(page).group(1)  # type: ignore[union-attr]
    version = re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    suggested = re.search(r'name="level" value="(\d+)" checked', page)
    assert suggested is not None
    other = "3" if suggested.group(1) != "3" else "1"
    r = nurse.post(
        f"/bedomning/{world.own_submitted}/bekrafta",
        data={
            "csrf_token": csrf,
            "version": version,
            "level": other,
            "override_reason": "",
            "advice": "DV131",
        },
    )
    assert r.status_code == 422
    assert "Nivån är inte bekräftad" in r.text and 'aria-invalid="true"' in r.text
    assert f'name="level" value="{other}" checked' in r.text
    assert 'value="DV131" checked' in r.text


def test_an_error_page_for_a_patient_link_leads_back_to_the_form_not_the_staff_login(world: World) -> None:
    anonymous = TestClient(world.app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    r = anonymous.get("/skattning/not-a-real-token")
    assert r.status_code == 404
    assert 'href="/"' not in r.text.split("</header>")[-1]


VERSION_RE = re.compile(r'name="version" value="(\d+)"')


def _form_token(html: str) -> str:
    return CSRF_RE.search(html).group(1)  # type: ignore[union-attr]


def _actor(world: World, username: str) -> Actor:
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        account = uow.accounts.get(username)
    return Actor(
        role=account.role,
        staff_id=account.staff_id,
        unit_hsa_ids=frozenset(account.unit_hsa_ids),
        username=username,
    )


def _value(html: str, name: str) -> str | None:
    """The value attribute of the (first) input called ``name`` in ``html``."""
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', html)
    return match.group(1) if match else None


@pytest.fixture(scope="module")
def established_plan(world: World) -> str:
    """An established plan on the nurse's own pathway (established through the service if the region had
    none), for the follow-up, revision and close forms."""
    nurse = _nurse(world)
    current = plans.current(world.services, nurse, world.own_pathway)
    if current is None or current.status != PlanStatus.ESTABLISHED:
        content = PlanContent(
            summary="Trötthet",
            goals=(Goal(text="Orka gå till affären"),),
            follow_up_on=world.services.today() + timedelta(days=60),
        )
        current = plans.act(
            world.services,
            nurse,
            patient_id=world.own_patient,
            pathway_id=world.own_pathway,
            op="establish",
            content=content,
            version=current.version if current else 0,
        )
    return current.id


def test_a_refused_plan_keeps_every_row_as_typed_and_marks_the_wrong_fields(world: World) -> None:
    nurse = logged_in(world.app, "ssk")
    url = f"/patient/{world.own_patient}/plan"
    page = nurse.get(f"{url}?pathway_id={world.own_pathway}").text
    data = {
        "csrf_token": _form_token(page),
        "version": VERSION_RE.search(page).group(1),  # type: ignore[union-attr]
        "pathway_id": world.own_pathway,
        "summary": "Illamående och oro",
        "goal_rows": "3",
        "goal_text_0": "Äta tre mål om dagen",
        "goal_date_0": "2027-02-30",  # no such day: a browser without a date picker lets it through
        "goal_text_1": "",
        "goal_responsible_1": "Dietisten",  # details without a goal: not dropped in silence
        "goal_text_2": "Sova bättre",
        "goal_profession_2": "physiotherapist",
        "action_rows": "1",
        "action_what_0": "Samtal med kurator",
        "action_date_0": "snart",
        "self_care": "Promenad varje dag",
        "follow_up_on": "31/12/2027",
        "note": "Efter samtal med patienten",
        "op": "revise" if 'value="revise"' in page else "establish",
    }
    r = nurse.post(url, data=data)
    assert r.status_code == 400
    assert "Planen sparades inte." in r.text
    for name, message in (
        ("goal_date_0", "Måldatumet för mål 1 är inte ett datum"),
        ("goal_text_1", "Skriv mål 2, eller töm raden."),
        ("action_date_0", "Datumet för åtgärd 1 är inte ett datum"),
        ("follow_up_on", "Uppföljningsdatumet (31/12/2027) är inte ett datum"),
    ):
        assert f'id="e-{name}">{message}' in r.text, name
        assert re.search(rf'name="{name}"[^>]*aria-invalid="true" aria-describedby="e-{name}"', r.text), name
    for name in (
        "goal_text_0",
        "goal_date_0",
        "goal_responsible_1",
        "goal_text_2",
        "action_what_0",
        "action_date_0",
        "follow_up_on",
        "note",
    ):
        assert _value(r.text, name) == data[name], name
    assert '<option value="physiotherapist" selected>' in r.text.split('name="goal_profession_2"')[1]
    assert "Illamående och oro</textarea>" in r.text and "Promenad varje dag</textarea>" in r.text
    # "Fler rader" keeps the rows as typed too (the unparseable date included) and adds empty ones
    more = nurse.post(url, data={**data, "op": "more"})
    assert more.status_code == 200
    assert _value(more.text, "goal_date_0") == "2027-02-30"
    assert _value(more.text, "goal_responsible_1") == "Dietisten"
    assert 'name="goal_text_6"' in more.text


def test_a_refused_follow_up_keeps_the_note_and_the_next_date(world: World, established_plan: str) -> None:
    nurse = logged_in(world.app, "ssk")
    url = f"/patient/{world.own_patient}/plan"
    page = nurse.get(f"{url}?pathway_id={world.own_pathway}").text
    assert 'value="follow_up"' in page
    yesterday = (world.services.today() - timedelta(days=1)).isoformat()
    goal_rows = re.search(r'name="goal_rows" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    goals = {f"goal_text_{i}": _value(page, f"goal_text_{i}") or "" for i in range(int(goal_rows))}
    data = {
        "csrf_token": _form_token(page),
        "version": VERSION_RE.search(page).group(1),  # type: ignore[union-attr]
        "pathway_id": world.own_pathway,
        "goal_rows": goal_rows,
        **goals,
        "action_rows": "0",
        "follow_up_on": _value(page, "follow_up_on") or "",
        "note": "Patienten mår bättre",
        "next_follow_up_on": yesterday,
        "op": "follow_up",
    }
    r = nurse.post(url, data=data)
    assert r.status_code == 400
    assert 'id="e-next_follow_up_on">Nästa uppföljning kan inte ligga före dagens uppföljning.' in r.text
    assert re.search(r'name="next_follow_up_on"[^>]*aria-invalid="true"', r.text)
    assert _value(r.text, "note") == "Patienten mår bättre"
    assert _value(r.text, "next_follow_up_on") == yesterday
    bad = nurse.post(url, data={**data, "next_follow_up_on": "i vår"})
    assert bad.status_code == 400 and 'id="e-next_follow_up_on">Nästa uppföljning (i vår)' in bad.text
    assert _value(bad.text, "next_follow_up_on") == "i vår"


def test_a_refused_close_shows_the_plan_again_with_the_reason_kept(
    world: World, established_plan: str
) -> None:
    nurse = logged_in(world.app, "ssk")
    page = nurse.get(f"/patient/{world.own_patient}/plan?pathway_id={world.own_pathway}").text
    version = re.search(
        r'action="/plan/[^"]+/avsluta"[^>]*>\s*<input[^>]*>\s*<input type="hidden" '
        r'name="version" value="(\d+)"',
        page,
    ).group(1)  # type: ignore[union-attr]
    unknown = nurse.post(f"/plan/{established_plan}/avsluta", data={"version": version, "reason": "tröttnat"})
    assert unknown.status_code == 400
    assert 'id="e-close">Planen avslutades inte: Välj en orsak i listan.' in unknown.text
    assert "<h1>Rehabiliteringsplan</h1>" in unknown.text and 'id="avsluta"' in unknown.text
    reason = list(PlanCloseReason)[-1].value
    first = nurse.post(
        f"/plan/{established_plan}/avsluta",
        data={"version": version, "reason": reason},
        follow_redirects=False,
    )
    assert first.status_code == 303
    # the same form sent again (a second tab): the plan is closed already, said on the plan page
    again = nurse.post(f"/plan/{established_plan}/avsluta", data={"version": version, "reason": reason})
    assert again.status_code == 400, again.text[-600:]
    assert "Planen avslutades inte: Rehabiliteringsplanen är avslutad" in again.text
    assert "<h1>Rehabiliteringsplan</h1>" in again.text


@pytest.fixture(scope="module")
def sent_handover(world: World) -> str:
    """A handover from the nurse's unit to the physiotherapist's unit, sent without the patient informed."""
    physio_unit = next(iter(_actor(world, "fysioterapeut").unit_hsa_ids))
    handover = handovers.send(
        world.services,
        _nurse(world),
        patient_id=world.own_patient,
        pathway_id=world.own_pathway,
        to_unit_hsa_id=physio_unit,
        to_profession=None,
        content=HandoverContent(needs="Fysioterapi efter operationen"),
        patient_informed=False,
    )
    return handover.id


def test_refused_handover_steps_keep_the_input_on_the_handover_page(world: World, sent_handover: str) -> None:
    physio = logged_in(world.app, "fysioterapeut")
    page = physio.get(f"/overlamning/{sent_handover}").text
    version = VERSION_RE.search(page).group(1)  # type: ignore[union-attr]
    rejected = physio.post(f"/overlamning/{sent_handover}/avvisa", data={"version": version, "reason": "  "})
    assert rejected.status_code == 400
    assert "Överlämningen avvisades inte: Ange varför överlämningen avvisas." in rejected.text
    assert 'id="reason" name="reason" maxlength="500" value="" aria-invalid="true"' in rejected.text
    # contact on a day before the handover was sent: the date and the method stay
    before = (world.services.today() - timedelta(days=400)).isoformat()
    contact = physio.post(
        f"/overlamning/{sent_handover}/patientkontakt",
        data={"version": version, "contacted_on": before, "contact_method": "phone"},
    )
    assert contact.status_code == 400
    assert "Kontakten registrerades inte:" in contact.text
    assert f'name="contacted_on" value="{before}"' in contact.text
    assert '<option value="phone" selected>' in contact.text
    missing = physio.post(
        f"/overlamning/{sent_handover}/patientkontakt",
        data={"version": version, "contacted_on": "i går", "contact_method": ""},
    )
    assert missing.status_code == 400 and 'name="contacted_on" value="i går"' in missing.text
    # the sender records the patient informed twice (two tabs): the second one is said on the page
    nurse = logged_in(world.app, "ssk")
    sender = nurse.get(f"/overlamning/{sent_handover}").text
    v = VERSION_RE.search(sender).group(1)  # type: ignore[union-attr]
    ok = nurse.post(
        f"/overlamning/{sent_handover}/patient-informerad", data={"version": v}, follow_redirects=False
    )
    assert ok.status_code == 303
    twice = nurse.post(f"/overlamning/{sent_handover}/patient-informerad", data={"version": v})
    assert twice.status_code == 400
    assert "Det registrerades inte att patienten är informerad:" in twice.text
    assert "<h1>Överlämning för" in twice.text


def test_a_referral_rejected_without_a_reason_keeps_the_row_and_says_why(world: World) -> None:
    physio_actor = _actor(world, "fysioterapeut")
    referral = handovers.send_referral(
        world.services,
        _nurse(world),
        patient_id=world.own_patient,
        pathway_id=world.own_pathway,
        to_unit_hsa_id=next(iter(physio_actor.unit_hsa_ids)),
        to_profession=Profession.PHYSIOTHERAPIST,
        reason="Nedsatt rörlighet i axeln",
    )
    physio = logged_in(world.app, "fysioterapeut")
    r = physio.post(f"/remiss/{referral.id}/reject", data={"version": str(referral.version), "reason": "   "})
    assert r.status_code == 400
    assert f'id="e-reject-{referral.id}">Remissen avvisades inte: Ange varför remissen avvisas.' in r.text
    assert "Nedsatt rörlighet i axeln" in r.text  # the row is still there, with its question
    assert f'aria-describedby="e-reject-{referral.id}"' in r.text
