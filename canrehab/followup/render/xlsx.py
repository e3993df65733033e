"""One formatted Excel workbook (openpyxl): a sheet per table, Swedish headers, numbers stored as numbers with
number formats, and suppressed cells as the texts ``<4`` / ``X``.

A locale tag such as ``[$-sv-SE]`` does not change separators (Excel always uses the reader's), so the
thousands separator is written into the format as a literal space for every reader (``211 649``, in
English Excel too); the decimal separator of a number cell is always the reader's own (``79,65`` in Swedish
Excel). Years are numbers without a thousands separator (``2024``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

# a space every three digits, for every reader (two conditions: Excel allows no more)
_GROUPED = r"[>=1000000]0\ 000\ 000{d};[>=1000]0\ 000{d};0{d}"
INT_FORMAT = _GROUPED.format(d="")
YEAR_FORMAT = "0"
YEAR_COLUMNS = frozenset({"year", "ar", "år"})


def decimal_format(decimals: int) -> str:
    return _GROUPED.format(d="." + "0" * decimals)


HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")


@dataclass(frozen=True)
class Sheet:
    name: str  # at most 31 characters
    title: str
    frame: pd.DataFrame
    headers: dict[str, str]  # column -> Swedish header
    numeric: dict[str, int]  # numeric columns -> decimals (0: integer); every other column is text
    note: str = ""


def _value(v: object, decimals: int | None) -> tuple[object, str | None]:
    """A cell value and its number format: numbers for numeric columns (unless a suppression text such as
    ``<4``/``X``), text for everything else (codes such as ``01`` stay text)."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None, None
    if isinstance(v, bool):
        return ("ja" if v else "nej"), None
    text = str(v)
    if decimals is None:
        return text, None
    try:
        if decimals == 0:
            return int(float(text)), INT_FORMAT
        return float(text), decimal_format(decimals)
    except ValueError:
        return text, None


def _year(v: object) -> tuple[object, str | None]:
    """A year is a number (sortable, filterable), shown without a thousands separator."""
    try:
        return int(str(v)), YEAR_FORMAT
    except ValueError:
        return _value(v, None)


def write_workbook(sheets: Sequence[Sheet], output: Path) -> None:
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    for sh in sheets:
        ws = wb.create_sheet(sh.name[:31])
        ws.append([sh.title])
        ws["A1"].font = Font(bold=True, size=13)
        columns = [c for c in sh.headers]
        ws.append([sh.headers[c] for c in columns])
        for i in range(1, len(columns) + 1):
            cell = ws.cell(row=2, column=i)
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in sh.frame[columns].itertuples(index=False):
            values = []
            formats = []
            for c, v in zip(columns, row, strict=True):
                if c in YEAR_COLUMNS:
                    val, fmt = _year(v)
                else:
                    val, fmt = _value(v, sh.numeric.get(c))
                values.append(val)
                formats.append(fmt)
            ws.append(values)
            r = ws.max_row
            for i, fmt in enumerate(formats, 1):
                cell = ws.cell(row=r, column=i)
                if fmt:
                    cell.number_format = fmt
                if not isinstance(cell.value, str) or cell.value in ("<4", "X"):
                    cell.alignment = Alignment(horizontal="right")
        if sh.note:
            ws.append([])
            ws.append([sh.note])
        for i, c in enumerate(columns, 1):
            width = max([len(sh.headers[c])] + [len(str(v)) for v in sh.frame[c].head(200)]) + 2
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, width))
        ws.freeze_panes = "A3"
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp.xlsx")
    wb.save(tmp)
    tmp.replace(output)
