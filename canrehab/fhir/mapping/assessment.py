"""Assessment -> QuestionnaireResponse.

Answers are items by linkId. With the instrument's Questionnaire (JSON dict) the items are nested as in the
questionnaire, single choices are ``valueCoding`` and repeating items give a tuple; without it the items are
flat, ``str`` answers are ``valueString`` and tuples are ``valueCoding`` lists. An answered multi-choice item
with nothing chosen (empty tuple) has the ``empty-selection`` extension. The suggestion and the clinician's
confirmation of the needs level are canrehab extensions; the pathway and unit are extension references.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from canrehab.domain.model import (
    AnswerValue,
    Assessment,
    AssessmentStatus,
    KeyMoment,
    Profession,
    Respondent,
    Suggestion,
)
from canrehab.fhir import systems
from canrehab.fhir.mapping.common import (
    Json,
    MappingError,
    as_json,
    clean,
    coding,
    complex_ext,
    expect_type,
    ext,
    ext_one,
    ext_value,
    iso,
    meta_version,
    opt_date,
    parse_date,
    parse_enum,
    ref,
    ref_id,
    require,
    resource_id,
    sub,
    to_model,
    version_of,
)
from canrehab.fhir.mapping.pathway import _one, _sub_values
from canrehab.fhir.mapping.vocab import level_coding, parse_level, profession_label

QR_STATUS = {
    AssessmentStatus.IN_PROGRESS: "in-progress",
    AssessmentStatus.SUBMITTED: "completed",
    AssessmentStatus.CONFIRMED: "completed",
}
CHOICE_TYPES = ("choice", "open-choice")


def instrument_canonical(instrument_id: str, version: str, questionnaire: Json | None = None) -> str:
    """``<Questionnaire.url>|<version>``; the url of the instrument file when given (its id must match)."""
    url = f"{systems.INSTRUMENT_BASE}/{instrument_id}"
    if questionnaire is not None and questionnaire.get("id") == instrument_id and questionnaire.get("url"):
        url = str(questionnaire["url"])
    return f"{url}|{version}"


def parse_canonical(value: str, path: str) -> tuple[str, str]:
    url, sep, version = value.partition("|")
    instrument = url.rstrip("/").rsplit("/", 1)[-1]
    if not sep or not instrument or not version:
        raise MappingError(path, "expected <url>/<instrument id>|<version>")
    return instrument, version


# ---------------------------------------------------------------------------------------------- answers


def _leaf_items(q_items: list[Json]) -> dict[str, Json]:
    out: dict[str, Json] = {}
    for item in q_items:
        out[item["linkId"]] = item
        out.update(_leaf_items(item.get("item", []) or []))
    return out


def _codings(q_item: Json | None) -> dict[str, Json]:
    """code → the Coding (system, code, display) of the item's first answerOption with that code."""
    out: dict[str, Json] = {}
    for opt in (q_item or {}).get("answerOption", []) or []:
        option = opt.get("valueCoding")
        if option and option.get("code") not in out:
            out[option.get("code")] = {k: option[k] for k in ("system", "code", "display") if option.get(k)}
    return out


@dataclass(frozen=True)
class _Index:
    """A Questionnaire's leaf items by linkId and each item's answer codings, computed once per Questionnaire
    object (the Bulk export maps a region's responses to a handful of them; the mappers never change one)."""

    questionnaire: Json  # kept, so that the ids below stay this questionnaire's items'
    leaves: dict[str, Json]
    codings: dict[int, dict[str, Json]]  # id(item) → code → Coding

    def codings_of(self, q_item: Json) -> dict[str, Json]:
        found = self.codings.get(id(q_item))
        return found if found is not None else _codings(q_item)


_INDEXES: dict[int, _Index] = {}
_MAX_INDEXES = 64


def _index(questionnaire: Json) -> _Index:
    found = _INDEXES.get(id(questionnaire))
    if found is not None and found.questionnaire is questionnaire:
        return found

    def walk(items: list[Json]) -> Iterator[Json]:
        for item in items:
            yield item
            yield from walk(item.get("item", []) or [])

    every = list(walk(questionnaire.get("item", []) or []))
    index = _Index(questionnaire, _leaf_items(questionnaire.get("item", []) or []), {})
    index.codings.update((id(item), _codings(item)) for item in every)
    if len(_INDEXES) >= _MAX_INDEXES:
        _INDEXES.clear()
    _INDEXES[id(questionnaire)] = index
    return index


