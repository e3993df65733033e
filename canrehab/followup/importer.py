"""Import a PAR extract into the analytics store: a Hive-partitioned Parquet dataset
``<analytics_dir>/par/<name>/year=YYYY/part-0.parquet`` that every report reads. (The extract cache of the
reports asks for the engine pass's Arrow form instead, ``import_par(..., arrow=True)``; ``parquet_form``
turns one into Parquet.)

Streamed batch by batch (never the whole file in Python objects). ``strict`` (default) refuses the whole file
if any row is bad and writes nothing but the error report; ``lenient`` imports the valid rows and writes every
rejected row, with its line number and reasons, to a rejects file. Either way ``read == accepted + rejected``.
The dataset appears atomically (written to a temporary directory, then renamed). The temporary directory is
removed when the import fails; one left by an import that was killed (``kill -9``, a crash) is named after its
process and removed by the next import into the same directory once that process is gone.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from canrehab.codes.geography import default_counties
from canrehab.domain.errors import DomainError
from canrehab.followup import schema as s
from canrehab.followup.fast_import import ARROW_FILE, FastResult, Scan, eligible, scan, try_import
from canrehab.followup.readers import DEFAULT_BATCH_ROWS, Progress, SourceReader, csv_header, open_source
from canrehab.followup.validate import validate_batch

MANIFEST = "_import.json"
# ".<dataset>.tmp-<pid>-<hex>" (being written) and ".<dataset>.old-<pid>-<hex>" (replaced, being removed)
WORK_DIR = re.compile(r"^\..+\.(?:tmp|old)-(?:(?P<pid>\d+)-)?[0-9a-f]{8}$")
LEGACY_STALE_AFTER = 24 * 3600  # seconds; the older names carried no process id


def _work_name(target: Path, kind: str) -> Path:
    return target.parent / f".{target.name}.{kind}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


class _WorkFile:
    """A report written under a temporary name beside its final one and renamed when complete, so that a
    killed import leaves no half-written report under the real name."""

    def __init__(self, final: Path) -> None:
        self.path = final
        self.work = _work_name(final, "tmp")
        self._fh = self.work.open("w", encoding="utf-8", newline="")
        self._w = csv.writer(self._fh)

    def close(self) -> None:
        self._fh.close()

    def publish(self) -> None:
        self.work.replace(self.path)

    def discard(self) -> None:
        self.work.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_stale_work_dirs(directory: Path) -> list[Path]:
    """Remove the temporary directories that imports killed mid-way left in ``directory`` (their process has
    ended); returns what was removed."""
    removed: list[Path] = []
    if not directory.is_dir():
        return removed
    for entry in directory.iterdir():
        match = WORK_DIR.match(entry.name)
        if match is None:
            continue
        pid = match.group("pid")
        if pid is not None and _alive(int(pid)):
            continue
        if pid is None and time.time() - entry.stat().st_mtime < LEGACY_STALE_AFTER:
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


@dataclass
class ImportResult:
    source: Path
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    error_count: int = 0
    years: dict[int, int] = field(default_factory=dict)
    dataset: Path | None = None
    rejects_path: Path | None = None
    report_path: Path | None = None
    first_errors: list[dict[str, object]] = field(default_factory=list)
    extra_columns: tuple[str, ...] = ()
    sha256: str | None = None  # of the source file, when it was scanned (plain CSV)
    fast_path: bool = False  # every row recognised as valid in the engine pass (fast_import)
    arrow: bool = False  # the dataset is one Arrow IPC file (fast_import.ARROW_FILE), not Parquet

    @property
    def ok(self) -> bool:
        return self.dataset is not None


class _ErrorSink(_WorkFile):
    """Writes every error record (line, column, value, reason) to a CSV report; keeps the first few."""

    def __init__(self, path: Path, keep: int = 50) -> None:
        super().__init__(path)
        self._w.writerow(["rad", "kolumn", "värde", "orsak"])
        self.keep = keep
        self.first: list[dict[str, object]] = []
        self.count = 0

    def add(self, line: int | None, column: str, value: str, reason: str) -> None:
        self.count += 1
        self._w.writerow(["" if line is None else line, column, value, reason])
        if len(self.first) < self.keep:
            self.first.append({"line": line, "column": column, "value": value, "reason": reason})

    def add_table(self, errors: pa.Table) -> None:
        if errors.num_rows == 0:
            return
        cols = errors.to_pydict()
        for line, column, value, reason in zip(
            cols["line"], cols["column"], cols["value"], cols["reason"], strict=True
        ):
            self.add(line, column, value, reason)


class _RejectSink(_WorkFile):
    """Lenient mode: every rejected row, as read, with its line number and reasons. A row that could be split
    into the extract's columns is written column by column; a row that could not (wrong number of fields) has
    its raw text in the last column, ``radtext``, and its value columns empty."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._w.writerow(["rad", "orsaker", *s.COLUMNS, "radtext"])

    def add_rows(self, batch: pa.Table, lines: list[int], mask: list[bool], reasons: list[str]) -> None:
        cols = [batch.column(c).to_pylist() for c in s.COLUMNS]
        for i, bad in enumerate(mask):
            if bad:
                self._w.writerow([lines[i], reasons[i], *(c[i] for c in cols), ""])

    def add_raw(self, line: int | None, reason: str, text: str) -> None:
        self._w.writerow(["" if line is None else line, reason, *([""] * len(s.COLUMNS)), text])


