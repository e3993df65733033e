"""The fast path of a CSV import: the file's rows recognised inside DuckDB in one parallel pass and written
straight to the dataset (Parquet, or one Arrow IPC file for the extract cache), while a second thread scans
the file's bytes (SHA-256, line count, U+FFFD).

The exact validator (``validate.validate_batch``) stays the one home of the rules and of their messages. This
module only *recognises* rows that are valid **and already in canonical form** — no surrounding whitespace,
KVÅ codes separated by single spaces, dates exactly as ``ÅÅÅÅ-MM-DD`` prints them (years 1900–2099), an age as
its number prints (no leading zero), a löpnummer of printable ASCII, a county code from the county file or
empty. Such a row means the same to both paths. When every line of the file after the header is such a row,
the dataset written here is the one the exact path would have written, and the import is done. Anything else —
one row that is invalid or would need trimming, a county code the file does not know, a line DuckDB cannot
split as the exact reader would (it raises), a row count that differs from the file's physical lines (blank
lines, quoted line breaks), bytes that are not UTF-8, a U+FFFD — and nothing of this pass is kept: ``None`` is
returned and the importer runs the exact path, which reports every error with its line. The comparison tests
(``tests/followup/test_fast_import.py``) run both paths value by value and over generated nearly-valid files.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from canrehab.followup import duckdb_settings
from canrehab.followup import schema as s

# Bytes of U+FFFD in UTF-8: the exact reader turns every non-UTF-8 byte into it and rejects the value.
_REPLACEMENT = "\ufffd".encode()
_CHUNK = 8 << 20
# The years the fast path accepts in a date; rows outside go to the exact path (which decides).
FIRST_YEAR, LAST_YEAR = 1900, 2099


@dataclass(frozen=True)
class Scan:
    """What one pass over a file's bytes tells: its SHA-256 (the extract cache's key), its physical lines
    (a last line without a newline counts) and whether it holds the bytes of U+FFFD."""

    sha256: str
    size: int
    lines: int
    replacement_char: bool


def scan(path: Path) -> Scan:
    digest = hashlib.sha256()
    newlines = 0
    size = 0
    found = False
    tail = b""
    last = b""
    with path.open("rb", buffering=0) as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)  # releases the GIL: runs beside the DuckDB pass
            newlines += chunk.count(b"\n")
            size += len(chunk)
            if not found:
                found = _REPLACEMENT in chunk or _REPLACEMENT in tail + chunk[:2]
                tail = chunk[-2:]
            last = chunk[-1:]
    lines = newlines + (1 if size and last != b"\n" else 0)
    return Scan(sha256=digest.hexdigest(), size=size, lines=lines, replacement_char=found)


def eligible(path: Path) -> bool:
    """A plain CSV file (gzip and other formats take the exact path)."""
    name = path.name.lower()
    return path.is_file() and (name.endswith(".csv") or name.endswith(".txt"))


@dataclass(frozen=True)
class FastResult:
    rows: int
    years: dict[int, int]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _date_ok(column: str, parsed: str) -> str:
    """A real day (``parsed``, DuckDB's date cast, is NULL for 2022-02-30 or month 13) in the accepted years,
    whose text is exactly the date as DuckDB prints it: ``ÅÅÅÅ-MM-DD``, zero-padded, nothing around it. The
    lenient cast alone would take ``2022-1-5``, ``2022/01/05`` or ``2022-01-05 ``; none of them prints back
    as itself. (The print-back costs 0,16 CPU-s on 3 million rows, the pattern it replaces 0,27; a
    ``strftime`` round trip cost about 2 s.)"""
    return f"CAST({parsed} AS VARCHAR) = {column} AND year({parsed}) BETWEEN {FIRST_YEAR} AND {LAST_YEAR}"


def load_engine() -> None:
    """Import what the engine pass imports (DuckDB, Arrow's compute functions), for a caller that loads
    other modules in a thread while the pass runs."""
    import duckdb  # noqa: F401
    import pyarrow.compute  # noqa: F401


def canonical_rows_sql(source: Path, header: list[str], delimiter: str, counties: Iterable[str]) -> str:
    """The SELECT of the rows that are valid and canonical, typed as ``schema.STORED_SCHEMA`` + ``year``."""
    names = [h.strip().lower() for h in header]
    fields = ", ".join(f"{_quote(f'c{i}')}: 'VARCHAR'" for i in range(len(names)))
    text = ", ".join(f"coalesce(c{names.index(c)}, '') AS {c}" for c in s.COLUMNS)
    kva = s.KVA_PATTERN[1:-1]
    op_pattern = f"^{kva}( {kva})*$"
    county_list = ", ".join(_quote(c) for c in sorted(counties))
    return f"""
WITH r AS (
    SELECT {text}
    FROM read_csv({_quote(str(source))}, delim = {_quote(delimiter)}, quote = '"', escape = '"',
                  header = false, skip = 1, auto_detect = false, strict_mode = true, null_padding = false,
                  ignore_errors = false, columns = {{{fields}}})
), t AS (
    SELECT *,
           TRY_CAST(indatum AS DATE) AS ind,
           TRY_CAST(nullif(utdatum, '') AS DATE) AS utd
    FROM r
)
SELECT lopnr,
       CAST(kon AS TINYINT) AS kon,
       CAST(alder AS SMALLINT) AS alder,
       nullif(lan, '') AS lan,
       vardform,
       ind AS indatum,
       utd AS utdatum,
       hdia,
       op,
       CAST(year(CASE WHEN vardform = 'sluten' THEN utd ELSE ind END) AS SMALLINT) AS year
FROM t
WHERE regexp_full_match(lopnr, '[!-~]{{1,{s.MAX_LOPNR_LENGTH}}}')
  AND kon IN ({", ".join(_quote(k) for k in s.KON_VALUES)})
  AND CAST(TRY_CAST(alder AS UTINYINT) AS VARCHAR) = alder AND TRY_CAST(alder AS UTINYINT) <= {s.MAX_AGE}
  AND (lan = '' OR lan IN ({county_list}))
  AND vardform IN ({", ".join(_quote(v) for v in s.VARDFORMER)})
  AND {_date_ok("indatum", "ind")}
  AND CASE WHEN vardform = 'sluten' THEN ({_date_ok("utdatum", "utd")} AND utd >= ind)
           ELSE utdatum = '' END
  AND regexp_full_match(hdia, {_quote(s.ICD10_PATTERN)})
  AND (op = '' OR regexp_full_match(op, {_quote(op_pattern)}))
"""


class Superseded(Exception):
    """The file's scan, finished while the engine pass ran, showed its import is not needed (the extract
    cache already holds a dataset of the same bytes); the pass was interrupted and nothing was kept."""


# The dataset of an engine pass written as Arrow (``try_import(..., arrow=True)``): one IPC file of record
# batches, schema ``schema.STORED_SCHEMA`` + ``year``, beside the import's manifest.
ARROW_FILE = "contacts.arrow"
_ARROW_BATCH_ROWS = 122_880  # DuckDB's row-group size: about 25 batches for 3 million contacts


def _copy_parquet(con: Any, select: str, target: Path) -> dict[int, int]:
    """The canonical rows as ``target/year=YYYY/part-0.parquet``; rows per year from ``RETURN_STATS``, so
    the years need no second read."""
    copied = con.execute(
        f"COPY ({select}) TO {_quote(str(target))} (FORMAT parquet, COMPRESSION zstd, "
        "PARTITION_BY (year), FILENAME_PATTERN 'part-{i}', RETURN_STATS true)"
    )
    stats = [d[0] for d in copied.description or ()]
    years: dict[int, int] = {}
    for row in copied.fetchall():
        f = dict(zip(stats, row, strict=True))
        year = int(f["partition_keys"]["year"])
        years[year] = years.get(year, 0) + int(f["count"])
    return years


def _stream_arrow(con: Any, select: str, target: Path) -> dict[int, int]:
    """The canonical rows streamed into ``target/ARROW_FILE`` as the pass produces them (memory stays
    bounded; no encoding, no compression: writing costs a copy). A report reads the file memory-mapped."""
    import pyarrow as pa
    import pyarrow.compute as pc

    target.mkdir(parents=True, exist_ok=True)
    years: dict[int, int] = {}
    reader = con.sql(select).to_arrow_reader(_ARROW_BATCH_ROWS)
    with pa.OSFile(str(target / ARROW_FILE), "wb") as sink, pa.ipc.new_file(sink, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)
            counted = pc.value_counts(batch.column("year"))
            for year, n in zip(
                counted.field("values").to_pylist(), counted.field("counts").to_pylist(), strict=True
            ):
                years[int(year)] = years.get(int(year), 0) + int(n)
    return years


def try_import(
    source: Path,
    target: Path,
    header: list[str],
    delimiter: str,
    counties: Iterable[str],
    scanned: Callable[[], Scan] | Future[Scan],
    supersede: Callable[[Scan], bool] | None = None,
    *,
    arrow: bool = False,
) -> FastResult | None:
    """Write ``source``'s rows to the dataset directory ``target`` if every line is a valid, canonical row;
    otherwise remove whatever was written and return None. The dataset is ``year=YYYY/part-0.parquet``, or
    with ``arrow`` one Arrow IPC file ``ARROW_FILE`` (the extract cache's format for DuckDB reports).
    ``scanned`` gives the file's scan (a callable or the future of a scan running beside the pass); it is
    asked for only after the engine pass. When the future finishes during the pass and ``supersede`` says
    yes to its scan, the pass is interrupted, ``target`` removed and ``Superseded`` raised."""
    import duckdb

    names = [h.strip().lower() for h in header]
    if len(set(names)) != len(names):
        return None
    select = canonical_rows_sql(source, header, delimiter, counties)
    con = duckdb.connect()
    stopped = threading.Event()
    if isinstance(scanned, Future) and supersede is not None:

        def stop(done: Future[Scan]) -> None:
            if done.exception() is None and supersede(done.result()):
                stopped.set()
                con.interrupt()

        scanned.add_done_callback(stop)
    try:
        duckdb_settings.configure(con.execute)
        try:
            years = (_stream_arrow if arrow else _copy_parquet)(con, select, target)
        except (duckdb.Error, OSError):  # an error in the middle of a stream reaches Arrow as an OSError
            shutil.rmtree(target, ignore_errors=True)
            if stopped.is_set():
                raise Superseded(str(source)) from None
            # The exact reader decides what a line DuckDB cannot read means (and names its line).
            return None
    finally:
        con.close()
    written = sum(years.values())
    scan_ = scanned.result() if isinstance(scanned, Future) else scanned()
    if written == 0 or written != scan_.lines - 1 or scan_.replacement_char:
        shutil.rmtree(target, ignore_errors=True)
        return None
    return FastResult(rows=written, years=years)
