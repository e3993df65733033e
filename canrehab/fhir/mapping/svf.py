"""A pathway's SVF record (``canrehab.domain.svf.SvfRecord``) <-> the complex extension ``svf`` on its
EpisodeOfCare.

Sub-extensions: ``pathway`` (valueCoding, CodeSystem ``svf-pathway``: the SVF pathways of
``codes/svf.yaml``), ``suspicion`` (valueDate, välgrundad misstanke), ``mdkDiscussed`` (valueBoolean),
``mdk`` (valueDate), ``treatmentStart`` (valueDate, start av första behandling), ``firstTreatment``
(valueCoding, CodeSystem ``svf-first-treatment``: ``FirstTreatment``) and ``version`` (valueInteger: the SVF
record's own version, which the record keeps apart from the pathway's; an update names the version it read).
A value the record does not have is an absent sub-extension. Displays are restated from the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from canrehab.domain.errors import DomainError
from canrehab.domain.svf import (
    FIRST_TREATMENT_SV,
    FirstTreatment,
    SvfDefinitions,
    SvfRecord,
    parse_first_treatment,
)
from canrehab.fhir import systems
from canrehab.fhir.mapping.common import (
    Json,
    MappingError,
    as_json,
    coding,
    complex_ext,
    ext_one,
    iso,
    opt_date,
    sub,
)

PATH = "EpisodeOfCare.extension('svf')"
PARTS = ("pathway", "suspicion", "mdkDiscussed", "mdk", "treatmentStart", "firstTreatment", "version")
"""The sub-extensions of ``svf``, in the order they are served."""


def part_path(name: str) -> str:
    """The FHIRPath of one sub-extension, e.g. ``EpisodeOfCare.extension('svf').extension('mdk')``."""
    return f"{PATH}.extension('{name}')"


@dataclass(frozen=True)
class SvfState:
    """An SVF record as FHIR carries it: the record and its own version (None: a sent extension without
    ``version``)."""

    record: SvfRecord
    version: int | None


@cache
def definitions() -> SvfDefinitions:
    """The SVF pathways the CodeSystem ``svf-pathway`` and the displays name (the shipped file, as
    ``services.svf.record`` checks against)."""
    from canrehab.codes.svf import load_definitions

    return load_definitions()


def pathway_coding(svf_id: str) -> Json:
    names = {p.id: p.name_sv for p in definitions().pathways}
    return coding(systems.CS_SVF_PATHWAY, svf_id, names.get(svf_id))


def first_treatment_coding(kind: FirstTreatment) -> Json:
    return coding(systems.CS_SVF_FIRST_TREATMENT, kind.value, FIRST_TREATMENT_SV[kind])


def svf_ext(state: SvfState) -> Json:
    record = state.record
    kind = record.first_treatment
    return complex_ext(
        systems.EXT_SVF,
        sub("pathway", valueCoding=pathway_coding(record.svf_pathway)),
        sub("suspicion", valueDate=iso(record.suspicion_on)),
        sub("mdkDiscussed", valueBoolean=record.mdk_discussed),
        sub("mdk", valueDate=iso(record.mdk_on)),
        sub("treatmentStart", valueDate=iso(record.treatment_start_on)),
        sub("firstTreatment", valueCoding=None if kind is None else first_treatment_coding(kind)),
        sub("version", valueInteger=state.version),
    )


def _parts(extension: Json) -> dict[str, Any]:
    """Each sub-extension's one value; an unknown or repeated sub-extension is refused naming it (canrehab
    keeps none other: ``PARTS``)."""
    out: dict[str, Any] = {}
    for part in extension.get("extension", []) or []:
        name = str(part.get("url", ""))
        if name not in PARTS:
            raise MappingError(
                part_path(name), f"not kept by canrehab (the sub-extensions of svf: {', '.join(PARTS)})"
            )
        values = [v for k, v in part.items() if k.startswith("value")]
        if name in out or len(values) > 1:
            raise MappingError(part_path(name), "repeated, expected at most one")
        out[name] = values[0] if values else None
    return out


def _code(value: Any, system: str, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dict) or value.get("system") != system or not value.get("code"):
        raise MappingError(part_path(name), f"expected a valueCoding of {system} with a code")
    return str(value["code"])


def _date(value: Any, name: str) -> date | None:
    if value is not None and not isinstance(value, str):
        raise MappingError(part_path(name), "expected a valueDate (YYYY-MM-DD)")
    return opt_date(value, part_path(name))


def _boolean(value: Any, name: str) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise MappingError(part_path(name), "expected a valueBoolean (true or false)")
    return value


def _version(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MappingError(
            part_path("version"), "expected a valueInteger (the SVF record's version, 0 or more)"
        )
    return value


def svf_from_fhir(episode: Any) -> SvfState | None:
    """The SVF record an EpisodeOfCare carries (None: no ``svf`` extension). A sub-extension of the wrong
    type, an unknown first-treatment code or a missing ``pathway``/``suspicion`` is a ``MappingError``
    naming the sub-extension; the record's rules (``domain.svf.check_record``) are the use case's."""
    data = as_json(episode)
    found = ext_one(data, systems.EXT_SVF, "EpisodeOfCare")
    if found is None:
        return None
    if "extension" not in found or any(k.startswith("value") for k in found):
        raise MappingError(PATH, "a complex extension: sub-extensions only, no value")
    parts = _parts(found)
    svf_pathway = _code(parts.get("pathway"), systems.CS_SVF_PATHWAY, "pathway")
    if svf_pathway is None:
        raise MappingError(part_path("pathway"), "required: the SVF pathway")
    suspicion_on = _date(parts.get("suspicion"), "suspicion")
    if suspicion_on is None:
        raise MappingError(part_path("suspicion"), "required: the date of välgrundad misstanke")
    raw_kind = _code(parts.get("firstTreatment"), systems.CS_SVF_FIRST_TREATMENT, "firstTreatment")
    try:
        kind = parse_first_treatment(raw_kind)
    except DomainError as exc:
        raise MappingError(part_path("firstTreatment"), exc.message_en) from exc
    record = SvfRecord(
        svf_pathway=svf_pathway,
        suspicion_on=suspicion_on,
        mdk_discussed=_boolean(parts.get("mdkDiscussed"), "mdkDiscussed"),
        mdk_on=_date(parts.get("mdk"), "mdk"),
        treatment_start_on=_date(parts.get("treatmentStart"), "treatmentStart"),
        first_treatment=kind,
    )
    return SvfState(record, _version(parts.get("version")))


# The sub-extension a refusal of the record's rules (``domain.svf.check_record``, ``require_suspicion_is_
# start``) is about; the two date rules name the first date that breaks them, in check_record's order.
REFUSED_PART: Mapping[str, str] = {
    "svf.unknown_pathway": "pathway",
    "svf.suspicion_is_start": "suspicion",
    "svf.mdk_date_without_mdk": "mdk",
    "svf.unknown_first_treatment": "firstTreatment",
    "svf.first_treatment_without_start": "firstTreatment",
    "svf.first_treatment_required": "firstTreatment",
    "svf.first_treatment_not_in_pathway": "firstTreatment",
}
_DATES = (("suspicion", "suspicion_on"), ("mdk", "mdk_on"), ("treatmentStart", "treatment_start_on"))


def refused_part(code: str, record: SvfRecord, today: date) -> str | None:
    """The FHIRPath of the sub-extension the refusal ``code`` names (None: not a refusal of the record)."""
    dates = [(name, getattr(record, field)) for name, field in _DATES]
    if code == "svf.future_date":
        found = next((name for name, on in dates if on is not None and on > today), None)
    elif code == "svf.before_suspicion":
        found = next((name for name, on in dates[1:] if on is not None and on < record.suspicion_on), None)
    else:
        found = REFUSED_PART.get(code)
    return None if found is None else part_path(found)
