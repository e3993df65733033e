"""One scheduler among the worker processes (``services.scheduler``): the holder of the lock runs the jobs,
the others wait, and one of them takes over when the holder is killed (``kill -9``: on PostgreSQL's advisory
lock and on a real lock file) or its connection is terminated (``pg_terminate_backend``). Real PostgreSQL,
real files, real processes."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from canrehab.services.scheduler import Job, Scheduler
from canrehab.store.db import make_engine
from canrehab.store.scheduler_lock import AdvisoryLock, FileLock, SchedulerLock, scheduler_lock
from tests.conftest import advisory_lock_holders

ROOT = Path(__file__).resolve().parents[2]
# A process that takes the lock, says so, and sleeps until it is killed.
HOLDER = """
import sys, time
from pathlib import Path
from canrehab.store.db import make_engine
from canrehab.store.scheduler_lock import scheduler_lock
lock = scheduler_lock(make_engine(sys.argv[1]), Path(sys.argv[2]))
assert lock.try_acquire()
print("held", flush=True)
time.sleep(600)
"""


@pytest.fixture
def pg_engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    server = request.getfixturevalue("pg_server")
    name = f"canrehab_t_sched_{uuid.uuid4().hex[:12]}"
    engine = make_engine(server.create(name))
    yield engine
    engine.dispose()
    server.drop(name)


def _holder(url: str, data_dir: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url, str(data_dir)], env=env, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def _counting_job(runs: list[str], name: str) -> Job:
    async def job() -> None:
        while True:
            runs.append(name)
            await asyncio.sleep(0.01)

    return name, job


async def _until(condition: Callable[[], bool], seconds: float = 20.0) -> bool:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return True
        await asyncio.sleep(0.02)
    return condition()


def _takes_over_from_a_killed_process(lock: SchedulerLock, holder: subprocess.Popen[str]) -> None:
    runs: list[str] = []
    scheduler = Scheduler(lock, [_counting_job(runs, "job")], retry_seconds=0.05)

    async def scenario() -> None:
        task = asyncio.create_task(scheduler.run())
        await asyncio.sleep(0.5)  # ten rounds: the lock is the other process's
        assert not scheduler.holding and runs == []
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(10)
        assert await _until(lambda: bool(runs))
        assert scheduler.holding
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    try:
        asyncio.run(scenario())
    finally:
        if holder.poll() is None:
            holder.kill()
    assert not scheduler.holding  # released on cancel


def test_a_worker_takes_the_lock_file_over_from_a_process_killed_with_kill_9(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'canrehab.db'}"
    holder = _holder(url, tmp_path)
    lock = scheduler_lock(make_engine(url), tmp_path)
    assert isinstance(lock, FileLock) and lock.path == tmp_path / "scheduler.lock"
    assert not lock.try_acquire()
    _takes_over_from_a_killed_process(lock, holder)
    assert lock.try_acquire()  # released by the scheduler: free again
    lock.release()


@pytest.mark.postgres
def test_a_worker_takes_the_advisory_lock_over_from_a_process_killed_with_kill_9(
    pg_engine: Engine, tmp_path: Path
) -> None:
    url = pg_engine.url.render_as_string(hide_password=False)
    holder = _holder(url, tmp_path)
    lock = scheduler_lock(pg_engine, tmp_path)
    assert isinstance(lock, AdvisoryLock)
    _takes_over_from_a_killed_process(lock, holder)
    assert advisory_lock_holders(pg_engine) == []  # the scheduler released it when it stopped


@pytest.mark.postgres
def test_another_worker_takes_over_when_the_holders_connection_is_terminated(pg_engine: Engine) -> None:
    runs: list[str] = []
    first = Scheduler(AdvisoryLock(pg_engine), [_counting_job(runs, "first")], retry_seconds=1.0)
    second = Scheduler(AdvisoryLock(pg_engine), [_counting_job(runs, "second")], retry_seconds=0.05)

    async def scenario() -> None:
        tasks = [asyncio.create_task(first.run())]
        assert await _until(lambda: first.holding)
        tasks.append(asyncio.create_task(second.run()))
        await asyncio.sleep(0.5)
        assert not second.holding and "second" not in runs
        with pg_engine.connect() as conn:
            ended = conn.execute(
                text(
                    "SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                    "WHERE l.locktype = 'advisory' AND a.datname = current_database()"
                )
            ).scalars()
            assert list(ended) == [True]
        assert await _until(lambda: second.holding and not first.holding)
        runs.clear()
        await asyncio.sleep(0.3)
        assert set(runs) == {"second"}  # the first one stopped its jobs when it found its lock gone
        assert advisory_lock_holders(pg_engine) == [f"canrehab-scheduler-{os.getpid()}"]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(scenario())
    assert advisory_lock_holders(pg_engine) == []


def test_only_the_holder_runs_the_jobs_and_a_crashed_job_is_started_again(tmp_path: Path) -> None:
    runs: list[str] = []
    crashes: list[int] = []

    async def crashing() -> None:
        crashes.append(1)
        if len(crashes) == 1:
            raise RuntimeError("a bug in the job")
        await asyncio.sleep(60)

    holder = Scheduler(
        FileLock(tmp_path / "scheduler.lock"), [_counting_job(runs, "a"), ("c", crashing)], 0.05
    )
    waiter = Scheduler(FileLock(tmp_path / "scheduler.lock"), [_counting_job(runs, "b")], 0.05)

    async def scenario() -> None:
        tasks = [asyncio.create_task(holder.run())]
        assert await _until(lambda: holder.holding)
        tasks.append(asyncio.create_task(waiter.run()))
        assert await _until(lambda: len(crashes) == 2)
        assert set(runs) == {"a"} and not waiter.holding
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(scenario())
