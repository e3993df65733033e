"""Excel for Swedish readers whatever their Excel's language: a literal space every three digits, numeric
years without a separator, numbers kept as numbers."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd

from canrehab.followup.render.xlsx import INT_FORMAT, Sheet, decimal_format, write_workbook


def test_thousands_are_a_literal_space_not_a_locale_tag() -> None:
    # Excel ignores [$-sv-SE] for separators; a literal space groups the digits for every reader, the three
    # sections pick the pattern by size (Excel allows two conditions). Not rendered here: no Excel or
    # LibreOffice on the test machine.
    assert INT_FORMAT == r"[>=1000000]0\ 000\ 000;[>=1000]0\ 000;0"
    assert decimal_format(1) == r"[>=1000000]0\ 000\ 000.0;[>=1000]0\ 000.0;0.0"
    assert "[$-" not in INT_FORMAT and "," not in INT_FORMAT


def test_years_are_numbers_without_separator(tmp_path: Path) -> None:
    df = pd.DataFrame({"year": ["2023", "2024"], "n": ["211649", "<4"]})
    path = tmp_path / "t.xlsx"
    write_workbook([Sheet("T", "Titel", df, {"year": "År", "n": "Antal"}, {"n": 0})], path)
    ws = openpyxl.load_workbook(path)["T"]
    assert ws["A3"].value == 2023 and ws["A3"].number_format == "0"
    assert ws["B3"].value == 211649 and ws["B3"].number_format == INT_FORMAT
    assert ws["B4"].value == "<4"
