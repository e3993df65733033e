"""Charts where people look: the goal on a scale that shows both the values and the goal (an axis break
when the goal is far above), sparklines with dates and a direction cue, and every chart's data in words."""

from __future__ import annotations

import re

from canrehab.web.charts import Bar, Series, bar_chart, trend_chart, trend_line


def ys(svg: str, tag: str) -> list[float]:
    return [float(v) for v in re.findall(rf"<{tag}[^>]* cy=\"([0-9.]+)\"", svg)]


def test_a_goal_far_above_low_values_is_drawn_above_an_axis_break() -> None:
    svg = trend_chart(
        [2021, 2022, 2023],
        [Series("Riket", ((2021, 2.1), (2022, 3.4), (2023, 3.9)), "#000")],
        100.0,
        "Min vårdplan",
    )
    assert "över skalan" not in svg and 'class="axis-break"' in svg and "mål 100 % (axeln bruten)" in svg
    goal_y = float(re.search(r'<line class="goal"[^>]* y1="([0-9.]+)"', svg).group(1))  # type: ignore[union-attr]
    points = ys(svg, "circle")
    # the values use the lower band (readable, distinct), the goal line lies above them inside the chart
    assert len(set(points)) == 3 and max(points) - min(points) > 30
    assert 0 < goal_y < min(points)
    assert "<desc>Riket: 2021 2,1 %, 2022 3,4 %, 2023 3,9 %. Mål 100 %.</desc>" in svg


def test_a_goal_near_the_values_shares_one_unbroken_scale() -> None:
    svg = trend_chart([2023, 2024], [Series("Län", ((2023, 70.0), (2024, None)), "#000")], 80.0, "X")
    assert 'class="axis-break"' not in svg and "mål 80 %" in svg
    assert "2024 ingen siffra" in svg


def test_sparkline_has_its_dates_a_direction_cue_and_words() -> None:
    svg = trend_line([("2026-01-10", 3.0), ("2026-03-02", 1.0)], 3.0, "Trötthet över tid")
    assert ">2026-01-10</text>" in svg and ">2026-03-02</text>" in svg
    assert "▼ mindre besvär" in svg and "<desc>2026-01-10 3, 2026-03-02 1</desc>" in svg
    assert "▲ mer besvär" in trend_line([("a", 1.0), ("b", 2.0)], 3.0, "t")


def test_bar_chart_has_its_data_in_words() -> None:
    svg = bar_chart(
        [Bar("Onkologen", 0.75, ""), Bar("Kirurgen", None, "för få")], 1.0, "Erbjuden Min vårdplan"
    )
    assert "<desc>Onkologen: 75,0\u00a0%; Kirurgen: för få. Mål 100\u00a0%.</desc>" in svg
