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

ROW = re.compile(r"<tr><td>")


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
