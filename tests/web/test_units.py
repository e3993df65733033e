"""Unit tests of the web helpers: formatting, throttle, passwords, questionnaire form, PDF, charts."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine

from canrehab.domain.login_backoff import Backoff
from canrehab.domain.model import Goal, PlannedAction, Profession
from canrehab.services.login_throttle import LoginThrottle
from canrehab.services.passwords import hash_password, verify_password
from canrehab.web import charts, format, forms, questionnaire

QUESTIONNAIRE = {
    "resourceType": "Questionnaire",
    "id": "test",
    "item": [
        {
            "linkId": "g1",
            "type": "group",
            "text": "Kropp",
            "item": [
                {
                    "linkId": "fatigue",
                    "type": "choice",
                    "text": "Trötthet",
                    "answerOption": [{"valueInteger": 0}, {"valueInteger": 1}, {"valueInteger": 2}],
                },
                {"linkId": "talk", "type": "boolean", "text": "Vill du prata med någon?"},
            ],
        },
        {
            "linkId": "who",
            "type": "choice",
            "repeats": True,
            "text": "Vem",
            "answerOption": [
                {"valueCoding": {"code": "a", "display": "A"}},
                {"valueCoding": {"code": "b", "display": "B"}},
            ],
        },
        {
            "linkId": "distress",
            "type": "integer",
            "text": "Ångest",
            "extension": [
                {"url": questionnaire.MIN_URL, "valueInteger": 0},
                {"url": questionnaire.MAX_URL, "valueInteger": 10},
            ],
        },
        {"linkId": "other", "type": "text", "text": "Annat"},
    ],
}


def test_swedish_formatting() -> None:
    assert format.sv_number(1234.56) == "1\u00a0234,6"
    assert format.sv_percent(0.823) == "82,3\u00a0%"
    assert format.sv_date(date(2026, 3, 5)) == "2026-03-05"
    assert format.sv_date(date(2026, 3, 5), long=True) == "5 mars 2026"
    assert format.sv_date(None) == "–"
    assert format.level_label(2) == "särskild"
    assert format.label(format.PROFESSION_SV, Profession.PHYSIOTHERAPIST) == "fysioterapeut"


def test_throttle_blocks_after_the_free_failures_and_forgets_after_a_quiet_while(engine: Engine) -> None:
    now = [0.0]
    policies = {"ip": Backoff(free=3, base=10.0, cap=10.0)}
    t = LoginThrottle(engine, policies, forget_after=60, clock=lambda: now[0])
    for _ in range(3):
        assert not t.blocked("ip:1")
        t.fail("ip:1")
    assert t.blocked("ip:1")
    assert not t.blocked("ip:2")
    now[0] = 10.5
    assert not t.blocked("ip:1")
    t.fail("ip:1")
    now[0] = 71.0
    assert not t.blocked("ip:1")


def test_argon2_passwords() -> None:
    h = hash_password("rätt lösen")
    assert h.startswith("$argon2")
    assert verify_password(h, "rätt lösen")
    assert not verify_password(h, "fel")
    assert not verify_password("not-a-hash", "x")


def test_questionnaire_nodes_and_answers() -> None:
    ns = questionnaire.nodes(QUESTIONNAIRE)
    kinds = {n.link_id: n.kind for n in ns}
    assert kinds == {
        "g1": "group",
        "fatigue": "choice",
        "talk": "boolean",
        "who": "multi",
        "distress": "scale",
        "other": "text",
    }
    distress = next(n for n in ns if n.link_id == "distress")
    assert [o.typed for o in distress.options] == list(range(11))
    form = {"q_fatigue": "2", "q_talk": "true", "q_distress": "7", "q_other": "  <b>x</b> ", "q_bogus": "1"}
    answers = questionnaire.parse_answers(
        QUESTIONNAIRE, form, getlist=lambda n: ["a", "zz"] if n == "q_who" else []
    )
    assert answers == {"fatigue": 2, "talk": True, "who": ("a",), "distress": 7, "other": "<b>x</b>"}
    # An option value outside the list is ignored.
    assert questionnaire.parse_answers(QUESTIONNAIRE, {"q_fatigue": "9"}, getlist=lambda n: []) == {}
    assert questionnaire.form_value(("a", "b")) == ["a", "b"]
    assert questionnaire.form_value(True) == "true"


def test_plan_form_round_trip() -> None:
    form = {
        "summary": "Trött",
        "goal_rows": "2",
        "goal_text_0": "Gå 30 min",
        "goal_profession_0": "physiotherapist",
        "goal_date_0": "2026-12-01",
        "goal_text_1": "",
        "action_rows": "1",
        "action_what_0": "Träning",
        "action_when_0": "bad",
        "self_care": "Vila",
        "follow_up_on": "2027-01-10",
        "part_of_min_vardplan": "1",
    }
    content = forms.plan_content(form)
    assert content.goals == (
        Goal(text="Gå 30 min", profession=Profession.PHYSIOTHERAPIST, target_date=date(2026, 12, 1)),
    )
    assert content.actions == (PlannedAction(what="Träning"),)
    assert content.follow_up_on == date(2027, 1, 10)
    assert content.part_of_min_vardplan
    goals, actions = forms.editor_rows(content, extra=2)
    assert len(goals) == 3 and len(actions) == 3


def test_bar_chart_escapes_and_marks_goal() -> None:
    svg = charts.bar_chart(
        [charts.Bar("<script>", 0.5), charts.Bar("Liten", None, "för få")], goal=0.9, title="Andel"
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "mål 90" in svg and "för få" in svg and "50,0" in svg
