"""Discovery of the datasets in the analytics store: every imported or published PAR dataset
``<analytics_dir>/par/<name>`` with at least one year, and the stamp that changes when it is replaced."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from canrehab.followup.importer import MANIFEST, dataset_root


@dataclass(frozen=True)
class Dataset:
    """An imported PAR dataset in the analytics store (``<analytics_dir>/par/<name>``)."""

    name: str
    path: Path
    years: tuple[int, ...]
    stamp: int  # changes when the dataset is replaced: part of every cache key
    source: str = ""
    imported_at: str = ""


def find_datasets(analytics_dir: Path) -> list[Dataset]:
    """The datasets that have at least one year, newest import first. Names starting with a dot are work in
    progress (an import's or a publication's temporary directory) and are skipped."""
    root = dataset_root(analytics_dir)
    if not root.is_dir():
        return []
    found: list[Dataset] = []
    for path in root.iterdir():
        if not path.is_dir() or path.name.startswith("."):
            continue
        years = tuple(
            sorted(int(p.name[5:]) for p in path.glob("year=*") if p.is_dir() and p.name[5:].isdigit())
        )
        if not years:
            continue
        manifest = path / MANIFEST
        meta: dict[str, Any] = {}
        if manifest.exists():
            try:
                meta = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                meta = {}
        stamp = (manifest if manifest.exists() else path).stat().st_mtime_ns
        found.append(
            Dataset(
                name=path.name,
                path=path,
                years=years,
                stamp=stamp,
                source=str(meta.get("source", "")),
                imported_at=str(meta.get("imported_at", "")),
            )
        )
    return sorted(found, key=lambda d: (d.stamp, d.name), reverse=True)
