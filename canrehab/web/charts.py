"""Inline SVG charts (no JavaScript), texts in Swedish: shares against a goal level, a small trend line,
units ranked per 1 000 against the national rate, and percentages over the years against a goal."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from canrehab.domain.sv import sv_number, sv_percent


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # share 0..1; None = suppressed or no data
    note: str = ""  # shown instead of the value when None (e.g. "för få")


def bar_text(bars: Sequence[Bar], goal: float | None) -> str:
    """The chart's data in words, its text alternative."""
    cells = [
        f"{b.label}: {sv_percent(b.value) if b.value is not None else (b.note or 'ingen siffra')}"
        for b in bars
    ]
    goal_text = f" Mål {sv_percent(goal, 0)}." if goal is not None else ""
    return "; ".join(cells) + "." + goal_text


def bar_chart(bars: list[Bar], goal: float | None = None, title: str = "", width: int = 640) -> str:
    """A horizontal bar chart of shares (0..1) with an optional dashed goal line; returns SVG markup."""
    label_w, value_w, row_h, top = 220, 70, 24, 24
    plot_w = width - label_w - value_w
    height = top + row_h * max(len(bars), 1) + 10
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(bar_text(bars, goal))}</desc>",
    ]
    for i, bar in enumerate(bars):
        y = top + i * row_h
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end">{escape(bar.label[:34])}</text>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{plot_w}" height="{row_h - 6}" fill="#eef2f5"/>'
        )
        if bar.value is not None:
            v = min(max(bar.value, 0.0), 1.0)
            below = goal is not None and bar.value < goal
            color = "#a33a00" if below else "#005b8f"
            parts.append(
                f'<rect x="{label_w}" y="{y + 3}" width="{plot_w * v:.1f}" height="{row_h - 6}" '
                f'fill="{color}"/>'
            )
            text = sv_percent(bar.value)
        else:
            text = bar.note or "–"
        parts.append(f'<text x="{label_w + plot_w + 6}" y="{y + 16}">{escape(text)}</text>')
    if goal is not None:
        gx = label_w + plot_w * min(max(goal, 0.0), 1.0)
        parts.append(
            f'<line x1="{gx:.1f}" y1="{top - 6}" x2="{gx:.1f}" y2="{height - 6}" stroke="#1b1b1b" '
            'stroke-dasharray="4 3" stroke-width="2"/>'
        )
        parts.append(
            f'<text x="{gx:.1f}" y="{top - 9}" text-anchor="middle">mål {escape(sv_percent(goal, 0))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def trend_line(
    values: list[tuple[str, float | None]],
    max_value: float,
    title: str,
    width: int = 220,
    height: int = 60,
    cues: tuple[str, str, str] = ("▲ mer besvär", "▼ mindre besvär", "= oförändrat"),
    unit: str = "",
) -> str:
    """A sparkline for one problem area over assessments (higher = more troublesome), with the first and the
    latest date under it, a direction cue (▲ more troublesome, ▼ less, = unchanged) and the values in words
    as its text alternative."""
    pts = [(i, v) for i, (_, v) in enumerate(values) if v is not None]
    plot_h = height
    top = 14 if len(pts) > 1 else 0  # a strip above the plot for the direction cue, clear of the line
    height = top + plot_h + 14
    words = ", ".join(
        f"{label} {sv_number(v, 0) + unit if v is not None else 'inget värde'}" for label, v in values
    )
    parts = [
        f'<svg class="chart spark" role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f"<desc>{escape(words)}</desc>",
        f'<rect x="0" y="{top}" width="{width}" height="{plot_h}" fill="#f6f7f8"/>',
    ]
    n = max(len(values) - 1, 1)
    coords = [
        (6 + (width - 12) * i / n, top + plot_h - 6 - (plot_h - 12) * (v / max_value if max_value else 0))
        for i, v in pts
    ]
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#005b8f" stroke-width="2"/>')
    for x, y in coords:
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#005b8f"/>')
    if values:
        parts.append(f'<text x="2" y="{height - 2}">{escape(values[0][0])}</text>')
        if len(values) > 1:
            parts.append(
                f'<text x="{width - 2}" y="{height - 2}" text-anchor="end">{escape(values[-1][0])}</text>'
            )
    if len(pts) > 1:
        first, last = pts[0][1], pts[-1][1]
        assert first is not None and last is not None
        cue = cues[0] if last > first else cues[1] if last < first else cues[2]
        parts.append(f'<text class="direction" x="{width - 4}" y="11" text-anchor="end">{cue}</text>')
    parts.append("</svg>")
    return "".join(parts)


