"""Loads the care-process definition files of migration 0008's areas: ``mdk_rehab.yaml`` (the healthcare
regions' MDK-rehab: coordinator unit, counties, processes) and ``children.yaml`` (children and young
adults)."""

from __future__ import annotations

from pathlib import Path

import yaml

from canrehab.domain.children import ChildrenDef
from canrehab.domain.mdk_rehab import MdkRehabRegion

PATH = Path(__file__).with_name("mdk_rehab.yaml")


def load_mdk_rehab_regions(path: Path = PATH) -> tuple[MdkRehabRegion, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(MdkRehabRegion.model_validate(entry) for entry in data["regions"])


CHILDREN_PATH = Path(__file__).with_name("children.yaml")


def load_children(path: Path | None = None) -> ChildrenDef:
    """Loads ``children.yaml`` (the children's and young adults' rules as data): the region's copy in
    ``CANREHAB_DEFINITIONS_DIR`` when there is one, else the shipped file."""
    from canrehab.codes.catalog import definitions_dir

    if path is None:
        region = definitions_dir()
        path = (
            region / CHILDREN_PATH.name
            if region and (region / CHILDREN_PATH.name).is_file()
            else CHILDREN_PATH
        )
    return ChildrenDef.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
