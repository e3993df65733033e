"""Every free-text field shown by the templates is escaped: a <script> typed anywhere comes out as text."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from canrehab.domain.model import (
    Assessment,
    AssessmentStatus,
    Goal,
    Handover,
    HandoverContent,
    KeyMoment,
    NeedsLevel,
    Patient,
    PlanContent,
    PlannedAction,
    RehabPlan,
    Respondent,
    Sex,
    Suggestion,
)
from canrehab.web import forms, questionnaire
from canrehab.web.pages import make_templates

X = '<script>alert("x")</script>'


def render(name: str, **context: Any) -> str:
    env = make_templates().env
    base: dict[str, Any] = {
        "url_for": lambda *_a, **kw: "/static/" + kw.get("path", ""),
        "user": None,
        "csrf_token": "tok",
        "flashes": [{"text": X, "kind": "info"}],
    }
    base.update(context)
    return env.get_template(name).render(base)


def assert_escaped(html: str) -> None:
    assert X not in html
    assert "&lt;script&gt;" in html


PATIENT = Patient(
    personnummer="191212121212", pseudonym="p", name=X, sex=Sex.FEMALE, birth_date=date(1912, 12, 12)
)


def test_plan_editor_escapes_all_free_text() -> None:
    content = PlanContent(
        summary=X, goals=(Goal(text=X, responsible=X),), actions=(PlannedAction(what=X, who=X),), self_care=X
    )
    plan = RehabPlan(patient_id=PATIENT.id, pathway_id="w", unit_hsa_id="u", content=content)
    goals, actions = forms.editor_rows(content)
    html = render(
        "plan_edit.html",
        patient=PATIENT,
        plan=plan,
        content=content,
        goal_rows=goals,
        action_rows=actions,
        pathway_id="w",
        action="/x",
    )
    assert_escaped(html)
    assert html.count("&lt;script&gt;") >= 7


def test_handover_detail_escapes_all_free_text() -> None:
    h = Handover(
        patient_id="p",
        pathway_id="w",
        from_unit_hsa_id="a",
        to_unit_hsa_id="b",
        from_staff_id="s",
        content=HandoverContent(needs=X, wishes=X, plan_summary=X, ongoing_actions=X, disease=X, treatment=X),
        sent_on=date.today(),
        reject_reason=X,
    )
    html = render(
        "handover_detail.html",
        handover=h,
        patient_name=X,
        from_unit=X,
        to_unit=X,
        overdue=False,
        sender_responsible=True,
        is_receiver=True,
    )
    assert_escaped(html)
    assert html.count("&lt;script&gt;") >= 8


def test_assessment_review_and_patient_form_escape_answers_and_reasons() -> None:
    q = {"item": [{"linkId": "other", "type": "text", "text": X}]}
    a = Assessment(
        patient_id="p",
        pathway_id="w",
        unit_hsa_id="u",
        instrument_id="halsoskattning",
        instrument_version="1",
        key_moment=KeyMoment.DIAGNOSIS,
        respondent=Respondent.PATIENT,
        started_on=date.today(),
        answers={"other": X},
        status=AssessmentStatus.CONFIRMED,
        suggestion=Suggestion(troublesome_areas=("other",), reasons=(X,)),
        confirmed_level=NeedsLevel.SPECIAL,
        level_overridden=True,
        override_reason=X,
    )
    html = render(
        "assessment_review.html",
        assessment=a,
        patient=PATIENT,
        instrument_title=X,
        item_labels=questionnaire.labels(q),
        answer_text=lambda k, v: str(v),
        levels=list(NeedsLevel),
        can_confirm=True,
    )
    assert_escaped(html)
    form = render(
        "patient_form.html",
        title=X,
        intro=X,
        items=questionnaire.nodes(q),
        answers={"other": X},
        assessment=a,
        action="/x",
        expires_on=None,
    )
    assert_escaped(form)


@pytest.mark.parametrize("template", ["min_vardplan.html", "handovers.html", "worklist.html", "audit.html"])
def test_list_pages_escape(template: str) -> None:
    plan = RehabPlan(
        patient_id="p",
        pathway_id="w",
        unit_hsa_id="u",
        content=PlanContent(summary=X, goals=(Goal(text=X),), self_care=X),
    )
    h = Handover(
        patient_id="p",
        pathway_id="w",
        from_unit_hsa_id="a",
        to_unit_hsa_id="b",
        from_staff_id="s",
        sent_on=date.today(),
    )
    row = {
        "handover": h,
        "patient_name": X,
        "from_unit": X,
        "to_unit": X,
        "overdue": True,
        "sender_responsible": True,
    }

    class Row:
        patient_id, name, personnummer, process, phase, level = "p", X, X, X, None, None
        items = ({"label": X, "severity": "due", "on": None},)

    from canrehab.services.min_vardplan import Advice, Contact, MinVardplanView, PatientAssociation

    view = MinVardplanView(
        patient_name=X,
        today=date.today(),
        responsible=[Contact(X, X, X)],
        responsible_since=date.today(),
        previous_unit=X,
        kurator=[Contact(X, X, X)],
        plan=plan,
        advice=[Advice(code="DV111", title_sv=X, content_sv=X)],
        assessments=[],
        summary=None,
        summary_unit=X,
        associations=[PatientAssociation(name_sv=X, url="https://example.org")],
    )
    html = render(
        template,
        view=view,
        patient=PATIENT,
        contacts=[{"role": X, "name": X, "unit": X}],
        open_assessments=[],
        plan=plan,
        advice=[],
        assessments=[],
        instrument_titles={},
        inbox=[row],
        outbox=[row],
        rows=[Row()],
        categories=[],
        processes=[],
        unit_names=[X],
        total=1,
        more=False,
        more_total=1,
        filters={"due": "", "process": "", "phase": "", "sort": "", "patient": X, "actor": X},
        filter_url=lambda **kw: "/arbetslista",
        sorts=[],
        today=date.today(),
        events=[
            {
                "at": None,
                "actor": X,
                "actor_name": X + "namn",
                "role": "nurse",
                "action": X,
                "event": X,
                "entity": X,
                "patient_id": X,
                "patient_name": X,
                "outcome": X,
            }
        ],
        choices={"users": [(X, X)], "units": [(X, X)]},
        errors={"fran": X},
        personnummer=X,
        patient_name=X,
        without=lambda key: "/logg",
        csv_url="/logg.csv",
        first_row=1,
        page=1,
    )
    assert_escaped(html)
