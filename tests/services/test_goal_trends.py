"""The goal trend of a structure indicator: per period, the units that meet it among those in the chosen group
as the structure register stood at the period's end (a version saved later does not count earlier); a county
or an RCC holds the units of its counties; an unknown county is refused in Swedish."""

from __future__ import annotations

import pytest

from canrehab.domain.access import Actor
from canrehab.domain.errors import DomainError
from canrehab.services import structure
from canrehab.services.context import Services
from canrehab.services.goal_trends import indicator_trend

ONK = "SE2321000016-ONK"
LEADER = Actor(role="admin", staff_id=None, username="processledare")
RESOURCED = {"contact_nurses_present": True, "assignment_written": True, "assignment_resourced": True}


def test_a_structure_goal_trend_counts_the_units_as_the_register_stood_at_each_period_end(
    services: Services,
) -> None:
    today = services.today()
    structure.edit(services, LEADER, ONK, "breast", RESOURCED, expected_version=0)
    trend = indicator_trend(
        services,
        LEADER,
        indicator_id="kssk_finns",
        level="county",
        value="01",
        granularity="year",
        end=today,
        count=2,
    )
    last_year, this_year = trend.points
    assert (last_year.row.numerator, this_year.row.numerator) == (0, 1)
    # every unit of county 01 counts, one that recorded nothing as not met
    assert this_year.row.denominator == 3 and this_year.row.share_text == "33,3\u00a0%"
    rcc = indicator_trend(
        services,
        LEADER,
        indicator_id="kssk_finns",
        level="rcc",
        value="STHLM_GOTLAND",
        granularity="year",
        end=today,
        count=1,
    )
    assert rcc.points[0].row.numerator == 1 and rcc.group_label
    unit = indicator_trend(
        services,
        LEADER,
        indicator_id="kssk_finns",
        level="unit",
        value=ONK,
        granularity="year",
        end=today,
        count=1,
    )
    assert (unit.points[0].row.numerator, unit.points[0].row.denominator) == (1, 1)
    assert unit.group_label == "Onkologiska kliniken"


def test_an_unknown_county_or_missing_choice_is_refused_in_swedish(services: Services) -> None:
    with pytest.raises(DomainError) as refused:
        indicator_trend(
            services, LEADER, indicator_id="kssk_finns", level="county", value="99", end=services.today()
        )
    assert refused.value.message_sv == "Okänt län."
    with pytest.raises(DomainError) as refused:
        indicator_trend(services, LEADER, indicator_id="okand", end=services.today())
    assert refused.value.message_sv == "Okänd indikator."
