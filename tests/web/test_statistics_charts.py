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


def _axis_labels(svg: str) -> list[str]:
    return re.findall(r'<text x="36" y="[\d.]+" text-anchor="end">([^<]+)</text>', svg)


def test_a_percentage_axis_ends_at_a_round_value_never_above_100_and_has_a_middle_tick() -> None:
    """The goal trend page read "0" and "110" on its axis for shares between 60 and 100 %: a share cannot
    be 110 %, and with only two labels no value can be read off. The axis now ends at a round value (at
    most 100 %) with a labelled gridline halfway."""
    shares = Series("Hela urvalet", ((1, 83.3), (2, 100.0), (3, 60.0)), "#000")
    svg = trend_chart([1, 2, 3], [shares], None, "Namngiven kontaktsjuksköterska")
    assert _axis_labels(svg) == ["0", "50", "100"]
    low = Series("Enhet", ((1, 3.2), (2, 4.1)), "#000")
    assert _axis_labels(trend_chart([1, 2], [low], None, "X")) == ["0", "2,5", "5"]
    with_goal = trend_chart([1, 2], [Series("Enhet", ((1, 70.0), (2, 72.0)), "#000")], 80.0, "X")
    assert _axis_labels(with_goal) == ["0", "50", "100"]
    assert 'class="grid"' in svg


def test_the_sparklines_direction_cue_sits_above_the_line_not_on_it() -> None:
    """On the dashboard the cue ("▲ högre andel") was written across the line it describes: it now has a
    strip of its own above the plot, and every point lies below that strip."""
    svg = trend_line([("2026-03-06", 90.0), ("2026-06-05", 100.0), ("2026-12-04", 100.0)], 100.0, "Andel")
    cue_y = float(re.search(r'<text class="direction"[^>]* y="([0-9.]+)"', svg).group(1))  # type: ignore[union-attr]
    plot_y = float(re.search(r'<rect x="0" y="([0-9.]+)"', svg).group(1))  # type: ignore[union-attr]
    assert cue_y <= plot_y
    assert min(ys(svg, "circle")) - 3 > cue_y
