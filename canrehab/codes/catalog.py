"""Loaders for the care-process code lists a region configures as data: professions, diagnosis processes,
KVÅ codes, assessment routines and needs-level sets.

Each loader takes an optional path so that a region can use its own file; without one, a file of the same
name (``professions.yaml``, ``processes.yaml``, ``kva.yaml``, ``routines.yaml``, ``level_sets.yaml``) in the
region's definitions
directory (``CANREHAB_DEFINITIONS_DIR``) replaces the shipped one, which is the default. Files are validated
against the pydantic schemas in ``canrehab.domain.definitions`` at load time; an invalid file raises
``DefinitionError`` naming the file and the field. Results are cached per path.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from canrehab.domain.definitions import (
    DefinitionError,
    KvaDef,
    LevelSetDef,
    ProcessDef,
    ProfessionDef,
    RoutineDef,
    RoutineTrigger,
)
from canrehab.domain.diagnosis import OTHER_PROCESS
from canrehab.domain.errors import DomainError
from canrehab.domain.model import Profession

__all__ = [
    "DefinitionError",
    "KvaDef",
    "LevelSetDef",
    "ProcessDef",
    "ProfessionDef",
    "RoutineDef",
    "RoutineTrigger",
    "load_kva",
    "load_level_set",
    "load_level_sets",
    "load_processes",
    "load_professions",
    "load_routines",
    "require_kva",
    "routine_for",
]

HERE = Path(__file__).parent
PROFESSIONS_FILE = HERE / "professions.yaml"
PROCESSES_FILE = HERE / "processes.yaml"
KVA_FILE = HERE / "kva.yaml"
ROUTINES_FILE = HERE / "routines.yaml"
LEVEL_SETS_FILE = HERE / "level_sets.yaml"
DEFAULT_ROUTINE = "default"
DEFINITIONS_ENV = "CANREHAB_DEFINITIONS_DIR"
LEVEL_SET_ENV = "CANREHAB_LEVEL_SET"  # overrides the file's ``chosen`` set

M = TypeVar("M", bound=BaseModel)


class _File(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ProfessionsFile(_File):
    professions: tuple[ProfessionDef, ...]

    @model_validator(mode="after")
    def _complete(self) -> ProfessionsFile:
        listed = [p.profession for p in self.professions]
        dupes = sorted({p.value for p in listed if listed.count(p) > 1})
        if dupes:
            raise ValueError(f"professions listed twice: {', '.join(dupes)}")
        missing = sorted(p.value for p in Profession if p not in listed)
        if missing:
            raise ValueError(f"professions missing: {', '.join(missing)}")
        return self


class ProcessesFile(_File):
    processes: tuple[ProcessDef, ...]

    @model_validator(mode="after")
    def _consistent(self) -> ProcessesFile:
        ids = [p.id for p in self.processes]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"process ids listed twice: {', '.join(dupes)}")
        if OTHER_PROCESS not in ids:
            raise ValueError(f"the catch-all process {OTHER_PROCESS!r} is missing")
        return self


class KvaFile(_File):
    codes: tuple[KvaDef, ...]

    @model_validator(mode="after")
    def _unique(self) -> KvaFile:
        codes = [c.code for c in self.codes]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"KVÅ codes listed twice: {', '.join(dupes)}")
        return self


class RoutinesFile(_File):
    routines: tuple[RoutineDef, ...]

    @model_validator(mode="after")
    def _consistent(self) -> RoutinesFile:
        names = [r.process for r in self.routines]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"routines listed twice for: {', '.join(dupes)}")
        if DEFAULT_ROUTINE not in names:
            raise ValueError(f"the {DEFAULT_ROUTINE!r} routine is missing")
        return self


class LevelSetsFile(_File):
    chosen: str
    sets: tuple[LevelSetDef, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> LevelSetsFile:
        ids = [s.id for s in self.sets]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"level sets listed twice: {', '.join(dupes)}")
        if self.chosen not in ids:
            raise ValueError(f"chosen level set {self.chosen!r} is not defined ({', '.join(ids)})")
        return self


def _format_errors(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"]) or "(file)"
        parts.append(f"{loc}: {e['msg']}")
    return "; ".join(parts)


def read_definition(path: Path, schema: type[M]) -> M:
    """Read a YAML definition file and validate it; ``DefinitionError`` names the file and the field."""
    try:
        with path.open(encoding="utf-8") as fh:
            data: Any = yaml.safe_load(fh)
    except FileNotFoundError:
        raise DefinitionError(f"{path}: file not found") from None
    except yaml.YAMLError as err:
        raise DefinitionError(f"{path}: not valid YAML: {err}") from None
    try:
        return schema.model_validate(data)
    except ValidationError as err:
        raise DefinitionError(f"{path}: {_format_errors(err)}") from None


@cache
def _professions(path: Path) -> ProfessionsFile:
    return read_definition(path, ProfessionsFile)


@cache
def _processes(path: Path) -> ProcessesFile:
    return read_definition(path, ProcessesFile)


@cache
def _kva(path: Path) -> KvaFile:
    return read_definition(path, KvaFile)


@cache
def _routines(path: Path) -> RoutinesFile:
    return read_definition(path, RoutinesFile)


@cache
def _level_sets(path: Path) -> LevelSetsFile:
    return read_definition(path, LevelSetsFile)


def _resolve(path: Path | str | None, default: Path) -> Path:
    if path is not None:
        return Path(path).resolve()
    region = definitions_dir()
    if region is not None and (region / default.name).is_file():
        return region / default.name
    return default


def definitions_dir() -> Path | None:
    """The region's definitions directory (``CANREHAB_DEFINITIONS_DIR``), if set; it must exist."""
    value = os.environ.get(DEFINITIONS_ENV) or None
    if value is None:
        return None
    path = Path(value).resolve()
    if not path.is_dir():
        raise DefinitionError(f"{path}: definitions directory not found (set by {DEFINITIONS_ENV})")
    return path


