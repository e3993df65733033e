"""The structure register's rules as values: field checks, versions, the newest version as of a date."""

from __future__ import annotations

from datetime import date

import pytest

from canrehab.domain.errors import ConflictError, DomainError
from canrehab.domain.structure import FIELDS, StructureEntry, check_values, facts, latest_as_of, revise

TODAY = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"contact_nurses_present": "ja"}, "structure.not_yes_no"),
        ({"needs_routine_how": 5}, "structure.not_text"),
        ({"needs_routine_exists": True, "needs_routine_how": "x" * 501}, "structure.too_long"),
        (
            {"contact_nurses_present": True, "assignment_written": True, "assignment_date": "2026-01-01"},
            "structure.not_date",
        ),
        ({"assignment_resourced": True, "assignment_written": False}, "structure.requires"),
        ({"primary_care_agreement_document": "Avtal 1"}, "structure.requires"),
    ],
)
def test_bad_values_are_refused_by_name(values: dict[str, object], code: str) -> None:
    with pytest.raises(DomainError) as raised:
        check_values(values, today=TODAY)  # type: ignore[arg-type]
    assert raised.value.code == code


def test_empty_texts_are_not_known_and_a_no_needs_nothing_else() -> None:
    checked = check_values(
        {"needs_routine_exists": True, "needs_routine_how": "  ", "rehab_team_available": False}, today=TODAY
    )
    assert checked == {"needs_routine_exists": True, "needs_routine_how": None, "rehab_team_available": False}


def test_a_revision_is_the_next_version_and_a_stale_one_conflicts() -> None:
    empty = StructureEntry("U1", "breast")
    first = revise(empty, {"coding_routine_exists": True}, by="chef", on=TODAY, expected_version=0)
    assert (first.version, first.recorded_on, first.recorded_by) == (1, TODAY, "chef")
    with pytest.raises(ConflictError):
        revise(first, {}, by="chef", on=TODAY, expected_version=0)


def test_the_newest_version_on_or_before_a_date_gives_one_fact_per_field() -> None:
    v1 = StructureEntry("U1", "breast", {"rehab_team_available": False}, 1, date(2025, 1, 1), "a")
    v2 = StructureEntry("U1", "breast", {"rehab_team_available": True}, 2, date(2026, 1, 1), "a")
    assert latest_as_of([v1, v2], date(2025, 12, 31)) == v1
    assert latest_as_of([v1, v2], None) == v2
    assert latest_as_of([v1, v2], date(2024, 1, 1)) is None
    found = facts(v2)
    assert len(found) == len(FIELDS)
    assert {f.field: f.value for f in found}["rehab_team_available"] is True
    assert facts(StructureEntry("U1", "breast")) == []
