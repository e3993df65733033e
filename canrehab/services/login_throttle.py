"""Failed logins slowed per (account, address), per account and per address, counted in the database so that
every worker process of the web app sees the same counts (``canrehab serve --workers N``: a guesser gets
no more attempts from N processes than from one).

The policies are ``canrehab.domain.login_backoff``'s; the counts are ``canrehab.store.login_failures``'s.
The keys carry user names and addresses: they are stored only hashed and never logged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from canrehab.domain import login_backoff
from canrehab.domain.login_backoff import BACKOFF, FORGET_AFTER_SECONDS, Backoff
from canrehab.store.login_failures import Failures, LoginFailureStore


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@dataclass(frozen=True)
class Attempt:
    """One login attempt as the throttle let it through (``wait`` 0.0) or not: the keys it reserved, when,
    and their failures as they stood before it."""

    wait: float
    reserved: tuple[str, ...]
    at: datetime
    before: dict[str, Failures]


class LoginThrottle:
    """A login asks ``attempt`` first: 0 lets it through with the attempt already counted as a failure of
    each key (reserved before the password is checked, so parallel guesses cannot all pass one check), a
    positive answer is the wait and counts nothing. A correct password then calls ``succeeded``: the
    account's keys are cleared, the others (the address) get their reservation back. ``retry_after``
    only reads; ``fail`` counts a failure without a check. Unknown user names are counted like known
    ones, so the answers do not tell which exist.

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

    def attempt(self, *keys: str) -> Attempt:
        """An attempt with ``keys``: its ``wait`` is 0.0 when it may go on, and it is then counted as a
        failure of each key until ``succeeded`` gives it back; otherwise ``wait`` is the seconds to wait,
        and nothing is counted."""
        now = self.clock()
        counted = self._counted(keys)
        if not counted:
            return Attempt(0.0, (), _at(now), {})
        wait, before = self.store.reserve(
            counted, _at(now), _at(now - self.forget_after), lambda found: self._wait(found, now)
        )
        return Attempt(wait, tuple(counted) if wait == 0 else (), _at(now), before)

    def succeeded(self, attempt: Attempt, *, clear: tuple[str, ...] = ()) -> None:
        """``attempt``'s password was right: ``clear`` the keys whose failures it ends (the account's) and
        give back its reservation on the others (an address's earlier failures stay counted)."""
        self.store.clear(self._counted(clear))
        kept = [k for k in attempt.reserved if k not in clear]
        if kept:
            self.store.release(kept, attempt.at, attempt.before)

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
