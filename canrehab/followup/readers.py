"""Streamed readers of PAR extracts: CSV, Parquet and SAS (``.sas7bdat``/``.xpt``).

Each reader yields ``(batch, lines)``: a table of the ``schema.COLUMNS`` as text and the line number of every
row (CSV: the physical line in the file, the header being line 1; Parquet/SAS: the 1-based row number). Rows a
CSV parser cannot split into the right number of fields are collected in ``malformed`` with their line number,
never skipped silently. Nothing reads the whole file into Python objects.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from canrehab.domain.errors import DomainError
from canrehab.followup import schema as s

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_BATCH_ROWS = 500_000
SAS_EPOCH = "1960-01-01"  # day 0 of a SAS date (pandas is imported only for SAS files)
CSV_BLOCK_BYTES = 32 << 20

Progress = Callable[[int], None]  # called with the number of units (bytes or rows) just consumed


@dataclass
class Malformed:
    line: int | None
    text: str
    reason: str


@dataclass
class SourceReader:
    path: Path
    total_units: int  # for a progress bar: bytes (CSV) or rows (Parquet/SAS)
    unit: str
    malformed: list[Malformed] = field(default_factory=list)
    extra_columns: tuple[str, ...] = ()
    _iter: Callable[[SourceReader, Progress | None], Iterator[tuple[pa.Table, np.ndarray]]] | None = None

    def batches(self, progress: Progress | None = None) -> Iterator[tuple[pa.Table, np.ndarray]]:
        assert self._iter is not None
        return self._iter(self, progress)


def kind_of(path: Path) -> str:
    name = path.name.lower()
    if path.is_dir() or name.endswith(".parquet") or name.endswith(".pq"):
        return "parquet"
    if name.endswith(".csv") or name.endswith(".csv.gz") or name.endswith(".txt"):
        return "csv"
    if name.endswith(".sas7bdat") or name.endswith(".xpt"):
        return "sas"
    raise DomainError(
        "followup.unknown_format",
        f"Okänt filformat: {path.name} (CSV, Parquet eller SAS .sas7bdat/.xpt)",
        f"Unknown file format: {path.name} (CSV, Parquet or SAS .sas7bdat/.xpt)",
    )


def _check_columns(found: list[str], path: Path) -> tuple[str, ...]:
    lowered = [c.strip().lower() for c in found]
    missing = [c for c in s.COLUMNS if c not in lowered]
    if missing:
        raise DomainError(
            "followup.missing_columns",
            f"{path.name}: kolumner saknas: {', '.join(missing)} (krävs: {', '.join(s.COLUMNS)})",
            f"{path.name}: missing columns: {', '.join(missing)}",
        )
    return tuple(c for c in lowered if c not in s.COLUMNS)


def open_source(path: Path, batch_rows: int = DEFAULT_BATCH_ROWS) -> SourceReader:
    if not path.exists():
        raise DomainError("followup.no_such_file", f"Filen finns inte: {path}", f"No such file: {path}")
    kind = kind_of(path)
    if kind == "csv":
        return _csv_reader(path)
    if kind == "parquet":
        return _parquet_reader(path, batch_rows)
    return _sas_reader(path, batch_rows)


class _CountingFile(io.RawIOBase):
    def __init__(self, path: Path, progress: Progress | None) -> None:
        self._fh = path.open("rb")
        self._progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        n = self._fh.readinto(b)
        if self._progress and n:
            self._progress(n)
        return n or 0

    def close(self) -> None:
        self._fh.close()
        super().close()


class _Utf8File(io.RawIOBase):
    """The bytes of a text file as UTF-8, with every byte sequence that is not UTF-8 replaced by U+FFFD, so
    that a file saved in another encoding fails row by row (the validation rejects a value holding U+FFFD,
    naming line and column) instead of as a whole."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self._pending:
            chunk = self._raw.read(1 << 20)
            text = self._decoder.decode(chunk, final=not chunk)
            self._pending = text.encode("utf-8")
            if not chunk:
                break
        n = min(len(b), len(self._pending))
        b[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def _text_bytes(raw: Any, path: Path) -> Any:
    """The file's bytes, decompressed when it is gzip (``.gz``)."""
    return gzip.GzipFile(fileobj=raw, mode="rb") if path.name.lower().endswith(".gz") else raw


def csv_header(path: Path) -> tuple[list[str], str]:
    with (
        _text_bytes(path.open("rb"), path) as binary,
        io.TextIOWrapper(binary, encoding="utf-8-sig", errors="replace", newline="") as fh,
    ):
        first = fh.readline()
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return next(csv.reader([first], delimiter=delimiter)), delimiter


def _line_numbers(good_start: int, n: int, skipped: list[int]) -> np.ndarray:
    """Physical line numbers of good rows ``good_start .. good_start+n-1`` (0-based among good rows), given
    sorted physical line numbers of skipped (malformed) rows; the header is line 1."""
    g = np.arange(good_start, good_start + n, dtype=np.int64)
    if not skipped:
        return g + 2
    sk = np.asarray(sorted(skipped), dtype=np.int64)
    good_before = sk - np.arange(len(sk)) - 2
    return g + 2 + np.searchsorted(good_before, g, side="right")


def _csv_reader(path: Path) -> SourceReader:
    header, delimiter = csv_header(path)
    extra = _check_columns(header, path)
    reader = SourceReader(path=path, total_units=path.stat().st_size, unit="byte", extra_columns=extra)
    names = [h.strip().lower() for h in header]

    def handler(row: Any) -> str:
        reader.malformed.append(
            Malformed(
                line=row.number,
                text=str(row.text)[:200],
                reason=f"{s.REASON_COLUMNS}: {row.actual_columns} i stället för {row.expected_columns}",
            )
        )
        return "skip"

    def iterate(r: SourceReader, progress: Progress | None) -> Iterator[tuple[pa.Table, np.ndarray]]:
        raw = _CountingFile(path, progress)  # counts the bytes of the file as stored (compressed or not)
        utf8 = _Utf8File(_text_bytes(io.BufferedReader(raw, buffer_size=1 << 20), path))
        stream = pacsv.open_csv(
            io.BufferedReader(utf8, buffer_size=1 << 20),
            read_options=pacsv.ReadOptions(
                block_size=CSV_BLOCK_BYTES,
                column_names=names,
                skip_rows=1,
                encoding="utf8",
                use_threads=False,
            ),
            # Empty lines are rows (with every value missing), so they are reported, never dropped, and the
            # line numbers of the rows after them stay right.
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, invalid_row_handler=handler, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in names},
                include_columns=list(s.COLUMNS),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        good = 0
        try:
            for batch in stream:
                if batch.num_rows == 0:
                    continue
                skipped = [m.line for m in r.malformed if m.line is not None]
                lines = _line_numbers(good, batch.num_rows, skipped)
                good += batch.num_rows
                yield pa.Table.from_batches([batch]), lines
        finally:
            # Close the arrow stream before the Python file it reads from (never leave it to finalisation).
            with contextlib.suppress(Exception):
                stream.close()
            del stream
            utf8.close()
            raw.close()

    reader._iter = iterate
    return reader


def _to_text_table(table: pa.Table) -> pa.Table:
    cols = {}
    for name in s.COLUMNS:
        col = table.column(name)
        if pa.types.is_floating(col.type):
            # SAS stores every number as a double: 1.0 -> "1"; fractions stay visible (and fail validation).
            arr = col.combine_chunks()
            whole = pc.equal(pc.floor(arr), arr)
            as_int = pc.cast(pc.if_else(whole, arr, 0.0), pa.int64())
            col = pc.if_else(whole, pc.cast(as_int, pa.string()), pc.cast(arr, pa.string()))
        elif pa.types.is_timestamp(col.type) or pa.types.is_date(col.type):
            col = pc.strftime(col, format="%Y-%m-%d")
        elif (
            pa.types.is_binary(col.type)
            or pa.types.is_large_binary(col.type)
            or not pa.types.is_string(col.type)
        ):
            col = pc.cast(col, pa.string())
        cols[name] = pc.fill_null(col, "")
    return pa.table(cols)


def _parquet_reader(path: Path, batch_rows: int) -> SourceReader:
    files = sorted(path.rglob("*.parquet")) if path.is_dir() else [path]
    if not files:
        raise DomainError(
            "followup.empty_dataset", f"Inga Parquet-filer i {path}", f"No Parquet files in {path}"
        )
    metas = [pq.ParquetFile(f) for f in files]
    extra = _check_columns(list(metas[0].schema_arrow.names), path)
    total = sum(m.metadata.num_rows for m in metas)
    reader = SourceReader(path=path, total_units=total, unit="row", extra_columns=extra)

    def iterate(r: SourceReader, progress: Progress | None) -> Iterator[tuple[pa.Table, np.ndarray]]:
        row = 0
        for pf in metas:
            lookup = {n.lower(): n for n in pf.schema_arrow.names}
            for batch in pf.iter_batches(batch_size=batch_rows, columns=[lookup[c] for c in s.COLUMNS]):
                table = pa.Table.from_batches([batch]).rename_columns(list(s.COLUMNS))
                lines = np.arange(row + 1, row + 1 + batch.num_rows, dtype=np.int64)
                row += batch.num_rows
                if progress:
                    progress(batch.num_rows)
                yield _to_text_table(table), lines

    reader._iter = iterate
    return reader


def frames_to_batches(
    frames: Iterator[pd.DataFrame], progress: Progress | None = None
) -> Iterator[tuple[pa.Table, np.ndarray]]:
    """Turn pandas chunks (as ``pandas.read_sas(chunksize=...)`` yields them) into text batches."""
    import pandas as pd

    row = 0
    for frame in frames:
        frame = frame.rename(columns={c: str(c).strip().lower() for c in frame.columns})
        data = {}
        for name in s.COLUMNS:
            col = frame[name]
            if col.dtype == object:
                col = col.map(lambda v: v.decode("utf-8") if isinstance(v, bytes) else v)
            elif name in ("indatum", "utdatum") and pd.api.types.is_numeric_dtype(col):
                # A SAS date without a date format: days since 1960-01-01.
                col = (pd.Timestamp(SAS_EPOCH) + pd.to_timedelta(col, unit="D")).dt.strftime("%Y-%m-%d")
            data[name] = col
        table = pa.Table.from_pandas(pd.DataFrame(data), preserve_index=False)
        lines = np.arange(row + 1, row + 1 + len(frame), dtype=np.int64)
        row += len(frame)
        if progress:
            progress(len(frame))
        yield _to_text_table(table), lines


def _sas_reader(path: Path, batch_rows: int) -> SourceReader:
    import pandas as pd

    fmt = "xport" if path.name.lower().endswith(".xpt") else "sas7bdat"
    probe = pd.read_sas(path, format=fmt, chunksize=1)  # type: ignore[call-overload]
    try:
        first = next(iter(probe))
        total = int(getattr(probe, "row_count", 0) or getattr(probe, "nobs", 0) or 0)
    finally:
        probe.close()
    extra = _check_columns([str(c) for c in first.columns], path)
    reader = SourceReader(path=path, total_units=total, unit="row", extra_columns=extra)

    def iterate(r: SourceReader, progress: Progress | None) -> Iterator[tuple[pa.Table, np.ndarray]]:
        chunks = pd.read_sas(path, format=fmt, chunksize=batch_rows)  # type: ignore[call-overload]
        try:
            yield from frames_to_batches(iter(chunks), progress)
        finally:
            chunks.close()

    reader._iter = iterate
    return reader
