"""Python API of the follow-up engine, for the web dashboards and the care-process export.

``source`` is a path (raw CSV/Parquet/SAS extract, or an imported dataset directory) or an Ibis table with the
stored PAR columns (``schema.STORED_SCHEMA``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from canrehab.followup import population, schema, tables
from canrehab.followup.goals import IndicatorDef, load_indicators
from canrehab.followup.indicators import evaluate
from canrehab.followup.sources import Source, contacts_table


def region_table(
    source: Source,
    year: int,
    codes: Sequence[str],
    *,
    backend: str = "duckdb",
    level: str = "county",
    threshold: int = 4,
    complementary: bool = True,
    care_type: str | None = None,
    kon: int | None = None,
    age_group: str | None = None,
    bands: population.Bands = population.DEFAULT_AGE_BANDS,
) -> pd.DataFrame:
    """The county (``level="county"``) or RCC (``level="rcc"``) table in long format with the columns
    ``region_code, region_name, code, patients, per_1000, total_patients`` (nation: ``00``/``Totalt``);
    suppressed cells as ``<4`` / ``X``."""
    return region_tables(
        source,
        year,
        codes,
        backend=backend,
        threshold=threshold,
        complementary=complementary,
        care_type=care_type,
        kon=kon,
        age_group=age_group,
        bands=bands,
    )[level].published()


def region_tables(
    source: Source,
    year: int,
    codes: Sequence[str],
    *,
    backend: str = "duckdb",
    threshold: int = 4,
    complementary: bool = True,
    care_type: str | None = None,
    kon: int | None = None,
    age_group: str | None = None,
    bands: population.Bands = population.DEFAULT_AGE_BANDS,
) -> dict[str, tables.GeoTable]:
    bad = [c for c in codes if not re.fullmatch(schema.KVA_PATTERN, c)]
    if not codes or bad:
        raise ValueError(
            f"ange KVÅ-koder med fem tecken, t.ex. AW020 (felaktiga: {', '.join(bad) or 'inga koder'})"
        )
    labels = [population.band_label(lo, hi) for lo, hi in bands]
    if age_group is not None and age_group not in labels:
        raise ValueError(f"okänd åldersgrupp {age_group!r}: ange en av {', '.join(labels)}")
    with contacts_table(source, backend) as (_, contacts):
        lean = care_type is None and kon is None and age_group is None
        model = population.build(contacts, [year], list(codes), bands, lean=lean)
        counts = tables.geo_counts(model, list(codes), care_type=care_type, kon=kon, age_group=age_group)
    return tables.geo_tables(counts, threshold, complementary=complementary)


def indicator_results(
    source: Source,
    years: Sequence[int],
    indicator_ids: Sequence[str] | None = None,
    *,
    backend: str = "duckdb",
    threshold: int = 4,
    complementary: bool = True,
    definitions: Sequence[IndicatorDef] | None = None,
    bands: population.Bands = population.DEFAULT_AGE_BANDS,
) -> pd.DataFrame:
    """Each indicator per year and unit (nation, county, RCC, sex, age group, care type as defined), with
    numerator, denominator, percent, suppression and goal columns (see ``indicators.RESULT_COLUMNS``)."""
    defs = list(definitions or load_indicators().of_source("register"))
    if indicator_ids is not None:
        known = {d.id for d in defs}
        unknown = [i for i in indicator_ids if i not in known]
        if unknown:
            raise KeyError(f"unknown indicator(s): {', '.join(unknown)}")
        defs = [d for d in defs if d.id in indicator_ids]
    codes = sorted({c for d in defs for c in d.kva().codes_any})
    with contacts_table(source, backend) as (_, contacts):
        model = population.build(contacts, list(years), codes, bands)
        return evaluate(model, defs, list(years), threshold=threshold, complementary=complementary)
