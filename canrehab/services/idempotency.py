"""Once per form: a use case that creates a record (send a handover, a referral, a link ...) run under the
one-time key its form carried (issue 14 item 8). The key is taken in the same unit of work as the record, so
a second submit of the same form (a double click, a resend after a lost response) creates nothing and shows
the first result; a submit that failed wrote neither, so the form can be corrected and sent again."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from canrehab.domain.access import Actor
from canrehab.domain.errors import DomainError
from canrehab.services.context import Services
from canrehab.store import idempotency as keys

KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_key() -> str:
    """A fresh key for a form (unguessable, URL-safe)."""
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Outcome:
    result: str  # where the record is shown (a path)
    repeated: bool  # True: the key had been used; nothing was created now


def once(services: Services, actor: Actor, key: str | None, scope: str, work: Callable[[], str]) -> Outcome:
    """Run ``work`` (which returns where its record is shown) unless ``key`` was used before; without a key
    (a client that sends none) ``work`` simply runs."""
    if not key:
        return Outcome(work(), repeated=False)
    if not KEY_SHAPE.fullmatch(key):
        raise DomainError(
            "form.bad_key", "Formuläret är ogiltigt. Ladda om sidan och försök igen.", "bad key"
        )
    with services.uow(actor) as uow:
        earlier = keys.claim(uow.session, key, actor.username, scope)
        if earlier is not None:
            if earlier.username != actor.username or earlier.scope != scope:
                raise DomainError(
                    "form.key_reused",
                    "Formuläret har redan använts. Ladda om sidan och försök igen.",
                    "idempotency key used by another user or form",
                )
            return Outcome(earlier.result, repeated=True)
        result = work()
        keys.finish(uow.session, key, result)
        return Outcome(result, repeated=False)
