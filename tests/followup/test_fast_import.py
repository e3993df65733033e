"""The fast import path (fast_import: rows recognised inside DuckDB) gives exactly what the exact path gives,
value by value and over generated nearly-valid files; the extract cache reuses an import only for the same
bytes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canrehab.codes.geography import default_counties
from canrehab.domain.errors import DomainError
from canrehab.followup import extract_cache, fast_import, importer
from canrehab.followup.readers import csv_header
from canrehab.followup.schema import COLUMNS
from tests.followup.conftest import contact, write_extract

# Values of one column that are valid, invalid, or valid only after the exact path's trimming: each must give
# the same import either way.
VARIANTS: list[tuple[str, str]] = [
    ("lopnr", "  42"),
    ("lopnr", "a b"),
    ("lopnr", "å1"),
    ("lopnr", "x" * 64),
    ("lopnr", "x" * 65),
    ("lopnr", ""),
    ("kon", " 1"),
    ("kon", "0"),
    ("alder", "007"),
    ("alder", "125"),
    ("alder", "126"),
    ("alder", "1.0"),
    ("alder", "-1"),
    # what DuckDB's integer cast alone would take (the fast path compares the number printed back)
    ("alder", "+5"),
    ("alder", "1e2"),
    ("alder", "060"),
    ("alder", "6_0"),
    ("lan", ""),
    ("lan", "99"),
    ("lan", " 01"),
    ("lan", "1"),
    ("vardform", "Oppen"),
    ("indatum", "2022-02-29"),
    ("indatum", "2024-02-29"),
    ("indatum", "2022-3-01"),
    ("indatum", "1899-12-31"),
    ("indatum", "2100-01-01"),
    ("indatum", " 2022-03-01"),
    ("indatum", "2022-03-01T00:00"),
    # what DuckDB's date cast alone would take (the fast path's pattern refuses them, as the exact one does)
    ("indatum", "2022/03/01"),
    ("indatum", "2022-3-1"),
    ("indatum", "2022-03-1 "),
    ("indatum", "20220-1-05"),
    ("indatum", "0999-01-01"),
    ("indatum", "2022-04-31"),
    ("indatum", "2022-13-01"),
    ("utdatum", "2022-03-01"),
    ("hdia", "c509"),
    ("hdia", "C50.9"),
    ("hdia", "C910A"),
    ("hdia", "C5"),
    ("op", "AW020  XV019"),
    ("op", " AW020"),
    ("op", "AW020 "),
    ("op", "AW020,XV019"),
    ("op", "NGB49 AW020"),
    ("op", "aw020"),
    ("op", "AW020\tXV019"),
    ("hdia", "C50\ufffd"),
]


def _rows(n: int = 12) -> list[dict[str, str]]:
    rows = [contact(str(i), op="AW020 XV019" if i % 3 == 0 else "") for i in range(1, n + 1)]
    rows[1].update(vardform="sluten", indatum="2022-05-01", utdatum="2022-05-09")
    rows[2].update(vardform="sluten", indatum="2021-12-28", utdatum="2022-01-03", lan="")
    rows[3].update(indatum="2021-07-01")
    return rows


def _dataset_rows(path: Path) -> list[tuple[Any, ...]]:
    if (path / fast_import.ARROW_FILE).is_file():
        table = pa.ipc.open_file(pa.memory_map(str(path / fast_import.ARROW_FILE))).read_all()
    elif not path.exists() or not any(path.rglob("*.parquet")):
        return []
    else:
        table = pq.read_table(path)  # hive partitioning gives the year column
    names = [*COLUMNS, "year"]
    cols = {n: table.column(n).to_pylist() for n in names}
    return sorted(tuple(str(cols[n][i]) for n in names) for i in range(table.num_rows))


def _outcome(
    source: Path,
    out: Path,
    *,
    strict: bool,
    fast: bool,
    monkeypatch: pytest.MonkeyPatch,
    arrow: bool = False,
) -> dict[str, Any]:
    with monkeypatch.context() as m:
        if not fast:
            m.setattr(importer, "eligible", lambda p: False)
        dataset = out / "data"
        try:
            res = importer.import_par(
                source, dataset, strict=strict, report_path=out / "fel.csv", arrow=arrow
            )
        except DomainError as e:
            return {"error": e.code}
    text = {p.name: p.read_text(encoding="utf-8") for p in (res.report_path, res.rejects_path) if p}
    return {
        "ok": res.ok,
        "counts": (res.read, res.accepted, res.rejected, res.error_count),
        "years": dict(sorted(res.years.items())),
        "errors": res.first_errors,
        "reports": text,
        "rows": _dataset_rows(dataset),
        "extra": res.extra_columns,
        "fast_path": res.fast_path,
    }


def _both(
    source: Path, tmp: Path, monkeypatch: pytest.MonkeyPatch, *, strict: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    tag = "strict" if strict else "lenient"
    fast = _outcome(source, tmp / f"fast-{tag}", strict=strict, fast=True, monkeypatch=monkeypatch)
    exact = _outcome(source, tmp / f"exact-{tag}", strict=strict, fast=False, monkeypatch=monkeypatch)
    return fast, exact


def _same(fast: dict[str, Any], exact: dict[str, Any]) -> None:
    assert exact.get("fast_path") in (None, False)
    fast = {k: v for k, v in fast.items() if k != "fast_path"}
    exact = {k: v for k, v in exact.items() if k != "fast_path"}
    assert fast == exact


@pytest.mark.parametrize("strict", [True, False], ids=["strict", "lenient"])
def test_a_clean_file_takes_the_fast_path_and_imports_what_the_exact_path_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, strict: bool
) -> None:
    source = write_extract(tmp_path / "ren.csv", _rows())
    fast, exact = _both(source, tmp_path, monkeypatch, strict=strict)
    assert fast["fast_path"] is True
    assert fast["counts"] == (12, 12, 0, 0)
    assert fast["years"] == {2021: 1, 2022: 11}
    _same(fast, exact)


@pytest.mark.parametrize(("column", "value"), VARIANTS, ids=[f"{c}={v!r}" for c, v in VARIANTS])
def test_one_unusual_value_gives_the_same_import_either_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, column: str, value: str
) -> None:
    rows = _rows()
    rows[5][column] = value
    source = write_extract(tmp_path / "x.csv", rows)
    for strict in (True, False):
        fast, exact = _both(source, tmp_path, monkeypatch, strict=strict)
        _same(fast, exact)


def test_a_file_the_engine_reads_differently_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = write_extract(tmp_path / "g.csv", _rows()).read_text(encoding="utf-8")
    lines = good.splitlines(keepends=True)
    cases = {
        "blank_line": "".join([*lines[:4], "\n", *lines[4:]]),
        "blank_last_line": good + "\n",
        "short_row": "".join([*lines[:4], "7,1,60\n", *lines[4:]]),
        "long_row": "".join([*lines[:4], lines[4].rstrip("\n") + ",extra\n", *lines[4:]]),
        "quoted_newline": "".join([*lines[:4], lines[4].replace(",C509,", ',"C5\n09",'), *lines[5:]]),
        "quoted_values": "".join(
            [*lines[:4], ",".join(f'"{v}"' for v in lines[4].rstrip("\n").split(",")) + "\n", *lines[5:]]
        ),
        "no_final_newline": good.rstrip("\n"),
        "crlf": good.replace("\n", "\r\n"),
        "semicolons": good.replace(",", ";"),
        "bom": "\ufeff" + good,
        "header_only": lines[0],
        "upper_header": lines[0].upper() + "".join(lines[1:]),
        "extra_column": "".join(line.rstrip("\n") + ",x\n" for line in lines),
    }
    for name, text in cases.items():
        source = tmp_path / f"{name}.csv"
        source.write_text(text, encoding="utf-8", newline="")
        for strict in (True, False):
            fast, exact = _both(source, tmp_path / name, monkeypatch, strict=strict)
            _same(fast, exact)
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(good.replace("C509", "C5\xe49", 1).encode("latin-1"))
    for strict in (True, False):
        fast, exact = _both(latin1, tmp_path / "latin1", monkeypatch, strict=strict)
        assert fast["counts"][2] == 1
        _same(fast, exact)


_VALUE = {
    "lopnr": st.sampled_from(["1", "2", "3", " 4", "å5", "x" * 65, ""]),
    "kon": st.sampled_from(["1", "2", "3", ""]),
    "alder": st.sampled_from(["0", "60", "125", "126", "09", "-1", "x"]),
    "lan": st.sampled_from(["01", "05", "", "99", " 01"]),
    "vardform": st.sampled_from(["oppen", "sluten", "Sluten"]),
    "indatum": st.sampled_from(["2022-03-01", "2021-12-31", "2022-02-30", "1899-01-01", ""]),
    "utdatum": st.sampled_from(["", "2022-03-04", "2022-02-01", "2023-01-01"]),
    "hdia": st.sampled_from(["C509", "C61", "I10", "c509", ""]),
    "op": st.sampled_from(["", "AW020", "AW020 XV019", "AW020  XV019", " XV020", "aw020"]),
}
_ROW = st.fixed_dictionaries(_VALUE)
_LINE = st.one_of(_ROW, _ROW, _ROW, st.just({}))  # {} is a blank line


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_LINE, min_size=1, max_size=8), strict=st.booleans())
def test_nearly_valid_files_import_the_same_either_way(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    lines: list[dict[str, str]],
    strict: bool,
) -> None:
    tmp = tmp_path_factory.mktemp("prop")
    text = (
        ",".join(COLUMNS)
        + "\n"
        + "".join(",".join(r[c] for c in COLUMNS) + "\n" if r else "\n" for r in lines)
    )
    source = tmp / "p.csv"
    source.write_text(text, encoding="utf-8", newline="")
    fast, exact = _both(source, tmp, monkeypatch, strict=strict)
    _same(fast, exact)


def test_the_scan_counts_lines_and_finds_replacement_characters(tmp_path: Path) -> None:
    f = tmp_path / "f.csv"
    f.write_bytes(b"a\nb\nc")
    assert fast_import.scan(f).lines == 3
    f.write_bytes(b"a\nb\n")
    assert fast_import.scan(f).lines == 2
    f.write_bytes(b"x" * (fast_import._CHUNK - 1) + "\ufffd".encode())  # across the chunk boundary
    assert fast_import.scan(f).replacement_char
    f.write_bytes(b"")
    assert fast_import.scan(f).lines == 0


# --- the extract cache --------------------------------------------------------------------------------------


def test_a_second_report_on_the_same_file_reuses_the_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_extract(tmp_path / "e.csv", _rows())
    root = tmp_path / "cache"
    first = extract_cache.cached_dataset(source, root)
    assert (first / importer.MANIFEST).is_file()

    def no_import(*a: object, **k: object) -> None:
        raise AssertionError("imported again")

    with monkeypatch.context() as m:  # an unchanged file is not even hashed again
        m.setattr(extract_cache, "import_par", no_import)
        m.setattr(extract_cache, "scan", no_import)
        assert extract_cache.cached_dataset(source, root) == first
    # Touched, not changed: hashed again (beside an engine pass that the hash stops), same dataset.
    os.utime(source)
    assert extract_cache.cached_dataset(source, root) == first
    assert [p.name for p in root.iterdir() if not p.name.startswith(".")] == [first.parent.name]


def test_a_file_changed_in_place_with_the_same_size_and_time_is_imported_anew(tmp_path: Path) -> None:
    rows = _rows()
    source = write_extract(tmp_path / "e.csv", rows)
    root = tmp_path / "cache"
    first = extract_cache.cached_dataset(source, root)
    stat = source.stat()
    rows[0]["alder"] = "61"  # same length
    write_extract(source, rows)
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert source.stat().st_size == stat.st_size
    second = extract_cache.cached_dataset(source, root)
    assert second != first
    ages = sorted(pq.read_table(second).column("alder").to_pylist())
    assert 61 in ages


def test_a_faulty_file_is_refused_every_time_and_never_cached(tmp_path: Path) -> None:
    rows = _rows()
    rows[3]["kon"] = "9"
    source = write_extract(tmp_path / "e.csv", rows)
    root = tmp_path / "cache"
    for _ in range(2):
        with pytest.raises(DomainError) as info:
            extract_cache.cached_dataset(source, root)
        assert "rad 5, kon" in info.value.message_sv
    assert [p.name for p in root.iterdir()] == []


def test_only_the_newest_datasets_are_kept(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    kept = []
    for i in range(extract_cache.KEEP + 2):
        source = write_extract(tmp_path / f"e{i}.csv", _rows(5 + i))
        kept.append(extract_cache.cached_dataset(source, root))
    entries = {p.name for p in root.iterdir() if not p.name.startswith(".")}
    assert entries == {p.parent.name for p in kept[-extract_cache.KEEP :]}


def test_a_copy_of_a_cached_file_reuses_its_dataset_and_leaves_no_work_behind(tmp_path: Path) -> None:
    source = write_extract(tmp_path / "e.csv", _rows(40))
    root = tmp_path / "cache"
    first = extract_cache.cached_dataset(source, root)
    copy = tmp_path / "kopia.csv"
    copy.write_bytes(source.read_bytes())  # new name and inode, same bytes: the scan's key finds it
    assert extract_cache.cached_dataset(copy, root) == first
    assert sorted(p.name for p in root.iterdir() if not p.name.startswith(".")) == [first.parent.name]
    assert not [p for p in root.iterdir() if ".tmp-" in p.name]


def test_the_engine_pass_takes_the_future_of_a_scan_running_beside_it(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    source = write_extract(tmp_path / "e.csv", _rows(40))
    header, delimiter = csv_header(source)
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(fast_import.scan, source)
        outcome = fast_import.try_import(
            source, tmp_path / "ds", header, delimiter, default_counties().by_code, future, lambda _s: False
        )
    assert outcome is not None and outcome.rows == 40 and sum(outcome.years.values()) == 40


# --- the Arrow form (the extract cache of DuckDB reports) ---------------------------------------------------


def test_the_arrow_form_holds_what_the_exact_path_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_extract(tmp_path / "e.csv", _rows(40))
    exact = _outcome(source, tmp_path / "exact", strict=True, fast=False, monkeypatch=monkeypatch)
    data = extract_cache.cached_dataset(source, tmp_path / "cache", arrow=True)
    assert (data / fast_import.ARROW_FILE).is_file() and not list(data.rglob("*.parquet"))
    assert _dataset_rows(data) == exact["rows"]
    manifest = json.loads((data / importer.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["format"] == "arrow" and manifest["read"] == 40
    assert (
        manifest["contacts_per_year"]
        == {str(y): n for y, n in exact["years"].items()}
        == {
            "2021": 1,
            "2022": 39,
        }
    )


def test_a_file_the_engine_reads_differently_falls_back_from_the_arrow_form_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = write_extract(tmp_path / "g.csv", _rows()).read_text(encoding="utf-8")
    lines = good.splitlines(keepends=True)
    cases = {
        "clean": good,
        "blank_line": "".join([*lines[:4], "\n", *lines[4:]]),
        "short_row": "".join([*lines[:4], "7,1,60\n", *lines[4:]]),
        "bad_date": good.replace("2022-05-09", "2022-02-30"),
        "crlf": good.replace("\n", "\r\n"),
        "replacement_char": good.replace("C509", "C5\ufffd9", 1),
    }
    for name, text in cases.items():
        source = tmp_path / f"{name}.csv"
        source.write_text(text, encoding="utf-8", newline="")
        arrow = _outcome(
            source, tmp_path / name / "a", strict=True, fast=True, monkeypatch=monkeypatch, arrow=True
        )
        exact = _outcome(source, tmp_path / name / "e", strict=True, fast=False, monkeypatch=monkeypatch)
        assert arrow["fast_path"] is (name in ("clean", "crlf")), name  # DuckDB splits CRLF lines too
        _same(arrow, exact)


def test_a_line_the_engine_cannot_split_after_the_first_batches_leaves_nothing(tmp_path: Path) -> None:
    # The stream has written batches when DuckDB meets the line; its error reaches Arrow as an OSError.
    n = 3 * fast_import._ARROW_BATCH_ROWS
    source = write_extract(tmp_path / "big.csv", [contact(str(i)) for i in range(n)])
    with source.open("a", encoding="utf-8") as fh:
        fh.write("7,1,60\n")
    root = tmp_path / "cache"
    with pytest.raises(DomainError) as info:
        extract_cache.cached_dataset(source, root, arrow=True)
    assert f"rad {n + 2}" in info.value.message_sv and "fel antal kolumner" in info.value.message_sv
    assert [p.name for p in root.iterdir()] == []


def test_a_touched_file_reuses_its_arrow_form(tmp_path: Path) -> None:
    source = write_extract(tmp_path / "e.csv", _rows(40))
    root = tmp_path / "cache"
    first = extract_cache.cached_dataset(source, root, arrow=True)
    os.utime(source)
    assert extract_cache.cached_dataset(source, root, arrow=True) == first
    copy = tmp_path / "kopia.csv"
    copy.write_bytes(source.read_bytes())
    assert extract_cache.cached_dataset(copy, root, arrow=True) == first
    assert [p.name for p in root.iterdir() if not p.name.startswith(".")] == [first.parent.name]
    assert not [p for p in root.iterdir() if ".tmp-" in p.name]


def test_an_engine_that_reads_only_parquet_gets_the_arrow_form_rewritten(tmp_path: Path) -> None:
    source = write_extract(tmp_path / "e.csv", _rows(40))
    root = tmp_path / "cache"
    arrow = extract_cache.cached_dataset(source, root, arrow=True)
    rows = _dataset_rows(arrow)
    parquet = extract_cache.cached_dataset(source, root)  # as for Spark
    assert parquet == arrow and not (parquet / fast_import.ARROW_FILE).exists()
    assert sorted(p.relative_to(parquet).as_posix() for p in parquet.rglob("*.parquet")) == [
        "year=2021/part-0.parquet",
        "year=2022/part-0.parquet",
    ]
    assert _dataset_rows(parquet) == rows
    manifest = json.loads((parquet / importer.MANIFEST).read_text(encoding="utf-8"))
    assert "format" not in manifest and manifest["read"] == 40
    assert extract_cache.cached_dataset(source, root, arrow=True) == parquet  # DuckDB reads Parquet too


def test_a_report_on_the_arrow_form_equals_the_report_on_the_parquet_import(tmp_path: Path) -> None:
    from canrehab.followup import api
    from canrehab.followup.synth_par import write_extract as synth

    source = tmp_path / "par.csv"
    synth(source, persons=1500, year=2022, seed=5, years=2)
    parquet = tmp_path / "ds"
    assert importer.import_par(source, parquet).ok
    arrow = extract_cache.cached_dataset(source, tmp_path / "cache", arrow=True)
    assert (arrow / fast_import.ARROW_FILE).is_file()
    for year in (2021, 2022):
        for level in ("county", "rcc"):
            on_arrow = api.region_table(arrow, year, ["AW020", "XV019"], level=level)
            on_parquet = api.region_table(parquet, year, ["AW020", "XV019"], level=level)
            assert on_arrow.equals(on_parquet), (year, level)
    assert api.indicator_results(arrow, [2021, 2022]).equals(api.indicator_results(parquet, [2021, 2022]))


@pytest.mark.spark
def test_spark_reads_the_parquet_form_and_names_the_way_to_it_for_an_arrow_one(
    tmp_path: Path, spark: Any
) -> None:
    from canrehab.followup import backends

    source = write_extract(tmp_path / "e.csv", _rows())
    root = tmp_path / "cache"
    arrow = extract_cache.cached_dataset(source, root, arrow=True)
    con = backends.connect("pyspark")
    with pytest.raises(DomainError) as info:
        backends.read_contacts(con, arrow)
    assert info.value.code == "followup.arrow_dataset" and "--input" in info.value.message_sv
    parquet = extract_cache.cached_dataset(source, root)  # what `report --backend pyspark` asks for
    assert int(backends.read_contacts(con, parquet).count().execute()) == 12
