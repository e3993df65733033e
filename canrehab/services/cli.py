"""``canrehab synth``, ``canrehab export-par`` and ``canrehab refresh-worklist``."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from canrehab.config import get_settings

if TYPE_CHECKING:
    from canrehab.services.context import Services


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()
    )


def _date(value: str | None, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"ogiltigt datum {value!r}, använd ÅÅÅÅ-MM-DD") from None


def _patient_count(services: Services) -> int:
    from sqlalchemy import func, select

    from canrehab.store.orm import TABLES

    with services.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(TABLES["patient"])).scalar_one())


def register(app: typer.Typer) -> None:
    @app.command()
    def synth(
        patients: int = typer.Option(
            3000, min=1, max=200_000, help="Antal syntetiska patienter (1–200 000)."
        ),
        seed: int = typer.Option(1, help="Slumpfrö: samma frö och datum ger samma data."),
        today: str = typer.Option(None, help="Referensdatum ÅÅÅÅ-MM-DD (standard: i dag)."),
        counties: str = typer.Option("05,06,08", help="Länskoder för regionens enheter, kommaseparerade."),
        nurse_rate: float = typer.Option(
            0.88, min=0, max=1, help="Andel med namngiven kontaktsjuksköterska."
        ),
        mvp_rate: float = typer.Option(0.55, min=0, max=1, help="Andel med Min vårdplan."),
        assessment_rate: float = typer.Option(0.65, min=0, max=1, help="Andel bedömda vid diagnos."),
        repeat_rate: float = typer.Option(0.45, min=0, max=1, help="Andel bedömda igen vid behandlingsslut."),
        plan_rate: float = typer.Option(0.6, min=0, max=1, help="Andel med plan när behov finns."),
        handover_rate: float = typer.Option(0.3, min=0, max=1, help="Andel med aktiv överlämning."),
        handover_confirmed_rate: float = typer.Option(
            0.7, min=0, max=1, help="Andel bekräftade överlämningar."
        ),
    ) -> None:
        """Generera en syntetisk region i den konfigurerade databasen (som måste vara tom)."""
        from canrehab.codes.geography import is_county_code
        from canrehab.services.context import Services
        from canrehab.synth.load import load_region
        from canrehab.synth.region import Coverage, SynthConfig

        codes = tuple(c.strip() for c in counties.split(",") if c.strip())
        bad = [c for c in codes if not is_county_code(c)]
        if bad or not codes:
            raise typer.BadParameter(f"okända länskoder: {', '.join(bad) or '(inga)'}")
        settings = get_settings()
        services = Services.open(settings, migrate=True)
        existing = _patient_count(services)
        if existing:
            typer.echo(
                f"Databasen innehåller redan {existing} patienter; syntetiska data läggs bara i en tom "
                "databas. Ange en annan med CANREHAB_DATABASE_URL, eller kör 'canrehab demo' som skapar "
                "en ny demodatabas.",
                err=True,
            )
            raise typer.Exit(code=1)
        config = SynthConfig(
            patients=patients,
            seed=seed,
            today=_date(today, date.today()),
            counties=codes,
            coverage=Coverage(
                contact_nurse=nurse_rate,
                min_vardplan=mvp_rate,
                assessment_at_diagnosis=assessment_rate,
                repeated_assessment=repeat_rate,
                plan_when_needed=plan_rate,
                handover_at_treatment_end=handover_rate,
                handover_confirmed=handover_confirmed_rate,
            ),
            pseudonym_key=settings.pseudonym_secret(),
        )
        started = time.monotonic()
        with _progress() as bar:
            task = bar.add_task("Syntetiska patienter", total=patients)
            load_region(services, config, progress=lambda n: bar.advance(task, n))
        typer.echo(f"{patients} patienter skapade på {time.monotonic() - started:.1f} s.")

    @app.command("export-par")
    def export_par_cmd(
        output: Path = typer.Option(..., "--output", "-o", help="CSV-fil att skriva."),
        start: str = typer.Option(None, "--from", help="Från och med datum (standard: 1 januari i år)."),
        end: str = typer.Option(None, "--to", help="Till och med datum (standard: i dag)."),
    ) -> None:
        """Exportera egna KVÅ-registreringar som pseudonymiserat PAR-liknande uttag till uppföljningen."""
        from canrehab.services.context import SYSTEM, Services
        from canrehab.services.export import export_par

        today = date.today()
        first, last = _date(start, date(today.year, 1, 1)), _date(end, today)
        if last < first:
            raise typer.BadParameter("slutdatum före startdatum")
        services = Services.open(get_settings(), migrate=True)
        with _progress() as bar:
            task = bar.add_task("Personer exporterade", total=None)
            rows = export_par(
                services,
                SYSTEM,
                output,
                start=first,
                end=last,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        typer.echo(f"{rows} kontakter skrivna till {output}.")

    @app.command("refresh-worklist")
    def refresh_worklist(
        everything: bool = typer.Option(
            False, "--alla", help="Räkna om alla vårdförlopp, inte bara de som datumet har gjort inaktuella."
        ),
    ) -> None:
        """Räkna om arbetslistan för dagens datum (webbappen gör det själv vid dygnsskifte)."""
        from canrehab.services.context import SYSTEM, Services
        from canrehab.services.worklist import refresh_all, refresh_stale

        services = Services.open(get_settings(), migrate=True)
        count = refresh_all(services, SYSTEM) if everything else refresh_stale(services, SYSTEM)
        typer.echo(f"{count} vårdförlopp uppdaterade.")
