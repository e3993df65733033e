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
from canrehab.store.login_failures import Failures, LoginFailureStore


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class LoginThrottle:
    """A login checks the password first, then asks ``settle`` whether it may tell the outcome: a positive
    answer is the wait (the attempt is answered 429 whatever the password was, and nothing is counted);
    0.0 lets the outcome through, with a wrong password counted as a failure of each key in the same
    locked transaction as the check (parallel guesses cannot all pass one check) and a right one clearing
    the keys it is given in ``clear`` (the account's; an address's count stays). ``retry_after`` only
    reads; ``fail`` counts a failure without a check. Unknown user names are counted like known ones, so
    the answers do not tell which exist.

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
        counted = self._counted(keys)
        if not counted:  # no policy for any of them (the FHIR test harness): nothing to read
            return 0.0
        return self._wait(self.store.counts(counted), self.clock())

    def settle(self, *keys: str, ok: bool, clear: tuple[str, ...] = ()) -> float:
        """The attempt with ``keys`` whose password was right (``ok``) or wrong: 0.0 when its outcome may be
        told (a wrong one is then counted; a right one clears ``clear``), else the seconds to wait."""
        counted = self._counted(keys)
        if not counted:
            return 0.0
        now = self.clock()
        if ok:  # counts nothing: the committed counts are enough to order it among parallel attempts
            wait = self._wait(self.store.counts(counted), now)
            if wait == 0 and clear:
                self.store.clear(self._counted(clear))
            return wait
        return self.store.fail_unless_waiting(
            counted, _at(now), _at(now - self.forget_after), lambda found: self._wait(found, now)
        )

    def _counted(self, keys: tuple[str, ...]) -> list[str]:
        return [k for k in keys if login_backoff.kind_of(k) in self.policies]

    def _wait(self, found: dict[str, Failures], now: float) -> float:
        return max(
            (
                login_backoff.retry_after(
                    self.policies, key, f.count, f.last.timestamp(), now, self.forget_after
                )
                for key, f in found.items()
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
