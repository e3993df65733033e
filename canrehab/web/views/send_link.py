"""The card with a new personal link on the patient page: the link (wrapping, never widening the page), a
copy button, a QR code to show the patient, and the channels that can send it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import segno

from canrehab.services.notify import NotifySettings


def qr_svg(url: str) -> str:
    """The link as an inline SVG QR code (the patient scans it from the nurse's screen)."""
    svg: str = segno.make(url, error="m").svg_inline(scale=4, title="QR-kod med patientens personliga länk")
    return svg


def link_card(link: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": link["url"],
        "expires": datetime.fromisoformat(link["expires"]),
        "assessment_id": link.get("assessment_id", ""),
        "qr": qr_svg(link["url"]),
        "channels": NotifySettings().available(),
    }
