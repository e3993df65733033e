"""One scheduler for the timed jobs, however many worker processes serve the app.

Every worker's lifespan runs a :class:`Scheduler`; only the one whose process holds the scheduler lock
(``canrehab.store.scheduler_lock``: a PostgreSQL advisory lock, or a lock file beside a SQLite database)
runs the jobs. Every ``retry_seconds`` (setting ``scheduler_retry_seconds``, 15 s) each scheduler looks
again: the holder checks that it still holds the lock (its connection may have been terminated) and stops
its jobs when it does not; the others try to take it, so that another worker takes over within one
interval when the holder dies (``kill -9``) or loses its connection. For at most one interval after a
holder's connection is terminated, its jobs and the new holder's may both run: the jobs are made for that
(the worklist refresh recomputes rows, the publication swaps its dataset atomically).

Logs the holder's pid, never patient data.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Coroutine, Sequence
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from canrehab.store.scheduler_lock import SchedulerLock, scheduler_lock

if TYPE_CHECKING:
    from canrehab.services.context import Services

log = logging.getLogger(__name__)

Job = tuple[str, Callable[[], Coroutine[Any, Any, None]]]
"""A job: its name and the coroutine function that runs it until cancelled."""


class Scheduler:
    def __init__(self, lock: SchedulerLock, jobs: Sequence[Job], retry_seconds: float) -> None:
        self.lock = lock
        self.jobs = list(jobs)
        self.retry_seconds = retry_seconds
        self._tasks: list[asyncio.Task[None]] = []
        self.holding = False
        """Whether this process holds the lock (and runs the jobs) now."""

    @classmethod
    def for_services(cls, services: Services, jobs: Sequence[Job]) -> Scheduler:
        """The scheduler of the services' database, retrying every ``scheduler_retry_seconds``."""
        settings = services.settings
        lock = scheduler_lock(services.engine, settings.data_dir)
        return cls(lock, jobs, retry_seconds=settings.scheduler_retry_seconds)

    async def run(self) -> None:
        """Hold the lock and run the jobs while held; retry every interval; on cancel, stop the jobs and
        release the lock."""
        try:
            while True:
                await self._round()
                await asyncio.sleep(self.retry_seconds)
        finally:
            await self._stop_jobs()
            await asyncio.to_thread(self.lock.release)
            if self.holding:
                self.holding = False
                log.info("scheduler: process %d released the lock", os.getpid())

    async def _round(self) -> None:
        if self.holding:
            if await asyncio.to_thread(self.lock.held):
                self._restart_ended_jobs()
                return
            log.warning("scheduler: process %d lost the lock; its jobs stop", os.getpid())
            self.holding = False
            await self._stop_jobs()
        try:
            got = await asyncio.to_thread(self.lock.try_acquire)
        except Exception:  # the database is down: the next round tries again
            log.warning("scheduler: process %d cannot reach the lock; retrying", os.getpid(), exc_info=True)
            return
        if got:
            self.holding = True
            log.info("scheduler: process %d holds the lock and runs the timed jobs", os.getpid())
            self._tasks = [asyncio.create_task(job(), name=name) for name, job in self.jobs]

    def _restart_ended_jobs(self) -> None:
        """A job loop ends only by an error it did not catch: log it and start the job again."""
        for index, task in enumerate(self._tasks):
            if task.done() and not task.cancelled():
                name, job = self.jobs[index]
                log.error("scheduler: job %s ended (%r); starting it again", name, task.exception())
                self._tasks[index] = asyncio.create_task(job(), name=name)

    async def _stop_jobs(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(asyncio.CancelledError, Exception):
                await task
