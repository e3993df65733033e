"""The worklist as a nurse's day: "Mina patienter", rows grouped by their earliest date (overdue only past
the unit's grace period, which the unit manager sets), the date and reason on every row, the counts per
group, and the list in the order of the dates it shows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.domain.errors import DomainError
from canrehab.domain.worklist import date_group
from canrehab.services import worklist as worklist_service
from canrehab.services.context import SYSTEM, Services
from canrehab.synth.demo import build_demo
from canrehab.web.app import create_app
from tests.web.login import logged_in

GROUP_RE = re.compile(r'class="group-(\w+)[^"]*"[^>]*>([^<\[]+) \[(\d+)\]</a>')
DATE_RE = re.compile(r'<td class="when[^"]*">(\d{4}-\d{2}-\d{2}|[^<]+)<br>')


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, Services]]:
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("groups")), secret_key="groups-secret")
    build_demo(settings, patients=1000, seed=5, analytics_persons=500)  # a living unit: enough on the list
    services = Services.open(settings)
    yield create_app(settings), services
    services.engine.dispose()


def _actor(services: Services, username: str) -> Actor:
    with services.uow(SYSTEM, log_reads=False) as uow:
        account = uow.accounts.get(username)
    return Actor(
        role=account.role,
        staff_id=account.staff_id,
        unit_hsa_ids=frozenset(account.unit_hsa_ids),
        username=username,
    )


def test_the_groups_partition_the_list_and_each_row_is_in_its_dates_group(
    demo: tuple[object, Services],
) -> None:
    _app, services = demo
    nurse = _actor(services, "ssk")
    everything = worklist_service.unit_worklist(services, nurse, limit=10_000)
    assert sum(everything.groups.values()) == everything.total
    today = services.today()
    grace = everything.grace_days[next(iter(nurse.unit_hsa_ids))]
    for key in ("overdue", "today", "week", "later"):
        part = worklist_service.unit_worklist(services, nurse, group=key, limit=10_000)
        assert part.total == everything.groups[key] == len(part.rows)
        assert all(date_group(r.next_action_on, today, grace) == key for r in part.rows)
    dates = [r.next_action_on for r in everything.rows]
    assert dates == sorted(dates)
    # a living unit: something is late, but not everyone is
    assert 0 < everything.groups["overdue"] < everything.total


def test_mine_is_the_nurses_own_patients(demo: tuple[object, Services]) -> None:
    _app, services = demo
    nurse = _actor(services, "ssk")
    mine = worklist_service.unit_worklist(services, nurse, mine=True, limit=10_000)
    unit = worklist_service.unit_worklist(services, nurse, limit=10_000)
    others = [r for r in unit.rows if r.contact_nurse_id != nurse.staff_id]  # another nurse's, or none yet
    assert 0 < mine.total == unit.total - len(others)  # the demo nurse has her own day on the list
    assert all(r.contact_nurse_id == nurse.staff_id for r in mine.rows)
    assert {r.pathway_id for r in mine.rows} <= {r.pathway_id for r in unit.rows}


def test_the_grace_period_moves_rows_out_of_overdue_and_only_the_manager_sets_it(
    demo: tuple[object, Services],
) -> None:
    app, services = demo
    nurse = _actor(services, "ssk")
    manager = _actor(services, "chef")
    unit = next(iter(nurse.unit_hsa_ids))
    with pytest.raises(DomainError):
        worklist_service.set_grace_days(services, nurse, unit, 30)
    with pytest.raises(DomainError):
        worklist_service.set_grace_days(services, manager, unit, 500)
    worklist_service.set_grace_days(services, manager, unit, 0)
    strict = worklist_service.unit_worklist(services, nurse).groups["overdue"]
    worklist_service.set_grace_days(services, manager, unit, 60)
    lenient = worklist_service.unit_worklist(services, nurse).groups["overdue"]
    assert lenient < strict

    client: TestClient = logged_in(app, "chef")
    page = client.get("/arbetslista").text
    assert 'id="karenstid"' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": token, "unit": unit, "days": "7"}
    r = client.post("/arbetslista/karenstid", data=form, follow_redirects=False)
    assert r.status_code == 303
    assert worklist_service.grace_days(services, nurse)[unit] == 7
    assert 'id="karenstid"' not in logged_in(app, "ssk").get("/arbetslista").text


def test_the_page_shows_groups_with_counts_dates_and_reasons(demo: tuple[object, Services]) -> None:
    app, _services = demo
    client = logged_in(app, "ssk")
    html = client.get("/arbetslista").text
    groups = {key: int(n) for key, _label, n in GROUP_RE.findall(html)}
    assert set(groups) == {"overdue", "today", "week", "later"}
    assert "Mina patienter" in html and "Varför på listan" in html
    shown = [date.fromisoformat(d) for d in DATE_RE.findall(html) if re.match(r"\d{4}-", d)]
    assert shown and shown == sorted(shown)
    mine = client.get("/arbetslista?vy=mina").text
    assert 'aria-current="page">Mina patienter' in mine
    only_late = client.get("/arbetslista?grupp=overdue").text
    assert "Att göra idag</th>" not in only_late


def test_the_patient_page_says_why_the_patient_is_listed_with_one_action_each(
    demo: tuple[object, Services],
) -> None:
    app, services = demo
    nurse = _actor(services, "ssk")
    row = next(
        r
        for r in worklist_service.unit_worklist(services, nurse, due="no_min_vardplan", limit=100).rows
        if r.contact_nurse_id
    )
    client = logged_in(app, "ssk")
    html = client.get(f"/patient/{row.patient_id}").text
    assert "Därför står patienten på arbetslistan" in html
    assert f'href="#min-vardplan-{row.pathway_id}">Min vårdplan: erbjud eller upprätta</a>' in html
    assert re.search(r'<option value="[a-z_]+" selected>', html)  # the key moment follows the phase
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    version = re.search(  # type: ignore[union-attr]
        rf'id="min-vardplan-{row.pathway_id}".*?name="version" value="(\d+)"', html, re.S
    ).group(1)
    form = {"csrf_token": token, "pathway_id": row.pathway_id, "step": "establish", "version": version}
    after = client.post(f"/patient/{row.patient_id}/min-vardplan", data=form)
    assert "Min vårdplan är upprättad (KVÅ XV019)." in after.text
    assert "Min vårdplan: erbjud eller upprätta" not in after.text


def test_an_svf_patient_waiting_is_listed_with_its_step_and_the_patient_page_offers_the_svf_page(
    demo: tuple[object, Services],
) -> None:
    from datetime import timedelta

    from canrehab.domain.svf import SvfRecord
    from canrehab.services import patients as patient_service
    from canrehab.services import suspicion, svf

    app, services = demo
    nurse = _actor(services, "ssk")
    patient = patient_service.register_patient(
        services, nurse, personnummer="19121212-1212", name="Tolvan Tolvansson", county_code="01"
    )
    suspected = services.today() - timedelta(days=10)
    pathway = suspicion.start(
        services,
        nurse,
        patient_id=patient.id,
        unit_hsa_id=sorted(nurse.unit_hsa_ids)[0],
        svf_pathway="brostcancer",
        suspicion_on=suspected,
    )
    client = logged_in(app, "ssk")
    svf_url = f"/patient/{patient.id}/svf/{pathway.id}"
    for version, flag, label, action in (
        (1, "svf_mdk_due", "SVF: väntar på MDK", "Registrera MDK i SVF"),
        (2, "svf_treatment_due", "SVF: väntar på behandlingsstart", "Registrera behandlingsstart i SVF"),
    ):
        page = client.get(f"/arbetslista?due={flag}").text
        assert label in page and f'href="/patient/{patient.id}"' in page
        html = client.get(f"/patient/{patient.id}").text
        assert f'href="{svf_url}">{action}</a>' in html
        assert client.get(svf_url).status_code == 200
        if version == 1:
            record = SvfRecord("brostcancer", suspected, mdk_discussed=True, mdk_on=services.today())
            svf.record(services, nurse, patient.id, pathway.id, record, expected_version=1)
    assert f'href="/patient/{patient.id}"' not in client.get("/arbetslista?due=svf_mdk_due").text
