"""Storage commands of the ``canrehab`` CLI."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("init-db")
    def init_db(
        database_url: str = typer.Option(
            "",
            "--database-url",
            help="Databas-URL (standard: CANREHAB_DATABASE_URL eller SQLite i datakatalogen).",
        ),
    ) -> None:
        """Skapa eller uppgradera databasen till senaste schemat (Alembic-migreringar)."""
        from canrehab.config import get_settings
        from canrehab.store.db import current_revision, make_engine, migrate, safe_url

        url = database_url or get_settings().resolved_database_url
        engine = make_engine(url)
        try:
            migrate(engine)
            revision = current_revision(engine)
        finally:
            engine.dispose()
        typer.echo(f"Databasen är uppdaterad (schema {revision}): {safe_url(url)}")
