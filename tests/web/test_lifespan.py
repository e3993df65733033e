"""The web app's worklist job recomputes the rows turned stale by the date, once per day, on a real
database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from datetime import date, time
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy.engine import Engine

from canrehab.config import Settings
from canrehab.domain.model import Pathway, Patient
from canrehab.services import worklist
from canrehab.services.context import SYSTEM, Services
from canrehab.web.lifespan import refresh_loop
from tests.conftest import TEST_UNIT


def test_the_job_refreshes_stale_rows_when_the_date_changes(
    engine: Engine,
    tmp_path: Path,
    save: Callable[..., None],
    make_patient: Callable[..., Patient],
    make_pathway: Callable[..., Pathway],
) -> None:
    patient = make_patient()
    pathway = make_pathway(patient, diagnosed_on=date(2026, 1, 10))
    save(patient, pathway)
    clock = {"today": date(2026, 1, 11)}
    services = Services(
        settings=Settings(data_dir=tmp_path, secret_key="test"), engine=engine, clock=lambda: clock["today"]
    )
    with services.uow(SYSTEM, log_reads=False) as uow:
        worklist.refresh(services, uow, pathway.id)
        row = uow.worklist.for_pathway(pathway.id)[TEST_UNIT]
    assert not row.assessment_overdue and row.refresh_on is not None
    clock["today"] = row.refresh_on  # the breast routine's diagnosis assessment is now overdue
    app = SimpleNamespace(state=SimpleNamespace(services=services))

    async def one_round() -> None:
        task = asyncio.create_task(refresh_loop(app, check_seconds=0.01))  # type: ignore[arg-type]
        for _ in range(500):
            await asyncio.sleep(0.01)
            with services.uow(SYSTEM, log_reads=False) as uow:
                if uow.worklist.for_pathway(pathway.id)[TEST_UNIT].assessment_overdue:
                    break
        task.cancel()

    asyncio.run(one_round())
    with services.uow(SYSTEM, log_reads=False) as uow:
        assert uow.worklist.for_pathway(pathway.id)[TEST_UNIT].assessment_overdue
        assert uow.worklist.stale_pathways(clock["today"]) == []


def test_the_daily_publication_publishes_the_care_data_once_the_time_of_day_has_come(tmp_path: Path) -> None:
    from canrehab.services import publish
    from canrehab.synth.demo import build_demo
    from canrehab.web.lifespan import publish_due, publish_loop

    assert publish_due(date(2026, 3, 2), time(2, 0), time(2, 0), None)
    assert not publish_due(date(2026, 3, 2), time(1, 59), time(2, 0), None)
    assert not publish_due(date(2026, 3, 2), time(23, 0), time(2, 0), date(2026, 3, 2))  # done today

    settings = Settings(data_dir=tmp_path, secret_key="test", publish_daily_at="00:00")
    build_demo(settings, patients=20, seed=3, analytics_persons=50)
    services = Services.open(settings)
    target = publish.own_dataset(services)
    care = publish.care_dataset(services)
    shutil.rmtree(target)  # the demo publishes once; the job must publish again on its own
    shutil.rmtree(care, ignore_errors=True)
    with services.uow(SYSTEM, log_reads=False) as uow:
        before = sum(1 for e in uow.audit.query() if e.entity_type == "analytics_dataset")
    app = SimpleNamespace(state=SimpleNamespace(services=services))

    async def one_round() -> None:
        task = asyncio.create_task(publish_loop(app, time(0, 0), check_seconds=0.05))  # type: ignore[arg-type]
        for _ in range(600):
            await asyncio.sleep(0.05)
            if any(target.rglob("*.parquet")) and any(care.rglob("*.parquet")):
                break
        task.cancel()

    try:
        asyncio.run(one_round())
        assert any(target.rglob("*.parquet"))
        with services.uow(SYSTEM, log_reads=False) as uow:
            exports = [e for e in uow.audit.query() if e.entity_type == "analytics_dataset"]
        # one audit row for the KVÅ dataset and one for the care dataset
        assert len(exports) == before + 2 and exports[0].actor_username == "system"
    finally:
        services.engine.dispose()
