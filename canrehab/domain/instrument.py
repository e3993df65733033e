"""Assessment instruments as data: a pure model built from a FHIR R4 ``Questionnaire`` resource (a dict), and
the validation of answers against it.

Supported item types: ``group`` (a domain such as Fysiskt or Psykiskt, or a sub-group), ``display``,
``choice`` (answerOption ``valueCoding`` / ``valueInteger`` / ``valueString``; ``repeats`` for several),
``integer`` (range from the ``minValue``/``maxValue`` extensions), ``boolean``, ``string`` and ``text``.
A question may carry sub-questions (e.g. ``trotthet.talk``: "Vill du prata med någon om detta?").

Normalised answers (``Assessment.answers``): the option code (str) for a coded choice, the int for an integer
option or integer item, a tuple of codes for a repeating choice, bool, or stripped str.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from canrehab.domain.definitions import DefinitionError
from canrehab.domain.errors import DomainError
from canrehab.domain.model import AnswerValue

ORDINAL_URLS = (
    "http://hl7.org/fhir/StructureDefinition/ordinalValue",
    "http://hl7.org/fhir/StructureDefinition/iso21090-CO-value",
)
# An answer option marked with this extension (valueBoolean true) means "ej aktuellt": the question does not
# apply to the respondent (no stoma, no children). It has no ordinal: scoring and decision support treat it as
# no need, never as the most troublesome answer.
NOT_APPLICABLE_URL = "https://canrehab.example/fhir/StructureDefinition/not-applicable"
# A short name for a question asked as a sentence (the lifestyle questions: "Röker eller snusar du?" is
# "Tobak (rökning, snus)" in the decision support's reasons and in summaries).
SHORT_TEXT_URL = "https://canrehab.example/fhir/StructureDefinition/short-text"
# The kind of instrument (a Questionnaire-level extension, valueCode): "needs-assessment" (the default: the
# Hälsoskattning family, with decision support, a suggested needs level and the clinician's confirmation) or
# "prem" (a patient-reported experience measure: no decision support, no level, no confirmation; its answers
# feed the PREM indicators only).
INSTRUMENT_KIND_URL = "https://canrehab.example/fhir/StructureDefinition/instrument-kind"
MIN_URL = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_URL = "http://hl7.org/fhir/StructureDefinition/maxValue"
MAX_TEXT_LENGTH = 2000
_INTEGER = re.compile(r"-?[0-9]{1,9}")


class InstrumentKind(StrEnum):
    NEEDS_ASSESSMENT = "needs-assessment"
    PREM = "prem"


class ItemKind(StrEnum):
    CHOICE = "choice"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    STRING = "string"


@dataclass(frozen=True)
class AnswerOptionDef:
    code: str
    display: str
    ordinal: int
    value: int | str  # the normalised answer value: the code, or the int of a valueInteger option
    not_applicable: bool = False  # "ej aktuellt" (NOT_APPLICABLE_URL): no ordinal, no need


@dataclass(frozen=True)
class Item:
    link_id: str
    text: str
    kind: ItemKind
    required: bool = False
    options: tuple[AnswerOptionDef, ...] = ()
    repeats: bool = False
    group: str | None = None  # top-level group (domain) linkId
    parent: str | None = None  # enclosing group or question linkId
    min_value: int | None = None
    max_value: int | None = None
    short_text: str = ""  # SHORT_TEXT_URL, else the text

    @property
    def label(self) -> str:
        return self.short_text or self.text

    def option(self, value: object) -> AnswerOptionDef | None:
        for o in self.options:
            if o.value == value or o.code == value:
                return o
        return None


@dataclass(frozen=True)
class Group:
    link_id: str
    text: str
    parent: str | None = None
    items: tuple[str, ...] = ()  # linkIds of the questions inside it (at any depth)


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    title: str
    name: str = ""
    url: str = ""
    groups: tuple[Group, ...] = ()
    items: tuple[Item, ...] = ()
    kind: InstrumentKind = InstrumentKind.NEEDS_ASSESSMENT
    by_link_id: dict[str, Item] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_link_id.update({i.link_id: i for i in self.items})

    def item(self, link_id: str) -> Item | None:
        return self.by_link_id.get(link_id)

    @property
    def decision_support(self) -> bool:
        """Whether the instrument has decision-support rules, a suggested level and a confirmation (the
        Hälsoskattning family); a PREM has none of them."""
        return self.kind is InstrumentKind.NEEDS_ASSESSMENT

    def group(self, link_id: str) -> Group | None:
        return next((g for g in self.groups if g.link_id == link_id), None)

    @property
    def domains(self) -> tuple[Group, ...]:
        """Top-level groups (Fysiskt, Psykiskt, ...)."""
        return tuple(g for g in self.groups if g.parent is None)

    @classmethod
    def from_questionnaire(cls, data: Mapping[str, Any]) -> Instrument:
        return _Parser().parse(data)


class _Parser:
    def __init__(self) -> None:
        self.items: list[Item] = []
        self.groups: list[Group] = []
        self.seen: set[str] = set()

    def fail(self, where: str, message: str) -> DefinitionError:
        return DefinitionError(f"{where}: {message}")

    def parse(self, data: Mapping[str, Any]) -> Instrument:
        if data.get("resourceType") != "Questionnaire":
            raise self.fail("resourceType", "must be 'Questionnaire'")
        for key in ("id", "version", "title"):
            if not isinstance(data.get(key), str) or not data[key].strip():
                raise self.fail(key, "is required (a non-empty string)")
        raw_items = data.get("item")
        if not isinstance(raw_items, list) or not raw_items:
            raise self.fail("item", "the questionnaire has no items")
        self._walk(raw_items, "item", group=None, parent=None)
        if not self.items:
            raise self.fail("item", "the questionnaire has no answerable items")
        return Instrument(
            kind=self._kind(data),
            id=data["id"],
            version=data["version"],
            title=data["title"],
            name=str(data.get("name", "")),
            url=str(data.get("url", "")),
            groups=tuple(self.groups),
            items=tuple(self.items),
        )

    def _kind(self, data: Mapping[str, Any]) -> InstrumentKind:
        found = [
            e
            for e in data.get("extension") or []
            if isinstance(e, Mapping) and e.get("url") == INSTRUMENT_KIND_URL
        ]
        if not found:
            return InstrumentKind.NEEDS_ASSESSMENT
        if len(found) > 1:
            raise self.fail("extension", f"{INSTRUMENT_KIND_URL} is given more than once")
        value = found[0].get("valueCode")
        try:
            return InstrumentKind(str(value))
        except ValueError:
            allowed = ", ".join(k.value for k in InstrumentKind)
            raise self.fail("extension", f"instrument kind {value!r} is not one of {allowed}") from None

    def _walk(self, raw: list[Any], path: str, group: str | None, parent: str | None) -> list[str]:
        """Parse items; returns the linkIds of the questions found (at any depth)."""
        questions: list[str] = []
        for n, item in enumerate(raw):
            where = f"{path}[{n}]"
            if not isinstance(item, Mapping):
                raise self.fail(where, "must be an object")
            link_id = item.get("linkId")
            if not isinstance(link_id, str) or not link_id:
                raise self.fail(where, "linkId is required")
            where = f"{where} (linkId {link_id})"
            if link_id in self.seen:
                raise self.fail(where, "linkId is used twice")
            self.seen.add(link_id)
            kind = item.get("type")
            text = str(item.get("text", ""))
            children = item.get("item") or []
            if kind == "group":
                inner = self._walk(children, f"{where}.item", group or link_id, link_id)
                self.groups.append(Group(link_id=link_id, text=text, parent=parent, items=tuple(inner)))
                questions.extend(inner)
                continue
            if kind == "display":
                continue
            question = self._question(item, where, link_id, text, kind, group, parent)
            short = next(
                (
                    str(e.get("valueString", ""))
                    for e in item.get("extension") or []
                    if e.get("url") == SHORT_TEXT_URL
                ),
                "",
            )
            self.items.append(replace(question, short_text=short) if short else question)
            questions.append(link_id)
            questions.extend(self._walk(children, f"{where}.item", group, link_id))
        # Groups are appended after their children: keep questionnaire order for the outer ones.
        return questions

    def _question(
        self,
        item: Mapping[str, Any],
        where: str,
        link_id: str,
        text: str,
        kind: Any,
        group: str | None,
        parent: str | None,
    ) -> Item:
        required = bool(item.get("required", False))
        repeats = bool(item.get("repeats", False))
        if kind in ("choice", "open-choice", "coding"):
            options = self._options(item, where)
            if not options:
                raise self.fail(where, "a choice item needs answerOption")
            return Item(link_id, text, ItemKind.CHOICE, required, options, repeats, group, parent)
        if kind == "integer":
            lo, hi = _ext_int(item, MIN_URL), _ext_int(item, MAX_URL)
            if lo is not None and hi is not None and lo > hi:
                raise self.fail(where, "minValue is greater than maxValue")
            options = self._options(item, where)
            return Item(link_id, text, ItemKind.INTEGER, required, options, False, group, parent, lo, hi)
        if kind == "boolean":
            return Item(link_id, text, ItemKind.BOOLEAN, required, (), False, group, parent)
        if kind in ("string", "text"):
            return Item(link_id, text, ItemKind.STRING, required, (), False, group, parent)
        raise self.fail(
            where, f"item type {kind!r} is not supported (choice, integer, boolean, string, text)"
        )

    def _options(self, item: Mapping[str, Any], where: str) -> tuple[AnswerOptionDef, ...]:
        out: list[AnswerOptionDef] = []
        for n, opt in enumerate(item.get("answerOption") or []):
            if "valueCoding" in opt:
                coding = opt["valueCoding"]
                code = coding.get("code")
                if not isinstance(code, str) or not code:
                    raise self.fail(f"{where}.answerOption[{n}]", "valueCoding.code is required")
                display = str(coding.get("display") or code)
                if _not_applicable(coding):
                    if _ordinal(coding) is not None:
                        raise self.fail(
                            f"{where}.answerOption[{n}]", "an 'ej aktuellt' option has no ordinal"
                        )
                    out.append(AnswerOptionDef(code, display, -1, code, not_applicable=True))
                    continue
                ordinal = _ordinal(coding)
                if ordinal is None:
                    ordinal = int(code) if _INTEGER.fullmatch(code) else n
                out.append(AnswerOptionDef(code, display, ordinal, code))
            elif "valueInteger" in opt:
                v = int(opt["valueInteger"])
                out.append(AnswerOptionDef(str(v), str(v), v, v))
            elif "valueString" in opt:
                s = str(opt["valueString"])
                out.append(AnswerOptionDef(s, s, n, s))
            else:
                raise self.fail(
                    f"{where}.answerOption[{n}]",
                    "only valueCoding, valueInteger and valueString are supported",
                )
        codes = [o.code for o in out]
        if len(set(codes)) != len(codes):
            raise self.fail(where, "answerOption codes must be distinct")
        return tuple(out)


def _ext_int(item: Mapping[str, Any], url: str) -> int | None:
    for ext in item.get("extension") or []:
        if ext.get("url") == url:
            for key in ("valueInteger", "valueDecimal"):
                if key in ext:
                    return int(ext[key])
    return None


def _not_applicable(coding: Mapping[str, Any]) -> bool:
    return any(
        ext.get("url") == NOT_APPLICABLE_URL and ext.get("valueBoolean") is True
        for ext in coding.get("extension") or []
    )


def _ordinal(coding: Mapping[str, Any]) -> int | None:
    for ext in coding.get("extension") or []:
        if ext.get("url") in ORDINAL_URLS and "valueDecimal" in ext:
            return int(ext["valueDecimal"])
    return None


# ------------------------------------------------------------------------------------------- answers


def _invalid(item_text: str, link_id: str, why_sv: str, why_en: str) -> DomainError:
    label = f"”{item_text}” ({link_id})" if item_text else link_id
    return DomainError(
        "assessment.answer_invalid",
        f"Svaret på frågan {label} är ogiltigt: {why_sv}.",
        f"answer to {link_id} is invalid: {why_en}",
    )


def _normalise(item: Item, value: object) -> AnswerValue:
    bad = lambda sv, en: _invalid(item.text, item.link_id, sv, en)  # noqa: E731
    if item.kind is ItemKind.BOOLEAN:
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        raise bad("svaret ska vara ja eller nej", f"expected a boolean, got {type(value).__name__}")
    if item.kind is ItemKind.STRING:
        if not isinstance(value, str):
            raise bad("svaret ska vara text", f"expected text, got {type(value).__name__}")
        if len(value) > MAX_TEXT_LENGTH:
            raise bad(f"texten är längre än {MAX_TEXT_LENGTH} tecken", "text too long")
        return value.strip()
    if item.kind is ItemKind.INTEGER:
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
            number = int(value.strip())
        if number is None:
            raise bad("svaret ska vara ett heltal", f"expected an integer, got {type(value).__name__}")
        lo, hi = item.min_value, item.max_value
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            rng = f"{lo if lo is not None else '…'}–{hi if hi is not None else '…'}"
            raise bad(f"{number} ligger utanför skalan {rng}", f"{number} outside {rng}")
        if item.options and item.option(number) is None:
            raise bad(f"{number} är inget av svarsalternativen", f"{number} is not an answer option")
        return number
    # choice
    if item.repeats:
        if isinstance(value, str | int) and not isinstance(value, bool):
            value = (value,)
        if not isinstance(value, Sequence) or isinstance(value, str):
            raise bad("svaret ska vara en lista med alternativ", "expected a list of options")
        picked: list[str] = []
        for v in value:
            option = _choice_option(item, v)
            if option is None:
                raise bad(f"{v!r} är inget av svarsalternativen", f"{v!r} is not an answer option")
            if option.code not in picked:
                picked.append(option.code)
        return tuple(picked)
    option = _choice_option(item, value)
    if option is None:
        shown = repr(value) if isinstance(value, str | int) else type(value).__name__
        raise bad(f"{shown} är inget av svarsalternativen", f"{shown} is not an answer option")
    return option.value


def _choice_option(item: Item, value: object) -> AnswerOptionDef | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return item.option(value) or item.option(str(value))
    if isinstance(value, str):
        return item.option(value.strip())
    return None


def validate_answers(instrument: Instrument, answers: Mapping[str, object]) -> dict[str, AnswerValue]:
    """Check every answer against the instrument and return them normalised.

    ``None`` (and an empty text or empty selection) means "not answered" and is left out of the result.
    Raises ``assessment.answer_invalid`` naming the linkId and the reason for the first bad answer.
    """
    out: dict[str, AnswerValue] = {}
    for link_id, value in answers.items():
        item = instrument.item(link_id)
        if item is None:
            kind_sv = "en rubrik" if instrument.group(link_id) else "okänd i formuläret"
            raise _invalid(
                "",
                link_id,
                f"frågan är {kind_sv} ({instrument.title} {instrument.version})",
                "not a question of this instrument",
            )
        if value is None:
            continue
        normal = _normalise(item, value)
        if normal == "" or normal == ():
            continue
        out[link_id] = normal
    return out


def missing_required(instrument: Instrument, answers: Mapping[str, object]) -> list[str]:
    """linkIds of required questions without an answer, in questionnaire order."""
    return [i.link_id for i in instrument.items if i.required and answers.get(i.link_id) in (None, "", ())]


def ordinal_of(instrument: Instrument, link_id: str, value: AnswerValue) -> int | None:
    """The ordinal (0 = no problem ...) of a choice answer, or the number of an integer answer; None for no
    answer and for "ej aktuellt" (not applicable: no need)."""
    item = instrument.item(link_id)
    if item is None or value is None or isinstance(value, bool):
        return None
    if item.kind is ItemKind.INTEGER and isinstance(value, int):
        return value
    if item.kind is ItemKind.CHOICE and not isinstance(value, tuple):
        option = item.option(value)
        return option.ordinal if option and not option.not_applicable else None
    return None


def not_applicable(instrument: Instrument, link_id: str, value: AnswerValue) -> bool:
    """Whether the answer is "ej aktuellt" (the question does not apply to the respondent)."""
    item = instrument.item(link_id)
    if item is None or not isinstance(value, str | int) or isinstance(value, bool):
        return False
    option = item.option(value)
    return option is not None and option.not_applicable


def iter_questions(instrument: Instrument, group: str | None = None) -> Iterator[Item]:
    for item in instrument.items:
        if group is None or item.group == group:
            yield item
