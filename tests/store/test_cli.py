"""``canrehab init-db`` migrates the configured database and prints its URL without the password."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from canrehab.cli import app
from canrehab.store.db import make_engine, safe_url


def test_init_db(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'canrehab.db'}"
    result = CliRunner().invoke(app, ["init-db", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "Databasen är uppdaterad" in result.output and url in result.output
    engine = make_engine(url)
    try:
        assert "user_account" in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_init_db_uses_the_configured_database(tmp_path: Path, monkeypatch: object) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    from canrehab.config import get_settings

    monkeypatch.setenv("CANREHAB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CANREHAB_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["init-db"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert (tmp_path / "canrehab.db").exists()


def test_safe_url_hides_the_password() -> None:
    assert safe_url("postgresql://u:secret@h:5432/db") == "postgresql+psycopg://u:***@h:5432/db"
