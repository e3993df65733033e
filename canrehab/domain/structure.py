"""The structure register: what a care unit has in place for one diagnosis process (000 mål 1–4's
strukturmått, 001's agreements with primary care). Values in, new values out.

One entry per unit and diagnosis process and version; an edit adds a new version (``revise``), the old ones
stay as the history. The structure indicators read the facts of the latest version recorded on or before a
period's end (``facts``).

The fields (each with its Swedish label, once, in ``FIELDS``):

* contact nurses present (kontaktsjuksköterskor finns), with a written (skriftligt) and resourced
  (resurssatt) assignment, its document reference and date — 000 mål 1;
* a routine for the structured needs assessment: how, when and by whom, and whether it is implemented
  (införd) — 000 mål 2;
* a coding routine (KVÅ) — 000 mål 4;
* agreements with primary care (överenskommelser med primärvården) — 001 Tabell 3;
* rehab teams available (rehabteam finns).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from canrehab.domain.errors import ConflictError, DomainError

TEXT_MAX = 500


class FieldType(StrEnum):
    YES_NO = "yes_no"
    TEXT = "text"
    DATE = "date"


@dataclass(frozen=True)
class FieldDef:
    name: str
    label_sv: str
    type: FieldType
    requires: str | None = None  # a yes/no field that must be Ja for this one to be given


FIELDS: tuple[FieldDef, ...] = (
    FieldDef("contact_nurses_present", "Kontaktsjuksköterskor finns", FieldType.YES_NO),
    FieldDef("assignment_written", "Skriftligt uppdrag", FieldType.YES_NO, "contact_nurses_present"),
    FieldDef("assignment_resourced", "Resurssatt uppdrag", FieldType.YES_NO, "assignment_written"),
    FieldDef("assignment_document", "Uppdragets dokumentreferens", FieldType.TEXT, "assignment_written"),
    FieldDef("assignment_date", "Uppdragets datum", FieldType.DATE, "assignment_written"),
    FieldDef("needs_routine_exists", "Rutin för strukturerad behovsbedömning finns", FieldType.YES_NO),
    FieldDef("needs_routine_how", "Rutinen: hur", FieldType.TEXT, "needs_routine_exists"),
    FieldDef("needs_routine_when", "Rutinen: när", FieldType.TEXT, "needs_routine_exists"),
    FieldDef("needs_routine_by_whom", "Rutinen: av vem", FieldType.TEXT, "needs_routine_exists"),
    FieldDef("needs_routine_implemented", "Rutinen är införd", FieldType.YES_NO, "needs_routine_exists"),
    FieldDef("coding_routine_exists", "Rutin för KVÅ-kodning finns", FieldType.YES_NO),
    FieldDef("primary_care_agreement", "Överenskommelse med primärvården finns", FieldType.YES_NO),
    FieldDef(
        "primary_care_agreement_document",
        "Överenskommelsens dokumentreferens",
        FieldType.TEXT,
        "primary_care_agreement",
    ),
    FieldDef("rehab_team_available", "Rehabteam finns", FieldType.YES_NO),
)
FIELD_BY_NAME: Mapping[str, FieldDef] = {f.name: f for f in FIELDS}

Value = bool | str | date | None


@dataclass(frozen=True)
class StructureEntry:
    """One version of a unit's structure for one diagnosis process."""

    unit_hsa_id: str
    process: str
    values: Mapping[str, Value] = field(default_factory=dict)
    version: int = 0  # 0: nothing recorded yet
    recorded_on: date | None = None
    recorded_by: str = ""


@dataclass(frozen=True)
class StructureFact:
    """A plain fact for the structure indicators: a unit's value of one field for one process, as recorded
    on ``recorded_on`` (``dated``: the date the field itself carries, e.g. the assignment's date)."""

    unit_hsa_id: str
    process: str
    field: str
    value: Value
    recorded_on: date
    version: int


def _error(code: str, message_sv: str) -> DomainError:
    return DomainError(f"structure.{code}", message_sv, code.replace("_", " "))


def check_values(values: Mapping[str, Value], *, today: date) -> dict[str, Value]:
    """The values, checked: known fields of the right type, texts within ``TEXT_MAX``, no date after today,
    and a dependent field only when the field it requires is Ja (a document reference for an assignment
    that is not written is refused). Empty texts become ``None``."""
    checked: dict[str, Value] = {}
    for name, value in values.items():
        definition = FIELD_BY_NAME.get(name)
        if definition is None:
            raise _error("unknown_field", f"Okänt fält i strukturregistret: {name}.")
        checked[name] = _check_value(definition, value, today)
    for name, value in checked.items():
        required = FIELD_BY_NAME[name].requires
        if value not in (None, False) and required is not None and checked.get(required) is not True:
            raise _error(
                "requires",
                f"”{FIELD_BY_NAME[name].label_sv}” kan bara anges när "
                f"”{FIELD_BY_NAME[required].label_sv}” är Ja.",
            )
    return checked


def _check_value(definition: FieldDef, value: Value, today: date) -> Value:
    if value is None:
        return None
    if definition.type is FieldType.YES_NO and not isinstance(value, bool):
        raise _error("not_yes_no", f"”{definition.label_sv}” ska vara Ja eller Nej.")
    if definition.type is FieldType.TEXT:
        if not isinstance(value, str):
            raise _error("not_text", f"”{definition.label_sv}” ska vara en text.")
        text = value.strip()
        if len(text) > TEXT_MAX:
            raise _error("too_long", f"”{definition.label_sv}” får vara högst {TEXT_MAX} tecken.")
        return text or None
    if definition.type is FieldType.DATE:
        if not isinstance(value, date):
            raise _error("not_date", f"”{definition.label_sv}” ska vara ett datum (ÅÅÅÅ-MM-DD).")
        if value > today:
            raise _error("future_date", f"”{definition.label_sv}” kan inte ligga efter dagens datum.")
    return value


def revise(
    current: StructureEntry, values: Mapping[str, Value], *, by: str, on: date, expected_version: int
) -> StructureEntry:
    """The next version of ``current`` with ``values`` (the whole set; a field left out is not known).
    A version other than the one the editor read is refused: someone else saved in between."""
    if expected_version != current.version:
        raise ConflictError("strukturregistret", expected_version, current.version)
    checked = check_values(values, today=on)
    return replace(current, values=checked, version=current.version + 1, recorded_on=on, recorded_by=by)


def latest_as_of(history: Iterable[StructureEntry], as_of: date | None) -> StructureEntry | None:
    """The latest version recorded on or before ``as_of`` (any version when ``as_of`` is None)."""
    candidates = [
        e for e in history if e.recorded_on is not None and (as_of is None or e.recorded_on <= as_of)
    ]
    return max(candidates, key=lambda e: e.version, default=None)


def facts(entry: StructureEntry) -> list[StructureFact]:
    """Every field of one version as a fact (a field not recorded is ``None``: not known)."""
    if entry.recorded_on is None:
        return []
    return [
        StructureFact(
            unit_hsa_id=entry.unit_hsa_id,
            process=entry.process,
            field=f.name,
            value=entry.values.get(f.name),
            recorded_on=entry.recorded_on,
            version=entry.version,
        )
        for f in FIELDS
    ]
