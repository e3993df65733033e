"""The patient's plan as a PDF: readable (every character inside the page), the same content as the
printable page (one template), with the plan's goals, actions and contacts in the text."""

from __future__ import annotations

import io
import re
from datetime import date

import pdfplumber

from canrehab.domain.model import Goal, PlanContent, PlannedAction, Profession, RehabPlan
from canrehab.web.pages import make_templates
from canrehab.web.pdf import Contact, document_context, plan_pdf

LONG = "Orka gå till affären och tillbaka utan att behöva vila, och bära hem matkassarna själv " * 3


def _plan() -> RehabPlan:
    return RehabPlan(
        patient_id="p",
        pathway_id="w",
        unit_hsa_id="u",
        content=PlanContent(
            summary="Trötthet och oro efter behandlingen; sömnen är störd. " * 4,
            goals=tuple(
                Goal(text=f"Mål {i}: {LONG}", responsible="Eva Ek", target_date=date(2027, 1, i))
                for i in range(1, 8)
            ),
            actions=(
                PlannedAction(
                    what="Konditionsträning två gånger i veckan",
                    who="Per Fys",
                    profession=Profession.PHYSIOTHERAPIST,
                    when=date(2026, 12, 14),
                ),
            ),
            self_care="Promenera varje dag, gärna utomhus.",
            follow_up_on=date(2027, 2, 1),
        ),
    )


def _context() -> dict[str, object]:
    contacts = [Contact("Din kontaktsjuksköterska", "Eva Ek", "Onkologiska kliniken")]
    return document_context(_plan(), "Åsa Öberg", contacts, "Onkologiska kliniken", date(2026, 12, 2))


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def test_every_character_lies_inside_the_page_and_the_goals_are_in_the_text() -> None:
    data = plan_pdf(make_templates().env, _context())
    assert data.startswith(b"%PDF")
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) >= 2  # seven long goals: the text flows onto a second page
        text = ""
        for page in pdf.pages:
            assert page.chars
            outside = [
                c["text"]
                for c in page.chars
                if c["x0"] < 0 or c["x1"] > page.width or c["top"] < 0 or c["bottom"] > page.height
            ]
            assert outside == []
            # inside the margins, not merely inside the paper
            assert min(c["x0"] for c in page.chars) >= 19 * 72 / 25.4
            assert max(c["x1"] for c in page.chars) <= page.width - 19 * 72 / 25.4
            text += page.extract_text() + "\n"
    flat = " ".join(text.split())
    for i in range(1, 8):
        assert f"Mål {i}:" in flat
    assert "Åsa Öberg" in flat and "Eva Ek" in flat and "Konditionsträning" in flat
    assert "1 februari 2027" in flat and "1177" in flat and "112" in flat


def test_the_printable_page_and_the_pdf_say_the_same() -> None:
    env = make_templates().env
    html = env.get_template("_plan_document.html").render(_context())
    page_words = _words(re.sub(r"<[^>]+>", " ", html.replace("&amp;", "&")))
    with pdfplumber.open(io.BytesIO(plan_pdf(env, _context()))) as pdf:
        pdf_text = " ".join(p.extract_text() for p in pdf.pages)
    footer = set(_words("Min vårdplan – rehabiliteringsplan – sida 1 2 3"))
    pdf_words = [w for w in _words(pdf_text) if w not in footer]
    page_words = [w for w in page_words if w not in footer]
    # the same words in the same order; the PDF adds only the numbers of the numbered goals
    extra: list[str] = []
    rest = iter(pdf_words)
    for word in page_words:
        for found in rest:
            if found == word:
                break
            extra.append(found)
        else:
            raise AssertionError(f"{word!r} of the page is missing from the PDF")
    extra.extend(rest)
    assert all(w.isdigit() for w in extra)


def test_an_action_whose_responsible_is_named_by_the_profession_says_it_once() -> None:
    """The demo's plans name the responsible by the profession ("Fysioterapeut"): the PDF read
    "(Fysioterapeut, fysioterapeut, 16 januari 2026)"; a named person keeps the profession beside the name."""
    plan = _plan()
    by_role = PlannedAction(
        what="Individuellt träningsprogram",
        who="Fysioterapeut",
        profession=Profession.PHYSIOTHERAPIST,
        when=date(2026, 1, 16),
    )
    content = plan.content.model_copy(update={"actions": (*plan.content.actions, by_role)})
    context = document_context(
        plan.model_copy(update={"content": content}),
        "Åsa Öberg",
        [],
        "Onkologiska kliniken",
        date(2026, 12, 2),
    )
    with pdfplumber.open(io.BytesIO(plan_pdf(make_templates().env, context))) as pdf:
        flat = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "Individuellt träningsprogram (Fysioterapeut, 16 januari 2026)" in flat
    assert "Konditionsträning två gånger i veckan (Per Fys, fysioterapeut, 14 december 2026)" in flat
