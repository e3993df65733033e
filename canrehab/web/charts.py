"""Inline SVG charts (no JavaScript): horizontal bars of shares against a goal level."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from canrehab.web.format import sv_percent


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # share 0..1; None = suppressed or no data
    note: str = ""  # shown instead of the value when None (e.g. "för få")


def bar_chart(bars: list[Bar], goal: float | None = None, title: str = "", width: int = 640) -> str:
    """A horizontal bar chart of shares (0..1) with an optional dashed goal line; returns SVG markup."""
    label_w, value_w, row_h, top = 220, 70, 24, 24
    plot_w = width - label_w - value_w
    height = top + row_h * max(len(bars), 1) + 10
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
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
    values: list[tuple[str, float | None]], max_value: float, title: str, width: int = 220, height: int = 60
) -> str:
    """A small line chart for one problem area over assessments (higher = more troublesome)."""
    pts = [(i, v) for i, (_, v) in enumerate(values) if v is not None]
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f6f7f8"/>',
    ]
    n = max(len(values) - 1, 1)
    coords = [
        (6 + (width - 12) * i / n, height - 6 - (height - 12) * (v / max_value if max_value else 0))
        for i, v in pts
    ]
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#005b8f" stroke-width="2"/>')
    for x, y in coords:
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#005b8f"/>')
    parts.append("</svg>")
    return "".join(parts)
