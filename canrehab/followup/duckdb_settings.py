"""DuckDB's session settings, one home for the Ibis backend (``backends.connect``) and the fast CSV import
(``fast_import``), which uses DuckDB directly so that ``canrehab import-par`` does not load Ibis."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

DUCKDB_MEMORY_LIMIT = "2GB"
MEMORY_LIMIT_ENV = "CANREHAB_DUCKDB_MEMORY_LIMIT"


def memory_limit() -> str:
    """DuckDB spills to disk beyond this; the operator sets it with CANREHAB_DUCKDB_MEMORY_LIMIT."""
    return os.environ.get(MEMORY_LIMIT_ENV, DUCKDB_MEMORY_LIMIT)


def configure(execute: Callable[[str], Any], *, threads: int | None = None) -> None:
    """Bounded memory; insertion order is never needed for counts; never mix progress text into a CSV on
    stdout."""
    execute(f"SET memory_limit = '{memory_limit()}'")
    execute("SET preserve_insertion_order = false")
    execute("SET enable_progress_bar = false")
    if threads:
        execute(f"SET threads = {int(threads)}")
