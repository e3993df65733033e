"""Follow-up engine benchmark on the synthetic national extract (~211 649 persons, ~3 million contacts/year).

Prints, in one run on this machine: import time (rows/s) of the CSV extract, the region table's time through
the engine (Ibis on DuckDB), the same table's counts by one hand-written DuckDB SQL query and by a
straightforward pandas implementation (as ratios), the full suite's time, and each phase's peak memory (every
phase runs in its own process, so the figures do not mix). ``--years 10`` does the same for a ten-year
extract. Never part of the test pass/fail.

    python benchmarks/followup.py                 # one year, data cached under $TMPDIR/canrehab-bench
    python benchmarks/followup.py --years 10      # ten years (about 30 million contacts)
    python benchmarks/followup.py --spark         # also the region table on local Spark (2 cores)
    python benchmarks/followup.py --extract-report  # a report straight from the CSV, as an analyst runs it

``--extract-report`` times, each in a new process as a user runs it, best of ``--repeat``: one hand-written
DuckDB query over the CSV (the baseline: what an analyst could type); ``canrehab report region --input
extract.csv`` with an empty extract cache (validation + import + report); the same command again (the cache
reuses the import); and the import alone: the engine pass (fast_import) to Parquet and to Arrow, and the exact
validator.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CODES = ["AW020", "AW024", "XV019", "XV020"]
YEAR = 2022

CSV_SOURCE = """read_csv('{csv}', header = true, columns = {{'lopnr': 'VARCHAR', 'kon': 'VARCHAR',
    'alder': 'VARCHAR', 'lan': 'VARCHAR', 'vardform': 'VARCHAR', 'indatum': 'DATE', 'utdatum': 'DATE',
    'hdia': 'VARCHAR', 'op': 'VARCHAR'}})"""

HANDWRITTEN_SQL = """
WITH c AS (
    SELECT lopnr, lan, vardform, indatum, utdatum, hdia, op,
           CASE WHEN vardform = 'sluten' THEN utdatum ELSE indatum END AS cdate
    FROM {source}
    WHERE {where}
), persons AS (
    SELECT lopnr,
           split_part(max(CASE WHEN lan IS NOT NULL THEN CAST(cdate AS VARCHAR) || '|' || lan END), '|',
           2) AS lan
    FROM c
    WHERE year(cdate) = {year}
    GROUP BY lopnr
    HAVING bool_or(substr(hdia, 1, 3) BETWEEN 'C00' AND 'C97')
), codes AS (
    SELECT DISTINCT lopnr, code
    FROM (SELECT lopnr, unnest(string_split(op, ' ')) AS code FROM c WHERE year(cdate) = {year})
    WHERE code IN ({codes})
)
SELECT p.lan, k.code, count(*) AS n
FROM codes k JOIN persons p USING (lopnr)
GROUP BY ALL
UNION ALL
SELECT lan, NULL, count(*) FROM persons GROUP BY ALL
"""


def machine() -> dict[str, object]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "nproc": os.cpu_count(),
        "ram_gib": round(mem_gib, 1),
        "cpu": cpu,
        "python": platform.python_version(),
    }


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs (the least disturbed by other load on a shared machine)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


# --- phases (each run in a child process) ------------------------------------------------------------------


def phase_generate(args: argparse.Namespace) -> dict[str, object]:
    from canrehab.followup.synth_par import write_extract

    t = time.perf_counter()
    rows = write_extract(Path(args.csv), persons=args.persons, year=YEAR, years=args.years, seed=1)
    return {"rows": rows, "seconds": time.perf_counter() - t}


def phase_import(args: argparse.Namespace) -> dict[str, object]:
    from canrehab.followup.importer import import_par

    shutil.rmtree(args.dataset, ignore_errors=True)
    t = time.perf_counter()
    res = import_par(Path(args.csv), Path(args.dataset))
    s = time.perf_counter() - t
    assert res.ok and res.rejected == 0
    return {"rows": res.read, "seconds": s, "rows_per_s": res.read / s}


def engine_runner(args: argparse.Namespace) -> Callable[[], dict[str, int]]:
    from canrehab.followup import api

    path = Path(args.dataset)

    def run() -> dict[str, int]:
        df = api.region_table(path, YEAR, CODES, backend=args.backend, threshold=1, complementary=False)
        nation = df[df.region_code == "00"]
        return {str(r["code"]): int(r["patients"]) for r in nation.to_dict("records")}

    return run


def sql_runner(args: argparse.Namespace) -> Callable[[], dict[str, int]]:
    import duckdb

    glob = str(Path(args.dataset) / "**" / "*.parquet")
    sql = HANDWRITTEN_SQL.format(
        source=f"read_parquet('{glob}', hive_partitioning = true)",
        where=f"year = {YEAR}",
        year=YEAR,
        codes=", ".join(f"'{c}'" for c in CODES),
    )

    def run() -> dict[str, int]:
        con = duckdb.connect()
        try:
            rows = con.execute(sql).fetchall()
        finally:
            con.close()
        return {code: sum(n for _, c, n in rows if c == code) for code in CODES}

    return run


def pandas_runner(args: argparse.Namespace) -> Callable[[], dict[str, int]]:
    import pandas as pd

    def run() -> dict[str, int]:
        files = sorted(Path(args.dataset).glob(f"year={YEAR}/*.parquet"))
        c = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
        cdate = c["utdatum"].where(c["vardform"] == "sluten", c["indatum"])
        c = c[pd.to_datetime(cdate).dt.year == YEAR].assign(cdate=pd.to_datetime(cdate))
        cancer = c["hdia"].str[:3].between("C00", "C97")
        pop = pd.Index(c.loc[cancer, "lopnr"].unique())
        withlan = c[c["lan"].notna()].sort_values(["lopnr", "cdate", "lan"])
        lan = withlan.groupby("lopnr")["lan"].last()
        persons = pd.DataFrame({"lopnr": pop}).merge(
            lan.rename("lan"), left_on="lopnr", right_index=True, how="left"
        )
        ex = c[["lopnr", "op"]].assign(code=c["op"].str.split(" ")).explode("code")
        ex = ex[ex["code"].isin(CODES)].drop_duplicates(["lopnr", "code"])
        counts = ex.merge(persons, on="lopnr").groupby(["lan", "code"], dropna=False).size()
        persons.groupby("lan", dropna=False).size()  # the totals column, as the table needs it
        by_code = counts.groupby(level="code").sum()
        return {code: int(by_code.get(code, 0)) for code in CODES}

    return run


RUNNERS = {"engine": engine_runner, "sql": sql_runner, "pandas": pandas_runner}


def phase_timing(args: argparse.Namespace) -> dict[str, object]:
    """The three implementations interleaved in one process, best of ``repeat`` each: load from other
    processes on a shared machine then hits all three alike."""
    runs = {name: make(args) for name, make in RUNNERS.items()}
    results = {name: run() for name, run in runs.items()}  # warm-up, and the answers to compare
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(args.repeat):
        for name, run in runs.items():
            t = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - t)
    return {"seconds": best, "nation": results}


def phase_memory(args: argparse.Namespace) -> dict[str, object]:
    """Two runs of one implementation (``--impl``) in its own process: its peak memory, and the second run's
    time."""
    run = RUNNERS[args.impl](args)
    run()  # warm-up (imports; for Spark the session start)
    t = time.perf_counter()
    run()
    return {"seconds": time.perf_counter() - t}


def phase_suite(args: argparse.Namespace) -> dict[str, object]:
    from canrehab.followup.suite import SuiteResult, run_suite

    out = Path(tempfile.mkdtemp(prefix="canrehab-suite-"))
    results: list[SuiteResult] = []

    def run() -> None:
        results.append(run_suite(Path(args.dataset), YEAR, out, backend=args.backend, trend_years=args.years))

    try:
        t = time.perf_counter()
        run()  # cold: also pays for importing matplotlib, openpyxl, jinja2
        cold = time.perf_counter() - t
        t = time.perf_counter()
        run()
        warm = time.perf_counter() - t
        return {
            "seconds": warm,
            "cold_seconds": cold,
            "files": len(results[-1].files),
            "population": results[-1].population,
        }
    finally:
        shutil.rmtree(out, ignore_errors=True)


PHASES = {
    "generate": phase_generate,
    "import": phase_import,
    "timing": phase_timing,
    "memory": phase_memory,
    "suite": phase_suite,
}


def child(args: argparse.Namespace) -> None:
    result = PHASES[args.phase](args)
    result["peak_mib"] = round(peak_mib())
    print(json.dumps(result, default=str))


def run_phase(name: str, args: argparse.Namespace, **extra: object) -> dict[str, object]:
    cmd = [
        sys.executable,
        __file__,
        "--phase",
        name,
        "--csv",
        args.csv,
        "--dataset",
        args.dataset,
        "--persons",
        str(args.persons),
        "--years",
        str(args.years),
        "--repeat",
        str(args.repeat),
    ]
    for k, v in extra.items():
        cmd += [f"--{k}", str(v)]
    out = subprocess.run(
        cmd, check=True, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"}
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _wall(
    cmd: list[str], env: dict[str, str], repeat: int, before: Callable[[], None] | None = None
) -> float:
    """Best wall time of ``repeat`` runs of ``cmd`` in a new process (``before`` runs untimed first)."""
    best = float("inf")
    for _ in range(repeat):
        if before is not None:
            before()
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        best = min(best, time.perf_counter() - t)
    return best


def _same_national_counts(sql: str, report_csv: Path) -> bool:
    """The fairness check: the baseline query's national count per code and of the population equals the
    report's nation row ("00") for each code (untimed)."""
    import csv
    import re

    import duckdb

    rows = duckdb.connect().execute(sql).fetchall()
    base = {code: sum(n for _, c, n in rows if c == code) for code in CODES}
    population = sum(n for _, c, n in rows if c is None)
    with report_csv.open(encoding="utf-8-sig", newline="") as fh:
        nation = [r for r in csv.DictReader(fh) if r["region_code"] == "00"]

    def number(text: str) -> int | None:  # None: suppressed ("X", "<4"), which the check counts as unequal
        digits = re.sub(r"\D", "", text)
        return int(digits) if digits and text.strip().isdigit() else None

    got = {r["code"]: number(r["patients"]) for r in nation}
    return got == base and all(number(r["total_patients"]) == population for r in nation)


