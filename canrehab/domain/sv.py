"""Swedish number formatting, the one home for pages, PDFs, charts and reports: decimal comma and a space as
thousands separator ("12 345,6", "82,3 %")."""

from __future__ import annotations

NBSP = "\u00a0"  # a no-break space between digit groups and before "%": a figure never wraps


def sv_number(value: float | int | None, decimals: int = 1, *, thousands: str = NBSP) -> str:
    """12 345,6: decimal comma, ``thousands`` between groups of three digits; ``None`` is a dash. An int with
    ``decimals=0`` is shown as it is."""
    if value is None:
        return "–"
    text = f"{value:,}" if isinstance(value, int) and decimals == 0 else f"{value:,.{decimals}f}"
    return text.replace(",", thousands).replace(".", ",")


def sv_percent(share: float | None, decimals: int = 1, *, thousands: str = NBSP) -> str:
    """A share of 0..1 as a Swedish percentage: 0.823 -> '82,3 %' (a non-breaking space before the sign)."""
    if share is None:
        return "–"
    return f"{sv_number(share * 100, decimals, thousands=thousands)}{NBSP}%"
