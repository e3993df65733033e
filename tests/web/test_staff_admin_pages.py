"""The administrator's staff page (``/personal``) on a real (SQLite) demo database: the process leader records
the HSA-id of a staff member's assignment (medarbetaruppdrag); a malformed, a person's or a taken HSA-id is
refused with a Swedish message, kept in the form, and nothing is written; the FHIR API then carries the
assignment on the PractitionerRole and the person's HSA-id on the Practitioner; a nurse has no staff page;
in Chromium at desktop and phone width."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.domain.model import Staff
from canrehab.fhir import systems
from canrehab.services import registry
from canrehab.services.context import Services
from canrehab.synth.demo import DEMO_PASSWORD, build_demo
from canrehab.web.app import create_app
from tests.web.browser import chromium, screenshot
from tests.web.live_server import serve
from tests.web.login import logged_in

LEADER = Actor(role="admin", staff_id=None, username="processledare")


@dataclass
class World:
    app: object
    services: Services


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("staff")), secret_key="staff-secret")
    build_demo(settings, patients=5, seed=3, analytics_persons=50)
    services = Services.open(settings)
    yield World(create_app(settings), services)
    services.engine.dispose()


def _staff(world: World) -> list[Staff]:
    return registry.staff_list(world.services, LEADER)


def _member(world: World, staff_id: str) -> Staff:
    return next(s for s in _staff(world) if s.id == staff_id)


def _assignment_of(member: Staff) -> str:
    return member.unit_hsa_id + "U" + member.hsa_id.rsplit("-", 1)[1]


def test_the_process_leader_records_an_assignment_hsa_id_and_fhir_puts_it_on_the_role(
    world: World,
) -> None:
    member = _staff(world)[0]
    wanted = _assignment_of(member)
    client = logged_in(world.app, "processledare")
    page = client.get("/personal")
    assert page.status_code == 200 and member.hsa_id in page.text and "Uppdragets HSA-id" in page.text
    saved = client.post(
        f"/personal/{member.id}/uppdrag",
        data={"assignment_hsa_id": f" {wanted.lower()} "},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert _member(world, member.id).assignment_hsa_id == wanted  # trimmed, upper-cased
    assert f'value="{wanted}"' in client.get("/personal").text
    with TestClient(world.app) as fhir:  # type: ignore[arg-type]
        auth = ("processledare", DEMO_PASSWORD)
        role = fhir.get(f"/fhir/PractitionerRole/{member.id}", auth=auth).json()
        person = fhir.get(f"/fhir/Practitioner/{member.id}", auth=auth).json()
    assert [i["value"] for i in role["identifier"] if i["system"] == systems.HSA_ID] == [wanted]
    assert role["practitioner"]["identifier"]["value"] == member.hsa_id
    assert [i["value"] for i in person["identifier"] if i["system"] == systems.HSA_ID] == [member.hsa_id]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("SE2321000016", "ska ha formen SE + tio siffror"),
        ("SE23210000-ABC", "ska ha formen SE + tio siffror"),
        ("person", "ska skilja sig från personens HSA-id"),
        ("taken", "används redan av"),
    ],
)
def test_a_bad_assignment_hsa_id_is_refused_kept_in_the_form_and_nothing_is_written(
    world: World, typed: str, message: str
) -> None:
    first, second = _staff(world)[1:3]
    if typed == "person":
        typed = second.hsa_id
    elif typed == "taken":
        typed = first.hsa_id  # another person's HSA-id
    before = _member(world, second.id)
    client = logged_in(world.app, "processledare")
    answer = client.post(f"/personal/{second.id}/uppdrag", data={"assignment_hsa_id": typed})
    assert answer.status_code == 400 and message in answer.text
    assert f'value="{typed}"' in answer.text and 'aria-invalid="true"' in answer.text
    assert _member(world, second.id) == before


def test_an_assignment_hsa_id_used_by_another_assignment_is_refused(world: World) -> None:
    a, b = _staff(world)[3:5]
    client = logged_in(world.app, "processledare")
    wanted = _assignment_of(a)
    assert client.post(f"/personal/{a.id}/uppdrag", data={"assignment_hsa_id": wanted}).status_code == 200
    refused = client.post(f"/personal/{b.id}/uppdrag", data={"assignment_hsa_id": wanted})
    assert refused.status_code == 400 and f"används redan av {a.name}" in refused.text
    assert _member(world, b.id).assignment_hsa_id is None
    cleared = client.post(f"/personal/{a.id}/uppdrag", data={"assignment_hsa_id": ""}, follow_redirects=False)
    assert cleared.status_code == 303 and _member(world, a.id).assignment_hsa_id is None


def test_a_nurse_has_no_staff_page(world: World) -> None:
    client = logged_in(world.app, "ssk")
    member = _staff(world)[0]
    assert client.get("/personal").status_code == 403
    assert client.post(f"/personal/{member.id}/uppdrag", data={"assignment_hsa_id": ""}).status_code == 403
    assert "/personal" not in client.get("/").text


def test_the_staff_page_in_chromium_at_desktop_and_phone_width(world: World) -> None:
    member = _staff(world)[5]
    with serve(world.app) as base, chromium() as browser:
        for width in (1366, 390):
            page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
            page.goto(f"{base}/logga-in")
            page.get_by_label("Användarnamn").fill("processledare")
            page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Logga in").click()
            if width < 600:  # on a phone the staff menu is behind "☰ Meny" (a <details> disclosure)
                page.locator("header.top details.menu > summary").click()
            page.get_by_role("link", name="Personal").click()
            field = page.get_by_label(f"Uppdragets HSA-id för {member.name}")
            field.fill("SE123")
            field.press("Enter")
            assert page.get_by_role("alert").is_visible()
            screenshot(page, f"staff-refused-{width}")
            page.get_by_label(f"Uppdragets HSA-id för {member.name}").fill(
                _assignment_of(member) + str(width)
            )
            page.get_by_label(f"Uppdragets HSA-id för {member.name}").press("Enter")
            assert page.get_by_text("är sparat").is_visible()
            screenshot(page, f"staff-saved-{width}")
