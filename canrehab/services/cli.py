"""``canrehab export-par``, ``canrehab publish`` and ``canrehab refresh-worklist``: operators' commands on the
system's own data. (The synthetic-data commands sit on top, in ``canrehab.synth.cli``: services never imports
synth.)"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from canrehab.config import get_settings


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()
    )


def parse_date(value: str | None, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"ogiltigt datum {value!r}, använd ÅÅÅÅ-MM-DD") from None


def register(app: typer.Typer) -> None:
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
        first, last = parse_date(start, date(today.year, 1, 1)), parse_date(end, today)
        if last < first:
            raise typer.BadParameter("slutdatum före startdatum")
        services = Services.open(get_settings(), migrate=True)
        with progress_bar() as bar:
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

    @app.command()
    def publish(
        start: str = typer.Option(
            None, "--from", help="Från och med datum (standard: 1 januari för två år sedan)."
        ),
        end: str = typer.Option(None, "--to", help="Till och med datum (standard: i dag)."),
    ) -> None:
        """Publicera egna KVÅ-registreringar pseudonymiserade till analyslagret (egen-verksamhet)."""
        from canrehab.services.context import SYSTEM, Services
        from canrehab.services.publish import default_period
        from canrehab.services.publish import publish as publish_own

        first_default, last_default = default_period(date.today())
        first, last = parse_date(start, first_default), parse_date(end, last_default)
        if last < first:
            raise typer.BadParameter("slutdatum före startdatum")
        services = Services.open(get_settings(), migrate=True)
        with progress_bar() as bar:
            task = bar.add_task("Personer publicerade", total=None)
            done = publish_own(
                services,
                SYSTEM,
                start=first,
                end=last,
                progress=lambda n, total: bar.update(task, completed=n, total=total),
            )
        typer.echo(
            f"{done.contacts} kontakter för {done.persons} personer publicerade till {done.dataset} "
            f"({first.isoformat()}–{last.isoformat()})."
        )
        if done.care is not None:
            typer.echo(
                f"{done.care.rows['pathways']} vårdförlopp publicerade till {done.care.dataset} "
                f"(vårdens uppgifter per {done.care.as_of.isoformat()}, pseudonymiserat)."
            )

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
