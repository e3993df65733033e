"""``canrehab goals``: the shipped (or the region's own) goals, each with its indicator, kind, level, target
date and source."""

from __future__ import annotations

import csv
import io
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from canrehab.followup.goals import GoalFile, default_goals, load_goals, load_indicators

CSV_COLUMNS = ("id", "indicator", "kind", "level", "target_date", "source")


class Format(StrEnum):
    table = "table"
    csv = "csv"


def goal_rows(goals: GoalFile) -> list[dict[str, str]]:
    """One row per goal: level as the source states it, target date ISO (empty where none), source cited."""
    return [
        {
            "id": g.id,
            "indicator": g.indicator,
            "kind": g.kind,
            "level": g.level.text_sv(),
            "target_date": g.target_date.isoformat() if g.target_date else "",
            "source": f"{g.source.document} {g.source.text_sv()}",
        }
        for g in goals.goals
    ]


def goals_csv(goals: GoalFile) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(goal_rows(goals))
    return buf.getvalue()


def goals_cmd(
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Utformat: table eller csv.")] = Format.table,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Regionens egen målfil (YAML) i stället för den medföljande."),
    ] = None,
) -> None:
    """Lista målen med indikator, måttslag, målnivå, måldatum och källa."""
    try:
        goals = default_goals() if file is None else load_goals(file)
        if file is not None:
            goals.check_against(load_indicators(goals=goals))
    except (OSError, ValidationError, ValueError) as exc:
        Console(stderr=True).print(f"Målfilen kunde inte läsas: {exc}")
        raise typer.Exit(2) from exc
    if fmt is Format.csv:
        sys.stdout.write(goals_csv(goals))
        return
    table = Table("Mål", "Indikator", "Måttslag", "Målnivå", "Måldatum", "Källa")
    for row in goal_rows(goals):
        table.add_row(*(row[c] for c in CSV_COLUMNS))
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.command("goals")(goals_cmd)
