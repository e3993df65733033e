"""Loads ``mdk_rehab.yaml``: the healthcare regions' MDK-rehab (coordinator unit, counties, processes)."""

from __future__ import annotations

from pathlib import Path

import yaml

from canrehab.domain.mdk_rehab import MdkRehabRegion

PATH = Path(__file__).with_name("mdk_rehab.yaml")


def load_mdk_rehab_regions(path: Path = PATH) -> tuple[MdkRehabRegion, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(MdkRehabRegion.model_validate(entry) for entry in data["regions"])
