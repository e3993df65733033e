"""The engine's published results per dataset version, computed once per process: the county/RCC tables
and the indicator results that the statistics pages show. A result is keyed by the dataset's path and
stamp, so a replaced dataset is computed afresh. The returned frames are shared: callers must not mutate
them."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache

import pandas as pd

from canrehab.followup import api
from canrehab.followup.datasets import Dataset


def region_table(
    dataset: Dataset,
    year: int,
    codes: Sequence[str],
    *,
    level: str,
    threshold: int,
    care_type: str | None = None,
    kon: int | None = None,
    age_group: str | None = None,
) -> pd.DataFrame:
    """``api.region_table`` of the dataset (published cells), cached."""
    return _region_table(
        str(dataset.path), dataset.stamp, year, tuple(codes), level, threshold, care_type, kon, age_group
    )


@lru_cache(maxsize=64)
def _region_table(
    path: str,
    stamp: int,
    year: int,
    codes: tuple[str, ...],
    level: str,
    threshold: int,
    care_type: str | None,
    kon: int | None,
    age_group: str | None,
) -> pd.DataFrame:
    del stamp  # cache key only
    return api.region_table(
        path, year, codes, level=level, threshold=threshold, care_type=care_type, kon=kon, age_group=age_group
    )


@lru_cache(maxsize=16)
def _indicator_results(path: str, stamp: int, years: tuple[int, ...], threshold: int) -> pd.DataFrame:
    del stamp  # cache key only
    return api.indicator_results(path, years, threshold=threshold)


_INDICATOR_LOCK = threading.Lock()
_WARMED: set[tuple[str, int, tuple[int, ...], int]] = set()


def indicator_results(dataset: Dataset, threshold: int) -> pd.DataFrame:
    """Every indicator of every year of the dataset and unit, computed once per dataset version. Serialised,
    so that a request arriving during the warm-up waits for it instead of computing again."""
    with _INDICATOR_LOCK:
        return _indicator_results(str(dataset.path), dataset.stamp, dataset.years, threshold)


def warm_indicators(dataset: Dataset, threshold: int) -> None:
    """Compute the indicator results in the background (they take seconds on a national extract), so the
    indicator page is ready when the user opens it after the KVÅ page. Not a daemon thread: a DuckDB query
    cut off at interpreter exit aborts the process, so shutting down waits for a running warm-up instead."""
    key = (str(dataset.path), dataset.stamp, dataset.years, threshold)
    if key in _WARMED:
        return
    _WARMED.add(key)

    def run() -> None:
        try:
            indicator_results(dataset, threshold)
        except Exception:  # the indicator page computes again and shows the error there
            _WARMED.discard(key)

    threading.Thread(target=run, name="statistik-indikatorer", daemon=False).start()
