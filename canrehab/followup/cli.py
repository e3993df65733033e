"""Commands of the follow-up engine: ``canrehab import-par``, ``canrehab synth-par`` and the ``report``
sub-app (region, rcc, codes, indicators, suite)."""

from __future__ import annotations

import atexit
import gc
import importlib
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from canrehab.config import get_settings
from canrehab.domain.errors import DomainError

report_app = typer.Typer(
    help="Uppföljningsrapporter från patientregisterextrakt (KVÅ och indikatorer).", no_args_is_help=True
)
err = Console(stderr=True, soft_wrap=True)


@report_app.callback()
def _report() -> None:
    """Uppföljningsrapporter från patientregisterextrakt (KVÅ och indikatorer)."""
    # A report process ends with some million objects (Ibis expressions, Arrow and pandas metadata) that
    # the interpreter's last collection at exit would traverse only to free memory the process gives back
    # anyway: freezing them into the permanent generation as the exit starts skips that pass (~0,2 s;
    # ``gc.freeze``), after every file is written and closed.
    atexit.register(gc.freeze)


# What each report imports beyond the import of its extract. While DuckDB validates a new extract (its
# engine pass releases the GIL) a thread loads them, so about a second of imports (Ibis, SciPy) is off the
# critical path.
REPORT_MODULES = ("canrehab.followup.api", "canrehab.followup.render.csvout", "ibis.backends.duckdb")
CODES_MODULES = ("canrehab.followup.tables", "canrehab.followup.render.csvout", "ibis.backends.duckdb")
SUITE_MODULES = ("canrehab.followup.suite", "ibis.backends.duckdb")


def _input(value: Path, backend: str, modules: tuple[str, ...] = REPORT_MODULES) -> Path:
    """An extract file is validated and imported once; later reports on the same unchanged file reuse the
    imported dataset (``extract_cache``; for DuckDB in the Arrow form it scans in place). A dataset
    directory is used as it is."""
    if value.is_dir():
        return value
    from canrehab.followup import fast_import
    from canrehab.followup.extract_cache import cache_root, cached_dataset

    root = cache_root(get_settings().analytics_dir)
    fast_import.load_engine()  # before the thread: the two never import the same module at once
    # Only a plain CSV has an engine pass to hide the imports behind; the exact path of a SAS or Parquet
    # file imports modules of its own (pandas) and runs without the thread.
    beside = modules if fast_import.eligible(value) else ()
    try:
        with _preloading(beside):
            return cached_dataset(value, root, arrow=backend == "duckdb")
    except DomainError as e:
        _fail(e)


