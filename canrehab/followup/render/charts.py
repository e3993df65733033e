"""Charts with matplotlib (Agg backend, no display): counties ranked per 1 000 with the national rate, and
indicator trends against their goal. Each chart is written as PNG and SVG; texts in Swedish, decimal comma."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter

from canrehab.followup.render.swedish import fmt_dec

BAR = "#3b6e9e"
SUPPRESSED = "#b8b8b8"
NATION = "#c0392b"
GOAL = "#2e8b57"


def _comma(decimals: int) -> FuncFormatter:
    return FuncFormatter(lambda x, _pos: fmt_dec(x, decimals))


def _save(fig: plt.Figure, base: Path) -> tuple[Path, Path]:
    base.parent.mkdir(parents=True, exist_ok=True)
    png, svg = base.with_suffix(".png"), base.with_suffix(".svg")
    # The layout is computed once by the constrained layout engine (no "tight" bbox: one draw per file).
    fig.savefig(png, dpi=110)
    with plt.rc_context({"svg.fonttype": "none"}):  # text stays text: smaller, faster, searchable
        fig.savefig(svg, metadata={"Date": None})
    plt.close(fig)
    return png, svg


def county_ranking(numbers: pd.DataFrame, code: str, title: str, base: Path) -> tuple[Path, Path]:
    """``numbers``: a GeoTable's numbers for one level. Bars sorted by per 1 000; suppressed units shown grey
    without a value; the national rate as a vertical line."""
    df = numbers[numbers["code"] == code]
    nation = df[df["region_code"] == "00"]
    units = df[df["region_code"] != "00"].copy()
    units["hidden"] = (units["state"].fillna("") != "") | (units["total_state"].fillna("") != "")
    units["label"] = [
        "<4" if s == "primary" else "X" if h else ""
        for s, h in zip(units["state"].fillna(""), units["hidden"], strict=True)
    ]
    units["value"] = units["per_1000"].where(~units["hidden"], 0.0).fillna(0.0)
    units = units.sort_values(["value", "region_name"], ascending=[True, False])
    fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(units) + 1.6), layout="constrained")
    colors = [SUPPRESSED if h else BAR for h in units["hidden"]]
    ax.barh(units["region_name"], units["value"], color=colors)
    for y, (v, hidden, label) in enumerate(zip(units["value"], units["hidden"], units["label"], strict=True)):
        ax.text(
            v,
            y,
            "  " + (f"{label} (dold)" if hidden else fmt_dec(v, 2)),
            va="center",
            fontsize=8,
            color="#6b6b6b" if hidden else "black",
        )
    top = float(units["value"].max()) if len(units) else 0.0
    if len(nation) and pd.notna(nation["per_1000"].iloc[0]) and (nation["state"].fillna("").iloc[0] == ""):
        rate = float(nation["per_1000"].iloc[0])
        top = max(top, rate)
        ax.axvline(rate, color=NATION, linestyle="--", linewidth=1.5)
        ax.text(rate, len(units) - 0.4, f" Riket {fmt_dec(rate, 2)}", color=NATION, fontsize=8, va="bottom")
    ax.set_xlim(0, max(top, 0.01) * 1.22)
    ax.xaxis.set_major_formatter(_comma(1))
    ax.set_xlabel("Antal personer per 1 000 cancerpatienter")
    ax.set_title(title, fontsize=10, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    return _save(fig, base)


def indicator_trend(
    results: pd.DataFrame, indicator_id: str, title: str, base: Path, note: str = ""
) -> tuple[Path, Path]:
    """National percent per year (and each RCC, thin lines) against the goal level; ``note`` under the
    plot (e.g. the partly covered years left out)."""
    df = results[results["indicator_id"] == indicator_id]
    fig, ax = plt.subplots(figsize=(7.5, 4.0), layout="constrained")
    for (_code, name), g in df[df["level"] == "rcc"].groupby(["unit_code", "unit_name"]):
        ax.plot(g["year"], g["percent"], marker=".", linewidth=0.8, alpha=0.6, label=name)
    nat = df[df["level"] == "nation"]
    ax.plot(nat["year"], nat["percent"], marker="o", color="black", linewidth=2.2, label="Riket")
    goal = df["goal_percent"].dropna()
    top = float(df["percent"].max()) if df["percent"].notna().any() else 1.0
    if len(goal):
        level = float(goal.iloc[0])
        by = str(df["goal_by"].dropna().iloc[0])[:4]
        label = f"Mål {fmt_dec(level, 0)} % senast {by}"
        if level <= 3 * max(top, 0.1):
            ax.axhline(level, color=GOAL, linestyle="--", linewidth=1.5)
            ax.text(df["year"].min(), level, label, color=GOAL, fontsize=8, va="bottom")
            top = max(top, level)
        else:  # far above the observed values: say so instead of flattening the trend
            ax.text(
                0.01,
                0.97,
                f"{label} (långt över skalan)",
                transform=ax.transAxes,
                color=GOAL,
                fontsize=8,
                va="top",
            )
    ax.set_ylim(0, top * 1.25 if top > 0 else 1)
    ax.yaxis.set_major_formatter(_comma(1))
    ax.set_ylabel("Procent")
    if note:
        ax.set_xlabel(note, fontsize=8, color="#555555")
    ax.set_xticks(sorted(df["year"].unique()))
    ax.set_title(title, fontsize=10, loc="left")
    fig.legend(fontsize=7, ncol=4, frameon=False, loc="outside lower center")
    ax.spines[["top", "right"]].set_visible(False)
    return _save(fig, base)