def ranked_bar_chart(
    bars: Sequence[tuple[str, float | None, str]],
    national: float | None,
    title: str,
    width: int = 680,
) -> str:
    """Horizontal bars ranked by value (per 1 000) with the national rate as a dashed line; suppressed units
    (value None) are listed last with their marker instead of a bar. Returns SVG markup."""
    shown = sorted((b for b in bars if b[1] is not None), key=lambda b: (-(b[1] or 0.0), b[0]))
    hidden = [b for b in bars if b[1] is None]
    ordered = [*shown, *hidden]
    label_w, value_w, row_h, top = 190, 64, 22, 30
    plot_w = width - label_w - value_w
    height = top + row_h * max(len(ordered), 1) + 10
    top_value = max([b[1] or 0.0 for b in shown] + [national or 0.0])
    scale = plot_w / (top_value * 1.05) if top_value > 0 else 0.0
    parts = [
        f'<svg class="chart ranked" role="img" aria-label="{escape(title)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value, note) in enumerate(ordered):
        y = top + i * row_h
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(label[:30])}</text>')
        if value is not None:
            parts.append(
                f'<rect x="{label_w}" y="{y + 3}" width="{value * scale:.1f}" height="{row_h - 6}" '
                f'fill="#005b8f"><title>{escape(label)}: {escape(sv_number(value, 2))}</title></rect>'
            )
            text = sv_number(value, 2)
        else:
            text = note or "–"
        parts.append(f'<text x="{label_w + plot_w + 6}" y="{y + 15}">{escape(text)}</text>')
    if national is not None:
        nx = label_w + national * scale
        parts.append(
            f'<line x1="{nx:.1f}" y1="{top - 4}" x2="{nx:.1f}" y2="{height - 6}" stroke="#a33a00" '
            'stroke-dasharray="5 3" stroke-width="2"/>'
        )
        parts.append(
            f'<text x="{nx:.1f}" y="{top - 10}" text-anchor="middle" class="nat">'
            f"Riket {escape(sv_number(national, 2))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[tuple[int | str, float | None], ...]  # (year or period, percent) ; None = suppressed
    color: str


def trend_text(
    years: Sequence[int | str],
    series: Sequence[Series],
    goal: float | None,
    baseline: float | None = None,
    missing: str = "ingen siffra",
) -> str:
    """The trend's data in words (its text alternative): each series' value per period, the goal and the
    baseline (nuläge)."""
    parts = []
    for s in series:
        points = ", ".join(
            f"{yr} {sv_number(v, 1)} %" if v is not None else f"{yr} {missing}" for yr, v in s.points
        )
        parts.append(f"{s.label}: {points}")
    return (
        "; ".join(parts)
        + "."
        + (f" Mål {sv_number(goal, 0)} %." if goal is not None else "")
        + (f" Nuläge {sv_number(baseline, 1)} %." if baseline is not None else "")
    )


def _round_top(value: float) -> float:
    """The top of a percentage axis: the next round value (1, 2, 5 or 10 times a power of ten, or 2.5 or
    25), never above 100 % when the values are shares of at most 100 %."""
    if value <= 0:
        return 1.0
    if value > 100:
        return 100.0 if value <= 105 else float(math.ceil(value / 10) * 10)
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power + 1e-9:
            return min(step * power, 100.0)
    return 100.0


def trend_chart(
    years: Sequence[int | str],
    series: Sequence[Series],
    goal: float | None,
    title: str,
    width: int = 400,
    *,
    baseline: float | None = None,
    missing: str = "ingen siffra",
) -> str:
    """A small line chart of percentages over the years with the goal level as a dashed line. The scale shows
    both the values and the goal: when the goal lies far above the values, the axis is broken (marked with a
    zigzag) so that low values stay readable and the goal line is still drawn. ``baseline`` (nuläge) is drawn
    as a dotted line. Returns SVG markup with the data in words as its text alternative (``<desc>``)."""
    height, left, top, bottom = 190, 40, 24, 40
    right = 24 if all(isinstance(label, int) for label in years) else 40  # room for "2026 kv. 4"
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for _, v in s.points if v is not None]
    top_value = max([*values, baseline or 0.0], default=0.0)
    broken = goal is not None and top_value > 0 and goal > top_value * 2
    if broken:
        y_max = _round_top(top_value * 1.05)  # the lower band: 0 .. a round value above the highest
        band_h = plot_h * 0.78  # the lower band's height; above it the break and the goal
    else:
        y_max = _round_top(max(top_value, goal or 0.0, 1.0) * 1.05)
        band_h = plot_h
    n = max(len(years) - 1, 1)

    def x(i: int) -> float:
        return left + (plot_w * i / n if len(years) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h - band_h * min(v, y_max) / y_max

    parts = [
        f'<svg class="chart trend" role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f"<desc>{escape(trend_text(years, series, goal, baseline, missing))}</desc>",
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#f6f7f8"/>',
        f'<text x="4" y="{top - 8}">%</text>',
    ]
    for tick in (0.0, y_max / 2, y_max):  # 0, halfway and the top, each labelled, with a faint gridline
        ty = y(tick)
        if tick:
            parts.append(
                f'<line class="grid" x1="{left}" y1="{ty:.1f}" x2="{left + plot_w}" y2="{ty:.1f}" '
                'stroke="#d5d9de" stroke-width="1"/>'
            )
        text = escape(sv_number(tick, 0 if float(tick).is_integer() else 1))
        parts.append(f'<text x="{left - 4}" y="{ty + 4:.1f}" text-anchor="end">{text}</text>')
    for i, year in enumerate(years):
        parts.append(
            f'<text x="{x(i):.1f}" y="{top + plot_h + 15}" text-anchor="middle">{escape(str(year))}</text>'
        )
    if goal is not None:
        if broken:
            by = top + plot_h - band_h - 6  # the break, between the lower band and the goal
            zig = " ".join(f"{left - 6 + k * 4:.1f},{by + (3 if k % 2 else -3):.1f}" for k in range(4))
            parts.append(f'<polyline class="axis-break" points="{zig}" fill="none" stroke="#1b1b1b"/>')
            parts.append(
                f'<line x1="{left}" y1="{by:.1f}" x2="{left + plot_w}" y2="{by:.1f}" stroke="#fff" '
                'stroke-width="3"/>'
            )
            gy: float = top + 8.0
        else:
            gy = y(goal)
        parts.append(
            f'<line class="goal" x1="{left}" y1="{gy:.1f}" x2="{left + plot_w}" y2="{gy:.1f}" '
            'stroke="#1b1b1b" stroke-dasharray="4 3" stroke-width="1.5"/>'
        )
        label = f"mål {sv_number(goal, 0)} %" + (" (axeln bruten)" if broken else "")
        parts.append(f'<text x="{left + plot_w}" y="{gy - 3:.1f}" text-anchor="end">{escape(label)}</text>')
    if baseline is not None:
        base_y = y(baseline)
        parts.append(
            f'<line class="baseline" x1="{left}" y1="{base_y:.1f}" x2="{left + plot_w}" y2="{base_y:.1f}" '
            'stroke="#8a4b00" stroke-dasharray="1 3" stroke-width="2"/>'
            f'<text x="{left + 4}" y="{base_y - 3:.1f}" fill="#8a4b00">'
            f"{escape('nuläge ' + sv_number(baseline, 1) + ' %')}</text>"
        )
    index = {year: i for i, year in enumerate(years)}
    for s in series:
        coords = [(x(index[yr]), y(v)) for yr, v in s.points if v is not None and yr in index]
        if len(coords) > 1:
            path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{s.color}" stroke-width="2"/>')
        for cx, cy in coords:
            parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3" fill="{s.color}"/>')
    for i, s in enumerate(series):
        lx = left + i * 150
        parts.append(
            f'<rect x="{lx}" y="{height - 14}" width="10" height="10" fill="{s.color}"/>'
            f'<text x="{lx + 14}" y="{height - 5}">{escape(s.label[:22])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