def _answer_item(
    link_id: str, value: AnswerValue, q_item: Json | None, codings: dict[str, Json] | None = None
) -> Json:
    """``codings``: the item's answer codings (``_codings(q_item)``), when already known."""
    item: Json = {"linkId": link_id}
    if q_item is not None and q_item.get("text"):
        item["text"] = q_item["text"]
    if value is None:
        return item
    if isinstance(value, tuple):
        if not value:
            item["extension"] = [ext(systems.EXT_EMPTY_SELECTION, valueBoolean=True)]
        else:
            known = _codings(q_item) if codings is None else codings
            item["answer"] = [{"valueCoding": dict(known.get(v) or {"code": v})} for v in value]
    elif isinstance(value, bool):
        item["answer"] = [{"valueBoolean": value}]
    elif isinstance(value, int):
        item["answer"] = [{"valueInteger": value}]
    elif q_item is not None and q_item.get("type") in CHOICE_TYPES:
        coded = (_codings(q_item) if codings is None else codings).get(value)
        item["answer"] = [{"valueCoding": dict(coded)} if coded is not None else {"valueString": value}]
    else:
        item["answer"] = [{"valueString": value}]
    return item


def _nest(
    q_items: list[Json], answers: Mapping[str, AnswerValue], done: set[str], index: _Index
) -> list[Json]:
    out: list[Json] = []
    for q in q_items:
        link = q["linkId"]
        sub = q.get("item")
        children = _nest(sub, answers, done, index) if sub else []
        if link in answers and q.get("type") != "group":
            item = _answer_item(link, answers[link], q, index.codings_of(q))
            done.add(link)
            if children:  # a question with nested questions: children sit under the answer
                if item.get("answer"):
                    item["answer"][-1]["item"] = children
                else:
                    item["item"] = children
            out.append(item)
        elif children:
            group: Json = {"linkId": link, "item": children}
            if q.get("text"):
                group["text"] = q["text"]
            out.append(group)
    return out


def answers_to_items(answers: Mapping[str, AnswerValue], questionnaire: Json | None = None) -> list[Json]:
    if questionnaire is None:
        return [_answer_item(k, v, None) for k, v in answers.items()]
    index = _index(questionnaire)
    done: set[str] = set()
    items = _nest(questionnaire.get("item", []) or [], answers, done, index)
    leaves = index.leaves
    items += [  # never dropped
        _answer_item(k, v, leaves.get(k), index.codings_of(leaves[k]) if k in leaves else None)
        for k, v in answers.items()
        if k not in done
    ]
    return items


def _value_of(item: Json, q_item: Json | None, path: str) -> AnswerValue:
    answers = item.get("answer") or []
    if not answers:
        if ext_one(item, systems.EXT_EMPTY_SELECTION, path) is not None:
            return ()
        return None
    repeats = q_item.get("repeats") if q_item is not None else None
    values: list[Any] = []
    kinds: set[str] = set()
    for i, a in enumerate(answers):
        keys = [k for k in a if k.startswith("value")]
        if len(keys) != 1:
            raise MappingError(f"{path}.answer[{i}]", "expected exactly one value[x]")
        key = keys[0]
        kinds.add(key)
        if key == "valueCoding":
            code = (a[key] or {}).get("code")
            if not code:
                raise MappingError(f"{path}.answer[{i}].valueCoding.code", "required")
            values.append(str(code))
        elif key in ("valueString", "valueBoolean", "valueInteger"):
            values.append(a[key])
        else:
            raise MappingError(
                f"{path}.answer[{i}]", f"{key} is not supported (string, integer, boolean, Coding)"
            )
    if kinds == {"valueCoding"}:
        if repeats is False or (repeats is None and q_item is not None and len(values) == 1):
            if len(values) > 1:
                raise MappingError(path, "more than one answer to a question that does not repeat")
            return str(values[0])
        return tuple(values)
    if len(values) > 1:
        raise MappingError(path, "more than one answer is only supported for Coding answers")
    value: AnswerValue = values[0]
    return value


