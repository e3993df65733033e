"""Printable patient version of the rehabilitation plan (part of Min vårdplan) as a PDF (fpdf2).

The content is the same Jinja template as the printable page (``_plan_document.html``), laid out by fpdf2's
HTML renderer inside the page margins, so the page and the PDF cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from fpdf import FPDF
from jinja2 import Environment

from canrehab.domain.model import RehabPlan
from canrehab.web import format as fmt

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
DOCUMENT_TEMPLATE = "_plan_document.html"


@dataclass(frozen=True)
class Contact:
    role: str  # e.g. "Din kontaktsjuksköterska"
    name: str
    unit: str = ""


def document_context(
    plan: RehabPlan, patient_name: str, contacts: list[Contact], unit_name: str, printed_on: date
) -> dict[str, Any]:
    """What ``_plan_document.html`` shows, for the page and the PDF alike."""
    return {
        "patient_name": patient_name,
        "unit_name": unit_name,
        "status": fmt.status_label(plan.status),
        "latest": plan.versions[-1].created_on if plan.versions else None,
        "contacts": contacts,
        "content": plan.content,
        "printed_on": printed_on,
    }


class _PlanPdf(FPDF):
    family = "Helvetica"

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(self.family, size=9)
        self.cell(0, 8, f"Min vårdplan – rehabiliteringsplan – sida {self.page_no()}", align="C")


def _fonts(pdf: _PlanPdf) -> str:
    regular = FONT_DIR / "DejaVuSans.ttf"
    bold = FONT_DIR / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold))
        pdf.add_font("DejaVu", "I", str(regular))  # the template has no italics; a fallback all the same
        return "DejaVu"
    return "Helvetica"


def plan_pdf(env: Environment, context: dict[str, Any]) -> bytes:
    """The plan document (``document_context``) as an A4 PDF."""
    html = env.get_template(DOCUMENT_TEMPLATE).render(context)
    pdf = _PlanPdf(format="A4")
    pdf.family = _fonts(pdf)
    pdf.set_title("Min vårdplan – rehabiliteringsplan")
    pdf.set_author("canrehab")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font(pdf.family, size=12)
    pdf.write_html(html, font_family=pdf.family, warn_on_tags_not_matching=False)
    return bytes(pdf.output())