def dataset_root(analytics_dir: Path) -> Path:
    return analytics_dir / "par"


def import_par(
    source: Path,
    dataset: Path,
    *,
    strict: bool = True,
    replace: bool = False,
    report_path: Path | None = None,
    rejects_path: Path | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    progress_factory: Callable[[int, str], Progress] | None = None,
    scanned: Scan | Future[Scan] | None = None,
    supersede: Callable[[Scan], bool] | None = None,
    arrow: bool = False,
) -> ImportResult:
    """Validate and import ``source`` (CSV/Parquet/SAS) into the Parquet dataset directory ``dataset``.

    A plain CSV first tries the engine pass of ``fast_import`` (``scanned``: its scan, if the caller has
    already made it, or the future of one running beside it, see ``fast_import.try_import`` for
    ``supersede``); the exact, batch-by-batch path runs whenever that pass does not take every row. With
    ``arrow`` the engine pass writes its rows as one Arrow IPC file (``fast_import.ARROW_FILE``, the extract
    cache's format for DuckDB reports) instead of Parquet; the exact path always writes Parquet."""
    if dataset.exists() and not replace:
        raise DomainError(
            "followup.dataset_exists",
            f"Datamängden finns redan: {dataset} (använd --replace för att ersätta den)",
            f"Dataset already exists: {dataset}",
        )
    reader = open_source(source, batch_rows)
    dataset.parent.mkdir(parents=True, exist_ok=True)
    report_path = report_path or dataset.parent / f"{dataset.name}.fel.csv"
    if not strict:
        rejects_path = rejects_path or dataset.parent / f"{dataset.name}.avvisade.csv"
    for directory in {dataset.parent, report_path.parent, *([rejects_path.parent] if rejects_path else [])}:
        remove_stale_work_dirs(directory)
    tmp = _work_name(dataset, "tmp")
    sinks: list[_WorkFile] = []
    try:
        return _import(
            source,
            dataset,
            reader,
            tmp,
            strict,
            report_path,
            rejects_path,
            progress_factory,
            sinks,
            scanned,
            supersede,
            arrow,
        )
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        for sink in sinks:
            sink.close()
            sink.discard()
        raise


def _import(
    source: Path,
    dataset: Path,
    reader: SourceReader,
    tmp: Path,
    strict: bool,
    report_path: Path,
    rejects_path: Path | None,
    progress_factory: Callable[[int, str], Progress] | None,
    sinks: list[_WorkFile],
    scanned: Scan | Future[Scan] | None,
    supersede: Callable[[Scan], bool] | None,
    arrow: bool,
) -> ImportResult:
    result = ImportResult(source=source, extra_columns=reader.extra_columns)
    errors = _ErrorSink(report_path)
    sinks.append(errors)
    rejects = None if strict or rejects_path is None else _RejectSink(rejects_path)
    if rejects is not None:
        sinks.append(rejects)
    counties = default_counties().by_code
    progress = progress_factory(reader.total_units, reader.unit) if progress_factory else None
    fast = _fast(source, tmp, counties, scanned, supersede, result, arrow) if eligible(source) else None
    if fast is not None:
        result.read = result.accepted = fast.rows
        result.years = dict(sorted(fast.years.items()))
        result.fast_path = True
        result.arrow = arrow
        if progress:
            progress(reader.total_units)
        errors.close()
        if rejects is not None:
            rejects.close()
    else:
        _exact(reader, tmp, strict, counties, progress, result, errors, rejects)
    return _finish(source, dataset, tmp, strict, report_path, result, errors, rejects)


def _fast(
    source: Path,
    tmp: Path,
    counties: Iterable[str],
    scanned: Scan | Future[Scan] | None,
    supersede: Callable[[Scan], bool] | None,
    result: ImportResult,
    arrow: bool,
) -> FastResult | None:
    """The engine pass, with the file's scan in a thread beside it (or the caller's scan or future)."""
    header, delimiter = csv_header(source)
    if isinstance(scanned, Future):
        outcome = try_import(source, tmp, header, delimiter, counties, scanned, supersede, arrow=arrow)
        result.sha256 = scanned.result().sha256
        return outcome
    if scanned is not None:
        known = scanned
        result.sha256 = known.sha256
        return try_import(source, tmp, header, delimiter, counties, lambda: known, arrow=arrow)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-scan") as pool:
        future = pool.submit(scan, source)
        outcome = try_import(source, tmp, header, delimiter, counties, future.result, arrow=arrow)
        result.sha256 = future.result().sha256
    return outcome