def extract_report(args: argparse.Namespace) -> None:
    """A report straight from the CSV extract, as an analyst runs it, against one hand-written DuckDB query
    over the same CSV; each run is a new process."""
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONPATH": str(root)}
    sql = HANDWRITTEN_SQL.format(
        source=CSV_SOURCE.format(csv=args.csv),
        where=f"year(CASE WHEN vardform = 'sluten' THEN utdatum ELSE indatum END) = {YEAR}",
        year=YEAR,
        codes=", ".join(f"'{c}'" for c in CODES),
    )
    baseline = _wall(
        [sys.executable, "-c", f"import duckdb; duckdb.connect().execute({sql!r}).fetchall()"],
        env,
        args.repeat,
    )
    work = Path(tempfile.mkdtemp(prefix="canrehab-extract-report-"))
    report = [
        str(Path(sys.executable).with_name("canrehab")),
        "report",
        "region",
        "--input",
        args.csv,
        "--year",
        str(YEAR),
        "--codes",
        ",".join(CODES),
        "--output",
        str(work / "out.csv"),
    ]
    data = work / "data"
    renv = {**env, "CANREHAB_DATA_DIR": str(data)}
    first = _wall(report, renv, args.repeat, before=lambda: shutil.rmtree(data, ignore_errors=True))
    second = _wall(report, renv, args.repeat)
    same = _same_national_counts(sql, work / "out.csv")
    imports = {}
    for name, patch, arrow in (
        ("engine pass (fast_import) to Parquet", "", False),
        ("engine pass to Arrow (the extract cache's form)", "", True),
        ("exact validator", "im.eligible = lambda p: False; ", False),
    ):
        code = (
            "from pathlib import Path; import canrehab.followup.importer as im; "
            f"{patch}"
            f"r = im.import_par(Path({args.csv!r}), Path({str(work / 'ds')!r}), replace=True"
            f"{', arrow=True' if arrow else ''}); "
            "assert r.ok"
        )
        imports[name] = _wall([sys.executable, "-c", code], env, args.repeat)
    startup = _wall([str(Path(sys.executable).with_name("canrehab")), "--help"], env, args.repeat)
    shutil.rmtree(work, ignore_errors=True)
    print(
        f"report straight from the CSV extract ({YEAR}, {len(CODES)} codes), "
        f"new process each, best of {args.repeat}:"
    )
    print(f"  hand-written DuckDB query over the CSV (baseline): {baseline:.2f} s")
    print(
        f"  canrehab report region --input CSV, first run:     {first:.2f} s = {first / baseline:.2f}x "
        "(goal <= 1.5)"
    )
    print(f"  the same again (extract cache):                    {second:.2f} s = {second / baseline:.2f}x")
    print(f"  the report's national counts equal the baseline's: {same}")
    print(f"  of which the command's start (canrehab --help):    {startup:.2f} s")
    for name, sec in imports.items():
        print(f"  import alone, {name}: {sec:.2f} s (in a new process)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--persons", type=int, default=211_649)
    p.add_argument("--years", type=int, default=1)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--data-dir", default=os.path.join(tempfile.gettempdir(), "canrehab-bench"))
    p.add_argument("--spark", action="store_true", help="also time the region table on local Spark")
    p.add_argument(
        "--extract-report", action="store_true", help="only time a report straight from the CSV extract"
    )
    p.add_argument("--impl", choices=sorted(RUNNERS), help=argparse.SUPPRESS)
    p.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    p.add_argument("--csv", help=argparse.SUPPRESS)
    p.add_argument("--dataset", help=argparse.SUPPRESS)
    p.add_argument("--backend", default="duckdb", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.phase:
        child(args)
        return

    data = Path(args.data_dir)
    data.mkdir(parents=True, exist_ok=True)
    tag = f"p{args.persons}_y{args.years}"
    args.csv = str(data / f"par_{tag}.csv")
    args.dataset = str(data / f"dataset_{tag}")
    print("machine:", json.dumps(machine(), ensure_ascii=False))
    if not Path(args.csv).exists():
        g = run_phase("generate", args)
        print(f"generated {g['rows']:,} contacts in {g['seconds']:.1f} s -> {args.csv}")
    if args.extract_report:
        extract_report(args)
        return
    imp = run_phase("import", args)
    print(
        f"import (CSV -> Parquet dataset, validated): {imp['rows']:,} rows in {imp['seconds']:.1f} s = "
        f"{imp['rows_per_s']:,.0f} rows/s, peak {imp['peak_mib']} MiB"
    )
    tim = run_phase("timing", args)
    sec = tim["seconds"]
    assert isinstance(sec, dict)
    peaks = {impl: run_phase("memory", args, impl=impl)["peak_mib"] for impl in RUNNERS}
    print(f"region table ({len(CODES)} codes), best of {args.repeat}, the three interleaved in one process:")
    print(f"  engine (Ibis on DuckDB):    {sec['engine']:.3f} s, peak {peaks['engine']} MiB")
    print(f"  hand-written DuckDB SQL:    {sec['sql']:.3f} s, peak {peaks['sql']} MiB")
    print(f"  pandas:                     {sec['pandas']:.3f} s, peak {peaks['pandas']} MiB")
    print(f"  ratio engine / hand-written SQL: {sec['engine'] / sec['sql']:.2f} (goal <= 1.5)")
    print(f"  ratio pandas / engine: {sec['pandas'] / sec['engine']:.1f} (goal >= 10)")
    nation = tim["nation"]
    assert isinstance(nation, dict)
    same = nation["engine"] == nation["sql"] == nation["pandas"]
    print(f"  same national counts from all three: {same} {nation['engine']}")
    if args.spark:
        spk = run_phase("memory", args, impl="engine", backend="pyspark")
        print(f"region table on local Spark (local[2], second run in the session): {spk['seconds']:.2f} s")
    suite = run_phase("suite", args)
    print(
        f"full suite ({suite['files']} files, trend over {args.years} year(s)): "
        f"{suite['cold_seconds']:.2f} s first run in a new process, {suite['seconds']:.2f} s second run, "
        f"peak {suite['peak_mib']} MiB "
        "(goal < 10 s for one year)"
    )


if __name__ == "__main__":
    main()
