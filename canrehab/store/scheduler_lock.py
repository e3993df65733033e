"""The scheduler lock: which one of the web app's worker processes runs the timed jobs.

* PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) held on a connection of its own,
  in autocommit mode and outside the pool (closing it really ends the session, and the lock with it). The
  server releases the lock when that session ends: the process exits or is killed, or the connection is
  terminated (``pg_terminate_backend``). The connection's ``application_name`` carries the holder's pid
  (``canrehab-scheduler-<pid>``), so that ``pg_stat_activity`` joined with ``pg_locks`` names the holder.
* SQLite: ``fcntl.flock`` on ``<data_dir>/scheduler.lock``. The kernel releases it when the process exits,
  however it ends. The file holds the holder's pid (for a person looking; the lock is the flock, not the
  text).

Both locks are per holder object: two holders in one process exclude each other as two processes do.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path
from typing import Protocol

from sqlalchemy import NullPool, create_engine, text
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

# The advisory lock's key: a constant of canrehab's own (advisory locks are per database, so two
# installations on one server do not meet). 0x63616e72 is "canr" in ASCII.
ADVISORY_KEY = 0x63616E72_00000001
LOCK_FILE = "scheduler.lock"


class SchedulerLock(Protocol):
    def try_acquire(self) -> bool:
        """Take the lock if it is free; True when this holder has it (now or already)."""
        ...

    def held(self) -> bool:
        """Whether this holder still has the lock (False once its connection is gone)."""
        ...

    def release(self) -> None: ...


class AdvisoryLock:
    """A PostgreSQL advisory lock on a dedicated autocommit connection (see the module docstring)."""

    def __init__(self, engine: Engine, key: int = ADVISORY_KEY) -> None:
        self.key = key
        self._engine = create_engine(
            engine.url,
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
            connect_args={
                "application_name": f"canrehab-scheduler-{os.getpid()}",
                "connect_timeout": 10,
                # a holder behind a broken network notices within a minute instead of TCP's quarter hour
                "keepalives": 1,
                "keepalives_idle": 20,
                "keepalives_interval": 5,
                "keepalives_count": 3,
                "tcp_user_timeout": 30_000,
            },
        )
        self._conn: Connection | None = None

    def try_acquire(self) -> bool:
        if self._conn is not None and self.held():
            return True
        conn = self._engine.connect()
        try:
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar())
        except Exception:
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self._conn = conn
        return True

    def held(self) -> bool:
        if self._conn is None:
            return False
        try:
            self._conn.execute(text("SELECT 1"))
        except Exception:  # terminated or unreachable: the server has ended (or will end) the session
            log.warning("the scheduler lock's database connection is gone")
            self._drop()
            return False
        return True

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            except Exception:  # the session is gone already, and its lock with it
                log.debug("scheduler lock: unlock on a closed connection", exc_info=True)
            self._drop()
        self._engine.dispose()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # a dead connection may fail to close; it is gone either way
                log.debug("scheduler lock: closing a dead connection", exc_info=True)


class FileLock:
    """``fcntl.flock`` on a file (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def held(self) -> bool:
        return self._fd is not None  # a flock lasts as long as its open file: nothing can take it away

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def scheduler_lock(engine: Engine, data_dir: Path) -> SchedulerLock:
    """The lock for this database: an advisory lock on PostgreSQL, a lock file in ``data_dir`` on SQLite."""
    if engine.dialect.name == "postgresql":
        return AdvisoryLock(engine)
    return FileLock(data_dir / LOCK_FILE)