@contextmanager
def _preloading(modules: tuple[str, ...]) -> Iterator[None]:
    """Import ``modules`` in a thread while the body runs; the body must import nothing new meanwhile."""

    def load() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:
                return  # the command imports the module itself afterwards and reports its error there

    if not modules:
        yield
        return
    thread = threading.Thread(target=load, name="report-imports", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()


InputOpt = Annotated[
    Path,
    typer.Option(
        "--input",
        "-i",
        help="Extrakt (CSV/Parquet/SAS) eller importerad datamängd. Ett extrakt importeras en gång; "
        "nästa rapport på samma oförändrade fil återanvänder importen.",
    ),
]
YearOpt = Annotated[int, typer.Option("--year", "-y", help="År.")]
BackendOpt = Annotated[str, typer.Option("--backend", help="Beräkningsmotor: duckdb eller pyspark.")]
ThresholdOpt = Annotated[int, typer.Option("--threshold", help="Antal under detta redovisas som <N.")]
ComplOpt = Annotated[
    bool,
    typer.Option(
        "--complementary/--no-complementary",
        help="Kompletterande undertryckning (X) mot bakräkning ur summor.",
    ),
]

PolicyOpt = Annotated[
    str,
    typer.Option(
        "--policy",
        help="Röjandepolicy: suppress (antal under --threshold som <N) eller round (OpenSAFELY: antal "
        "upp till 7 döljs, övriga avrundas till närmaste 5-tal).",
    ),
]


def _policy(name: str) -> str:
    from canrehab.followup.disclosure_audit import POLICIES

    if name not in POLICIES:
        raise typer.BadParameter(f"okänd röjandepolicy {name!r}: välj {' eller '.join(POLICIES)}")
    return name


def _codes(text: str) -> list[str]:
    codes = [c.strip().upper() for c in text.split(",") if c.strip()]
    if not codes:
        raise typer.BadParameter("ange minst en KVÅ-kod, t.ex. AW020,AW024")
    return codes


def _fail(e: Exception) -> NoReturn:
    msg = getattr(e, "message_sv", None) or str(e)
    err.print(f"[red]Fel:[/red] {msg}")
    raise typer.Exit(code=1)


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except (DomainError, ValueError, KeyError) as e:
        _fail(e)
    except Exception as e:
        if _is_disclosure_error(e):
            _fail(e)
        raise


def _is_disclosure_error(e: Exception) -> bool:
    """A refusal of the disclosure audit. Checked without importing the audit (and SciPy) for commands that
    never ran it: if its module is not loaded, the error cannot be one of its own."""
    module = sys.modules.get("canrehab.followup.disclosure_audit")
    cls = getattr(module, "DisclosureError", None)
    return cls is not None and isinstance(e, cls)


def _region(
    level: str,
    input: Path,
    year: int,
    codes: str,
    fmt: str,
    output: Path | None,
    backend: str,
    threshold: int,
    complementary: bool,
    care_type: str | None,
    sex: int | None,
    age_group: str | None,
    age_bands: str = "0-17,18+",
) -> None:
    input = _input(input, backend)
    from canrehab.followup import api
    from canrehab.followup.render.csvout import write_csv
    from canrehab.followup.suppression import primary_only_warning_sv

    with _errors():
        tabs = api.region_tables(
            input,
            year,
            _codes(codes),
            backend=backend,
            threshold=threshold,
            complementary=complementary,
            care_type=care_type,
            kon=sex,
            age_group=age_group,
            bands=_bands(age_bands),
        )
        df = tabs[level].published()
        if not complementary:
            err.print(f"[yellow]Varning:[/yellow] {primary_only_warning_sv(threshold)}")
        nation = df[df["region_code"] == "00"]
        if len(nation) and str(nation["total_patients"].iloc[0]) == "0":
            err.print(f"[yellow]Varning:[/yellow] inga personer i studiepopulationen år {year}.")
        if fmt == "csv":
            write_csv(df, output)
        elif fmt == "xlsx":
            if output is None:
                raise ValueError("--output krävs för xlsx")
            from canrehab.followup.render.xlsx import Sheet, write_workbook
            from canrehab.followup.suite import REGION_HEADERS, REGION_NUMERIC

            write_workbook(
                [
                    Sheet(
                        level.upper() if level == "rcc" else "Region",
                        f"{year}",
                        df,
                        REGION_HEADERS,
                        REGION_NUMERIC,
                    )
                ],
                output,
            )
        else:
            raise ValueError(f"okänt format {fmt!r} (csv eller xlsx)")
    if output is not None and str(output) != "-":
        err.print(f"Skrev {output}")


CodesOpt = Annotated[str, typer.Option("--codes", "-c", help="KVÅ-koder, kommaseparerade.")]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="csv eller xlsx.")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Utfil (utelämnad eller -: stdout).")]
CareOpt = Annotated[str | None, typer.Option("--care-type", help="sluten eller oppen.")]
SexOpt = Annotated[int | None, typer.Option("--sex", help="1 män, 2 kvinnor.")]
AgeOpt = Annotated[str | None, typer.Option("--age-group", help="Åldersgrupp, t.ex. 0-17 eller 18+.")]
BandsOpt = Annotated[
    str, typer.Option("--age-bands", help="Åldersgrupper, t.ex. 0-17,18+ eller 0-17,18-64,65+.")
]


def _bands(text: str) -> tuple[tuple[int, int | None], ...]:
    from canrehab.followup.population import parse_bands

    try:
        return parse_bands(text)
    except ValueError as e:
        raise typer.BadParameter(str(e)) from e


@report_app.command("region")
def report_region(
    input: InputOpt,
    year: YearOpt,
    codes: CodesOpt = "AW020,AW024,XV019,XV020",
    format: FormatOpt = "csv",
    output: OutputOpt = None,
    backend: BackendOpt = "duckdb",
    threshold: ThresholdOpt = 4,
    complementary: ComplOpt = True,
    care_type: CareOpt = None,
    sex: SexOpt = None,
    age_group: AgeOpt = None,
    age_bands: BandsOpt = "0-17,18+",
) -> None:
    """Tabell per region (län): antal personer och antal per 1 000 cancerpatienter, samt riket (00 Totalt)."""
    _region(
        "county",
        input,
        year,
        codes,
        format,
        output,
        backend,
        threshold,
        complementary,
        care_type,
        sex,
        age_group,
        age_bands,
    )


