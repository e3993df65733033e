"""How long failed logins slow the next attempt: exponential back-off per kind of throttle key.

A key is ``kind:value``: ``pair:<user>@<address>`` (one account from one address), ``user:<user>`` (one
account from anywhere) and ``ip:<address>`` (one address, any account); the FHIR API's keys carry a
``fhir-`` prefix on the same kinds. Values in, seconds out: the counting itself is
``canrehab.services.login_throttle``'s, on the shared table of ``canrehab.store.login_failures``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Exponential back-off: ``free`` failures cost nothing, then each further one makes the next attempt
    wait ``base`` seconds doubled per failure, never more than ``cap``."""

    free: int
    base: float
    cap: float

    def wait(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return float(min(self.cap, self.base * 2 ** min(failures - self.free, 32)))


BACKOFF: dict[str, Backoff] = {
    # One account from one address (the guesser at the keyboard): a short lock, doubling, at most 5 min.
    "pair": Backoff(free=3, base=2.0, cap=300.0),
    # One account from any address (a spread-out guesser): slowed, never locked for long, so an attacker
    # cannot keep a named clinician out of the system.
    "user": Backoff(free=10, base=1.0, cap=60.0),
    # One address, any account (password spraying): only mass failure slows it, and briefly, so the many
    # users behind one hospital NAT address are not locked out by a colleague's typos.
    "ip": Backoff(free=50, base=1.0, cap=30.0),
}
"""The back-off of each kind of key (``kind:value``; the FHIR API's ``fhir-ip``/``fhir-user`` keys are
of the same kinds)."""
FORGET_AFTER_SECONDS = 15 * 60
"""A key's failures are forgotten this long after its last failure."""


def login_keys(username: str, address: str, prefix: str = "") -> tuple[str, str, str]:
    """The keys of one login attempt: the (account, address) pair, the account, the address."""
    user = username.strip().lower()
    return (f"{prefix}pair:{user}@{address}", f"{prefix}user:{user}", f"{prefix}ip:{address}")


def kind_of(key: str) -> str:
    """The policy kind of a key: ``pair``, ``user`` or ``ip`` (``fhir-ip:...`` is of kind ``ip``)."""
    return key.split(":", 1)[0].removeprefix("fhir-")


def retry_after(
    policies: dict[str, Backoff], key: str, failures: int, last: float, now: float, forget_after: float
) -> float:
    """Seconds from ``now`` until an attempt with ``key`` is allowed again, given its ``failures`` counted
    until ``last`` (0.0: now; also when the failures are forgotten or the kind has no policy)."""
    policy = policies.get(kind_of(key))
    if policy is None or now - last > forget_after:
        return 0.0
    return max(0.0, last + policy.wait(failures) - now)
