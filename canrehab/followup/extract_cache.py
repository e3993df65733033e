"""Reports run straight from an extract file reuse its imported dataset.

``canrehab report … --input extract.csv`` validates and imports the file before it counts. The dataset it
imports is kept under ``<analytics_dir>/cache/uttag/<sha256>/data``, keyed by the SHA-256 of the file's
bytes (not its name, size or modification time: a file changed in place gets a new key). A second report on
the same unchanged file does not even hash it again: the file's status (device, inode, size, modification
and change times in nanoseconds — the change time moves with every write and every ``touch``, and cannot be
set back) is recorded beside the key, and a file whose status is unchanged keeps its key. The newest
``KEEP`` datasets are kept; older ones are removed. Only a file that passes the strict import is cached: a
faulty one is refused every time with the same message. The cache holds what the extract holds
(pseudonymised löpnummer, no identities) and lives beside the imported datasets.

For DuckDB reports (``cached_dataset(..., arrow=True)``) a file the engine pass takes is cached as that
pass's stream of rows, one Arrow IPC file written as the rows come (``fast_import.ARROW_FILE``): keeping it
costs a copy, not a Parquet encoding, and the report (this one and the next) scans it memory-mapped. A file
that needs the exact validator is cached as Parquet, as is every dataset asked for without ``arrow``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from canrehab.domain.errors import DomainError
from canrehab.followup.fast_import import Scan, Superseded, eligible, scan
from canrehab.followup.importer import (
    MANIFEST,
    ImportResult,
    import_par,
    parquet_form,
    remove_stale_work_dirs,
)

KEEP = 4


def cache_root(analytics_dir: Path) -> Path:
    return analytics_dir / "cache" / "uttag"


def refusal(path: Path, result: ImportResult) -> DomainError:
    """The refusal of a report whose extract failed the strict import, naming its first errors."""
    first = "; ".join(
        f"rad {e['line']}, {e['column']}: {e['reason']} ({e['value']!r})" for e in result.first_errors[:5]
    )
    return DomainError(
        "followup.invalid_extract",
        f"{path.name}: {result.rejected} felaktiga rader, rapporten skapas inte. {first}. "
        "Importera med 'canrehab import-par --lenient' för att hoppa över dem.",
        f"{path.name}: {result.rejected} invalid rows",
    )


def cached_dataset(source: Path, root: Path, *, arrow: bool = False) -> Path:
    """The imported dataset of the extract file ``source``: from the cache, or imported (strictly) into it.

    ``arrow``: the caller reads with DuckDB, which takes the engine pass's Arrow IPC file as it is (no
    Parquet to encode, and DuckDB scans the file memory-mapped). Without it the dataset is Parquet: one
    cached as Arrow is rewritten as Parquet first (``importer.parquet_form``), for Spark."""
    if not source.is_file():
        raise DomainError("followup.no_such_file", f"Filen finns inte: {source}", f"No such file: {source}")
    data = _cached(source, root, arrow)
    return data if arrow else parquet_form(data)


def _cached(source: Path, root: Path, arrow: bool) -> Path:
    known = _known_key(source, root)
    if known is not None and (root / known / "data" / MANIFEST).is_file():
        os.utime(root / known)  # most recently used
        return root / known / "data"
    root.mkdir(parents=True, exist_ok=True)
    remove_stale_work_dirs(root)
    work = root / f".extract.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"

    def cached(found: Scan) -> bool:
        return (root / found.sha256 / "data" / MANIFEST).is_file()

    # The scan (SHA-256, ~0,5 s for 160 MB) runs beside the import's engine pass rather than before it; a
    # file whose bytes are already cached (touched, copied) interrupts the pass as soon as the scan knows.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract-scan") as pool:
        future = pool.submit(scan, source)
        try:
            work.mkdir()
            result = import_par(
                source,
                work / "data",
                report_path=work / "fel.csv",
                scanned=future if eligible(source) else None,
                supersede=cached,
                arrow=arrow,
            )
            scanned = future.result()
            entry = root / scanned.sha256
            data = entry / "data"
            if cached(scanned):  # the pass ended before the scan could stop it
                os.utime(entry)
            elif not result.ok:
                raise refusal(source, result)
            else:
                (work / "fel.csv").unlink(missing_ok=True)
                try:
                    work.rename(entry)
                except OSError:  # another process cached the same file meanwhile
                    if not (data / MANIFEST).is_file():
                        raise
        except Superseded:
            scanned = future.result()
            entry = root / scanned.sha256
            data = entry / "data"
            os.utime(entry)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    _remember_key(source, root, scanned.sha256)
    evict(root, KEEP)
    return data


def _status_name(source: Path) -> str:
    st = source.stat()
    status = f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{source.resolve()}"
    return hashlib.sha256(status.encode()).hexdigest()


def _known_key(source: Path, root: Path) -> str | None:
    try:
        return (root / ".status" / _status_name(source)).read_text(encoding="ascii").strip() or None
    except OSError:
        return None


def _remember_key(source: Path, root: Path, sha256: str) -> None:
    directory = root / ".status"
    directory.mkdir(parents=True, exist_ok=True)
    name = _status_name(source)
    work = directory / f".{name[:16]}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    work.write_text(sha256, encoding="ascii")
    work.replace(directory / name)


def evict(root: Path, keep: int) -> list[Path]:
    """Remove all but the ``keep`` most recently used datasets; returns what was removed."""
    entries = sorted(
        (e for e in root.iterdir() if e.is_dir() and not e.name.startswith(".")),
        key=lambda e: e.stat().st_mtime_ns,
        reverse=True,
    )
    removed = entries[keep:]
    for e in removed:
        shutil.rmtree(e, ignore_errors=True)
    status = root / ".status"
    if status.is_dir():  # forget the status records of removed datasets
        gone = {e.name for e in removed}
        for record in status.iterdir():
            try:
                if record.read_text(encoding="ascii").strip() in gone:
                    record.unlink(missing_ok=True)
            except OSError:
                continue
    return removed
