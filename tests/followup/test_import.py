"""Validation of every kind of bad row, strict and lenient import, and the formats read."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from canrehab.codes.geography import default_counties
from canrehab.domain.errors import DomainError
from canrehab.followup import schema as s
from canrehab.followup.importer import import_par
from canrehab.followup.readers import frames_to_batches
from canrehab.followup.validate import validate_batch
from tests.followup.conftest import contact

Extract = Callable[[list[dict[str, str]]], Path]

# (override of a good row, column reported, reason)
BAD_ROWS = [
    ({"lan": "99"}, "lan", s.REASON_LAN),
    ({"lan": "1"}, "lan", s.REASON_LAN),
    ({"indatum": "2022-02-30"}, "indatum", s.REASON_DATE),
    ({"indatum": "20220301"}, "indatum", s.REASON_DATE),
    ({"indatum": ""}, "indatum", s.REASON_MISSING),
    (
        {"vardform": "sluten", "indatum": "2022-03-05", "utdatum": "2022-03-01"},
        "utdatum",
        s.REASON_UT_BEFORE_IN,
    ),
    ({"vardform": "sluten", "utdatum": "2022-13-01"}, "utdatum", s.REASON_DATE),
    ({"vardform": "sluten", "utdatum": ""}, "utdatum", s.REASON_UTDATUM_MISSING),
    ({"utdatum": "2022-03-02"}, "utdatum", s.REASON_UTDATUM_OPPEN),
    ({"hdia": "C50.9"}, "hdia", s.REASON_HDIA),
    ({"hdia": "509"}, "hdia", s.REASON_HDIA),
    ({"hdia": ""}, "hdia", s.REASON_MISSING),
    ({"op": "AW20"}, "op", s.REASON_OP),
    ({"op": "AW020,XV019"}, "op", s.REASON_OP),
    ({"op": "aw020"}, "op", s.REASON_OP),
    ({"vardform": "primarvard"}, "vardform", s.REASON_VARDFORM),
    ({"vardform": ""}, "vardform", s.REASON_MISSING),
    ({"lopnr": ""}, "lopnr", s.REASON_MISSING),
    ({"kon": "3"}, "kon", s.REASON_KON),
    ({"alder": "-4"}, "alder", s.REASON_ALDER),
    ({"alder": "200"}, "alder", s.REASON_ALDER),
]


def _good(n: int) -> list[dict[str, str]]:
    return [contact(str(i), op="AW020 XV019" if i % 3 == 0 else "") for i in range(1, n + 1)]


@pytest.mark.parametrize(("override", "column", "reason"), BAD_ROWS)
def test_each_kind_of_bad_row_is_refused_in_strict_mode(
    extract: Extract, tmp_path: Path, override: dict[str, str], column: str, reason: str
) -> None:
    rows = _good(5)
    rows.insert(2, contact("bad") | override)
    res = import_par(extract(rows), tmp_path / "ds")
    assert not res.ok
    assert not (tmp_path / "ds").exists()  # nothing written
    assert (res.read, res.accepted, res.rejected) == (6, 5, 1)
    assert res.first_errors[0]["line"] == 4  # header is line 1, bad row is the third data row
    assert (res.first_errors[0]["column"], res.first_errors[0]["reason"]) == (column, reason)
    report = list(csv.reader(res.report_path.open(encoding="utf-8")))  # type: ignore[union-attr]
    assert report[0] == ["rad", "kolumn", "värde", "orsak"]
    assert report[1][0] == "4" and report[1][1] == column and report[1][3] == reason


# an unknown county alone keeps the row in lenient mode (issue 14.3)
LENIENT_REJECTED = [r for r in BAD_ROWS if r[1] != "lan"]


@pytest.mark.parametrize(("override", "column", "reason"), LENIENT_REJECTED)
def test_each_kind_of_bad_row_is_rejected_with_its_reason_in_lenient_mode(
    extract: Extract, tmp_path: Path, override: dict[str, str], column: str, reason: str
) -> None:
    rows = _good(5)
    rows.insert(2, contact("bad") | override)
    res = import_par(extract(rows), tmp_path / "ds", strict=False)
    assert res.ok and res.read == res.accepted + res.rejected == 6 and res.rejected == 1
    rejects = list(csv.DictReader(res.rejects_path.open(encoding="utf-8")))  # type: ignore[union-attr]
    assert len(rejects) == 1
    assert rejects[0]["rad"] == "4" and f"{column}: {reason}" in rejects[0]["orsaker"]
    stored = pq.read_table(tmp_path / "ds").to_pandas()
    assert len(stored) == 5 and "bad" not in set(stored["lopnr"])


def test_every_bad_value_of_a_row_is_reported_and_nothing_is_dropped_silently(
    extract: Extract, tmp_path: Path
) -> None:
    rows = [*_good(4), contact("x", lan="77", kon="9", hdia="XYZ"), contact("y", op="AW020 bad")]
    path = extract(rows)
    with path.open("a", encoding="utf-8") as fh:
        fh.write("z,1,50,01,oppen,2022-01-01\n")  # too few fields
    res = import_par(path, tmp_path / "ds", strict=False)
    assert (res.read, res.accepted, res.rejected) == (7, 4, 3)
    assert res.error_count == 5  # three on row 6, one on row 7, one malformed row 8
    lines = [e["line"] for e in res.first_errors]
    assert lines.count(6) == 3 and 7 in lines and 8 in lines
    malformed = next(e for e in res.first_errors if e["line"] == 8)
    assert str(malformed["reason"]).startswith(s.REASON_COLUMNS)
    rejects = list(csv.DictReader(res.rejects_path.open(encoding="utf-8")))  # type: ignore[union-attr]
    assert [r["rad"] for r in rejects] == ["6", "7", "8"]
    assert rejects[0]["lopnr"] == "x" and rejects[0]["radtext"] == ""
    # the malformed row: its raw text in radtext, never under a value column
    assert rejects[2]["radtext"] == "z,1,50,01,oppen,2022-01-01" and rejects[2]["lopnr"] == ""


def test_gzip_extract_is_read_like_the_plain_one(extract: Extract, tmp_path: Path) -> None:
    import gzip

    plain = extract(_good(30))
    packed = tmp_path / "extract.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    res = import_par(packed, tmp_path / "ds", strict=True)
    assert (res.read, res.accepted, res.rejected) == (30, 30, 0)


def test_bytes_that_are_not_utf8_reject_their_row_not_the_file(extract: Extract, tmp_path: Path) -> None:
    path = extract(_good(3))
    with path.open("ab") as fh:
        fh.write(b"5,1,50,01,oppen,2022-01-01,,C509,AW020\n")  # line 5: good
        fh.write("6,1,50,01,oppen,2022-01-01,,C5\xf6,\n".encode("latin-1"))  # line 6: latin-1 "ö"
    res = import_par(path, tmp_path / "ds", strict=False)
    assert (res.read, res.accepted, res.rejected) == (5, 4, 1)
    assert [(e["line"], e["column"], e["reason"]) for e in res.first_errors][:1] == [
        (6, "hdia", s.REASON_ENCODING)
    ]


def test_line_numbers_stay_right_after_a_malformed_row(extract: Extract, tmp_path: Path) -> None:
    path = extract(_good(2))
    with path.open("a", encoding="utf-8") as fh:
        fh.write("too,few\n")  # line 4
        fh.write("5,1,50,99,oppen,2022-01-01,,C509,\n")  # line 5: bad county
    res = import_par(path, tmp_path / "ds", strict=False)
    by_line = {e["line"]: e["column"] for e in res.first_errors}
    assert by_line == {4: "", 5: "lan"}


def test_empty_lines_are_reported_and_keep_the_line_numbers_right(extract: Extract, tmp_path: Path) -> None:
    path = extract(_good(2))
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\n")  # line 4: empty
        fh.write("5,1,50,99,oppen,2022-01-01,,C509,\n")  # line 5: bad county
    res = import_par(path, tmp_path / "ds", strict=False)
    lines = {e["line"] for e in res.first_errors}
    assert lines == {4, 5}
    # the empty line is rejected; the unknown county is reported but its contact kept (issue 14.3)
    assert res.read == 4 and res.accepted == 3 and res.rejected == 1


def test_empty_county_is_valid_and_stored_as_unknown(extract: Extract, tmp_path: Path) -> None:
    res = import_par(extract([contact("1", lan=""), contact("2")]), tmp_path / "ds")
    assert res.ok and res.rejected == 0
    stored = pq.read_table(tmp_path / "ds").to_pandas().sort_values("lopnr")
    assert stored["lan"].isna().tolist() == [True, False]


def test_import_partitions_by_contact_year_and_refuses_to_overwrite(extract: Extract, tmp_path: Path) -> None:
    rows = [
        contact("1", indatum="2021-05-01"),
        contact("2"),
        contact("3", vardform="sluten", indatum="2021-12-30", utdatum="2022-01-02"),
    ]
    path = extract(rows)
    res = import_par(path, tmp_path / "ds")
    assert res.years == {2021: 1, 2022: 2}
    assert sorted(p.name for p in (tmp_path / "ds").glob("year=*")) == ["year=2021", "year=2022"]
    with pytest.raises(DomainError):
        import_par(path, tmp_path / "ds")
    assert import_par(path, tmp_path / "ds", replace=True).ok


def test_missing_columns_are_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("lopnr,kon,alder\n1,1,50\n", encoding="utf-8")
    with pytest.raises(DomainError) as e:
        import_par(path, tmp_path / "ds")
    assert "lan" in e.value.message_sv and "hdia" in e.value.message_sv


def test_semicolon_csv_and_parquet_with_typed_columns_are_read(tmp_path: Path) -> None:
    semi = tmp_path / "semi.csv"
    semi.write_text(";".join(s.COLUMNS) + "\n1;2;70;14;oppen;2022-02-02;;C509;AW020\n", encoding="utf-8")
    assert import_par(semi, tmp_path / "a").accepted == 1
    typed = pa.table(
        {
            "lopnr": ["1", "2"],
            "kon": pa.array([1, 2], pa.int8()),
            "alder": pa.array([50, 60], pa.int16()),
            "lan": ["01", None],
            "vardform": ["sluten", "oppen"],
            "indatum": pa.array([pd.Timestamp("2022-01-01").date(), pd.Timestamp("2022-02-01").date()]),
            "utdatum": pa.array([pd.Timestamp("2022-01-04").date(), None]),
            "hdia": ["C509", "C619"],
            "op": ["AW020", None],
        }
    )
    pq.write_table(typed, tmp_path / "typed.parquet")
    res = import_par(tmp_path / "typed.parquet", tmp_path / "b")
    assert res.ok and res.accepted == 2


def test_sas_chunks_are_converted_like_any_other_batch() -> None:
    # pandas.read_sas yields DataFrames with numbers as floats, texts as bytes and dates as timestamps
    frame = pd.DataFrame(
        {
            "LOPNR": [b"1", b"2"],
            "KON": [1.0, 2.0],
            "ALDER": [50.0, 60.5],
            "LAN": [b"01", b""],
            "VARDFORM": [b"oppen", b"oppen"],
            "INDATUM": pd.to_datetime(["2022-01-01", "2022-02-01"]),
            "UTDATUM": pd.to_datetime([None, None]),
            "HDIA": [b"C509", b"C619"],
            "OP": [b"AW020", b""],
        }
    )
    batches = list(frames_to_batches(iter([frame])))
    assert len(batches) == 1
    table, lines = batches[0]
    assert lines.tolist() == [1, 2]
    res = validate_batch(table, lines, default_counties().by_code)
    assert res.valid.num_rows == 1  # 60.5 is not a valid age
    assert res.errors.to_pylist()[0]["column"] == "alder"


def test_sas_transport_file_is_read_in_chunks_with_sas_dates(tmp_path: Path) -> None:
    from datetime import date

    from tests.followup.xport import write_xport

    def sas_day(d: str) -> int:
        return (date.fromisoformat(d) - date(1960, 1, 1)).days

    n = 7
    cols: dict[str, list[object]] = {
        "lopnr": [str(i) for i in range(1, n + 1)],
        "kon": [1, 2] * 3 + [1],
        "alder": [60] * n,
        "lan": ["01", "03", "", "25", "99", "12", "14"],  # row 5: unknown county code
        "vardform": ["oppen"] * 6 + ["sluten"],
        "indatum": [sas_day("2022-03-01")] * n,
        "utdatum": [None] * 6 + [sas_day("2022-03-04")],
        "hdia": ["C509"] * n,
        "op": ["AW020", "", "XV019 XV020", "", "", "AW024", ""],
    }
    path = tmp_path / "par.xpt"
    write_xport(path, cols, {"lopnr": 8, "lan": 2, "vardform": 8, "hdia": 6, "op": 40})
    res = import_par(path, tmp_path / "ds", strict=False, batch_rows=3)  # three chunks
    assert (res.read, res.accepted, res.rejected) == (7, 7, 0)  # unknown county kept as unknown, reported
    assert res.first_errors[0]["line"] == 5 and res.first_errors[0]["column"] == "lan"
    stored = pq.read_table(tmp_path / "ds").to_pandas().sort_values("lopnr")
    assert stored[stored.lopnr == "5"]["lan"].isna().all()
    assert stored["indatum"].astype(str).unique().tolist() == ["2022-03-01"]
    assert stored[stored.vardform == "sluten"]["utdatum"].astype(str).tolist() == ["2022-03-04"]
    assert sorted(stored["op"]) == ["", "", "", "", "AW020", "AW024", "XV019 XV020"]


def test_lenient_import_keeps_a_contact_with_an_unknown_county_as_county_unknown_and_reports_it(
    extract: Extract, tmp_path: Path
) -> None:
    rows = _good(4)
    rows.insert(1, contact("okandlan", lan="77"))
    res = import_par(extract(rows), tmp_path / "ds", strict=False)
    assert res.ok and (res.read, res.accepted, res.rejected) == (5, 5, 0)
    assert res.error_count == 1
    assert (res.first_errors[0]["line"], res.first_errors[0]["column"]) == (3, "lan")
    assert res.first_errors[0]["reason"] == s.REASON_LAN
    stored = pq.read_table(tmp_path / "ds").to_pandas()
    kept = stored[stored["lopnr"] == "okandlan"]
    assert len(kept) == 1 and pd.isna(kept["lan"].iloc[0])


def test_strict_import_still_refuses_an_unknown_county(extract: Extract, tmp_path: Path) -> None:
    res = import_par(extract([*_good(3), contact("okandlan", lan="77")]), tmp_path / "ds")
    assert not res.ok and not (tmp_path / "ds").exists()


def test_strict_import_refuses_a_header_only_extract(extract: Extract, tmp_path: Path) -> None:
    with pytest.raises(DomainError) as exc:
        import_par(extract([]), tmp_path / "ds")
    assert exc.value.code == "followup.empty_extract" and "inga rader" in exc.value.message_sv
    assert not (tmp_path / "ds").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".ds.tmp")]


def test_strict_import_refuses_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "tom.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(DomainError):
        import_par(path, tmp_path / "ds")
    assert not (tmp_path / "ds").exists()
