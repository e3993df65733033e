"""The audit view (/logg): a unit manager sees only the events that concern their own units (their patients,
or done by their staff), an administrator / process leader the whole region; a unit column; paging."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from canrehab.domain.access import Actor
from canrehab.services import patients as patient_service
from canrehab.services.context import SYSTEM
from tests.web.test_routes_access import World, client_for, world

__all__ = ["world"]

ROW = re.compile(r"<tr><td class=\"when\">")  # an event row (the empty list is one colspan cell)


def rows(html: str) -> int:
    return len(ROW.findall(html))


def read_as_another_unit(world: World) -> str:
    """A nurse at the other patient's treating unit reads that record (the event concerns only that unit)."""
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        unit = uow.pathways.for_patient(world.other_patient)[0].unit_hsa_id
    outsider = Actor(role="nurse", staff_id=None, unit_hsa_ids=frozenset({unit}), username="ssk-annan")
    patient_service.patient_record(world.services, outsider, world.other_patient)
    return unit


def test_unit_manager_sees_own_units_patients_and_staff_only(world: World) -> None:
    read_as_another_unit(world)
    client_for(world, "ssk").get(f"/patient/{world.own_patient}")
    # Staff of another unit (the rehabilitation unit) reading a patient of the manager's unit.
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        handed_over = uow.handovers.get(world.inbox_handover).patient_id
        onk_name = uow.units.get(uow.accounts.get("chef").unit_hsa_ids[0]).name
    assert client_for(world, "fysioterapeut").get(f"/patient/{handed_over}").status_code == 200

    manager = client_for(world, "chef")
    outsider = manager.get("/logg?actor=ssk-annan")
    assert outsider.status_code == 200
    assert rows(outsider.text) == 0 and "Inga händelser." in outsider.text
    assert rows(manager.get(f"/logg?patient={world.other_patient}&actor=ssk-annan").text) == 0
    own_staff = manager.get("/logg?actor=ssk")
    assert rows(own_staff.text) > 0
    assert "<th>Enhet</th>" in own_staff.text and onk_name in own_staff.text
    their_patient = manager.get(f"/logg?patient={handed_over}&actor=fysioterapeut")
    assert rows(their_patient.text) > 0, "another unit's staff reading our patient is shown"


def test_administrator_sees_the_whole_region(world: World) -> None:
    read_as_another_unit(world)
    admin = client_for(world, "processledare")
    r = admin.get("/logg?actor=ssk-annan")
    assert r.status_code == 200
    assert rows(r.text) > 0
    assert "Hela regionen" in r.text


def test_the_log_is_paged(world: World) -> None:
    admin = client_for(world, "processledare")
    with world.services.uow(SYSTEM) as uow:  # enough events for more than one page
        for n in range(120):
            uow.audit.record("read", "patient", f"p{n}", None, "paging test")
    first = admin.get("/logg")
    assert rows(first.text) == 100
    assert "Äldre →" in first.text and "Visar 1–100" in first.text
    second = admin.get("/logg?sida=2")
    assert "Visar 101–" in second.text and "← Nyare" in second.text
    assert admin.get("/logg?sida=0").status_code == 200


def test_times_are_shown_in_swedish_local_time(world: World) -> None:
    with world.services.engine.begin() as conn:
        for minute in (59, 60):  # 00:59 and 01:00 UTC around the spring-forward change of 29 March 2026
            conn.execute(
                sa.text(
                    "INSERT INTO audit_log (at, actor_username, actor_role, actor_units, action, entity_type,"
                    " entity_id, detail) VALUES (:at, 'sommartid', 'nurse', '', 'read', 'patient', 'x', '')"
                ),
                {"at": datetime(2026, 3, 29, 0, 0, tzinfo=UTC) + timedelta(minutes=minute)},
            )
    page = client_for(world, "processledare").get("/logg?actor=sommartid").text
    assert "2026-03-29 01:59" in page and "2026-03-29 03:00" in page


def _account_name(world: World, username: str) -> str:
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        return str(uow.accounts.get(username).display_name)


def _table(html: str) -> str:
    return html[html.index("<tbody>") : html.index("</tbody>")]


def test_staff_names_and_readable_swedish_events_not_internal_strings(world: World) -> None:
    client_for(world, "ssk").get(f"/patient/{world.own_patient}")
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        patient_name = uow.patients.get(world.own_patient).name
    page = client_for(world, "processledare").get("/logg?actor=ssk").text
    table = _table(page)
    assert _account_name(world, "ssk") in table
    assert "Läste patientuppgifter" in table and patient_name in table
    for internal in (world.own_patient, ">read<", "patient " + world.own_patient, "rehab_plan", "Ny post"):
        assert internal not in table
    # A unit manager sees the names of the own units' staff; names of other units' staff stay usernames.
    manager = client_for(world, "chef").get("/logg?actor=ssk").text
    assert _account_name(world, "ssk") in _table(manager)


