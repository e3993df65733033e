"""Machine-facing CSV: UTF-8, comma separated, decimal point, one header line."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd


def to_csv_text(df: pd.DataFrame) -> str:
    return df.to_csv(index=False, lineterminator="\n")


def write_csv(df: pd.DataFrame, output: Path | None) -> None:
    text = to_csv_text(df)
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(output)
