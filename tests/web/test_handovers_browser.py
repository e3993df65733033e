"""The handover list and a rejected handover in headless Chromium at desktop and phone width (screenshots
under test-artifacts/screenshots/): the rejected one comes first with its reason, and the confirmation form
asks for the date and the contact method."""

from __future__ import annotations

import pytest

from canrehab.synth.demo import DEMO_PASSWORD
from canrehab.web.app import create_app
from tests.web.browser import assert_fits_phone, chromium, screenshot
from tests.web.conftest import LoginPage
from tests.web.live_server import serve
from tests.web.test_handovers_pages import World, _send, world

__all__ = ["world"]
pytestmark = pytest.mark.browser


def test_handover_pages_at_desktop_and_phone_width(world: World, logged_in_page: LoginPage) -> None:
    from canrehab.services import handovers

    rejected = _send(world, "Behöver stöd av fysioterapeut")
    h = handovers.detail(world.services, world.physio, rejected).handover
    handovers.step(world.services, world.physio, rejected, "avvisa", h.version, "Fel mottagare")
    waiting = _send(world, "Lymfödem i armen")
    from canrehab.domain.model import Profession

    referral = handovers.send_referral(
        world.services,
        world.nurse,
        patient_id=world.patient_id,
        pathway_id=world.pathway_id,
        to_unit_hsa_id=next(iter(world.physio.unit_hsa_ids)),
        to_profession=Profession.PHYSIOTHERAPIST,
        reason="Träning",
    )
    handovers.referral_step(
        world.services, world.physio, referral.id, "reject", referral.version, "Fel enhet"
    )
    with serve(create_app(world.services.settings)) as base, chromium() as browser:
        for width in (1366, 390):
            for username, path, name in (
                ("ssk", "/overlamningar", "handovers"),
                ("ssk", f"/overlamning/{rejected}", "handover_rejected"),
                ("fysioterapeut", f"/overlamning/{waiting}", "handover_confirm"),
                ("ssk", "/remisser", "referrals"),
            ):
                page = logged_in_page(browser, base, username, width=width)
                page.goto(f"{base}{path}")
                screenshot(page, f"{name}_{width}")
                assert_fits_phone(page, name)
                if name == "handovers":  # the rejected one stands out from the overdue ones, with its reason
                    row = page.locator("tr.rejected")
                    assert row.count() == 1 and "Skäl: Fel mottagare" in row.inner_text()
                    colour = "c => getComputedStyle(c).backgroundColor"
                    cells = page.locator("tbody tr td:first-child")
                    colours = cells.evaluate_all(f"cells => cells.map({colour})")
                    assert colours.count(row.locator("td").first.evaluate(colour)) == 1
                if name == "handover_rejected":
                    assert "Fel mottagare" in page.inner_text("body")
                if name == "handover_confirm":
                    assert page.get_by_label("Hur ni hade kontakt").count() == 1
                page.context.close()


def test_a_handover_to_primary_care_sent_and_confirmed_in_the_browser_triggers_an_assessment(
    world: World, logged_in_page: LoginPage
) -> None:
    """004's key moment "överlämning från specialiserad vård till primärvård": the nurse sends the handover
    to a vårdcentral of her own county through the form, the receiver confirms the contact with date and
    method, and the routine asks for a structured assessment at the handover."""
    from canrehab.domain.model import CareLevel, KeyMoment
    from canrehab.domain.routines import due_assessments
    from canrehab.services import patients as patient_service
    from canrehab.services.context import SYSTEM

    services = world.services
    nurse_unit = next(iter(world.nurse.unit_hsa_ids))
    with services.uow(SYSTEM, log_reads=False) as uow:
        county = uow.units.get(nurse_unit).county_code
        primary = next(
            u
            for u in uow.units.list_all()
            if u.level is CareLevel.REGIONAL_PRIMARY and u.county_code == county
        )
        receiver = uow.staff.for_unit(primary.hsa_id)[0]
        uow.accounts.get("ssk")
    from canrehab.services.accounts import create_user

    create_user(
        services,
        username="vc-ssk",
        role="nurse",
        password=DEMO_PASSWORD,
        staff_id=receiver.id,
        unit_hsa_ids=[primary.hsa_id],
    )
    patient = patient_service.register_patient(
        services, world.nurse, personnummer="19460606-6662", name="Vera Överlämnad", county_code=county
    )
    pathway = patient_service.open_pathway(
        services,
        world.nurse,
        patient_id=patient.id,
        icd10="C61",
        diagnosed_on=services.today(),
        unit_hsa_id=nurse_unit,
    )
    with serve(create_app(services.settings)) as base, chromium() as browser:
        page = logged_in_page(browser, base, "ssk")
        page.goto(f"{base}/patient/{patient.id}/overlamning?pathway_id={pathway.id}")
        assert page.locator("#to_unit").input_value() == ""  # nothing preselected
        page.select_option("#to_unit", primary.hsa_id)
        page.get_by_label("Sjukdom", exact=True).fill("Prostatacancer (C61), ingen känd återkommande sjukdom")
        page.get_by_label("Behandling", exact=True).fill("Strålbehandling, avslutad")
        page.get_by_label("Patientens behov").fill("Uppföljning av trötthet")
        screenshot(page, "handover_form_disease_treatment")
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state()
        handover_url = page.url
        screenshot(page, "handover_sent_1366")
        page.context.close()
        page = logged_in_page(browser, base, "vc-ssk", width=390)
        page.goto(handover_url)
        page.select_option("#contact_method", "phone")
        page.get_by_role("button", name="Bekräfta att vi har haft kontakt med patienten").click()
        page.wait_for_load_state()
        body = page.inner_text("body")
        assert "telefon" in body
        # item 9: the receiver reads the disease and the treatment the sender wrote
        assert "Prostatacancer (C61), ingen känd återkommande sjukdom" in body
        assert "Strålbehandling, avslutad" in body
        screenshot(page, "handover_confirmed_390")
    record = patient_service.patient_record(services, world.nurse, patient.id)
    stored = record.pathways[0]
    items = due_assessments(
        stored,
        record.assessments,
        services.catalog.routine_for(stored.diagnosis.process),
        services.today(),
        handovers=record.handovers,
    )
    assert KeyMoment.HANDOVER in {i.key_moment for i in items}
    content = record.handovers[0].content
    assert (content.disease, content.treatment) == (
        "Prostatacancer (C61), ingen känd återkommande sjukdom",
        "Strålbehandling, avslutad",
    )
