"""Printable patient version of the rehabilitation plan (part of Min vårdplan), in plain Swedish (fpdf2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fpdf import FPDF

from canrehab.domain.model import RehabPlan
from canrehab.web import format as fmt

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


@dataclass(frozen=True)
class Contact:
    role: str  # e.g. "Din kontaktsjuksköterska"
    name: str
    unit: str = ""


class _PlanPdf(FPDF):
    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(self._family, size=9)
        self.cell(0, 8, f"Min vårdplan – rehabiliteringsplan – sida {self.page_no()}", align="C")

    _family = "Helvetica"


def _fonts(pdf: _PlanPdf) -> str:
    regular = FONT_DIR / "DejaVuSans.ttf"
    bold = FONT_DIR / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold))
        return "DejaVu"
    return "Helvetica"


def plan_pdf(
    plan: RehabPlan,
    patient_name: str,
    contacts: list[Contact],
    unit_name: str,
    printed_on: date | None = None,
) -> bytes:
    """The plan's current content as a PDF for the patient."""
    pdf = _PlanPdf(format="A4")
    family = _fonts(pdf)
    pdf._family = family
    pdf.set_title("Min vårdplan – rehabiliteringsplan")
    pdf.set_author("canrehab")
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def heading(text: str, size: int = 14) -> None:
        pdf.ln(3)
        pdf.set_font(family, "B", size)
        pdf.multi_cell(width, 8, text)
        pdf.set_font(family, "", 12)

    def para(text: str) -> None:
        pdf.set_font(family, "", 12)
        pdf.multi_cell(width, 7, text or "–")

    heading("Min vårdplan – din rehabiliteringsplan", 18)
    para(f"För: {patient_name}")
    para(f"Mottagning: {unit_name}")
    content = plan.content
    status = fmt.status_label(plan.status)
    latest = plan.versions[-1].created_on if plan.versions else None
    para(
        f"Planens status: {status}" + (f", senast ändrad {fmt.sv_date(latest, long=True)}" if latest else "")
    )

    heading("Dina kontakter")
    if contacts:
        for c in contacts:
            para(f"{c.role}: {c.name}" + (f", {c.unit}" if c.unit else ""))
    else:
        para("Ingen namngiven kontakt är registrerad ännu. Fråga din mottagning.")

    heading("Sammanfattning")
    para(content.summary)

    heading("Dina mål")
    if content.goals:
        for i, g in enumerate(content.goals, 1):
            extra = []
            if g.responsible:
                extra.append(f"ansvarig: {g.responsible}")
            if g.target_date:
                extra.append(f"till {fmt.sv_date(g.target_date, long=True)}")
            para(f"{i}. {g.text}" + (f" ({', '.join(extra)})" if extra else ""))
    else:
        para("Inga mål är skrivna ännu.")

    heading("Det här ska göras")
    if content.actions:
        for a in content.actions:
            extra = []
            if a.who:
                extra.append(a.who)
            if a.profession:
                extra.append(fmt.label(fmt.PROFESSION_SV, a.profession))
            if a.when:
                extra.append(fmt.sv_date(a.when, long=True))
            para(f"• {a.what}" + (f" ({', '.join(extra)})" if extra else ""))
    else:
        para("Inga åtgärder är planerade ännu.")

    heading("Det här kan du göra själv")
    para(content.self_care)

    heading("Uppföljning")
    para(
        f"Planen följs upp {fmt.sv_date(content.follow_up_on, long=True)}."
        if content.follow_up_on
        else "Datum för uppföljning är inte bestämt ännu."
    )

    pdf.ln(4)
    pdf.set_font(family, "", 10)
    pdf.multi_cell(
        width,
        6,
        "Kontakta din kontaktsjuksköterska om du har frågor eller om något förändras. "
        f"Utskriven {fmt.sv_date(printed_on or date.today(), long=True)}.",
    )
    return bytes(pdf.output())
