"""What ``canrehab serve`` hands its worker processes: how many there are, and the settings each rebuilds its
app from (``canrehab.web.cli``)."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest

from canrehab.config import Settings
from canrehab.web import cli
from canrehab.web.settings import WebSettings

PG = "postgresql+psycopg://u:p@db.region.example/canrehab"


@pytest.mark.parametrize(
    ("database_url", "setting", "requested", "cpus", "expected"),
    [
        ("", 0, None, 8, 1),  # SQLite (the default file): automatic is one process
        ("", 0, 3, 8, 3),  # ... unless more are asked for
        (PG, 0, None, 2, 2),  # PostgreSQL: automatic is the CPUs
        (PG, 0, None, 16, 4),  # ... at most four
        (PG, 6, None, 2, 6),  # the setting (CANREHAB_WORKERS)
        (PG, 6, 1, 2, 1),  # the option wins over the setting
        (PG, 6, 0, 2, 2),  # --workers 0: automatic, whatever the setting
    ],
)
def test_worker_count(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    setting: int,
    requested: int | None,
    cpus: int,
    expected: int,
) -> None:
    monkeypatch.setattr(cli, "available_cpus", lambda: cpus)  # the machine's CPU count, as a parameter
    settings = Settings(data_dir=tmp_path, database_url=database_url, workers=setting)
    assert cli.worker_count(settings, requested) == expected


def test_the_workers_get_the_secret_the_parent_generated_and_rebuild_the_same_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="", publish_daily_at="02:00", workers=2)
    web = WebSettings(trusted_proxies=["10.9.0.0/24"], session_idle_timeout=600)
    handed = json.loads(cli.worker_settings(settings, web))
    generated = (tmp_path / "secret.key").read_text().strip()
    assert handed["settings"]["secret_key"] == generated != ""
    monkeypatch.setenv(cli.WORKER_SETTINGS_ENV, json.dumps(handed))
    monkeypatch.setenv("CANREHAB_SECRET_KEY", "what-a-worker-must-not-read")  # the handed settings win
    app = cli.worker_app()
    try:
        rebuilt: Settings = app.state.settings
        assert rebuilt.secret_key == generated and rebuilt.data_dir == tmp_path
        assert rebuilt.publish_daily_at == "02:00"
        assert app.state.web_settings.trusted_proxies == ["10.9.0.0/24"]
        assert app.state.web_settings.session_idle_timeout == 600
        assert app.state.freeze_gc is True  # its lifespan freezes the start-up objects (test below)
    finally:
        app.state.services.engine.dispose()


def test_a_serving_process_moves_its_start_up_objects_out_of_the_collectors_reach(tmp_path: Path) -> None:
    """A worker's app freezes what the start created (one full collection then skips ~400 000 objects);
    an app built for a test does not (each of the suite's app starts would pay the collection)."""
    from fastapi.testclient import TestClient

    from canrehab.store.db import migrate
    from canrehab.web.app import create_app

    settings = Settings(data_dir=tmp_path, secret_key="s")
    migrate(settings.resolved_database_url)
    gc.unfreeze()
    try:
        with TestClient(create_app(settings)):
            assert gc.get_freeze_count() == 0
        app = create_app(settings)
        app.state.freeze_gc = True  # what cli.worker_app sets on every serving app
        with TestClient(app):
            assert gc.get_freeze_count() > 100_000
            # every page template was compiled before the freeze: none waits for the first request
            env = app.state.templates.env
            cached = {t.name for t in env.cache.values()} if env.cache is not None else set()
            assert set(env.list_templates(extensions=("html",))) <= cached
    finally:
        gc.unfreeze()
