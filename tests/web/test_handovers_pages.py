"""The handover pages as a nurse meets them (issue 13 item 6; 001 "Aktiva överlämningar"): no unit outside
the sender's county is preselected, overdue and rejected handovers come first and a rejected one shows its
reason, and confirming patient contact records the date and how the contact was made (a confirmation
without a method is refused in Swedish and writes nothing)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.domain.model import ContactMethod, HandoverContent, HandoverStatus
from canrehab.services import handovers
from canrehab.services.context import SYSTEM, Services
from canrehab.synth.demo import build_demo
from canrehab.web.app import create_app
from tests.web.login import CSRF_RE, logged_in


@dataclass
class World:
    app: object
    services: Services
    nurse: Actor
    physio: Actor
    patient_id: str
    pathway_id: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("handovers"), secret_key="handover-secret")
    build_demo(settings, patients=60, seed=7, analytics_persons=200)
    services = Services.open(settings)
    with services.uow(SYSTEM, log_reads=False) as uow:
        nurse = uow.staff.get(uow.accounts.get("ssk").staff_id)
        physio = uow.staff.get(uow.accounts.get("fysioterapeut").staff_id)
        pathway = next(p for p in uow.pathways.for_unit(nurse.unit_hsa_id) if p.closed_on is None)
    yield World(
        create_app(settings),
        services,
        Actor(
            role="nurse",
            staff_id=nurse.id,
            unit_hsa_ids=frozenset({nurse.unit_hsa_id}),
            patient_id=None,
            username="ssk",
        ),
        Actor(
            role="rehab_professional",
            staff_id=physio.id,
            unit_hsa_ids=frozenset({physio.unit_hsa_id}),
            patient_id=None,
            username="fysioterapeut",
        ),
        pathway.patient_id,
        pathway.id,
    )


def _send(world: World, text: str) -> str:
    return handovers.send(
        world.services,
        world.nurse,
        patient_id=world.patient_id,
        pathway_id=world.pathway_id,
        to_unit_hsa_id=next(iter(world.physio.unit_hsa_ids)),
        to_profession=None,
        content=HandoverContent(needs=text),
        patient_informed=True,
    ).id


def test_the_handover_form_preselects_no_unit_and_keeps_other_counties_apart(world: World) -> None:
    client = logged_in(world.app, "ssk")
    html = client.get(
        f"/patient/{world.patient_id}/overlamning", params={"pathway_id": world.pathway_id}
    ).text
    select = re.search(r'<select id="to_unit".*?</select>', html, re.S)
    assert select is not None
    options = re.findall(r"<option([^>]*)>", select.group(0))
    assert 'value="" selected' in options[0]  # "Välj mottagande enhet"
    assert sum("selected" in o for o in options) == 1
    assert '<optgroup label="I ert län">' in select.group(0)


def test_confirming_patient_contact_records_date_and_method_and_without_a_method_nothing_is_written(
    world: World,
) -> None:
    handover_id = _send(world, "Behöver träning")
    client = logged_in(world.app, "fysioterapeut")
    page = client.get(f"/overlamning/{handover_id}").text
    assert 'name="contact_method"' in page and 'type="date"' in page
    token = CSRF_RE.search(page).group(1)  # type: ignore[union-attr]
    version = re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    refused = client.post(
        f"/overlamning/{handover_id}/patientkontakt",
        data={"csrf_token": token, "version": version, "contact_method": "", "contacted_on": ""},
    )
    assert refused.status_code in (400, 422) and "Ange hur ni hade kontakt med patienten" in refused.text
    assert handovers.detail(world.services, world.nurse, handover_id).handover.status is HandoverStatus.SENT
    yesterday = world.services.today().isoformat()  # not before the day it was sent (001)
    done = client.post(
        f"/overlamning/{handover_id}/patientkontakt",
        data={"csrf_token": token, "version": version, "contact_method": "phone", "contacted_on": yesterday},
        follow_redirects=True,
    )
    assert done.status_code == 200, re.findall(r"<p[^>]*>([^<]*)</p>", done.text)[:4]
    stored = handovers.detail(world.services, world.nurse, handover_id).handover
    assert stored.patient_contact_method is ContactMethod.PHONE
    assert stored.patient_contacted_on is not None and stored.patient_contacted_on.isoformat() == yesterday
    assert "telefon" in done.text


def test_a_rejected_handover_stands_out_first_with_its_reason(world: World) -> None:
    _send(world, "Vanlig")
    rejected = _send(world, "Avvisas")
    h = handovers.detail(world.services, world.physio, rejected).handover
    handovers.step(
        world.services, world.physio, rejected, "avvisa", h.version, "Fel mottagare, skicka till VC"
    )
    html = logged_in(world.app, "ssk").get("/overlamningar").text
    outbox = html[html.index('id="utkorg"') :]
    body = outbox[outbox.index("<tbody>") :]
    first_row = body[: body.index("</tr>")]
    assert 'class="rejected"' in first_row and "avvisad" in first_row
    assert "Fel mottagare, skicka till VC" in first_row


def test_a_rejected_referral_stands_out_first_on_the_referral_page_with_its_reason(world: World) -> None:
    from canrehab.domain.model import Profession

    sent = handovers.send_referral(
        world.services,
        world.nurse,
        patient_id=world.patient_id,
        pathway_id=world.pathway_id,
        to_unit_hsa_id=next(iter(world.physio.unit_hsa_ids)),
        to_profession=Profession.PHYSIOTHERAPIST,
        reason="Träning efter operation",
    )
    handovers.referral_step(
        world.services, world.physio, sent.id, "reject", sent.version, "Tas av primärvården"
    )
    html = logged_in(world.app, "ssk").get("/remisser").text
    body = html[html.index("<tbody>") :]
    first_row = body[: body.index("</tr>")]
    assert 'class="highlight"' in first_row and "Tas av primärvården" in first_row


def test_the_handover_form_asks_for_disease_and_treatment_and_a_refused_one_keeps_them(world: World) -> None:
    """Issue 12 item 9 (001: the handover's content): the form asks for the disease and the treatment; a
    handover refused (no receiving unit) is shown again with both kept, and nothing is written."""
    client = logged_in(world.app, "ssk")
    form = client.get(f"/patient/{world.patient_id}/overlamning", params={"pathway_id": world.pathway_id})
    assert '<label for="disease">Sjukdom</label>' in form.text
    assert '<label for="treatment">Behandling</label>' in form.text
    before = _handover_count(world)
    refused = client.post(
        f"/patient/{world.patient_id}/overlamning",
        data={
            "pathway_id": world.pathway_id,
            "to_unit": "",
            "disease": "Bröstcancer (C50.9), ingen känd återkommande sjukdom",
            "treatment": "Operation och strålbehandling, avslutad",
            "needs": "Trötthet",
        },
    )
    assert refused.status_code == 400
    assert "Välj den enhet som ska ta emot patienten." in refused.text
    assert "Bröstcancer (C50.9), ingen känd återkommande sjukdom</textarea>" in refused.text
    assert "Operation och strålbehandling, avslutad</textarea>" in refused.text
    assert _handover_count(world) == before


def _handover_count(world: World) -> int:
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        return len(uow.handovers.for_patient(world.patient_id))
