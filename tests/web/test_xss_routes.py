"""Script injection through the routes: a payload posted into every free-text field the app accepts comes
back escaped on every page that shows it (plan goals/actions/self-care/note, handover content and rejection
reason, referral reason and rejection reason, assessment free text and override reason, search filters and
the login name)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from canrehab.services.context import SYSTEM
from tests.web.test_routes_access import World, client_for, world

__all__ = ["world"]
PAYLOAD = "<script>alert('x')</script>\"'><img src=x onerror=alert(1)>"
VERSION = re.compile(r'name="version" value="(\d+)"')


def assert_escaped(html: str, *, shown: bool = True) -> None:
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    if shown:
        assert "&lt;script&gt;alert(" in html, "the payload should be shown (escaped)"


def version_in(html: str) -> str:
    found = VERSION.search(html)
    assert found, "a version field on the page"
    return found.group(1)


def physio_unit(world: World) -> str:
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        return str(uow.staff.get(uow.accounts.get("fysioterapeut").staff_id).unit_hsa_id)


def test_plan_free_text(world: World) -> None:
    nurse = client_for(world, "ssk")
    patient_id = world.patient_account_patient
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        plan = next(p for p in uow.plans.for_patient(patient_id) if p.status != "closed")
    url = f"/patient/{patient_id}/plan?pathway_id={plan.pathway_id}"
    data = {
        "pathway_id": plan.pathway_id,
        "version": version_in(nurse.get(url).text),
        "op": "revise" if plan.status == "established" else "establish",
        "summary": PAYLOAD,
        "goal_rows": "1",
        "goal_text_0": PAYLOAD,
        "goal_responsible_0": PAYLOAD,
        "action_rows": "1",
        "action_what_0": PAYLOAD,
        "action_who_0": PAYLOAD,
        "self_care": PAYLOAD,
        "note": PAYLOAD,
        "part_of_min_vardplan": "1",
        "follow_up_on": (date.today() + timedelta(days=60)).isoformat(),
    }
    r = nurse.post(f"/patient/{patient_id}/plan", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    editor = nurse.get(url).text
    assert_escaped(editor)
    # summary, goal, responsible, action, who, self-care, note
    assert editor.count("&lt;script&gt;alert(") >= 7
    assert_escaped(nurse.get(f"/patient/{patient_id}").text, shown=False)
    own = client_for(world, "patient").get("/min-vardplan").text
    assert_escaped(own)
    assert own.count("&lt;script&gt;alert(") >= 3  # goal, action (and who), self-care


def test_handover_content_and_rejection_reason(world: World) -> None:
    nurse = client_for(world, "ssk")
    r = nurse.post(
        f"/patient/{world.own_patient}/overlamning",
        data={
            "pathway_id": world.own_pathway,
            "to_unit": physio_unit(world),
            "to_profession": "physiotherapist",
            "needs": PAYLOAD,
            "wishes": PAYLOAD,
            "plan_summary": PAYLOAD,
            "ongoing_actions": PAYLOAD,
            "disease": PAYLOAD,
            "treatment": PAYLOAD,
            "patient_informed": "1",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    detail_url = r.headers["location"]
    page = nurse.get(detail_url).text
    assert_escaped(page)
    assert page.count("&lt;script&gt;alert(") == 6  # needs, wishes, plan, actions, disease, treatment
    physio = client_for(world, "fysioterapeut")
    assert_escaped(physio.get("/overlamningar").text, shown=False)
    received = physio.get(detail_url).text
    assert_escaped(received)
    r = physio.post(
        f"{detail_url}/avvisa",
        data={"version": version_in(received), "reason": PAYLOAD},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    for html in (physio.get(detail_url).text, nurse.get(detail_url).text):
        assert_escaped(html)
        assert html.count("&lt;script&gt;alert(") == 8  # six content fields; reason in notice and details
    assert_escaped(nurse.get(f"/patient/{world.own_patient}").text, shown=False)


def test_referral_reason_and_rejection_reason(world: World) -> None:
    nurse = client_for(world, "ssk")
    r = nurse.post(
        f"/patient/{world.own_patient}/remiss",
        data={
            "pathway_id": world.own_pathway,
            "to_unit": physio_unit(world),
            "to_profession": "physiotherapist",
            "reason": PAYLOAD,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    physio = client_for(world, "fysioterapeut")
    inbox = physio.get("/remisser").text
    assert_escaped(inbox)
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        referral = next(x for x in uow.referrals.for_patient(world.own_patient) if x.reason == PAYLOAD)
    r = physio.post(
        f"/remiss/{referral.id}/reject",
        data={"version": str(referral.version), "reason": PAYLOAD},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert_escaped(physio.get("/remisser").text, shown=False)
    assert_escaped(nurse.get(f"/patient/{world.own_patient}").text, shown=False)


def test_assessment_free_text_and_override_reason(world: World) -> None:
    nurse = client_for(world, "ssk")
    r = nurse.post(
        f"/patient/{world.own_patient}/bedomning",
        data={"pathway_id": world.own_pathway, "key_moment": "other", "mode": "staff"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    form_url = r.headers["location"]
    form = nurse.get(form_url).text
    answers: dict[str, str] = {}
    for name, value in re.findall(r'<input type="radio" name="(q_[^"]+)" value="([^"]*)"', form):
        answers.setdefault(name, value)  # the first option of every question
    answers.update({"q_ovrigt": PAYLOAD, "version": version_in(form), "op": "save"})
    assert nurse.post(form_url, data=answers, follow_redirects=False).status_code == 303
    saved = nurse.get(form_url).text
    assert_escaped(saved)
    answers.update({"version": version_in(saved), "op": "submit"})
    r = nurse.post(form_url, data=answers, follow_redirects=False)
    assert r.status_code == 303, r.text
    review_url = r.headers["location"]
    review = nurse.get(review_url).text
    assert_escaped(review)
    suggested = re.search(r'name="level" value="(\d)"[^>]*checked', review)
    # an override within the national programme's three levels (002/004; level 4 is not in the default set)
    level = "3" if suggested is None or suggested.group(1) != "3" else "2"
    r = nurse.post(
        f"{review_url}/bekrafta",
        data={"level": level, "override_reason": PAYLOAD, "version": version_in(review)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    confirmed = nurse.get(review_url).text
    assert_escaped(confirmed)
    assert confirmed.count("&lt;script&gt;alert(") == 2  # the free-text answer and the override reason
    assert_escaped(nurse.get(f"/patient/{world.own_patient}").text, shown=False)


@pytest.mark.parametrize("path", ["/logg?patient={p}&actor={p}"])
def test_search_filters_are_escaped(world: World, path: str) -> None:
    admin = client_for(world, "processledare")
    html = admin.get(path.format(p=PAYLOAD), params=None).text
    assert_escaped(html)


def test_login_name_is_escaped(world: World) -> None:
    client = TestClient(world.app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/logga-in").text).group(1)  # type: ignore[union-attr]
    r = client.post("/logga-in", data={"username": PAYLOAD, "password": "x", "csrf_token": token})
    assert r.status_code == 401
    assert_escaped(r.text)
