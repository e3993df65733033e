"""The web app's lifespan: definitions checked at start, and the daily worklist job: when the date changes
(and once at start), recompute the worklist rows whose date-driven flags have changed
(``services.worklist.refresh_stale``), so that every unit's list is exact for the new day before anyone
opens it. The worklist read itself refreshes its unit's stale rows as a
safety net, so a missed run costs latency, never correctness. Logs counts only, never patient data."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import date

from fastapi import FastAPI

from canrehab.services.context import SYSTEM
from canrehab.services.worklist import refresh_stale
from canrehab.web.deps import app_services

log = logging.getLogger(__name__)

CHECK_SECONDS = 10 * 60  # how often the job looks whether the date has changed
RETRY_SECONDS = 60


async def refresh_loop(app: FastAPI, check_seconds: float = CHECK_SECONDS) -> None:
    done_for: date | None = None
    while True:
        services = app_services(app)
        today = services.today()
        wait = check_seconds
        if today != done_for:
            try:
                count = await asyncio.to_thread(refresh_stale, services, SYSTEM, today)
            except Exception:  # a database outage must not stop the job; the next round retries
                log.exception("worklist refresh for %s failed", today.isoformat())
                wait = min(check_seconds, RETRY_SECONDS)
            else:
                log.info("worklist refreshed for %s: %d pathways", today.isoformat(), count)
                done_for = today
        await asyncio.sleep(wait)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start, load and check the definitions (a broken region file stops the start with its name and
    field, instead of failing the first request that needs it); then run the daily job until shutdown."""
    app_services(app).catalog  # noqa: B018
    task = asyncio.create_task(refresh_loop(app), name="worklist-refresh")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
