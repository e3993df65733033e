"""The CLI end to end on a generated extract."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from canrehab.cli import app

runner = CliRunner()


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_synth_import_and_region_report(tmp_path: Path) -> None:
    extract = tmp_path / "par.csv"
    out = _run("synth-par", "--persons", "3000", "--year", "2022", "--seed", "3", "--output", str(extract))
    assert "kontakter" in out and extract.exists()

    imported = _run("import-par", str(extract), "--dataset", str(tmp_path / "ds"))
    assert "avvisade: 0" in imported

    region = tmp_path / "region.csv"
    _run(
        "report",
        "region",
        "--input",
        str(extract),
        "--year",
        "2022",
        "--codes",
        "AW020,AW024,XV019,XV020",
        "--format",
        "csv",
        "--output",
        str(region),
    )
    rows = list(csv.DictReader(region.open(encoding="utf-8")))
    with region.open(encoding="utf-8") as fh:
        assert fh.readline().strip() == "region_code,region_name,code,patients,per_1000,total_patients"
    assert len(rows) == 22 * 4
    totals = [r for r in rows if r["region_code"] == "00"]
    assert [r["code"] for r in totals] == ["AW020", "AW024", "XV019", "XV020"]
    assert all(r["region_name"] == "Totalt" for r in totals)
    assert int(totals[0]["total_patients"]) == 3000
    for r in rows:
        assert r["patients"] in ("<4", "X") or r["patients"].isdigit()
        if r["patients"] in ("<4", "X") or not r["total_patients"].isdigit():
            # a hidden count, or a hidden population (it would reveal the few persons without a county)
            assert r["per_1000"] == "X"
        elif int(r["total_patients"]) > 0:
            expected = round(int(r["patients"]) / int(r["total_patients"]) * 1000, 2)
            assert abs(float(r["per_1000"]) - expected) < 0.0051

    # the imported dataset gives the same table, to stdout
    same = _run("report", "region", "--input", str(tmp_path / "ds"), "--year", "2022")
    assert same == region.read_text(encoding="utf-8")

    rcc = _run("report", "rcc", "--input", str(tmp_path / "ds"), "--year", "2022", "--codes", "AW020")
    rcc_rows = list(csv.DictReader(io.StringIO(rcc)))
    assert [r["region_code"] for r in rcc_rows] == [
        "NORR",
        "MELLAN",
        "STHLM_GOTLAND",
        "SYDOST",
        "SYD",
        "VAST",
        "00",
    ]


def test_suite_writes_every_output(tmp_path: Path) -> None:
    extract = tmp_path / "par.parquet"
    _run("synth-par", "--persons", "4000", "--year", "2022", "--years", "3", "--output", str(extract))
    out = tmp_path / "rapport"
    _run(
        "report", "suite", "--input", str(extract), "--year", "2022", "--out", str(out), "--trend-years", "3"
    )
    for name in [
        "region.csv",
        "rcc.csv",
        "indikatorer.csv",
        "koder_tabell1.csv",
        "koder_tabell3.csv",
        "koder_tabell4.csv",
        "koder_tabell5a.csv",
        "koder_tabell7.csv",
        "koder_tabell8.csv",
        "rapport.xlsx",
        "rapport.html",
        "diagram/region_AW020.png",
        "diagram/region_AW020.svg",
        "diagram/indikator_min_vardplan.png",
    ]:
        assert (out / name).exists(), name
    html = (out / "rapport.html").read_text(encoding="utf-8")
    assert "<svg" in html and "Riket" in html and "Totalt" in html
    assert "Trend 2020–2022: procent per region och RCC" in html
    wb = openpyxl.load_workbook(out / "rapport.xlsx")
    sheets = set(wb.sheetnames)
    expected = {"Region", "RCC", "Indikatorer", "Indikatortrend", "Tabell 1 Samtliga personer vård", "Metod"}
    assert expected <= sheets
    assert not any(name.startswith("tabell") for name in wb.sheetnames)  # human names, not internal ids
    trend_names = {row[0] for row in wb["Indikatortrend"].iter_rows(min_row=3, values_only=True) if row[0]}
    assert trend_names and not trend_names & {"min_vardplan", "plan_when_needed"}
    ws = wb["Region"]
    assert ws.cell(row=2, column=4).value == "Antal"
    ind = list(csv.DictReader((out / "indikatorer.csv").open(encoding="utf-8")))
    assert {r["year"] for r in ind} == {"2020", "2021", "2022"}

    codes_dir = tmp_path / "koder"
    _run("report", "codes", "--input", str(extract), "--year", "2022", "--output", str(codes_dir))
    t1 = list(csv.DictReader((codes_dir / "koder_tabell1.csv").open(encoding="utf-8")))
    shown = [r for r in t1 if r["table"] == "tabell1"]
    listed = [r for r in t1 if r["table"] == "tabell2"]
    assert shown and all(int(r["patients"]) >= 100 for r in shown)
    assert listed and all(r["patients"] == "" for r in listed)

    indicators = _run(
        "report", "indicators", "--input", str(extract), "--years", "2021-2022", "--ids", "min_vardplan"
    )
    assert indicators.splitlines()[0].startswith("indicator_id,name_sv,year,level")


def test_strict_import_refuses_and_lenient_import_keeps_the_good_rows(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "lopnr,kon,alder,lan,vardform,indatum,utdatum,hdia,op\n"
        "1,1,60,01,oppen,2022-01-01,,C509,AW020\n"
        "2,1,60,99,oppen,2022-01-01,,C509,\n"
        "3,2,70,,oppen,2022-02-30,,C509,\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import-par", str(bad), "--dataset", str(tmp_path / "ds")])
    assert result.exit_code == 1
    assert "Lästa rader: 3  godkända: 1  avvisade: 2" in result.stdout
    assert "avvisades" in result.output and not (tmp_path / "ds").exists()

    rejects = tmp_path / "avvisade.csv"
    result = runner.invoke(
        app,
        ["import-par", str(bad), "--dataset", str(tmp_path / "ds"), "--lenient", "--rejects", str(rejects)],
    )
    assert result.exit_code == 0, result.output
    # lenient keeps the contact whose only fault is its county (issue 14): reported, not rejected
    assert "Lästa rader: 3  godkända: 2  avvisade: 1" in result.stdout
    assert "okänd länskod" in result.output
    lines = rejects.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and lines[1].startswith("4,indatum")

    report = runner.invoke(app, ["report", "region", "--input", str(bad), "--year", "2022"])
    assert report.exit_code == 1 and "felaktiga rader" in report.output


def test_a_year_without_data_warns_and_an_empty_dataset_is_refused(tmp_path: Path) -> None:
    extract = tmp_path / "par.csv"
    _run("synth-par", "--persons", "500", "--year", "2022", "--output", str(extract))
    result = runner.invoke(app, ["report", "region", "--input", str(extract), "--year", "2019"])
    assert result.exit_code == 0 and "inga personer i studiepopulationen år 2019" in result.output

    only_bad = tmp_path / "bad.csv"
    only_bad.write_text(
        "lopnr,kon,alder,lan,vardform,indatum,utdatum,hdia,op\n1,7,60,01,oppen,2022-01-01,,C509,\n",
        encoding="utf-8",
    )
    ds = tmp_path / "ds"
    assert runner.invoke(app, ["import-par", str(only_bad), "--dataset", str(ds), "--lenient"]).exit_code == 0
    result = runner.invoke(app, ["report", "region", "--input", str(ds), "--year", "2022"])
    assert result.exit_code == 1 and "inga kontakter" in result.output


def test_bad_codes_are_refused_with_a_message(tmp_path: Path) -> None:
    extract = tmp_path / "par.csv"
    _run("synth-par", "--persons", "300", "--year", "2022", "--output", str(extract))
    result = runner.invoke(
        app, ["report", "region", "--input", str(extract), "--year", "2022", "--codes", "AW20"]
    )
    assert result.exit_code == 1 and "AW20" in result.output
    unknown_band = runner.invoke(
        app, ["report", "region", "--input", str(extract), "--year", "2022", "--age-group", "65+"]
    )
    assert unknown_band.exit_code == 1
    assert "okänd åldersgrupp '65+'" in unknown_band.output and "0-17, 18+" in unknown_band.output


def test_a_second_report_on_the_same_extract_reuses_its_import(tmp_path: Path) -> None:
    extract = tmp_path / "par.csv"
    _run("synth-par", "--persons", "400", "--year", "2022", "--output", str(extract))
    cache = tmp_path / "data" / "analytics" / "cache" / "uttag"
    args = ["report", "region", "--input", str(extract), "--year", "2022", "--codes", "AW020,XV019"]
    first = _run(*args)
    (entry,) = _entries(cache)
    stamp = (entry / "data" / "_import.json").stat().st_mtime_ns
    assert _run(*args) == first
    assert _entries(cache) == [entry]
    assert (entry / "data" / "_import.json").stat().st_mtime_ns == stamp  # not imported again
    with extract.open("a", encoding="utf-8") as fh:
        fh.write("extra1,2,70,01,oppen,2022-06-01,,C509,XV019\n")
    changed = _run(*args)
    assert len(_entries(cache)) == 2 and changed != first


def _entries(cache: Path) -> list[Path]:
    return [p for p in cache.iterdir() if not p.name.startswith(".")]
