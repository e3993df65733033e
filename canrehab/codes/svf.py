"""Loads ``svf.yaml`` (or a region's own file): the SVF pathways with their maximum lead times and 003's SVF
goals, validated by ``canrehab.domain.svf.SvfDefinitions``."""

from __future__ import annotations

from pathlib import Path

from canrehab.codes.catalog import read_definition
from canrehab.domain.svf import SvfDefinitions

SHIPPED = Path(__file__).with_name("svf.yaml")


def load_definitions(path: Path | str | None = None) -> SvfDefinitions:
    """The SVF pathways with their maximum lead times and 003's SVF goals; an invalid file raises
    ``DefinitionError`` naming the file and the field."""
    return read_definition(Path(path) if path is not None else SHIPPED, SvfDefinitions)
