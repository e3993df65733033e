"""Human-facing formats: Swedish numbers, Excel workbook, charts."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd

from canrehab.followup.render import charts
from canrehab.followup.render.swedish import fmt_cell, fmt_dec, fmt_int
from canrehab.followup.render.xlsx import Sheet, write_workbook


def test_swedish_numbers() -> None:
    assert fmt_int(211649) == "211\u00a0649"
    assert fmt_dec(79.65) == "79,65"
    assert fmt_dec(1234.5, 1) == "1\u00a0234,5"
    assert fmt_cell("<4") == "<4" and fmt_cell("X") == "X"
    assert fmt_cell("20.47") == "20,47"
    assert fmt_cell("4333") == "4\u00a0333"


def test_workbook_keeps_numbers_numeric_and_suppressed_cells_as_text(tmp_path: Path) -> None:
    df = pd.DataFrame({"n": ["12", "<4"], "rate": ["1.25", "X"], "code": ["01", "25"]})
    path = tmp_path / "t.xlsx"
    headers = {"n": "Antal", "rate": "Per 1 000", "code": "Kod"}
    write_workbook([Sheet("T", "Titel", df, headers, {"n": 0, "rate": 2})], path)
    ws = openpyxl.load_workbook(path)["T"]
    assert ws["A1"].value == "Titel"
    assert [ws["A2"].value, ws["B2"].value, ws["C2"].value] == ["Antal", "Per 1 000", "Kod"]
    assert ws["A3"].value == 12 and ws["B3"].value == 1.25
    assert ws["B3"].number_format.endswith("0.00") and "0\\ 000" in ws["A3"].number_format
    assert ws["A4"].value == "<4" and ws["B4"].value == "X"
    assert ws["C3"].value == "01"  # codes stay text


def test_county_chart_is_written_as_png_and_svg(tmp_path: Path) -> None:
    numbers = pd.DataFrame(
        {
            "region_code": ["01", "03", "00"],
            "region_name": ["Stockholm", "Uppsala", "Totalt"],
            "code": ["AW020"] * 3,
            "patients": [50, 2, 52],
            "total": [1000, 500, 1500],
            "per_1000": [50.0, 4.0, 34.67],
            "state": ["", "primary", ""],
            "total_state": ["", "", ""],
        }
    )
    png, svg = charts.county_ranking(numbers, "AW020", "AW020", tmp_path / "c")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text