def test_every_event_the_demo_day_writes_has_a_swedish_name(world: World) -> None:
    """The process leader's log after a nurse's morning (the worklist, a patient, a Hälsoskattning link):
    no event reads as the generic "Läste post" (the worklist did), none as an internal type."""
    nurse = client_for(world, "ssk")
    nurse.get("/arbetslista")
    nurse.get(f"/patient/{world.own_patient}")
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        written = {e.entity_type for e in uow.audit.query()}
    assert "worklist" in written
    table = _table(client_for(world, "processledare").get("/logg").text)
    assert "Läste arbetslistan" in table
    assert " post<" not in table and "Ny post" not in table
    from canrehab.services.audit import entity_sv

    assert [t for t in sorted(written) if entity_sv(t) == "post"] == []


def test_the_date_range_filter_selects_whole_swedish_days(world: World) -> None:
    with world.services.engine.begin() as conn:
        for day, hour in ((10, 12), (11, 22), (12, 12)):  # 11 Jan 22:00 UTC is 23:00 in Stockholm
            conn.execute(
                sa.text(
                    "INSERT INTO audit_log (at, actor_username, actor_role, actor_units, action, entity_type,"
                    " entity_id, detail) VALUES (:at, 'datumtest', 'nurse', '', 'read', 'patient', 'x', '')"
                ),
                {"at": datetime(2026, 1, day, hour, 0, tzinfo=UTC)},
            )
    admin = client_for(world, "processledare")
    r = admin.get("/logg?actor=datumtest&fran=2026-01-11&till=2026-01-11")
    assert r.status_code == 200 and rows(r.text) == 1 and "2026-01-11 23:00" in r.text
    assert rows(admin.get("/logg?actor=datumtest&fran=2026-01-11").text) == 2
    assert rows(admin.get("/logg?actor=datumtest&till=2026-01-10").text) == 1
    bad = admin.get("/logg?actor=datumtest&fran=2026-01-12&till=2026-01-10")
    assert bad.status_code == 400
    assert "Till-datumet ligger före från-datumet." in bad.text
    assert 'value="2026-01-12"' in bad.text and 'value="2026-01-10"' in bad.text  # the input is kept
    assert admin.get("/logg?fran=igår").status_code == 400


def test_the_patient_filter_takes_a_personnummer_by_post_and_never_puts_it_in_the_url(world: World) -> None:
    client_for(world, "ssk").get(f"/patient/{world.own_patient}")
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        pnr = uow.patients.get(world.own_patient).personnummer
    admin = client_for(world, "processledare")
    page = admin.get("/logg").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = admin.post(
        "/logg", data={"csrf_token": csrf, "personnummer": pnr, "actor": "ssk"}, follow_redirects=False
    )
    assert r.status_code == 303
    location = r.headers["location"]
    assert pnr not in location and pnr[2:] not in location
    assert f"patient={world.own_patient}" in location and "actor=ssk" in location
    shown = admin.get(location).text
    assert rows(shown) > 0 and pnr not in shown
    unknown = admin.post("/logg", data={"csrf_token": csrf, "personnummer": "19121212-121"})
    assert unknown.status_code == 400
    assert 'value="19121212-121"' in unknown.text and 'aria-invalid="true"' in unknown.text
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        logged = [e.detail for e in uow.audit.query(actor="processledare", limit=50)]
    assert not any(pnr in d or pnr[2:] in d for d in logged)


def test_the_unit_filter_stays_inside_the_managers_units(world: World) -> None:
    client_for(world, "ssk").get(f"/patient/{world.own_patient}")
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        own_unit = uow.accounts.get("chef").unit_hsa_ids[0]
        other_unit = next(u.hsa_id for u in uow.units.list_all() if u.hsa_id != own_unit)
    manager = client_for(world, "chef")
    page = manager.get(f"/logg?enhet={own_unit}").text
    assert rows(page) > 0 and f'<option value="{own_unit}" selected>' in page
    assert f'<option value="{other_unit}"' not in page  # only the manager's units are offered
    assert rows(manager.get(f"/logg?enhet={other_unit}").text) == 0


def test_csv_export_for_excel_with_swedish_separators(world: World) -> None:
    client_for(world, "ssk").get(f"/patient/{world.own_patient}")
    admin = client_for(world, "processledare")
    page = admin.get("/logg?actor=ssk").text
    assert 'href="/logg.csv?actor=ssk"' in page
    r = admin.get("/logg.csv?actor=ssk")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads å, ä, ö
    lines = r.content.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Tid;Användare;Namn;Roll;Enhet;Händelse;Patient;Utfall"
    body = [line.split(";") for line in lines[1:] if line]
    assert body and all(len(cells) == 8 for cells in body)
    assert {cells[1] for cells in body} == {"ssk"}
    assert any(cells[5] == "Läste patientuppgifter" for cells in body)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", body[0][0])
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        exports = [e for e in uow.audit.query(actor="processledare", limit=20) if e.action == "export"]
    assert exports and exports[0].entity_type == "audit_log"