@report_app.command("rcc")
def report_rcc(
    input: InputOpt,
    year: YearOpt,
    codes: CodesOpt = "AW020,AW024,XV019,XV020",
    format: FormatOpt = "csv",
    output: OutputOpt = None,
    backend: BackendOpt = "duckdb",
    threshold: ThresholdOpt = 4,
    complementary: ComplOpt = True,
    care_type: CareOpt = None,
    sex: SexOpt = None,
    age_group: AgeOpt = None,
    age_bands: BandsOpt = "0-17,18+",
) -> None:
    """Tabell per regionalt cancercentrum (RCC), samt riket (00 Totalt)."""
    _region(
        "rcc",
        input,
        year,
        codes,
        format,
        output,
        backend,
        threshold,
        complementary,
        care_type,
        sex,
        age_group,
        age_bands,
    )


@report_app.command("codes")
def report_codes(
    input: InputOpt,
    year: YearOpt,
    output: Annotated[Path, typer.Option("--output", "-o", help="Katalog för CSV-filerna.")],
    backend: BackendOpt = "duckdb",
    threshold: ThresholdOpt = 4,
    min_count: Annotated[
        int, typer.Option("--min-count", help="Antal redovisas från detta antal personer.")
    ] = 100,
    age_bands: BandsOpt = "0-17,18+",
) -> None:
    """Vanligaste rehabrelevanta åtgärderna (Bilaga 2 tabell 1–5, 7, 8) som CSV-filer."""
    input = _input(input, backend, CODES_MODULES)
    from canrehab.codes.kva import rehab_codes
    from canrehab.followup import population, tables
    from canrehab.followup.render.csvout import write_csv
    from canrehab.followup.sources import contacts_table

    with _errors():
        with contacts_table(input, backend) as (_, contacts):
            bands = _bands(age_bands)
            model = population.build(contacts, [year], [c.code for c in rehab_codes().codes], bands)
            cc, pp = tables.code_counts(model, year)
        specs = tables.default_code_tables([population.band_label(lo, hi) for lo, hi in bands])
        tabs = tables.code_tables(cc, pp, specs, min_count=min_count, threshold=threshold)
        for tid, df in tabs.items():
            write_csv(df, output / f"koder_{tid}.csv")
    err.print(f"Skrev {len(tabs)} tabeller till {output}")


@report_app.command("indicators")
def report_indicators(
    input: InputOpt,
    years: Annotated[str, typer.Option("--years", help="År eller intervall, t.ex. 2022 eller 2018-2022.")],
    ids: Annotated[
        str | None, typer.Option("--ids", help="Indikatorer (id), kommaseparerade; alla om utelämnad.")
    ] = None,
    output: OutputOpt = None,
    backend: BackendOpt = "duckdb",
    threshold: ThresholdOpt = 4,
    complementary: ComplOpt = True,
    age_bands: BandsOpt = "0-17,18+",
) -> None:
    """Indikatorer per år och enhet (riket, region, RCC, kön, ålder, vårdform) med målnivå."""
    input = _input(input, backend)
    from canrehab.followup import api
    from canrehab.followup.render.csvout import write_csv

    with _errors():
        if "-" in years:
            a, b = (int(x) for x in years.split("-", 1))
            year_list = list(range(a, b + 1))
        else:
            year_list = [int(y) for y in years.split(",")]
        df = api.indicator_results(
            input,
            year_list,
            ids.split(",") if ids else None,
            backend=backend,
            threshold=threshold,
            complementary=complementary,
            bands=_bands(age_bands),
        )
        write_csv(df, output)


@report_app.command("suite")
def report_suite(
    input: InputOpt,
    year: YearOpt,
    out: Annotated[Path, typer.Option("--out", help="Katalog för rapporten.")],
    codes: CodesOpt = "AW020,AW024,XV019,XV020",
    backend: BackendOpt = "duckdb",
    threshold: ThresholdOpt = 4,
    complementary: ComplOpt = True,
    trend_years: Annotated[int, typer.Option("--trend-years", help="Antal år i indikatorernas trend.")] = 5,
    age_bands: BandsOpt = "0-17,18+",
    policy: PolicyOpt = "suppress",
) -> None:
    """Alla tabeller som CSV, en Excelbok, en HTML-rapport med diagram, och diagrammen som PNG/SVG."""
    input = _input(input, backend, SUITE_MODULES)
    from canrehab.followup.render.swedish import fmt_int
    from canrehab.followup.suite import policy_note_sv, run_suite
    from canrehab.followup.suppression import primary_only_warning_sv

    policy = _policy(policy)
    with _errors():
        res = run_suite(
            input,
            year,
            out,
            backend=backend,
            codes=_codes(codes),
            trend_years=trend_years,
            threshold=threshold,
            complementary=complementary,
            bands=_bands(age_bands),
            policy=policy,
        )
    err.print(
        f"Rapport för {year} ({fmt_int(res.population)} personer i studiepopulationen): "
        f"{len(res.files)} filer i {out}"
    )
    err.print(policy_note_sv(res.policy))
    if res.audit is not None:
        err.print(f"Röjandekontroll (hela rapporten som ett ekvationssystem): {res.audit.summary_sv()}.")
    if not complementary:
        err.print(f"[yellow]Varning:[/yellow] {primary_only_warning_sv(res.policy.threshold)}")
    err.print(f"Öppna {out / 'rapport.html'}")