def _exact(
    reader: SourceReader,
    tmp: Path,
    strict: bool,
    counties: Iterable[str],
    progress: Progress | None,
    result: ImportResult,
    errors: _ErrorSink,
    rejects: _RejectSink | None,
) -> None:
    """The exact path: every batch through ``validate_batch``, every error recorded with its line."""
    writers: dict[int, pq.ParquetWriter] = {}
    writing = True
    try:
        for batch, lines in reader.batches(progress):
            res = validate_batch(batch, lines, counties, keep_unknown_county=not strict)
            result.read += batch.num_rows
            result.accepted += res.valid.num_rows
            n_bad = batch.num_rows - res.valid.num_rows
            result.rejected += n_bad
            errors.add_table(res.errors)
            if n_bad and strict:
                writing = False
                for w in writers.values():
                    w.close()
                writers.clear()
            if rejects is not None and n_bad:
                rejects.add_rows(
                    batch, lines.tolist(), res.rejected_mask.to_pylist(), res.reasons.to_pylist()
                )
            if writing and res.valid.num_rows:
                _write_partitions(res.valid, tmp, writers, result.years)
        for m in reader.malformed:
            result.read += 1
            result.rejected += 1
            errors.add(m.line, "", m.text, m.reason)
            if rejects is not None:
                rejects.add_raw(m.line, m.reason, m.text)
        if reader.malformed and strict:
            writing = False
    finally:
        for w in writers.values():
            w.close()
        errors.close()
        if rejects is not None:
            rejects.close()


def _finish(
    source: Path,
    dataset: Path,
    tmp: Path,
    strict: bool,
    report_path: Path,
    result: ImportResult,
    errors: _ErrorSink,
    rejects: _RejectSink | None,
) -> ImportResult:
    """Publish the reports, refuse an empty or (strict) faulty extract, write the manifest, swap in."""
    result.error_count = errors.count
    result.first_errors = errors.first
    result.report_path = report_path if errors.count else None
    result.rejects_path = rejects.path if rejects is not None else None
    if errors.count == 0:
        errors.discard()
        report_path.unlink(missing_ok=True)  # an earlier import's report is no longer true
    else:
        errors.publish()
    if rejects is not None:
        rejects.publish()
    if strict and result.read == 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise DomainError(
            "followup.empty_extract",
            f"Extraktet innehåller inga rader (bara rubrikrad eller tom fil): {source.name}",
            f"Extract has no data rows: {source.name}",
        )
    if strict and result.rejected:
        shutil.rmtree(tmp, ignore_errors=True)
        result.years = {}
        return result
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / MANIFEST).write_text(
        json.dumps(
            {
                "source": source.name,
                "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "mode": "strict" if strict else "lenient",
                "read": result.read,
                "accepted": result.accepted,
                "rejected": result.rejected,
                "contacts_per_year": {str(k): v for k, v in sorted(result.years.items())},
                **({"sha256": result.sha256} if result.sha256 else {}),
                **({"format": "arrow"} if result.arrow else {}),
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    _swap_in(tmp, dataset)
    result.dataset = dataset
    return result


def parquet_form(dataset: Path) -> Path:
    """``dataset`` as Hive-partitioned Parquet: a dataset of one Arrow IPC file (``fast_import.ARROW_FILE``)
    is rewritten in place (same rows, same manifest but for its ``format``); a Parquet one is returned as it
    is. For engines that read only Parquet (Spark)."""
    arrow_file = dataset / ARROW_FILE
    if not arrow_file.is_file():
        return dataset
    tmp = _work_name(dataset, "tmp")
    writers: dict[int, pq.ParquetWriter] = {}
    years: dict[int, int] = {}
    try:
        with pa.memory_map(str(arrow_file)) as source:
            reader = pa.ipc.open_file(source)
            try:
                for i in range(reader.num_record_batches):
                    _write_partitions(pa.Table.from_batches([reader.get_batch(i)]), tmp, writers, years)
            finally:
                for w in writers.values():
                    w.close()
        manifest = json.loads((dataset / MANIFEST).read_text(encoding="utf-8"))
        manifest.pop("format", None)
        tmp.mkdir(parents=True, exist_ok=True)
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        _swap_in(tmp, dataset)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dataset


def _write_partitions(
    valid: pa.Table, root: Path, writers: dict[int, pq.ParquetWriter], years: dict[int, int]
) -> None:
    import pyarrow.compute as pc

    data_schema = s.STORED_SCHEMA
    year_col = valid.column("year")
    for y in pc.unique(year_col).to_pylist():
        part = valid.filter(pc.equal(year_col, y)).select(list(s.COLUMNS)).cast(data_schema)
        writer = writers.get(y)
        if writer is None:
            d = root / f"year={y}"
            d.mkdir(parents=True, exist_ok=True)
            writer = pq.ParquetWriter(d / "part-0.parquet", data_schema, compression="zstd")
            writers[y] = writer
        writer.write_table(part)
        years[y] = years.get(y, 0) + part.num_rows


def _swap_in(tmp: Path, dataset: Path) -> None:
    old = None
    if dataset.exists():
        old = _work_name(dataset, "old")
        dataset.rename(old)
    tmp.rename(dataset)
    if old is not None:
        with contextlib.suppress(OSError):
            shutil.rmtree(old)
