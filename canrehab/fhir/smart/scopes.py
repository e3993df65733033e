"""SMART App Launch v2 scopes (``system/Patient.rs``, ``user/*.cruds``, ``patient/Observation.r``) and their
v1 forms (``.read``, ``.write``, ``.*``), as values: parsing, the grant (the requested scopes intersected
with the allowed ones) and the check of one interaction. Pure: no I/O.

Permissions, in the v2 order ``c r u d s``: create, read (read, vread, history of an instance), update,
delete, search (search, history of the type). A scope with a query (``?category=...``, v2's finer grain) is
not supported and refused by name, never silently widened to the whole type.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

CONTEXTS = ("patient", "user", "system")
PERMISSION_ORDER = "cruds"
V1_ALIASES = {"read": "rs", "write": "cud", "*": "cruds"}
INTERACTION_PERMISSION = {
    "read": "r",
    "vread": "r",
    "history-instance": "r",
    "search": "s",
    "history-type": "s",
    "create": "c",
    "update": "u",
    "delete": "d",
}
_SCOPE = re.compile(r"^(patient|user|system)/(\*|[A-Z][A-Za-z]{1,63})\.(\*|read|write|c?r?u?d?s?)$")


class ScopeError(ValueError):
    """A scope that is not a SMART resource scope canrehab supports; the message names it."""


@dataclass(frozen=True, order=True)
class Scope:
    context: str  # patient | user | system
    rtype: str  # a resource type or "*"
    permissions: str  # a non-empty subsequence of "cruds"

    @property
    def text(self) -> str:
        return f"{self.context}/{self.rtype}.{self.permissions}"

    def allows(self, rtype: str, permission: str) -> bool:
        return self.rtype in ("*", rtype) and permission in self.permissions

    def meet(self, other: Scope) -> Scope | None:
        """What both scopes allow (same context; ``*`` meets a type as that type), or None."""
        if self.context != other.context:
            return None
        if self.rtype != "*" and other.rtype != "*" and self.rtype != other.rtype:
            return None
        rtype = other.rtype if self.rtype == "*" else self.rtype
        permissions = "".join(p for p in PERMISSION_ORDER if p in self.permissions and p in other.permissions)
        return Scope(self.context, rtype, permissions) if permissions else None


def parse_scope(text: str) -> Scope:
    """One resource scope, v2 or v1 (``.read`` is ``.rs``, ``.write`` ``.cud``, ``.*`` ``.cruds``)."""
    if "?" in text:
        raise ScopeError(f"scope {text!r}: scopes with search parameters are not supported")
    match = _SCOPE.match(text)
    if match is None or not match.group(3):
        raise ScopeError(
            f"scope {text!r} is not a SMART resource scope (context/Type.permissions, e.g. system/Patient.rs)"
        )
    context, rtype, permissions = match.groups()
    return Scope(context, rtype, V1_ALIASES.get(permissions, permissions))


def is_resource_scope(text: str) -> bool:
    return text.split("/", 1)[0] in CONTEXTS


def parse_scopes(text: str) -> tuple[Scope, ...]:
    """Every resource scope of a space-separated scope string; other scopes (openid, fhirUser, launch ...)
    are left out: they grant no access to resources here."""
    return tuple(parse_scope(s) for s in text.split() if is_resource_scope(s))


def grant(requested: Iterable[Scope], allowed: Iterable[Scope]) -> tuple[Scope, ...]:
    """The scopes granted: each requested scope met with each allowed one, duplicates and scopes another
    granted one covers removed. Never more than the allowed ones."""
    allowed = tuple(allowed)
    met = {m for r in requested for a in allowed if (m := r.meet(a)) is not None}
    return tuple(sorted(s for s in met if not any(o != s and covers(o, s) for o in met)))


def covers(wide: Scope, narrow: Scope) -> bool:
    return (
        wide.context == narrow.context
        and wide.rtype in ("*", narrow.rtype)
        and all(p in wide.permissions for p in narrow.permissions)
    )


def permits(scopes: Iterable[Scope], rtype: str, interaction: str) -> bool:
    """Whether any of the scopes allows the interaction (``read``, ``search``, ``create`` ...) on the type."""
    permission = INTERACTION_PERMISSION[interaction]
    return any(s.allows(rtype, permission) for s in scopes)


def text_of(scopes: Iterable[Scope]) -> str:
    return " ".join(s.text for s in scopes)


def missing_message(scopes: Iterable[Scope], rtype: str, interaction: str) -> str:
    """The 403 diagnostics: what the token has and what the interaction needs."""
    scopes = tuple(scopes)
    permission = INTERACTION_PERMISSION[interaction]
    contexts = sorted({s.context for s in scopes}) or ["system"]
    needed = " or ".join(f"{c}/{rtype}.{permission}" for c in contexts)
    return (
        f"The access token's scopes ({text_of(scopes) or 'none'}) do not allow {interaction} of {rtype}: "
        f"it needs {needed} (or a */ scope with {permission!r})."
    )
