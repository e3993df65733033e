"""Demo statistics: a small synthetic national patient-register (PAR) extract per year, generated with the
follow-up engine's generator and imported into the analytics store, so that the statistics pages have
figures to show within seconds.

The extract is written to a temporary Parquet file and imported strictly (validated like any delivered
extract) as one dataset, ``<analytics_dir>/par/demo``; an existing demo dataset is replaced atomically.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

from canrehab.config import Settings
from canrehab.domain.errors import DomainError
from canrehab.followup.importer import dataset_root, import_par
from canrehab.followup.synth_par import generate

DEMO_DATASET = "demo"


def demo_dataset(settings: Settings) -> Path:
    """Directory of the demo dataset in the analytics store."""
    return dataset_root(settings.analytics_dir) / DEMO_DATASET


def build_demo_analytics(
    settings: Settings,
    *,
    seed: int,
    persons: int = 20000,
    years: tuple[int, ...] = (2021, 2022, 2023),
) -> None:
    """Generate ``persons`` persons of the study population per year (plus the generator's persons outside
    it) for each of ``years`` and import them into ``<analytics_dir>/par/demo`` (replacing it).

    As in ``canrehab synth-par --years``, half of each year's persons come back the next year. Deterministic
    for a given seed."""
    if persons <= 0:
        raise ValueError("persons must be positive")
    if not years or len(set(years)) != len(years):
        raise ValueError("years must be non-empty and without repetitions")
    ordered = sorted(years)
    settings.analytics_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="canrehab-demo-par-", dir=settings.analytics_dir))
    try:
        extract = tmp / "demo.parquet"
        writer: pq.ParquetWriter | None = None
        try:
            for i, year in enumerate(ordered):
                offset = (year - ordered[0]) * (persons // 2) if i else 0
                for table in generate(persons, year, seed, person_offset=offset):
                    if writer is None:
                        writer = pq.ParquetWriter(extract, table.schema, compression="zstd")
                    writer.write_table(table)
        finally:
            if writer is not None:
                writer.close()
        result = import_par(extract, demo_dataset(settings), strict=True, replace=True)
        if not result.ok:
            raise DomainError(
                "synth.demo_analytics",
                f"Det syntetiska extraktet kunde inte importeras: {result.rejected} felaktiga rader.",
                f"synthetic extract rejected: {result.rejected} invalid rows",
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
