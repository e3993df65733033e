"""Resolve a report's input into an Ibis table of contacts: an imported dataset directory, a raw extract (CSV,
Parquet or SAS: validated strictly and imported into a temporary dataset first), or an Ibis table. The
command line resolves an extract file through ``extract_cache`` first, so its reports reuse the import."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeAlias

import ibis
from ibis.backends import BaseBackend

from canrehab.followup import backends
from canrehab.followup.extract_cache import refusal
from canrehab.followup.importer import MANIFEST, import_par

Source: TypeAlias = "str | Path | ibis.Table"


def is_dataset(path: Path) -> bool:
    return path.is_dir() and ((path / MANIFEST).exists() or any(path.glob("year=*")))


@contextmanager
def contacts_table(
    source: Source, backend: str = "duckdb"
) -> Iterator[tuple[BaseBackend | None, ibis.Table]]:
    if isinstance(source, ibis.Table):
        yield None, source
        return
    path = Path(source)
    tmp: Path | None = None
    try:
        if not is_dataset(path):
            tmp = Path(tempfile.mkdtemp(prefix="canrehab-par-"))
            result = import_par(path, tmp / "data")
            if not result.ok:
                raise refusal(path, result)
            path = tmp / "data"
        con = backends.connect(backend)
        yield con, backends.read_contacts(con, path)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
