"""``canrehab serve`` and ``canrehab create-user`` (``canrehab demo`` is synth's: it builds demo data).

``canrehab serve --workers N`` runs N uvicorn worker processes on one socket. Every worker builds its app
through one factory, :func:`worker_app` (:data:`WORKER_APP`), from the settings the parent resolved and
put into the environment as JSON (:data:`WORKER_SETTINGS_ENV`): the same settings in every worker, among
them the secret key that signs the session cookies, which the parent generates (or reads) once, so that a
session started on one worker is valid on all. The timed jobs run in one worker at a time
(``services.scheduler``); the login throttle counts in the database (``services.login_throttle``).
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from typing import TYPE_CHECKING

import typer

from canrehab.config import Settings, get_settings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from canrehab.web.settings import WebSettings

WORKER_APP = "canrehab.web.cli:worker_app"
"""The uvicorn factory every worker process starts (``canrehab serve``, and the benchmarks)."""
WORKER_SETTINGS_ENV = "CANREHAB_WORKER_SETTINGS"
"""The environment variable that carries the resolved settings (JSON) from the parent to its workers."""
MAX_AUTO_WORKERS = 4
ORPHAN_CHECK_SECONDS = 1.0


def _migrate(settings: Settings) -> None:
    """Create or upgrade the database and check the definitions (a broken file stops the start)."""
    from canrehab.services.context import Services

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    Services.open(settings, migrate=True).engine.dispose()


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def worker_count(settings: Settings, requested: int | None = None) -> int:
    """The number of worker processes: ``requested`` (the ``--workers`` option), else the setting
    ``workers``; 0 is automatic: min(CPUs, 4) on PostgreSQL, 1 on SQLite. SQLite has one writer at a time
    for the whole file: more processes would mostly queue on its write lock (and wait up to the busy
    timeout), so the embedded database gets one process unless more are asked for."""
    from sqlalchemy.engine import make_url

    count = settings.workers if requested is None else requested
    if count > 0:
        return count
    if make_url(settings.resolved_database_url).get_backend_name() == "sqlite":
        return 1
    return min(available_cpus(), MAX_AUTO_WORKERS)


def worker_settings(settings: Settings, web: WebSettings) -> str:
    """The JSON that :func:`worker_app` rebuilds the app from: the settings with the installation secret
    resolved (generated now when none is configured or stored), and the web settings."""
    resolved = settings.model_copy(update={"secret_key": settings.installation_secret()})
    return json.dumps(
        {
            "settings": resolved.model_dump(mode="json"),
            "web": web.model_dump(mode="json"),
            "parent_pid": os.getpid(),
        }
    )


def worker_app() -> FastAPI:
    """The uvicorn factory of every worker: the app from the settings in :data:`WORKER_SETTINGS_ENV` (set
    by ``canrehab serve``); without it, from the environment as ``create_app`` reads it."""
    from canrehab.web.app import create_app
    from canrehab.web.settings import WebSettings

    raw = os.environ.get(WORKER_SETTINGS_ENV)
    if not raw:
        app = create_app()
    else:
        given = json.loads(raw)
        if given["parent_pid"] != os.getpid():  # a worker process of its own (not ``--workers 1``)
            _exit_when_orphaned(given["parent_pid"])
        app = create_app(Settings(**given["settings"]), WebSettings(**given["web"]))
    # a serving process: its templates are compiled at start and its start-up objects leave the GC's reach
    # (lifespan)
    app.state.freeze_gc = True
    return app


def _exit_when_orphaned(parent_pid: int) -> None:
    """Shut this worker down (SIGTERM: requests in flight finish, the scheduler lock is released) when the
    parent that supervises it is gone (``kill -9`` of the parent): a worker never outlives its server."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(ORPHAN_CHECK_SECONDS)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


def run_app(settings: Settings, host: str | None, port: int | None, workers: int | None = None) -> None:
    """Serve the web app (uvicorn) on ``host``:``port``, or the configured ones, in :func:`worker_count`
    worker processes, each built by :func:`worker_app`."""
    import uvicorn

    from canrehab.web.access_log import LOG_CONFIG, UVICORN_OPTIONS
    from canrehab.web.settings import WebSettings

    os.environ[WORKER_SETTINGS_ENV] = worker_settings(settings, WebSettings())
    # uvicorn's access log prints the request line (query strings with personnummer, patient ids in paths):
    # off; the app logs its own line without identities (canrehab.web.access_log).
    uvicorn.run(
        WORKER_APP,
        factory=True,
        workers=worker_count(settings, workers),
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
        workers: int = typer.Option(
            None,
            min=0,
            help=(
                "Antal arbetsprocesser (standard: inställningen workers, CANREHAB_WORKERS). 0 = automatiskt: "
                "min(antal processorer, 4) mot PostgreSQL, alltid 1 mot SQLite (SQLite har en enda skrivare "
                "åt gången för hela filen, så fler processer skulle mest vänta på varandra)."
            ),
        ),
    ) -> None:
        """Starta webbappen mot en befintlig databas."""
        settings = get_settings()
        _migrate(settings)
        count = worker_count(settings, workers)
        where = f"http://{host or settings.host}:{port or settings.port}/"
        processes = "arbetsprocess" if count == 1 else "arbetsprocesser"
        typer.echo(f"canrehab körs på {where} ({count} {processes})")
        run_app(settings, host, port, workers)

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
