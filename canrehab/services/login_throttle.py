"""Failed logins slowed per (account, address), per account and per address, counted in the database so that
every worker process of the web app sees the same counts (``canrehab serve --workers N``: a guesser gets
no more attempts from N processes than from one).

The policies are ``canrehab.domain.login_backoff``'s; the counts are ``canrehab.store.login_failures``'s.
The keys carry user names and addresses: they are stored only hashed and never logged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from canrehab.domain import login_backoff
from canrehab.domain.login_backoff import BACKOFF, FORGET_AFTER_SECONDS, Backoff
from canrehab.store.login_failures import LoginFailureStore


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class LoginThrottle:
    """``retry_after`` tells how long the next attempt with some keys must wait (0: now); ``fail`` counts a
    failed attempt; a success clears the account's keys with ``reset`` (not the address's). Unknown user
    names are counted like known ones, so the answers do not tell which exist.

    ``clock`` gives seconds since the epoch: wall-clock time, because the counts are shared between
    processes (a monotonic clock is per process)."""

    login_keys = staticmethod(login_backoff.login_keys)

    def __init__(
        self,
        engine: Engine,
        policies: dict[str, Backoff] | None = None,
        *,
        forget_after: float = FORGET_AFTER_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = LoginFailureStore(engine)
        self.policies = dict(BACKOFF if policies is None else policies)
        self.forget_after = forget_after
        self.clock = clock

    def retry_after(self, *keys: str) -> float:
        """Seconds until an attempt with ``keys`` is allowed again (0.0: now)."""
        counted = [k for k in keys if login_backoff.kind_of(k) in self.policies]
        if not counted:  # no policy for any of them (the FHIR test harness): nothing to read
            return 0.0
        now = self.clock()
        return max(
            (
                login_backoff.retry_after(
                    self.policies, key, found.count, found.last.timestamp(), now, self.forget_after
                )
                for key, found in self.store.counts(counted).items()
            ),
            default=0.0,
        )

    def blocked(self, *keys: str) -> bool:
        return self.retry_after(*keys) > 0

    def fail(self, *keys: str) -> None:
        now = self.clock()
        self.store.fail(keys, _at(now), _at(now - self.forget_after))

    def reset(self, *keys: str) -> None:
        self.store.clear(keys)
