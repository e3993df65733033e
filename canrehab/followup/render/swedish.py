"""Swedish number formatting of the reports' cells (blank for a missing value), on top of the one Swedish
formatter ``canrehab.domain.sv``: decimal comma, non-breaking space as thousands separator."""

from __future__ import annotations

import math

from canrehab.domain.sv import sv_number


def fmt_int(n: int | float | None) -> str:
    """A count; blank (not '–') for a missing value, as the report's cells are."""
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return ""
    return sv_number(int(n), 0)


def fmt_dec(x: float | None, decimals: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return sv_number(float(x), decimals)


def fmt_cell(value: object, decimals: int = 2) -> str:
    """A published table value (int, float, or already a text such as ``<4`` / ``X``) in Swedish format."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else ("ja" if value else "nej")
    if isinstance(value, int):
        return fmt_int(value)
    if isinstance(value, float):
        return fmt_dec(value, decimals)
    text = str(value)
    try:
        if text.lstrip("-").isdigit():
            return fmt_int(int(text))
        if "." in text:
            return fmt_dec(float(text), len(text.split(".")[1]))
    except ValueError:
        return text
    return text
