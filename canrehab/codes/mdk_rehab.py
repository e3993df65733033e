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


DATA_DIR_DEFINITIONS = "definitions"  # <data_dir>/definitions/: the installation's own copies (the demo's)


def children_override(data_dir: Path) -> Path:
    """Where an installation's data directory keeps its own ``children.yaml`` (the demo writes its synthetic
    barncancercentrum there, so the shipped file stays free of synthetic ids)."""
    return data_dir / DATA_DIR_DEFINITIONS / CHILDREN_PATH.name


def load_children(path: Path | None = None, *, data_dir: Path | None = None) -> ChildrenDef:
    """Loads ``children.yaml`` (the children's and young adults' rules as data): the region's copy in
    ``CANREHAB_DEFINITIONS_DIR`` when there is one, else the data directory's own copy
    (``<data_dir>/definitions/children.yaml``, see ``children_override``) when there is one, else the
    shipped file. The copy is a whole file, checked against the same schema."""
    from canrehab.codes.catalog import definitions_dir

    if path is None:
        region = definitions_dir()
        if region and (region / CHILDREN_PATH.name).is_file():
            path = region / CHILDREN_PATH.name
        elif data_dir is not None and children_override(data_dir).is_file():
            path = children_override(data_dir)
        else:
            path = CHILDREN_PATH
    return ChildrenDef.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def write_children_override(data_dir: Path, centres: tuple[str, ...]) -> Path:
    """Writes the data directory's own ``children.yaml``: the rules in force (the region's copy or the
    shipped file) with ``centres`` added to ``childrens_cancer_centres``; returns its path."""
    rules = load_children(data_dir=data_dir)
    listed = tuple(dict.fromkeys((*rules.childrens_cancer_centres, *centres)))
    data = rules.model_copy(update={"childrens_cancer_centres": listed}).model_dump(mode="json")
    target = children_override(data_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "# This installation's children.yaml (schema: canrehab.domain.children.ChildrenDef), written by the\n"
        "# synthetic region's loader: the shipped rules with the synthetic barncancercentrum listed.\n"
    )
    target.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target
