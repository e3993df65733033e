"""The worklist page on a demo database: each unit's list from its own side (a handover sent to the
physiotherapists is on their list, awaiting their confirmation, and on the sender's as unconfirmed), the
filters, the sorting and the counts per category."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.domain.model import HandoverContent, Profession
from canrehab.services import handovers
from canrehab.services.context import SYSTEM, Services
from canrehab.synth.demo import build_demo
from canrehab.web.app import create_app
from tests.web.login import logged_in

ROW_RE = re.compile(r'<tr>\s*<td><a href="/patient/([^"]+)">([^<]+)</a>')
COUNT_RE = re.compile(r">([^<(]+) \((\d+)\)</a>")


@dataclass
class Demo:
    app: object
    handed_over_patient: str
    handed_over_name: str


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("worklist")), secret_key="worklist-secret")
    build_demo(settings, patients=400, seed=11, analytics_persons=1000)
    services = Services.open(settings)
    with services.uow(SYSTEM, log_reads=False) as uow:
        nurse = uow.staff.get(uow.accounts.get("ssk").staff_id)
        physio = uow.staff.get(uow.accounts.get("fysioterapeut").staff_id)
        related = {
            h.patient_id
            for u in (nurse.unit_hsa_id, physio.unit_hsa_id)
            for h in uow.handovers.inbox([u], [])
        }
        pathway = next(
            p
            for p in uow.pathways.for_unit(nurse.unit_hsa_id)
            if p.closed_on is None
            and p.patient_id not in related
            and not any(
                h.to_unit_hsa_id == physio.unit_hsa_id for h in uow.handovers.for_patient(p.patient_id)
            )
        )
        name = uow.patients.get(pathway.patient_id).name
    nurse_actor = Actor(
        role="nurse", staff_id=nurse.id, unit_hsa_ids=frozenset({nurse.unit_hsa_id}), username="ssk"
    )
    handovers.send(
        services,
        nurse_actor,
        patient_id=pathway.patient_id,
        pathway_id=pathway.id,
        to_unit_hsa_id=physio.unit_hsa_id,
        to_profession=Profession.PHYSIOTHERAPIST,
        content=HandoverContent(needs="Konditionsträning"),
        patient_informed=True,
    )
    yield Demo(app=create_app(settings), handed_over_patient=pathway.patient_id, handed_over_name=name)
    services.engine.dispose()


def login(demo: Demo, username: str) -> TestClient:
    return logged_in(demo.app, username)


def rows(html: str) -> list[tuple[str, str]]:
    return ROW_RE.findall(html)


def counts(html: str) -> dict[str, int]:
    return {label.strip(): int(n) for label, n in COUNT_RE.findall(html)}


def test_a_handover_is_on_the_receivers_list_awaiting_confirmation_and_on_the_senders(demo: Demo) -> None:
    physio = login(demo, "fysioterapeut")
    r = physio.get("/arbetslista?due=handovers_in_awaiting")
    assert r.status_code == 200
    assert demo.handed_over_patient in [pid for pid, _ in rows(r.text)]
    assert counts(r.text)["Överlämning till oss att bekräfta"] >= 1

    nurse = login(demo, "ssk")
    sent = nurse.get("/arbetslista?due=handovers_out_unconfirmed&sort=name")
    assert demo.handed_over_patient in [pid for pid, _ in rows(sent.text)]
    # the patient's page opens for the receiver (handed over to its unit)
    assert physio.get(f"/patient/{demo.handed_over_patient}").status_code == 200


def test_filters_sorting_and_counts(demo: Demo) -> None:
    nurse = login(demo, "ssk")
    everything = nurse.get("/arbetslista").text
    all_counts = counts(everything)
    total = int(re.search(r"(\d+) patienter med något att göra", everything).group(1))  # type: ignore[union-attr]
    assert total > 0 and all(n <= total for n in all_counts.values())

    missing = nurse.get("/arbetslista?due=no_contact_nurse").text
    assert counts(missing)["Alla"] == total  # the "Alla" count ignores the category filter
    listed = rows(missing)
    assert listed and all("Saknar kontaktsjuksköterska" in _row_html(missing, pid) for pid, _ in listed)
    assert len(listed) == min(all_counts["Saknar kontaktsjuksköterska"], 50)

    by_name = [name for _, name in rows(nurse.get("/arbetslista?sort=name").text)]
    assert by_name == sorted(by_name, key=str.casefold) or by_name == sorted(by_name)

    select = everything[everything.index('name="process"') : everything.index("</select>")]
    processes = re.findall(r'<option value="([a-z_]+)"', select)
    per_process = {
        p: {pid for pid, _ in rows(nurse.get(f"/arbetslista?process={p}").text)} for p in processes
    }
    assert any(per_process.values())
    seen: set[str] = set()
    for found in per_process.values():  # each patient is under one process only
        assert seen.isdisjoint(found)
        seen |= found

    # an unknown category or sort is ignored, never an error
    assert nurse.get("/arbetslista?due=bogus&sort=random").status_code == 200


def _row_html(html: str, patient_id: str) -> str:
    start = html.index(f'href="/patient/{patient_id}"')
    return html[start : html.index("</tr>", start)]
