"""The structure register: edited by the process leader and a unit's manager, versioned, audited, refused
with a Swedish message when wrong, and read back as plain facts for the structure indicators."""

from __future__ import annotations

from datetime import date

import pytest

from canrehab.domain.access import Actor
from canrehab.domain.errors import ConflictError, DomainError
from canrehab.services import structure
from canrehab.services.context import SYSTEM, Services
from canrehab.services.guard import AccessRefused

ONK = "SE2321000016-ONK"
KIR = "SE2321000016-KIR"
LEADER = Actor(role="admin", staff_id=None, username="processledare")
ONK_MANAGER = Actor(role="unit_manager", staff_id=None, unit_hsa_ids=frozenset({ONK}), username="chef-onk")
NURSE = Actor(role="nurse", staff_id="nurse-1", unit_hsa_ids=frozenset({ONK}), username="sjuk")

NURSES = {
    "contact_nurses_present": True,
    "assignment_written": True,
    "assignment_resourced": True,
    "assignment_document": "Dnr 2025/123",
    "assignment_date": date(2025, 9, 1),
}


def _audit(services: Services) -> list[tuple[str, str, str]]:
    with services.uow(SYSTEM, log_reads=False) as uow:
        return [(e.action, e.entity_type, e.entity_id) for e in uow.audit.query()]


def test_the_process_leader_records_a_version_and_the_save_is_audited(services: Services) -> None:
    saved = structure.edit(services, LEADER, ONK, "breast", NURSES, expected_version=0)
    assert saved.version == 1 and saved.recorded_on == date(2026, 3, 2)
    assert saved.values["assignment_date"] == date(2025, 9, 1)
    assert ("create", "structure_entry", f"{ONK}/breast") in _audit(services)


def test_a_second_edit_is_a_new_version_and_the_history_keeps_both(services: Services) -> None:
    structure.edit(services, LEADER, ONK, "breast", NURSES, expected_version=0)
    structure.edit(
        services, ONK_MANAGER, ONK, "breast", {**NURSES, "coding_routine_exists": True}, expected_version=1
    )
    versions = structure.history(services, LEADER, ONK, "breast")
    assert [v.version for v in versions] == [2, 1]
    assert versions[0].values["coding_routine_exists"] is True and versions[0].recorded_by == "chef-onk"
    assert "coding_routine_exists" not in versions[1].values
    assert ("update", "structure_entry", f"{ONK}/breast") in _audit(services)


def test_a_stale_version_is_refused_and_nothing_is_written(services: Services) -> None:
    structure.edit(services, LEADER, ONK, "breast", NURSES, expected_version=0)
    with pytest.raises(ConflictError):
        structure.edit(services, ONK_MANAGER, ONK, "breast", {}, expected_version=0)
    assert len(structure.history(services, LEADER, ONK, "breast")) == 1


def test_a_unit_manager_may_not_edit_another_units_structure_and_the_refusal_is_audited(
    services: Services,
) -> None:
    with pytest.raises(AccessRefused):
        structure.edit(services, ONK_MANAGER, KIR, "breast", NURSES, expected_version=0)
    assert ("denied", "structure_entry", f"{KIR}/breast") in _audit(services)
    assert structure.history(services, LEADER, KIR, "breast") == []


def test_a_nurse_may_not_edit_the_structure_register(services: Services) -> None:
    with pytest.raises(AccessRefused):
        structure.edit(services, NURSE, ONK, "breast", NURSES, expected_version=0)


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"assignment_document": "Dnr 1"}, "structure.requires"),
        (
            {"contact_nurses_present": True, "assignment_written": True, "assignment_date": date(2027, 1, 1)},
            "structure.future_date",
        ),
        ({"no_such_field": True}, "structure.unknown_field"),
    ],
)
def test_bad_values_are_refused_with_a_swedish_message_and_nothing_is_written(
    services: Services, values: dict[str, object], code: str
) -> None:
    with pytest.raises(DomainError) as raised:
        structure.edit(services, LEADER, ONK, "breast", values, expected_version=0)  # type: ignore[arg-type]
    assert raised.value.code == code and raised.value.message_sv
    assert structure.history(services, LEADER, ONK, "breast") == []


def test_an_unknown_process_or_unit_is_refused(services: Services) -> None:
    with pytest.raises(DomainError, match="unknown process"):
        structure.edit(services, LEADER, ONK, "no-such-process", NURSES, expected_version=0)
    with pytest.raises(DomainError, match="unknown unit"):
        structure.edit(services, LEADER, "SE-NONE", "breast", NURSES, expected_version=0)


def test_structure_facts_are_the_newest_version_on_or_before_the_period_end(services: Services) -> None:
    structure.edit(services, LEADER, ONK, "breast", {"contact_nurses_present": False}, expected_version=0)
    services.clock = lambda: date(2026, 6, 1)
    structure.edit(services, LEADER, ONK, "breast", NURSES, expected_version=1)
    structure.edit(services, LEADER, KIR, "lung", {"rehab_team_available": True}, expected_version=0)

    march = {
        (f.unit_hsa_id, f.process, f.field): f.value
        for f in structure.structure_facts(services, as_of=date(2026, 3, 31))
    }
    assert march[(ONK, "breast", "contact_nurses_present")] is False
    assert (KIR, "lung", "rehab_team_available") not in march  # recorded after the period

    newest = structure.structure_facts(services, unit_hsa_ids=[ONK])
    values = {f.field: f.value for f in newest}
    assert values["contact_nurses_present"] is True and values["assignment_document"] == "Dnr 2025/123"
    assert values["coding_routine_exists"] is None  # not recorded: not known
    assert {f.version for f in newest} == {2} and {f.recorded_on for f in newest} == {date(2026, 6, 1)}
    assert {f.process for f in structure.structure_facts(services, processes=["lung"])} == {"lung"}


def test_the_overview_shows_a_unit_manager_only_their_units(services: Services) -> None:
    rows = structure.overview(services, ONK_MANAGER)
    assert {r.unit_hsa_id for r in rows} == {ONK}
    assert len(rows) == len(services.catalog.processes)
    assert {r.unit_hsa_id for r in structure.overview(services, LEADER)} >= {ONK, KIR}