def items_to_answers(
    items: list[Json], questionnaire: Json | None = None, path: str = "item"
) -> dict[str, AnswerValue]:
    leaves = _leaf_items(questionnaire.get("item", []) or []) if questionnaire else {}
    out: dict[str, AnswerValue] = {}

    def walk(nodes: list[Json], prefix: str) -> None:
        for i, node in enumerate(nodes):
            p = f"{prefix}[{i}]"
            link = node.get("linkId")
            if not isinstance(link, str) or not link:
                raise MappingError(f"{p}.linkId", "required")
            q_item = leaves.get(link)
            is_group = (q_item is not None and q_item.get("type") == "group") or (
                q_item is None
                and node.get("item")
                and not node.get("answer")
                and ext_one(node, systems.EXT_EMPTY_SELECTION, p) is None
            )
            if not is_group:
                if link in out:
                    raise MappingError(f"{p}.linkId", f"answered twice: {link}")
                out[link] = _value_of(node, q_item, p)
            walk(node.get("item", []) or [], f"{p}.item")
            for j, a in enumerate(node.get("answer", []) or []):
                walk(a.get("item", []) or [], f"{p}.answer[{j}].item")

    walk(items, path)
    return out


# ---------------------------------------------------------------------------------------------- extensions


def _suggestion_ext(s: Suggestion) -> Json:
    return complex_ext(
        systems.EXT_SUGGESTION,
        *[sub("troublesomeArea", valueString=v) for v in s.troublesome_areas],
        *[sub("wantsToTalk", valueString=v) for v in s.wants_to_talk],
        *[sub("advice", valueCoding=coding(systems.KVA, v)) for v in s.advice_codes],
        *[
            sub("profession", valueCoding=coding(systems.CS_PROFESSION, p.value, profession_label(p)))
            for p in s.professions
        ],
        sub("level", valueCoding=level_coding(s.level)),
        *[sub("reason", valueString=r) for r in s.reasons],
    )


def _suggestion(data: Json, path: str) -> Suggestion | None:
    found = ext_one(data, systems.EXT_SUGGESTION, path)
    if found is None:
        return None
    p = f"{path}.extension('needs-suggestion')"
    parts = _sub_values(found)
    return Suggestion(
        troublesome_areas=tuple(str(v) for v in parts.get("troublesomeArea", [])),
        wants_to_talk=tuple(str(v) for v in parts.get("wantsToTalk", [])),
        advice_codes=tuple(str(v.get("code")) for v in parts.get("advice", [])),
        professions=tuple(parse_enum(Profession, v.get("code"), p) for v in parts.get("profession", [])),
        level=parse_level(_one(parts, "level", p, required=True), p),
        reasons=tuple(str(v) for v in parts.get("reason", [])),
    )


def _confirmation_ext(a: Assessment) -> Json | None:
    if (
        a.confirmed_level is None
        and a.confirmed_by is None
        and not a.level_overridden
        and not a.override_reason
    ):
        return None
    return complex_ext(
        systems.EXT_CONFIRMED_LEVEL,
        sub("level", valueCoding=level_coding(a.confirmed_level) if a.confirmed_level is not None else None),
        sub("on", valueDate=iso(a.confirmed_on)),
        sub("by", valueReference=ref("PractitionerRole", a.confirmed_by) if a.confirmed_by else None),
        sub("overridden", valueBoolean=a.level_overridden),
        sub("reason", valueString=a.override_reason or None),
    )


# ---------------------------------------------------------------------------------------------- resource


def questionnaire_response_json(assessment: Assessment, questionnaire: Json | None = None) -> Json:
    a = assessment
    extensions = [
        ext(systems.EXT_PATHWAY, valueReference=ref("EpisodeOfCare", a.pathway_id)),
        ext(systems.EXT_CARE_UNIT, valueReference=ref("Organization", a.unit_hsa_id)),
        ext(systems.EXT_KEY_MOMENT, valueCoding=coding(systems.CS_KEY_MOMENT, a.key_moment.value)),
        ext(systems.EXT_RESPONDENT, valueCoding=coding(systems.CS_RESPONDENT, a.respondent.value)),
        ext(systems.EXT_ASSESSMENT_STATUS, valueCoding=coding(systems.CS_ASSESSMENT_STATUS, a.status.value)),
        ext(systems.EXT_STARTED, valueDate=iso(a.started_on)),
    ]
    if a.suggestion is not None:
        extensions.append(_suggestion_ext(a.suggestion))
    confirmation = _confirmation_ext(a)
    if confirmation is not None:
        extensions.append(confirmation)
    data = {
        "resourceType": "QuestionnaireResponse",
        "id": a.id,
        "meta": meta_version(a.version),
        "extension": extensions,
        "questionnaire": instrument_canonical(a.instrument_id, a.instrument_version, questionnaire),
        "status": QR_STATUS[a.status],
        "subject": ref("Patient", a.patient_id),
        "authored": iso(a.submitted_on),
        "source": ref("Patient", a.patient_id) if a.respondent is Respondent.PATIENT else None,
        "item": answers_to_items(a.answers, questionnaire),
    }
    return clean(data)


