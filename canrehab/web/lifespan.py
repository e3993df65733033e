"""The web app's lifespan: definitions checked at start, and the daily worklist job: when the date changes
(and once at start), recompute the worklist rows whose date-driven flags have changed
(``services.worklist.refresh_stale``), so that every unit's list is exact for the new day before anyone
opens it. The worklist read itself refreshes its unit's stale rows as a
safety net, so a missed run costs latency, never correctness.

With ``publish_daily_at`` set, a second job publishes the care data to the analytics store once a day at
that local time (``services.publish``, the default period, as the system): the dashboards and reports that
read the analytics store follow the care process without anyone running ``canrehab publish``. A failed
publication is retried a minute later; the previous dataset stays in place (the swap is atomic).

With several worker processes (``canrehab serve --workers N``) the jobs run in one of them: the one that
holds the scheduler lock (``services.scheduler``); another takes over when it dies.
Logs counts only, never patient data."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import date, datetime, time

from fastapi import FastAPI

from canrehab.services import publish
from canrehab.services.context import SYSTEM
from canrehab.services.scheduler import Job, Scheduler
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


def publish_due(today: date, now: time, at: time, done_for: date | None) -> bool:
    """Whether the daily publication is due: not yet done for ``today`` and the time of day has come."""
    return today != done_for and now >= at


async def publish_loop(app: FastAPI, at: time, check_seconds: float = 60.0) -> None:
    done_for: date | None = None
    while True:
        services = app_services(app)
        today = services.today()
        if publish_due(today, datetime.now().time(), at, done_for):
            start, end = publish.default_period(today)
            try:
                result = await asyncio.to_thread(publish.publish, services, SYSTEM, start=start, end=end)
            except Exception:  # the previous dataset stays; the next round retries
                log.exception("daily publication for %s failed", today.isoformat())
            else:
                log.info("published %d contacts of %d persons for %s", result.contacts, result.persons, today)
                done_for = today
        await asyncio.sleep(check_seconds)


def jobs(app: FastAPI) -> list[Job]:
    """The timed jobs: the worklist refresh, and the daily publication when ``publish_daily_at`` is set."""
    found: list[Job] = [("worklist-refresh", lambda: refresh_loop(app))]
    at = app_services(app).settings.publish_daily_at
    if at:
        found.append(("daily-publication", lambda: publish_loop(app, time.fromisoformat(at))))
    return found


def compile_templates(app: FastAPI) -> int:
    """Compile every page template now, before the first request: a serving process compiles each one once
    anyway, and the first patient page of a fresh worker otherwise waited for it (measured in one process
    on the demo: first patient page 113 ms before, 37 ms after, against 11 ms warm; the 41 templates take
    ~0,3 s at start). Done before ``freeze_startup_objects``, so the compiled templates are frozen too."""
    env = app.state.templates.env
    names = env.list_templates(extensions=("html",))
    for name in names:
        env.get_template(name)
    return len(names)


def freeze_startup_objects() -> None:
    """Move everything the start created (modules, classes, the app, the definitions: ~400 000 objects) out
    of the garbage collector's reach, after one collection of what is already garbage. A full collection
    then walks only what requests create: measured on a 200 000-patient database, one full collection over
    600 requests paused a worker for 287 ms before and took at most 6 ms after (``gc.freeze``: frozen objects
    sit in a permanent generation that no collection walks). Only a serving process does this
    (``web.cli.worker_app`` sets ``app.state.freeze_gc``); a test's many app starts would each pay the
    collection."""
    gc.collect()
    gc.freeze()
    log.info("froze %d start-up objects out of the garbage collector", gc.get_freeze_count())


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start, load and check the definitions (a broken region file stops the start with its name and
    field, instead of failing the first request that needs it); then run the scheduler (the timed jobs,
    in the process that holds the lock) until shutdown."""
    services = app_services(app)
    services.catalog  # noqa: B018
    if getattr(app.state, "freeze_gc", False):  # a serving process (``web.cli.worker_app``)
        compiled = compile_templates(app)
        log.info("compiled %d page templates", compiled)
        freeze_startup_objects()
    app.state.scheduler = Scheduler.for_services(services, jobs(app))
    task = asyncio.create_task(app.state.scheduler.run(), name="scheduler")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
