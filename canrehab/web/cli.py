"""``canrehab serve`` and ``canrehab create-user`` (``canrehab demo`` is synth's: it builds demo data)."""

from __future__ import annotations

import typer

from canrehab.config import Settings, get_settings


def _migrate(settings: Settings) -> None:
    """Create or upgrade the database and check the definitions (a broken file stops the start)."""
    from canrehab.services.context import Services

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    Services.open(settings, migrate=True).engine.dispose()


def run_app(settings: Settings, host: str | None, port: int | None) -> None:
    """Serve the web app (uvicorn) on ``host``:``port``, or the configured ones."""
    import uvicorn

    from canrehab.web.access_log import LOG_CONFIG, UVICORN_OPTIONS
    from canrehab.web.app import create_app

    # uvicorn's access log prints the request line (query strings with personnummer, patient ids in paths):
    # off; the app logs its own line without identities (canrehab.web.access_log).
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_level="info",
        log_config=LOG_CONFIG,
        **UVICORN_OPTIONS,
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
        run_app(settings, host, port)

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
        from canrehab.domain.errors import DomainError
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
        except DomainError as exc:  # a refused password or role: the reason, in Swedish, not a traceback
            typer.echo(exc.message_sv, err=True)
            raise typer.Exit(1) from exc
        finally:
            services.engine.dispose()
        typer.echo(f"Användaren {username} ({role}) är skapad.")
