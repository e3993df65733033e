"""The unit worklist: one query for the rows (filters, sort, paging), one for the counts per flag."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from canrehab.domain.model import CareUnit, Pathway, Patient
from canrehab.store.orm import TABLES
from canrehab.store.orm_worklist import DEFAULT_GRACE_DAYS
from canrehab.store.repositories import FLAGS, WorklistStatusRow
from canrehab.store.repositories.worklist import DateWindow
from canrehab.store.uow import UnitOfWork

UNIT_A = "SE2321000016-AAA"
UNIT_B = "SE2321000016-BBB"
TODAY = date(2026, 3, 2)


def row(pathway: Pathway, **flags: Any) -> WorklistStatusRow:
    values: dict[str, Any] = {
        "pathway_id": pathway.id,
        "patient_id": pathway.patient_id,
        "unit_hsa_id": pathway.unit_hsa_id,
        "process": pathway.diagnosis.process,
        "phase": "diagnosis",
        "level": None,
        "no_contact_nurse": False,
        "no_min_vardplan": False,
        "assessment_due": None,
        "assessment_overdue": False,
        "plan_missing": False,
        "plan_follow_up_due": None,
        "referrals_waiting": 0,
        "handovers_in_awaiting": 0,
        "handovers_out_unconfirmed": 0,
        "handovers_out_overdue": 0,
        "next_action_on": None,
        "updated_at": datetime(2026, 3, 2, 3, 0, tzinfo=UTC),
    }
    return WorklistStatusRow(**(values | flags))


@pytest.fixture
def world(
    uow: Callable[..., UnitOfWork],
    save: Callable[..., None],
    make_patient: Callable[..., Patient],
    make_pathway: Callable[..., Pathway],
) -> dict[str, Pathway]:
    unit_a = CareUnit(hsa_id=UNIT_A, name="A", county_code="01")
    unit_b = CareUnit(hsa_id=UNIT_B, name="B", county_code="01")
    names = {"p1": "Anna Berg", "p2": "Bo Ek", "p3": "Cia Dahl", "p4": "Dan Ek", "p5": "Eva Ohm"}
    patients = {key: make_patient(name=name) for key, name in names.items()}
    pathways = {
        "p1": make_pathway(patients["p1"], unit_a),
        "p2": make_pathway(patients["p2"], unit_a),
        "p3": make_pathway(patients["p3"], unit_a).model_copy(
            update={
                "diagnosis": make_pathway(patients["p3"]).diagnosis.model_copy(update={"process": "lung"})
            }
        ),
        "p4": make_pathway(patients["p4"], unit_a),
        "p5": make_pathway(patients["p5"], unit_b),
    }
    save(unit_a, unit_b, *patients.values(), *pathways.values())
    with uow(log_reads=False) as u:
        u.worklist.upsert(
            row(pathways["p1"], no_contact_nurse=True, next_action_on=date(2026, 2, 1), level=2)
        )
        u.worklist.upsert(
            row(
                pathways["p2"],
                assessment_due=date(2026, 1, 20),
                assessment_overdue=True,
                plan_missing=True,
                next_action_on=date(2026, 1, 20),
                level=3,
            )
        )
        u.worklist.upsert(
            row(
                pathways["p3"], referrals_waiting=2, next_action_on=date(2026, 2, 15), phase="treatment_start"
            )
        )
        u.worklist.upsert(row(pathways["p4"]))  # nothing due: not on the list
        u.worklist.upsert(row(pathways["p5"], no_contact_nurse=True, next_action_on=date(2026, 1, 1)))
    return pathways


def test_rows_counts_and_total(uow: Callable[..., UnitOfWork], world: dict[str, Pathway]) -> None:
    with uow() as u:
        rows, counts, total, *_ = u.worklist.query([UNIT_A])
    assert [r.name for r in rows] == ["Bo Ek", "Anna Berg", "Cia Dahl"]  # by next action
    assert total == 3
    assert counts == dict.fromkeys(FLAGS, 0) | {
        "no_contact_nurse": 1,
        "assessment_due": 1,
        "assessment_overdue": 1,
        "plan_missing": 1,
        "referrals_waiting": 1,
    }
    first = rows[0]
    assert first.pathway_id == world["p2"].id and len(first.personnummer) == 12
    assert (
        first.assessment_due == date(2026, 1, 20) and first.level == 3 and first.updated_at.tzinfo is not None
    )


def test_filters_by_flag_process_phase_and_units(
    uow: Callable[..., UnitOfWork], world: dict[str, Pathway]
) -> None:
    with uow() as u:
        rows, counts, total, *_ = u.worklist.query([UNIT_A], due="no_contact_nurse")
        assert [r.name for r in rows] == ["Anna Berg"] and total == 1
        assert counts["plan_missing"] == 1  # counts ignore the flag filter (they label the tabs)
        rows, _, total, *_ = u.worklist.query([UNIT_A], process="lung")
        assert [r.name for r in rows] == ["Cia Dahl"] and total == 1
        rows, _, _, *_ = u.worklist.query([UNIT_A], phase="diagnosis")
        assert {r.name for r in rows} == {"Anna Berg", "Bo Ek"}
        rows, counts, total, *_ = u.worklist.query([UNIT_A, UNIT_B], due="no_contact_nurse")
        assert [r.name for r in rows] == ["Eva Ohm", "Anna Berg"] and counts["no_contact_nurse"] == 2
        assert u.worklist.query([]) == ([], dict.fromkeys(FLAGS, 0), 0, 0, {}, False, None)
        with pytest.raises(ValueError, match="unknown worklist flag"):
            u.worklist.query([UNIT_A], due="bogus")


def test_sort_and_paging(uow: Callable[..., UnitOfWork], world: dict[str, Pathway]) -> None:
    with uow() as u:
        by_name = [r.name for r in u.worklist.query([UNIT_A], sort="name")[0]]
        by_level = [r.name for r in u.worklist.query([UNIT_A], sort="level")[0]]
        by_process = [r.name for r in u.worklist.query([UNIT_A], sort="process")[0]]
        page, _, total, *_ = u.worklist.query([UNIT_A], sort="name", limit=2, offset=1)
        with pytest.raises(ValueError, match="unknown worklist sort"):
            u.worklist.query([UNIT_A], sort="random")
    assert by_name == ["Anna Berg", "Bo Ek", "Cia Dahl"]
    assert by_level == ["Bo Ek", "Anna Berg", "Cia Dahl"]  # highest level first, unknown last
    assert by_process == ["Bo Ek", "Anna Berg", "Cia Dahl"]  # breast before lung, then next action
    assert [r.name for r in page] == ["Bo Ek", "Cia Dahl"] and total == 3


def test_upsert_replaces_the_row(uow: Callable[..., UnitOfWork], world: dict[str, Pathway]) -> None:
    with uow(log_reads=False) as u:
        u.worklist.upsert(row(world["p1"], assessments_to_confirm=1, next_action_on=date(2026, 3, 1)))
        stored = u.worklist.for_pathway(world["p1"].id)[UNIT_A]
        assert stored.assessments_to_confirm == 1 and not stored.no_contact_nurse
        rows, counts, _, *_ = u.worklist.query([UNIT_A], due="assessments_to_confirm")
        assert [r.pathway_id for r in rows] == [world["p1"].id] and counts["no_contact_nurse"] == 0


def test_name_sort_follows_a_renamed_patient(
    uow: Callable[..., UnitOfWork], world: dict[str, Pathway]
) -> None:
    with uow() as u:
        patient = u.patients.get(world["p3"].patient_id)
        u.patients.update(patient.model_copy(update={"name": "Aaron Ahl"}), expected_version=patient.version)
    with uow() as u:
        rows, _, _, *_ = u.worklist.query([UNIT_A], sort="name")
    assert [r.name for r in rows] == ["Aaron Ahl", "Anna Berg", "Bo Ek"]


def test_replace_pathways_keeps_one_row_per_unit_and_drops_units_no_longer_concerned(
    uow: Callable[..., UnitOfWork], world: dict[str, Pathway]
) -> None:
    p1 = world["p1"]
    at_b = row(p1, unit_hsa_id=UNIT_B, handovers_in_awaiting=1, next_action_on=date(2026, 2, 20))
    with uow(log_reads=False) as u:
        u.worklist.replace_pathways(
            {p1.id: [row(p1, handovers_out_unconfirmed=1, next_action_on=TODAY), at_b]}
        )
    with uow() as u:
        assert set(u.worklist.for_pathway(p1.id)) == {UNIT_A, UNIT_B}
        rows, counts, _, *_ = u.worklist.query([UNIT_B])
        assert [r.name for r in rows] == ["Eva Ohm", "Anna Berg"] and counts["handovers_in_awaiting"] == 1
    with uow(log_reads=False) as u:  # the receiver confirmed: only its row is left
        u.worklist.replace_pathways({p1.id: [row(p1, unit_hsa_id=UNIT_B, no_contact_nurse=True)]})
    with uow() as u:
        assert set(u.worklist.for_pathway(p1.id)) == {UNIT_B}
        assert "Anna Berg" not in [r.name for r in u.worklist.query([UNIT_A])[0]]


def test_stale_pathways_are_those_whose_refresh_date_has_come(
    uow: Callable[..., UnitOfWork], world: dict[str, Pathway]
) -> None:
    with uow(log_reads=False) as u:
        u.worklist.upsert(row(world["p1"], refresh_on=TODAY))
        u.worklist.upsert(row(world["p2"], refresh_on=date(2026, 3, 3)))
        u.worklist.upsert(row(world["p5"], refresh_on=date(2026, 1, 1)))
    with uow() as u:
        assert u.worklist.stale_pathways(TODAY) == sorted([world["p1"].id, world["p5"].id])
        assert u.worklist.stale_pathways(TODAY, [UNIT_A]) == [world["p1"].id]
        assert len(u.worklist.stale_pathways(TODAY, limit=1)) == 1
        assert u.worklist.stale_pathways(date(2025, 12, 31)) == []


def test_date_groups_with_one_and_with_per_unit_grace_periods(
    uow: Callable[..., UnitOfWork], world: dict[str, Pathway]
) -> None:
    """p2 (A, 20 Jan), p1 (A, 1 Feb), p3 (A, 15 Feb) and p5 (B, 1 Jan), on 2 March: with the same grace for
    both units one limit applies; with differing ones each unit's own, read from the units' settings in the
    same statement (the statements are built once per filter shape, so the same shape is asked again with
    other dates, units and grace periods)."""

    def window(today: date = TODAY) -> DateWindow:
        return DateWindow(today=today, week_end=today + timedelta(days=6 - today.weekday()))

    def grace(days: dict[str, int]) -> None:
        with uow(log_reads=False) as u:
            for unit, d in days.items():
                u.worklist.set_grace_days(unit, d)

    grace({UNIT_A: 30, UNIT_B: 30})
    with uow() as u:
        same = u.worklist.query([UNIT_A, UNIT_B], window=window())
        # overdue: before 31 Jan (p2 20 Jan, p5 1 Jan); today's: 31 Jan..2 Mar (p1, p3)
        assert same.groups == {"overdue": 2, "today": 2, "week": 0, "later": 0}
        assert same.grace_days == {UNIT_A: 30, UNIT_B: 30}
    grace({UNIT_A: 10, UNIT_B: 70})
    with uow() as u:
        # A: overdue before 20 Feb (p1, p2, p3); B: before 22 Dec 2025 (p5 is not overdue)
        page = u.worklist.query([UNIT_A, UNIT_B], window=window())
        assert page.groups == {"overdue": 3, "today": 1, "week": 0, "later": 0}
        assert page.grace_days == {UNIT_A: 10, UNIT_B: 70}
        overdue = u.worklist.query([UNIT_A, UNIT_B], window=window(), group="overdue")
        assert {r.name for r in overdue.rows} == {"Anna Berg", "Bo Ek", "Cia Dahl"} and overdue.total == 3
        both = u.worklist.query([UNIT_A, UNIT_B], window=window(), group="today", due="no_contact_nurse")
        assert [r.name for r in both.rows] == ["Eva Ohm"] and both.total == 1
        # the same shape again with other values: another day, other units
        later = u.worklist.query([UNIT_A], window=window(date(2026, 1, 5)))
        assert later.groups == {"overdue": 0, "today": 0, "week": 0, "later": 3}
        only_b = u.worklist.query([UNIT_B], window=window())
        assert [r.name for r in only_b.rows] == ["Eva Ohm"] and only_b.groups["today"] == 1
        with pytest.raises(ValueError, match="needs a date window"):
            u.worklist.query([UNIT_A], group="overdue")
    with uow(log_reads=False) as u:  # a unit that has set none has the default
        u.session.execute(sa.delete(TABLES["worklist_unit_setting"]))
    with uow() as u:
        assert (
            u.worklist.query([UNIT_A, UNIT_B], window=window()).grace_days
            == u.worklist.grace_days([UNIT_A, UNIT_B])
            == {UNIT_A: DEFAULT_GRACE_DAYS, UNIT_B: DEFAULT_GRACE_DAYS}
        )


def test_a_windowed_query_says_stale_as_stale_pathways_does(
    uow: Callable[..., UnitOfWork], world: dict[str, Pathway]
) -> None:
    with uow(log_reads=False) as u:
        u.worklist.upsert(row(world["p1"], refresh_on=TODAY))
        u.worklist.upsert(row(world["p5"], refresh_on=date(2026, 3, 3)))
    with uow() as u:
        for day in (date(2025, 12, 31), TODAY, date(2026, 3, 3)):
            for units in ([UNIT_A], [UNIT_B], [UNIT_A, UNIT_B]):
                page = u.worklist.query(units, window=DateWindow(today=day, week_end=day))
                assert page.stale == bool(u.worklist.stale_pathways(day, units))
