"""Render a FHIR Questionnaire (the instrument as data) as an accessible HTML form, and read answers back.

Supports the item types the instruments use: group, display, choice (single, or ``repeats`` as checkboxes),
integer (as a scale of radio buttons when min/max are given by ``minValue``/``maxValue`` extensions or
answerOptions), boolean, string and text. Answers follow ``Assessment.answers``: int for integer options,
the code for coded options, bool, str, or a tuple of codes for repeating choices.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from canrehab.domain.model import AnswerValue

MIN_URL = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_URL = "http://hl7.org/fhir/StructureDefinition/maxValue"


@dataclass(frozen=True)
class Option:
    value: str  # form value
    label: str
    typed: int | str  # value stored in answers


@dataclass(frozen=True)
class Node:
    kind: str  # group | display | choice | multi | boolean | string | text | scale
    link_id: str
    text: str
    depth: int
    required: bool = False
    options: tuple[Option, ...] = field(default_factory=tuple)
    prefix: str = ""


def as_dict(questionnaire: Any) -> dict[str, Any]:
    if isinstance(questionnaire, Mapping):
        return dict(questionnaire)
    for attr in ("model_dump", "dict"):
        fn = getattr(questionnaire, attr, None)
        if callable(fn):
            try:
                return dict(fn(mode="json", exclude_none=True))
            except TypeError:
                return dict(fn())
    raise TypeError(f"not a questionnaire: {type(questionnaire)!r}")


def _ext_int(item: Mapping[str, Any], url: str) -> int | None:
    for ext in item.get("extension", []) or []:
        if ext.get("url") == url:
            for key in ("valueInteger", "valueDecimal"):
                if key in ext:
                    return int(ext[key])
    return None


def _options(item: Mapping[str, Any]) -> tuple[Option, ...]:
    out: list[Option] = []
    for opt in item.get("answerOption", []) or []:
        if "valueCoding" in opt:
            coding = opt["valueCoding"]
            code = str(coding.get("code"))
            out.append(Option(code, str(coding.get("display") or code), code))
        elif "valueInteger" in opt:
            v = int(opt["valueInteger"])
            label = str(v)
            for ext in opt.get("extension", []) or []:
                if "valueString" in ext:
                    label = f"{v} – {ext['valueString']}"
            out.append(Option(str(v), label, v))
        elif "valueString" in opt:
            s = str(opt["valueString"])
            out.append(Option(s, s, s))
    return tuple(out)


def nodes(questionnaire: Any) -> list[Node]:
    q = as_dict(questionnaire)
    return list(_walk(q.get("item", []) or [], 0))


def _walk(items: list[Mapping[str, Any]], depth: int) -> Iterator[Node]:
    for item in items:
        kind = str(item.get("type", "display"))
        link_id = str(item.get("linkId"))
        text = str(item.get("text", ""))
        required = bool(item.get("required", False))
        prefix = str(item.get("prefix", ""))
        if kind == "group":
            yield Node("group", link_id, text, depth, prefix=prefix)
            yield from _walk(item.get("item", []) or [], depth + 1)
            continue
        if kind == "display":
            yield Node("display", link_id, text, depth, prefix=prefix)
        elif kind in ("choice", "coding", "open-choice"):
            yield Node(
                "multi" if item.get("repeats") else "choice",
                link_id,
                text,
                depth,
                required,
                _options(item),
                prefix,
            )
        elif kind in ("integer", "decimal"):
            opts = _options(item)
            lo, hi = _ext_int(item, MIN_URL), _ext_int(item, MAX_URL)
            if not opts and lo is not None and hi is not None and hi - lo <= 20:
                opts = tuple(Option(str(v), str(v), v) for v in range(lo, hi + 1))
            yield Node("scale" if opts else "string", link_id, text, depth, required, opts, prefix)
        elif kind == "boolean":
            yield Node(
                "boolean",
                link_id,
                text,
                depth,
                required,
                (Option("true", "Ja", "true"), Option("false", "Nej", "false")),
                prefix,
            )
        elif kind == "text":
            yield Node("text", link_id, text, depth, required, prefix=prefix)
        else:
            yield Node("string", link_id, text, depth, required, prefix=prefix)
        # Nested items under a question (e.g. "wants to talk to someone").
        yield from _walk(item.get("item", []) or [], depth + 1)


def parse_answers(questionnaire: Any, form: Mapping[str, Any], getlist: Any = None) -> dict[str, AnswerValue]:
    """Answers from submitted form fields named ``q_<linkId>``. Unanswered items are left out."""
    answers: dict[str, AnswerValue] = {}
    for node in nodes(questionnaire):
        name = f"q_{node.link_id}"
        if node.kind in ("group", "display"):
            continue
        if node.kind == "multi":
            raw = list(getlist(name)) if getlist else list(form.get(name) or [])
            allowed = {o.value: o.typed for o in node.options}
            picked = tuple(str(allowed[v]) for v in raw if v in allowed)
            if picked:
                answers[node.link_id] = picked
            continue
        value = form.get(name)
        if value is None or value == "":
            continue
        value = str(value)
        if node.kind == "boolean":
            if value in ("true", "false"):
                answers[node.link_id] = value == "true"
        elif node.kind in ("choice", "scale"):
            for o in node.options:
                if o.value == value:
                    answers[node.link_id] = o.typed
        elif node.kind in ("string", "text"):
            answers[node.link_id] = value.strip()[:2000]
    return answers


def form_value(value: AnswerValue) -> str | list[str]:
    """The HTML form value(s) of a stored answer (to pre-fill a resumed form)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return [str(v) for v in value]
    return str(value)