def import_par_cmd(
    input: Annotated[Path, typer.Argument(help="Extrakt: CSV, Parquet eller SAS (.sas7bdat/.xpt).")],
    dataset: Annotated[Path | None, typer.Option("--dataset", "-d", help="Datamängdens katalog.")] = None,
    strict: Annotated[
        bool, typer.Option("--strict/--lenient", help="Strikt: avvisa hela filen vid fel.")
    ] = True,
    replace: Annotated[bool, typer.Option("--replace", help="Ersätt en befintlig datamängd.")] = False,
    rejects: Annotated[
        Path | None, typer.Option("--rejects", help="Fil för avvisade rader (--lenient).")
    ] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Fil för felrapporten.")] = None,
    batch_rows: Annotated[
        int | None,
        typer.Option("--batch-rows", min=1, help="Rader per batch (minnesbehovet; standard 500 000)."),
    ] = None,
) -> None:
    """Validera och importera ett patientregisterextrakt till analyslagret (Parquet)."""
    from canrehab.followup.importer import dataset_root, import_par
    from canrehab.followup.readers import DEFAULT_BATCH_ROWS

    target = dataset or dataset_root(get_settings().analytics_dir) / input.name.split(".")[0]
    with _errors(), _progress() as factory:
        res = import_par(
            input,
            target,
            strict=strict,
            replace=replace,
            rejects_path=rejects,
            report_path=report,
            progress_factory=factory,
            batch_rows=DEFAULT_BATCH_ROWS if batch_rows is None else batch_rows,
        )
    typer.echo(f"Lästa rader: {res.read}  godkända: {res.accepted}  avvisade: {res.rejected}")
    if res.extra_columns:
        err.print(f"Kolumner som inte används: {', '.join(res.extra_columns)}")
    if res.first_errors:
        table = Table("Rad", "Kolumn", "Värde", "Orsak", title=f"Fel ({res.error_count} st)")
        for e in res.first_errors[:20]:
            table.add_row(str(e["line"]), str(e["column"]), str(e["value"]), str(e["reason"]))
        err.print(table)
        if res.error_count > 20:
            err.print(f"… och {res.error_count - 20} fel till.")
        err.print(f"Fullständig felrapport: {res.report_path}")
    if not res.ok:
        err.print(
            "[red]Filen avvisades (strikt läge): ingenting importerades.[/red] "
            "Rätta raderna eller använd --lenient."
        )
        raise typer.Exit(code=1)
    if res.rejects_path and res.rejected:
        err.print(f"Avvisade rader med orsak: {res.rejects_path}")
    years = ", ".join(f"{y}: {n}" for y, n in sorted(res.years.items()))
    typer.echo(f"Importerad till {res.dataset} (kontakter per år: {years})")


@contextmanager
def _progress() -> Iterator[Callable[[int, str], Callable[[int], None]]]:
    progress = Progress(
        TextColumn("Importerar"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not sys.stderr.isatty(),
    )
    with progress:

        def factory(total: int, unit: str) -> Callable[[int], None]:
            task = progress.add_task("import", total=total or None)
            return lambda n: progress.advance(task, n)

        yield factory


def synth_par_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="Utfil: .parquet eller .csv.")],
    persons: Annotated[
        int, typer.Option("--persons", help="Personer i studiepopulationen per år.")
    ] = 211_649,
    year: Annotated[int, typer.Option("--year", help="(Sista) år.")] = 2022,
    years: Annotated[int, typer.Option("--years", help="Antal år bakåt från --year.")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Slumpfrö (samma frö ger samma fil).")] = 1,
) -> None:
    """Skapa ett syntetiskt nationellt patientregisterextrakt (inga verkliga personer)."""
    from canrehab.followup.synth_par import write_extract

    rows = write_extract(output, persons=persons, year=year, seed=seed, years=years)
    typer.echo(f"Skrev {rows} kontakter till {output}")


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
    app.command("import-par")(import_par_cmd)
    app.command("synth-par")(synth_par_cmd)
