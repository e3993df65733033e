"""The goals overview: each goal of the goals file with where each unit and the region stand, structure goals
computed from the structure register (a unit that recorded nothing counts as not met), care goals from the
dashboard's indicator engine with its scope and disclosure control."""

from __future__ import annotations

from datetime import date

import pytest

from canrehab.domain.access import Actor
from canrehab.domain.errors import DomainError
from canrehab.followup.goals import StructureFact, default_goals, default_indicators
from canrehab.services import structure
from canrehab.services.context import Services
from canrehab.services.goal_status import goal_status
from canrehab.services.guard import AccessRefused
from canrehab.services.structure_indicators import structure_indicators
from tests.services.conftest import patient_with_pathway

ONK = "SE2321000016-ONK"
KIR = "SE2321000016-KIR"
REH = "SE2321000016-REH"
LEADER = Actor(role="admin", staff_id=None, username="processledare")
ONK_MANAGER = Actor(role="unit_manager", staff_id=None, unit_hsa_ids=frozenset({ONK}), username="chef-onk")
NURSE = Actor(role="nurse", staff_id="nurse-1", unit_hsa_ids=frozenset({ONK}), username="sjuk")
RESOURCED = {
    "contact_nurses_present": True,
    "assignment_written": True,
    "assignment_resourced": True,
}


def test_every_structure_fact_an_indicator_needs_is_a_yes_no_field_of_the_register() -> None:
    from typing import get_args

    from canrehab.domain.structure import FIELD_BY_NAME, FieldType

    for fact in get_args(StructureFact):
        assert FIELD_BY_NAME[fact].type is FieldType.YES_NO, fact
    for ind in default_indicators().of_source("structure"):
        assert ind.structure is not None and set(ind.structure.facts_all) <= set(get_args(StructureFact))


def test_kssk_med_skriftligt_resurssatt_uppdrag_is_the_share_of_units_where_all_three_hold(
    services: Services,
) -> None:
    structure.edit(services, LEADER, ONK, "breast", RESOURCED, expected_version=0)
    structure.edit(services, LEADER, KIR, "breast", {"contact_nurses_present": True}, expected_version=0)
    results = {r.definition.id: r for r in structure_indicators(services, LEADER, process="breast")}
    uppdrag = results["kssk_skriftligt_uppdrag"]
    by_unit = {r.unit_hsa_id: r for r in uppdrag.rows}
    assert by_unit[ONK].met and by_unit[ONK].met_text == "Ja"
    assert not by_unit[KIR].met and by_unit[KIR].met_text == "Nej"
    # the rehab unit recorded nothing: it is in the denominator, shown as not recorded
    assert not by_unit[REH].recorded and by_unit[REH].met_text == "ej registrerat"
    assert (uppdrag.units, uppdrag.units_met) == (3, 1)
    assert results["kssk_finns"].units_met == 2


def test_a_structure_fact_recorded_after_the_period_does_not_count(services: Services) -> None:
    structure.edit(services, LEADER, ONK, "breast", RESOURCED, expected_version=0)  # recorded 2026-03-02
    before = structure_indicators(services, LEADER, unit=ONK, as_of=date(2026, 1, 31))
    after = structure_indicators(services, LEADER, unit=ONK, as_of=date(2026, 3, 31))
    kssk = "kssk_finns"
    assert next(r for r in before if r.definition.id == kssk).units_met == 0
    assert next(r for r in after if r.definition.id == kssk).units_met == 1


def test_every_goal_of_the_goals_file_is_listed_with_the_units_standing(services: Services) -> None:
    structure.edit(services, LEADER, ONK, "breast", RESOURCED, expected_version=0)
    patient_with_pathway(services)
    statuses = goal_status(
        services, LEADER, unit=None, process=None, start=date(2025, 3, 2), end=date(2026, 3, 2)
    )
    assert [s.goal.id for s in statuses] == [g.id for g in default_goals().goals]
    by_id = {s.goal.id: s for s in statuses}
    kssk = by_id["m000_1_kssk_finns"]
    assert kssk.source == "structure"
    assert kssk.region is not None and kssk.region.label == "1 av 3 verksamheter"
    assert kssk.region.reached is False  # a stated structure target is reached when every unit meets it
    offered = next(s for s in statuses if s.goal.indicator == "erbjuden_kontaktsjukskoterska")
    assert offered.source == "care" and offered.region is not None
    assert offered.units and all(u.label == "Onkologiska kliniken" for u in offered.units)
    register = next(s for s in statuses if s.source == "register")
    assert register.region is None and not register.units  # answered by the statistics, not guessed


def test_a_unit_manager_sees_only_their_own_units_and_a_nurse_is_refused(services: Services) -> None:
    structure.edit(services, LEADER, KIR, "breast", RESOURCED, expected_version=0)
    mine = structure_indicators(services, ONK_MANAGER)
    assert {r.unit_hsa_id for result in mine for r in result.rows} == {ONK}
    with pytest.raises(DomainError, match=r"access\.denied"):
        structure_indicators(services, ONK_MANAGER, unit=KIR)
    with pytest.raises(AccessRefused):
        goal_status(services, NURSE, unit=None, process=None, start=date(2025, 1, 1), end=date(2026, 1, 1))
