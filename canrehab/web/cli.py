"""``canrehab serve``, ``canrehab demo`` and ``canrehab create-user``."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from canrehab.config import Settings, get_settings


def _migrate(settings: Settings) -> None:
    from canrehab.store.db import migrate

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate(settings.resolved_database_url)


def _run(settings: Settings, host: str | None, port: int | None) -> None:
    import uvicorn

    from canrehab.web.app import create_app

    uvicorn.run(
        create_app(settings), host=host or settings.host, port=port or settings.port, log_level="info"
    )


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: str = typer.Option(None, help="Adress att lyssna på (standard: inställningen host)."),
        port: int = typer.Option(None, help="Port (standard: inställningen port)."),
    ) -> None:
        """Starta webbappen mot en befintlig databas."""
        settings = get_settings()
        _migrate(settings)
        typer.echo(f"canrehab körs på http://{host or settings.host}:{port or settings.port}/")
        _run(settings, host, port)

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
        settings = get_settings()
        if data_dir is not None:
            settings = settings.model_copy(update={"data_dir": data_dir})
        from canrehab.synth.demo import build_demo

        started = time.monotonic()
        logins = build_demo(settings, patients=patients, seed=seed)
        typer.echo(
            f"Demodatabas med {patients} syntetiska patienter klar på {time.monotonic() - started:.1f} s:"
        )
        typer.echo(f"  {settings.resolved_database_url}")
        typer.echo("Inloggningar (användarnamn / lösenord):")
        for role, username, password in logins:
            typer.echo(f"  {role:<28} {username:<16} {password}")
        typer.echo(f"Öppna http://{host or settings.host}:{port or settings.port}/")
        if not no_serve:
            _run(settings, host, port)

    @app.command("create-user")
    def create_user(
        username: str = typer.Argument(...),
        role: str = typer.Option(
            ..., help="nurse, doctor, rehab_professional, unit_manager, regional_analyst, admin eller patient"
        ),
        password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
        staff_id: str = typer.Option(None),
        patient_id: str = typer.Option(None),
        unit: list[str] = typer.Option([], help="HSA-id för enhet (kan upprepas)."),
    ) -> None:
        """Skapa ett lokalt användarkonto (lösenordet lagras argon2-hashat)."""
        from canrehab.services.accounts import create_user as create
        from canrehab.services.context import Services

        settings = get_settings()
        _migrate(settings)
        services = Services.open(settings)
        try:
            create(
                services,
                username=username,
                role=role,
                password=password,
                staff_id=staff_id,
                patient_id=patient_id,
                unit_hsa_ids=tuple(unit),
            )
        finally:
            services.engine.dispose()
        typer.echo(f"Användaren {username} ({role}) är skapad.")
