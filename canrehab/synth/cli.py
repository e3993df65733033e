"""``canrehab synth``: a synthetic region in the configured database (demo and test data, on top of the
services; the services never import this package)."""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from canrehab.config import get_settings
from canrehab.services.cli import parse_date, progress_bar

if TYPE_CHECKING:
    from canrehab.services.context import Services


def _patient_count(services: Services) -> int:
    from sqlalchemy import func, select

    from canrehab.store.orm import TABLES

    with services.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(TABLES["patient"])).scalar_one())


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        patients: int = typer.Option(3000, help="Antal syntetiska patienter."),
        seed: int = typer.Option(1, help="Slumpfrö för de syntetiska data."),
        data_dir: Path = typer.Option(None, help="Datakatalog (standard: inställningen data_dir)."),
        host: str = typer.Option(None),
        port: int = typer.Option(None),
        no_serve: bool = typer.Option(False, "--no-serve", help="Bygg databasen men starta inte webbappen."),
    ) -> None:
        """Bygg en ny syntetisk demodatabas och starta webbappen; skriver ut en inloggning per roll."""
        from canrehab.web.cli import run_app

        settings = get_settings()
        if data_dir is not None:
            settings = settings.model_copy(update={"data_dir": data_dir})
        started = time.monotonic()
        typer.echo(f"Bygger demoregionen ({patients} syntetiska patienter) i {settings.data_dir} …")
        # Imported after the line above: on a first start Python compiles these modules (no .pyc yet).
        from canrehab.synth.demo import build_demo

        with progress_bar() as bar:  # the build's progress, so a first start never looks stuck
            task = bar.add_task("Syntetiska patienter", total=patients)
            logins = build_demo(
                settings, patients=patients, seed=seed, progress=lambda n: bar.advance(task, n)
            )
        typer.echo(
            f"Demodatabas med {patients} syntetiska patienter klar på {time.monotonic() - started:.1f} s:"
        )
        typer.echo(f"  {settings.resolved_database_url}")
        typer.echo("Inloggningar (användarnamn / lösenord):")
        for role, username, password in logins:
            typer.echo(f"  {role:<28} {username:<16} {password}")
        typer.echo(f"Öppna http://{host or settings.host}:{port or settings.port}/")
        if not no_serve:
            run_app(settings, host, port)

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
            today=parse_date(today, date.today()),
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
        done = 0
        with progress_bar() as bar:
            task = bar.add_task("Syntetiska patienter", total=patients)

            def advance(n: int) -> None:
                nonlocal done
                done += n
                bar.advance(task, n)
                if not sys.stderr.isatty():  # a log or a pipe: one line per batch (the bar shows nothing)
                    typer.echo(f"{done} av {patients} patienter genererade", err=True)

            load_region(services, config, progress=advance)
        typer.echo(
            f"{patients} patienter skapade på {time.monotonic() - started:.1f} s (i en enda transaktion: "
            "ett avbrott lämnar databasen tom)."
        )
