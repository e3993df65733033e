"""Times are shown in Swedish local time (Europe/Stockholm), across the daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from canrehab.web.format import local_time, sv_date


@pytest.mark.parametrize(
    ("utc", "shown"),
    [
        # Spring forward, 29 March 2026: 02:00 CET becomes 03:00 CEST (01:00 UTC).
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "2026-03-29 01:59"),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "2026-03-29 03:00"),
        # Fall back, 25 October 2026: 03:00 CEST becomes 02:00 CET (01:00 UTC); 02:30 happens twice.
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "2026-10-25 02:30"),
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "2026-10-25 02:30"),
        # Winter and summer offsets, and the local date differing from the UTC date around midnight.
        (datetime(2026, 1, 15, 23, 30, tzinfo=UTC), "2026-01-16 00:30"),
        (datetime(2026, 7, 31, 22, 15, tzinfo=UTC), "2026-08-01 00:15"),
    ],
)
def test_points_in_time_are_shown_in_stockholm_time(utc: datetime, shown: str) -> None:
    assert sv_date(utc) == shown
    assert sv_date(utc.replace(tzinfo=None)) == shown  # naive values from the database are UTC
    assert sv_date(utc.isoformat()) == shown  # ISO strings with a time are points in time too


def test_long_form_is_swedish() -> None:
    assert sv_date(datetime(2026, 7, 31, 22, 15, tzinfo=UTC), long=True) == "1 augusti 2026 kl. 00:15"
    assert sv_date(datetime(2026, 12, 24, 14, 0, tzinfo=timezone(timedelta(hours=1))), long=True) == (
        "24 december 2026 kl. 14:00"
    )


def test_dates_without_time_are_not_shifted() -> None:
    assert sv_date(date(2026, 3, 29)) == "2026-03-29"
    assert sv_date("2026-10-25") == "2026-10-25"
    assert sv_date("inte ett datum") == "inte ett datum"
    assert local_time(datetime(2026, 6, 1, 12, tzinfo=UTC)).utcoffset() == timedelta(hours=2)
