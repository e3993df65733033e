"""The worklist's date groups: overdue only past the unit's grace period, then today, this week, later."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from canrehab.domain.worklist import date_group, is_late, week_end

WEDNESDAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("days_from_today", "grace", "group"),
    [
        (-30, 7, "overdue"),
        (-8, 7, "overdue"),
        (-7, 7, "today"),  # exactly the grace period: not yet late
        (-1, 0, "overdue"),
        (0, 0, "today"),
        (1, 7, "week"),
        (4, 7, "week"),  # Sunday
        (5, 7, "later"),  # next Monday
    ],
)
def test_a_date_falls_in_one_group(days_from_today: int, grace: int, group: str) -> None:
    on = WEDNESDAY + timedelta(days=days_from_today)
    assert date_group(on, WEDNESDAY, grace) == group
    assert is_late(on, WEDNESDAY, grace) is (group == "overdue")


def test_the_week_ends_on_sunday() -> None:
    assert week_end(WEDNESDAY) == date(2026, 12, 6)
    assert week_end(date(2026, 12, 6)) == date(2026, 12, 6)


def test_an_undated_item_is_never_late() -> None:
    assert not is_late(None, WEDNESDAY, 0)