def labels(questionnaire: Any) -> dict[str, str]:
    """linkId -> item text (for showing troublesome areas by name)."""
    return {n.link_id: n.text for n in nodes(questionnaire)}


SHORT_TEXT_URL = "https://canrehab.example/fhir/StructureDefinition/short-text"


def short_labels(questionnaire: Any) -> dict[str, str]:
    """linkId -> the item's short name where it has one (a question asked as a sentence, e.g. "Röker eller
    snusar du?" is "Tobak (rökning, snus)"), else its text: for lists, trends and the clinician's review."""
    out = labels(questionnaire)

    def walk(items: Any) -> None:
        for item in items or []:
            for ext in item.get("extension") or []:
                if ext.get("url") == SHORT_TEXT_URL and ext.get("valueString"):
                    out[str(item.get("linkId"))] = str(ext["valueString"])
            walk(item.get("item"))

    walk(questionnaire.get("item") if isinstance(questionnaire, Mapping) else None)
    return out


def option_labels(questionnaire: Any) -> dict[str, dict[str, str]]:
    return {n.link_id: {o.value: o.label for o in n.options} for n in nodes(questionnaire) if n.options}


def reshow(
    questionnaire: Any, form: Mapping[str, Any], getlist: Any, message_sv: str, submitted: bool
) -> dict[str, Any]:
    """What a refused form needs to show itself again: the entered values as they were posted, the error,
    and (when it was submitted) the required questions still open, marked inline."""
    entered: dict[str, str | list[str]] = {}
    missing: list[str] = []
    for node in nodes(questionnaire):
        if node.kind in ("group", "display"):
            continue
        name = f"q_{node.link_id}"
        value: str | list[str] = (
            [str(v) for v in getlist(name)] if node.kind == "multi" else str(form.get(name) or "")
        )
        if value:
            entered[node.link_id] = value
        elif node.required and submitted:
            missing.append(node.link_id)
    return {
        "answers": entered,
        "errors": [message_sv],
        "highlight": tuple(missing),
        "missing": [n for n in nodes(questionnaire) if n.link_id in missing],
    }


@dataclass(frozen=True)
class Part:
    """One page of the paged form: a domain (a top-level group) and its questions."""

    key: str
    title: str
    items: tuple[Node, ...]


def parts(items: list[Node]) -> list[Part]:
    """The form paged by domain: each top-level group is one part; questions outside any group (e.g. a
    closing free-text question) make a part "Övrigt" of their own, in questionnaire order."""
    found: list[Part] = []
    current: list[Node] = []
    key, title = "", ""
    for node in items:
        if node.kind == "group" and node.depth == 0:
            if current:
                found.append(Part(key or "start", title or "Frågor", tuple(current)))
            key, title, current = node.link_id, node.text, []
        elif node.depth == 0 and key:  # outside the groups, after them
            if current:
                found.append(Part(key, title, tuple(current)))
            key, title, current = "ovrigt-del", "Övrigt", [node]
        else:
            current.append(node)
    if current:
        found.append(Part(key or "start", title or "Frågor", tuple(current)))
    return found


def _answer_text(value: Any, opts: Mapping[str, str]) -> str:
    if isinstance(value, tuple | list):
        return ", ".join(opts.get(str(v), str(v)) for v in value)
    if isinstance(value, bool):
        return "Ja" if value else "Nej"  # as the options read on the form
    return opts.get(str(form_value(value)), str(value))


@dataclass(frozen=True)
class AnsweredItem:
    question: str
    answer: str
    follow_ups: tuple[tuple[str, str], ...] = ()  # e.g. ("Vill du prata med någon om detta?", "Ja")


def answer_summary(questionnaire: Any, answers: Mapping[str, Any]) -> list[tuple[str, list[AnsweredItem]]]:
    """The given answers in Swedish, in questionnaire order, by part of the form (its domain, as the form
    pages it); a follow-up question ("Vill du prata med någon om detta?") stays with the question it
    follows instead of standing alone (the thank-you page)."""
    q = as_dict(questionnaire)
    item_labels, options = labels(q), option_labels(q)
    out: list[tuple[str, list[AnsweredItem]]] = []
    for part in parts(nodes(q)):
        rows: list[AnsweredItem] = []
        question_depth: int | None = None  # the depth of the question a deeper one follows up
        parent_answered = False
        for node in part.items:
            if node.kind in ("group", "display"):
                continue
            answered = node.link_id in answers
            text = _answer_text(answers[node.link_id], options.get(node.link_id, {})) if answered else ""
            label = item_labels.get(node.link_id, node.link_id)
            if question_depth is not None and node.depth > question_depth:
                if answered and parent_answered:
                    last = rows[-1]
                    rows[-1] = AnsweredItem(last.question, last.answer, (*last.follow_ups, (label, text)))
                elif answered:
                    rows.append(AnsweredItem(label, text))
                continue
            question_depth, parent_answered = node.depth, answered
            if answered:
                rows.append(AnsweredItem(label, text))
        if rows:
            out.append((part.title, rows))
    return out


def first_open_part(questionnaire: Any, answers: Mapping[str, Any]) -> str | None:
    """The key of the first part with a required question not yet answered (where a patient who saved goes
    on), None when every required question is answered."""
    for part in parts(nodes(as_dict(questionnaire))):
        if any(n.required and n.link_id not in answers for n in part.items):
            return part.key
    return None
