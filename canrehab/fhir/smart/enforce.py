"""Scope enforcement: an actor that came with a bearer token (``TokenActor``) may take an interaction on a
resource type only when one of its scopes allows it, on top of the care-unit access (a scope never widens
it). Every resource handler is guarded (``guarded``), so every door (read, search, _include, chains,
transaction and batch entries, conditional create, $everything) is checked the same way. A refusal is an
``AccessDenied`` with the precise message: the API answers 403 and audits it with the client as actor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar, cast

from canrehab.domain.access import Actor
from canrehab.fhir.context import AccessDenied, Ctx
from canrehab.fhir.smart.scopes import Scope, missing_message, permits, text_of

if TYPE_CHECKING:
    from canrehab.fhir.resources.common import Handler

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class TokenActor(Actor):
    """An actor authenticated by a bearer token, with the scopes it was granted. ``client_id``: the
    Backend Services client or the IdP's client that obtained the token."""

    scopes: tuple[Scope, ...] = ()
    client_id: str = ""

    @property
    def scope_text(self) -> str:
        return text_of(self.scopes)


class ScopeDenied(AccessDenied):
    """The token's scopes do not allow the interaction (403, audited as ``denied``)."""

    def __init__(self, rtype: str, entity_id: str, interaction: str, message: str) -> None:
        super().__init__(
            rtype,
            entity_id,
            None,
            write=interaction in ("create", "update", "delete"),
            reason=message,
            detail=f"åtkomst nekad (FHIR): token saknar scope för {interaction} av {rtype}",
        )
        self.interaction = interaction


def require(actor: Actor, rtype: str, interaction: str, entity_id: str = "*") -> None:
    """Raise ``ScopeDenied`` unless the actor's scopes allow ``interaction`` on ``rtype`` (an actor without a
    token, Basic or internal, has no scopes to narrow it)."""
    if isinstance(actor, TokenActor) and not permits(actor.scopes, rtype, interaction):
        raise ScopeDenied(rtype, entity_id, interaction, missing_message(actor.scopes, rtype, interaction))


def _checked(fn: F, rtype: str, interaction: str, with_id: bool) -> F:
    def checked(ctx: Ctx, *args: Any) -> Any:
        require(ctx.actor, rtype, interaction, str(args[0]) if with_id and args else "*")
        return fn(ctx, *args)

    checked.__doc__ = fn.__doc__
    return cast(F, checked)  # the same signature as fn


def _checked_optional(fn: F | None, rtype: str, interaction: str, with_id: bool) -> F | None:
    return None if fn is None else _checked(fn, rtype, interaction, with_id)


def guarded(handler: Handler) -> Handler:
    """The handler with each interaction checked against the actor's scopes first."""
    rtype = handler.type
    return replace(
        handler,
        read=_checked(handler.read, rtype, "read", True),
        search=_checked(handler.search, rtype, "search", False),
        create=_checked_optional(handler.create, rtype, "create", False),
        update=_checked_optional(handler.update, rtype, "update", True),
        check=lambda ctx, interaction, rid: require(ctx.actor, rtype, interaction, rid),
    )
