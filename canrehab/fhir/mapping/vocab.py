"""Codings of canrehab's vocabularies: professions (with the KVÅ add-on code), needs levels, statuses."""

from __future__ import annotations

from functools import cache
from typing import Any

from canrehab.domain.model import NeedsLevel, Profession
from canrehab.fhir import systems
from canrehab.fhir.mapping.common import Json, MappingError, code_in, coding, parse_enum


@cache
def _professions() -> dict[Profession, tuple[str, str | None]]:
    from canrehab.codes.catalog import load_professions

    return {p: (d.label_sv, d.kva_code) for p, d in load_professions().items()}


def profession_label(profession: Profession) -> str:
    return _professions().get(profession, (profession.value, None))[0]


def profession_addon_code(profession: Profession | None) -> str | None:
    """The KVÅ profession add-on code (XS9xx) of a profession, where KVÅ has one."""
    if profession is None:
        return None
    return _professions().get(profession, ("", None))[1]


def profession_concept(profession: Profession) -> Json:
    """canrehab profession coding, plus the KVÅ add-on coding where one exists."""
    label = profession_label(profession)
    codings = [coding(systems.CS_PROFESSION, profession.value, label)]
    addon = profession_addon_code(profession)
    if addon:
        codings.append(coding(systems.KVA, addon, label))
    return {"coding": codings, "text": label}


def parse_profession(cc: Any, path: str) -> Profession:
    code = code_in(cc, systems.CS_PROFESSION, path)
    return parse_enum(Profession, code, f"{path}.coding.code")


def level_coding(level: NeedsLevel) -> Json:
    return coding(systems.CS_NEEDS_LEVEL, str(int(level)), level.label_sv)


def parse_level(value: Any, path: str) -> NeedsLevel:
    if not isinstance(value, dict):
        raise MappingError(path, "expected a Coding of the needs level")
    if value.get("system") != systems.CS_NEEDS_LEVEL:
        raise MappingError(f"{path}.system", f"expected {systems.CS_NEEDS_LEVEL}")
    try:
        return NeedsLevel(int(value.get("code", "")))
    except ValueError as exc:
        raise MappingError(f"{path}.code", "needs level must be 1, 2, 3 or 4") from exc