def check_routines_against_processes(routines: dict[str, RoutineDef], processes: list[ProcessDef]) -> None:
    """Every routine is for a known diagnosis process (or is the default routine)."""
    known = {p.id for p in processes} | {DEFAULT_ROUTINE}
    unknown = sorted(set(routines) - known)
    if unknown:
        raise DefinitionError(
            f"routines for unknown diagnosis processes: {', '.join(unknown)} "
            f"(known: {', '.join(sorted(known))})"
        )


def check_routines_against_kva(routines: dict[str, RoutineDef], kva: dict[str, KvaDef]) -> None:
    """Every prehabilitation action's codes are in the KVÅ code list."""
    unknown = sorted(
        f"{name}.prehabilitation.{action.id}: {code}"
        for name, routine in routines.items()
        if routine.prehabilitation is not None
        for action in routine.prehabilitation.actions
        for code in action.codes
        if code not in kva
    )
    if unknown:
        raise DefinitionError(f"prehabilitation codes not in the KVÅ code list: {', '.join(unknown)}")


def check_rules_against_level_set(rules: dict[str, Any], level_set: LevelSetDef) -> None:
    """Every decision-support rule set (``RuleSet`` by instrument) suggests only levels of the chosen set."""
    problems = [
        f"{key}: {problem}"
        for key, rule_set in rules.items()
        for problem in rule_set.levels_outside(level_set)
    ]
    if problems:
        raise DefinitionError(
            f"decision-support rules name levels outside the chosen level set {level_set.id!r} "
            f"({level_set.name_sv}): {'; '.join(problems)}"
        )


def load_professions(path: Path | str | None = None) -> dict[Profession, ProfessionDef]:
    """Every profession with its Swedish label and KVÅ add-on code."""
    return {p.profession: p for p in _professions(_resolve(path, PROFESSIONS_FILE)).professions}


def load_processes(path: Path | str | None = None) -> list[ProcessDef]:
    """Diagnosis processes in file order (the first match wins in ``domain.diagnosis.process_for``)."""
    return list(_processes(_resolve(path, PROCESSES_FILE)).processes)


def load_kva(path: Path | str | None = None) -> dict[str, KvaDef]:
    """The KVÅ codes the care process records, by code."""
    return {c.code: c for c in _kva(_resolve(path, KVA_FILE)).codes}


def require_kva(code: str, path: Path | str | None = None) -> KvaDef:
    """The definition of a KVÅ code; DomainError ``kva.unknown`` when the code is not in the list."""
    found = load_kva(path).get(code)
    if found is None:
        raise DomainError(
            "kva.unknown",
            f"KVÅ-koden {code!r} finns inte i listan över koder som vårdprocessen registrerar.",
            f"unknown KVÅ code {code!r}",
        )
    return found


def load_routines(path: Path | str | None = None) -> dict[str, RoutineDef]:
    """Assessment routines by diagnosis process id; always contains ``"default"``."""
    return {r.process: r for r in _routines(_resolve(path, ROUTINES_FILE)).routines}


def routine_for(process: str, routines: dict[str, RoutineDef]) -> RoutineDef:
    """The routine of a diagnosis process, or the default routine."""
    return routines.get(process) or routines[DEFAULT_ROUTINE]


def load_level_sets(path: Path | str | None = None) -> dict[str, LevelSetDef]:
    """Every defined needs-level set, by id."""
    return {s.id: s for s in _level_sets(_resolve(path, LEVEL_SETS_FILE)).sets}


def load_level_set(set_id: str | None = None, path: Path | str | None = None) -> LevelSetDef:
    """The region's chosen level set: ``set_id``, else ``CANREHAB_LEVEL_SET``, else the file's ``chosen``
    (the national care programme's three levels in the shipped file)."""
    resolved = _resolve(path, LEVEL_SETS_FILE)
    wanted = set_id or os.environ.get(LEVEL_SET_ENV) or _level_sets(resolved).chosen
    sets = load_level_sets(resolved)
    if wanted not in sets:
        raise DefinitionError(f"{resolved}: no level set {wanted!r} (defined: {', '.join(sorted(sets))})")
    return sets[wanted]
