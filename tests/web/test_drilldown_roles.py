"""Drill-down from the dashboards to the patients, for the roles that may see patients: the unit manager (own
units) and the administrator / process leader (region-wide, read-only: not a clinician); the analyst sees only
aggregated figures."""

from __future__ import annotations

import re

from canrehab.services.accounts import create_user
from canrehab.services.context import SYSTEM
from canrehab.synth.demo import DEMO_PASSWORD
from tests.web.test_routes_access import World, audit, client_for, world

__all__ = ["world"]
DRILL = re.compile(r'href="(/uppfoljning/patienter\?indicator=[^"]+)"')
PATIENT = re.compile(r'href="/patient/([0-9a-f]+)"')


def drill_to_patient(world: World, username: str) -> tuple[str, str]:
    client = client_for(world, username)
    dashboard = client.get("/uppfoljning")
    assert dashboard.status_code == 200
    links = DRILL.findall(dashboard.text)
    assert links, "a drill-down link per unit row"
    for link in links:
        page = client.get(link.replace("&amp;", "&"))
        assert page.status_code == 200
        assert (
            "patienter uppfyller inte indikatorn" in page.text
            or '<p class="empty">Inga patienter' in page.text
        )
        found = PATIENT.search(page.text)
        if found:
            overview = client.get(f"/patient/{found.group(1)}")
            assert overview.status_code == 200, f"{username} follows the drill-down to the patient"
            return found.group(1), overview.text
    raise AssertionError("no patient in any drill-down list")


def test_process_leader_drills_down_to_the_patient_region_wide(world: World) -> None:
    patient_id, overview = drill_to_patient(world, "processledare")
    assert "Tidslinje" in overview
    reads = [e for e in audit(world, patient_id=patient_id, actor="processledare") if e.action == "read"]
    assert reads and reads[0].actor_role == "admin"
    # Region-wide by role, not by a list of units on the account.
    create_user(world.services, username="pl-utan-enheter", role="admin", password=DEMO_PASSWORD)
    dashboard = client_for(world, "pl-utan-enheter").get("/uppfoljning").text
    units_drilled = {m.group(1) for m in re.finditer(r"unit=([^&]+)&amp;", dashboard)}
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        counties = {uow.units.get(u).county_code for u in units_drilled}
    assert len(units_drilled) > 2 and len(counties) > 1


def test_unit_manager_drills_down_to_own_units_patients(world: World) -> None:
    drill_to_patient(world, "chef")


def test_process_leader_reads_records_but_is_not_a_clinician(world: World) -> None:
    admin = client_for(world, "processledare")
    assert admin.get(f"/bedomning/{world.own_submitted}").status_code == 200
    assert admin.get(f"/plan/{world.other_plan}/pdf").status_code == 200
    detail = admin.get(f"/overlamning/{world.inbox_handover}")
    assert detail.status_code == 200
    assert "Kvittera mottagen" not in detail.text
    assert (
        f"/bedomning/{world.own_submitted}/bekrafta"
        not in admin.get(f"/bedomning/{world.own_submitted}").text
    )
    for path in ("/arbetslista", "/overlamningar", "/remisser"):
        assert admin.get(path).status_code == 403, path
    r = admin.post(
        f"/patient/{world.own_patient}/bedomning", data={"pathway_id": world.own_pathway, "mode": "link"}
    )
    assert r.status_code == 403
    denied = [e for e in audit(world, actor="processledare") if e.action == "denied"]
    assert denied and denied[0].patient_id == world.own_patient


def test_analyst_gets_no_drill_down(world: World) -> None:
    analyst = client_for(world, "analytiker")
    assert not DRILL.findall(analyst.get("/uppfoljning").text)
    assert analyst.get("/uppfoljning/patienter?indicator=named_nurse&unit=x").status_code == 403


def test_a_drill_down_with_no_patients_says_so_instead_of_an_empty_table(world: World) -> None:
    client = client_for(world, "processledare")
    link = DRILL.findall(client.get("/uppfoljning").text)[0].replace("&amp;", "&")
    page = client.get(f"{link}&start=1990-01-01&end=1990-12-31")  # a year before any diagnosis
    assert page.status_code == 200
    assert "Inga patienter: alla patienter i urvalet uppfyller indikatorn." in page.text
    assert "<table" not in page.text.split("<main")[1]
