"""Assessment instruments as data: FHIR R4 ``Questionnaire`` JSON files plus decision-support rules.

Shipped: ``halsoskattning.json`` and ``hantering-av-angest.json`` with ``rules/<id>.yaml``. A region uses its
official version of a form without code changes: put the Questionnaire JSON (and ``rules/<id>.yaml``) in a
directory and set ``CANREHAB_INSTRUMENTS_DIR`` (or pass ``directory``); a file whose ``id`` equals a shipped
instrument's replaces it. Every file is validated with ``fhir.resources.R4B`` at load time; an invalid file
raises ``DefinitionError`` naming the file.

An instrument whose Questionnaire carries the ``instrument-kind`` extension with ``prem`` (shipped:
``prem-exempel.json``, an EXAMPLE a region replaces with its official survey) has no decision support: it
needs no rules file, gets no suggested level and is never confirmed.
"""

from __future__ import annotations

import copy
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from canrehab.domain.decision_support import RuleSet
from canrehab.domain.definitions import DefinitionError, LevelSetDef
from canrehab.domain.instrument import Instrument

PACKAGE_DIR = Path(__file__).parent
ENV_DIR = "CANREHAB_INSTRUMENTS_DIR"

__all__ = [
    "ENV_DIR",
    "PACKAGE_DIR",
    "DefinitionError",
    "load_instruments",
    "load_rules",
    "questionnaire_json",
]


def _directories(directory: Path | str | None) -> tuple[Path, ...]:
    extra = directory if directory is not None else os.environ.get(ENV_DIR) or None
    dirs = [PACKAGE_DIR]
    if extra is not None:
        path = Path(extra).resolve()
        if not path.is_dir():
            raise DefinitionError(f"{path}: instrument directory not found (set by {ENV_DIR} or argument)")
        if path != PACKAGE_DIR:
            dirs.append(path)
    return tuple(dirs)


def _fhir_errors(err: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(x) for x in e['loc']) or '(resource)'}: {e['msg']}" for e in err.errors()
    )


def _read_questionnaire(path: Path) -> dict[str, Any]:
    from fhir.resources.R4B.questionnaire import Questionnaire

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise DefinitionError(f"{path}: not valid JSON: {err}") from None
    if not isinstance(data, dict) or data.get("resourceType") != "Questionnaire":
        raise DefinitionError(f"{path}: resourceType must be 'Questionnaire'")
    try:
        Questionnaire.model_validate(data)
    except ValidationError as err:
        raise DefinitionError(f"{path}: not a valid FHIR R4 Questionnaire: {_fhir_errors(err)}") from None
    return data


@cache
def _load(dirs: tuple[Path, ...]) -> tuple[dict[str, Instrument], dict[str, dict[str, Any]], dict[str, Path]]:
    instruments: dict[str, Instrument] = {}
    raw: dict[str, dict[str, Any]] = {}
    origin: dict[str, Path] = {}
    for directory in dirs:
        found: dict[str, Path] = {}
        for path in sorted(directory.glob("*.json")):
            data = _read_questionnaire(path)
            try:
                instrument = Instrument.from_questionnaire(data)
            except DefinitionError as err:
                raise DefinitionError(f"{path}: {err}") from None
            if instrument.id in found:
                raise DefinitionError(f"{path}: id {instrument.id!r} is also used by {found[instrument.id]}")
            found[instrument.id] = path
            instruments[instrument.id] = instrument  # a later (region) directory replaces a shipped file
            raw[instrument.id] = data
            origin[instrument.id] = directory
    if not instruments:
        raise DefinitionError(f"no instruments found in {', '.join(str(d) for d in dirs)}")
    return instruments, raw, origin


def load_instruments(directory: Path | str | None = None) -> dict[str, Instrument]:
    """The instruments by Questionnaire id: the shipped ones, replaced or extended by the region directory
    (``directory`` or ``CANREHAB_INSTRUMENTS_DIR``)."""
    return dict(_load(_directories(directory))[0])


def questionnaire_json(instrument_id: str, directory: Path | str | None = None) -> dict[str, Any]:
    """The raw FHIR Questionnaire resource of an instrument (a copy), e.g. for the FHIR API and the forms."""
    raw = _load(_directories(directory))[1]
    if instrument_id not in raw:
        raise KeyError(f"unknown instrument {instrument_id!r}")
    return copy.deepcopy(raw[instrument_id])


@cache
def _rules(path: Path, instrument: Instrument, level_set: LevelSetDef | None = None) -> RuleSet:
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except yaml.YAMLError as err:
        raise DefinitionError(f"{path}: not valid YAML: {err}") from None
    try:
        # level names may be the ids of the region's chosen level set (e.g. "sarskild")
        rules = RuleSet.model_validate(data, context={"level_set": level_set})
    except ValidationError as err:
        raise DefinitionError(f"{path}: {_fhir_errors(err)}") from None
    problems = rules.problems_with(instrument)
    if problems:
        raise DefinitionError(f"{path}: {'; '.join(problems)}")
    return rules


def load_rules(
    instrument_id: str, directory: Path | str | None = None, level_set: LevelSetDef | None = None
) -> RuleSet:
    """The decision-support rules of an instrument: ``rules/<id>.yaml`` from the region directory if present,
    else the shipped one; checked against the instrument's items. With ``level_set`` (the region's chosen
    set) the rules may name levels by its ids; without, by rank names (BASIC, SPECIAL, ...)."""
    dirs = _directories(directory)
    instruments, _raw, origin = _load(dirs)
    if instrument_id not in instruments:
        raise DefinitionError(f"unknown instrument {instrument_id!r}")
    if not instruments[instrument_id].decision_support:
        raise DefinitionError(
            f"instrument {instrument_id!r} ({instruments[instrument_id].kind}) has no decision support"
        )
    # Rules next to the questionnaire that is in use first, then the other directories (newest first).
    candidates = [origin[instrument_id] / "rules" / f"{instrument_id}.yaml"]
    candidates += [d / "rules" / f"{instrument_id}.yaml" for d in reversed(dirs)]
    for path in candidates:
        if path.is_file():
            return _rules(path, instruments[instrument_id], level_set)
    raise DefinitionError(f"{candidates[0]}: rules file for instrument {instrument_id!r} not found")