def questionnaire_response_to_fhir(
    assessment: Assessment, questionnaire: Json | None = None
) -> QuestionnaireResponse:
    model: QuestionnaireResponse = to_model(questionnaire_response_json(assessment, questionnaire))  # type: ignore[assignment]
    return model


def assessment_from_fhir(resource: Any, questionnaire: Json | None = None) -> Assessment:
    data = as_json(resource)
    expect_type(data, "QuestionnaireResponse")
    path = "QuestionnaireResponse"
    instrument, version = parse_canonical(str(require(data, "questionnaire", path)), f"{path}.questionnaire")

    def coded(url: str, name: str) -> Any:
        value = ext_value(data, url, "valueCoding", path)
        if value is None:
            raise MappingError(f"{path}.extension('{name}')", "required")
        return value.get("code")

    status_ext = ext_value(data, systems.EXT_ASSESSMENT_STATUS, "valueCoding", path)
    if status_ext is not None:
        status = parse_enum(
            AssessmentStatus, status_ext.get("code"), f"{path}.extension('assessment-status')"
        )
    else:
        status = {"in-progress": AssessmentStatus.IN_PROGRESS, "completed": AssessmentStatus.SUBMITTED}.get(
            str(data.get("status"))
        ) or parse_enum(AssessmentStatus, data.get("status"), f"{path}.status")
    if QR_STATUS[status] != data.get("status"):
        raise MappingError(
            f"{path}.status", f"{data.get('status')!r} does not agree with assessment status {status}"
        )
    level = by = on = None
    overridden = False
    reason = ""
    confirmed = ext_one(data, systems.EXT_CONFIRMED_LEVEL, path)
    if confirmed is not None:
        p = f"{path}.extension('confirmed-needs-level')"
        parts = _sub_values(confirmed)
        raw_level = _one(parts, "level", p)
        level = parse_level(raw_level, p) if raw_level is not None else None
        raw_by = _one(parts, "by", p)
        by = ref_id(raw_by, "PractitionerRole", p) if raw_by is not None else None
        on = opt_date(_one(parts, "on", p), p)
        overridden = bool(_one(parts, "overridden", p))
        reason = str(_one(parts, "reason", p) or "")
    started = ext_value(data, systems.EXT_STARTED, "valueDate", path) or data.get("authored")
    if started is None:
        raise MappingError(f"{path}.extension('started')", "the start date (or authored) is required")
    return Assessment(
        id=resource_id(data),
        patient_id=ref_id(data.get("subject"), "Patient", f"{path}.subject"),
        pathway_id=ref_id(
            ext_value(data, systems.EXT_PATHWAY, "valueReference", path),
            "EpisodeOfCare",
            f"{path}.extension('pathway')",
        ),
        unit_hsa_id=ref_id(
            ext_value(data, systems.EXT_CARE_UNIT, "valueReference", path),
            "Organization",
            f"{path}.extension('care-unit')",
        ),
        instrument_id=instrument,
        instrument_version=version,
        key_moment=parse_enum(
            KeyMoment, coded(systems.EXT_KEY_MOMENT, "key-moment"), f"{path}.extension('key-moment')"
        ),
        respondent=parse_enum(
            Respondent, coded(systems.EXT_RESPONDENT, "respondent"), f"{path}.extension('respondent')"
        ),
        started_on=parse_date(started, f"{path}.extension('started')"),
        submitted_on=opt_date(data.get("authored"), f"{path}.authored"),
        answers=items_to_answers(data.get("item", []) or [], questionnaire, f"{path}.item"),
        status=status,
        suggestion=_suggestion(data, path),
        confirmed_level=level,
        level_overridden=overridden,
        override_reason=reason,
        confirmed_by=by,
        confirmed_on=on,
        version=version_of(data),
    )


def advice_given_from_fhir(resource: Any) -> tuple[str, ...]:
    """The simple-advice KVÅ codes (DV111, DV121, DV131, DV141) the clinician gave when confirming: the
    ``advice`` parts (valueCoding) of the confirmed-needs-level extension. Like the web's confirm form, they
    are not part of the assessment; the confirmation records them as KVÅ records (Procedure)."""
    data = as_json(resource)
    confirmed = ext_one(data, systems.EXT_CONFIRMED_LEVEL, "QuestionnaireResponse")
    if confirmed is None:
        return ()
    codes = [str((v or {}).get("code", "")) for v in _sub_values(confirmed).get("advice", [])]
    return tuple(dict.fromkeys(code for code in codes if code))
