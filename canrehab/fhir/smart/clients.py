"""The registered SMART Backend Services clients: a YAML data file (``CANREHAB_FHIR_CLIENTS_FILE``), one
entry per client system of the region (journal system, registry, analytics platform):

```yaml
# Schema: canrehab.fhir.smart.clients.ClientRegistry
clients:
  - client_id: journal-onk
    name: Journalsystemet, onkologi
    jwks_url: https://journal.region.se/.well-known/jwks.json   # or jwks: {keys: [...]} inline
    scopes: [system/*.rs, system/Procedure.c]                    # the most it may be granted
    role: nurse                                                  # the role it acts as
    units: [SE2321000016-ONK1]                                   # the care units it acts for
    staff_id: null                                               # a staff member it acts as (optional)
```

A client never has more access than its role and units give (the care-unit rules of
``canrehab.domain.access``); its scopes narrow that further.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from canrehab.domain.permissions import ACCOUNT_ROLES, Role
from canrehab.fhir.smart.scopes import Scope, ScopeError, parse_scope

CLIENT_ROLES = frozenset(str(r) for r in (ACCOUNT_ROLES | {Role.SYSTEM}) - {Role.PATIENT})


class ClientDefinitionError(ValueError):
    """The clients file is invalid; the message names the file and the field."""


class Client(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    client_id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._~-]+$")
    name: str = Field(min_length=1)
    jwks: dict[str, Any] | None = None
    jwks_url: str | None = Field(default=None, pattern=r"^https?://")
    scopes: tuple[str, ...] = Field(min_length=1)
    role: str
    units: tuple[str, ...] = ()
    staff_id: str | None = None

    @field_validator("scopes")
    @classmethod
    def _system_scopes(cls, scopes: tuple[str, ...]) -> tuple[str, ...]:
        for text in scopes:
            try:
                scope = parse_scope(text)
            except ScopeError as exc:
                raise ValueError(str(exc)) from exc
            if scope.context != "system":
                raise ValueError(f"scope {text!r}: a Backend Services client has system/ scopes only")
        return scopes

    @field_validator("role")
    @classmethod
    def _role(cls, role: str) -> str:
        if role not in CLIENT_ROLES:
            raise ValueError(f"role {role!r} is not one of {', '.join(sorted(CLIENT_ROLES))}")
        return role

    @model_validator(mode="after")
    def _one_key_source(self) -> Client:
        if (self.jwks is None) == (self.jwks_url is None):
            raise ValueError("give exactly one of jwks (inline) and jwks_url")
        if self.jwks is not None and not isinstance(self.jwks.get("keys"), list):
            raise ValueError("jwks must be a JWK Set: {keys: [...]}")
        return self

    @property
    def allowed_scopes(self) -> tuple[Scope, ...]:
        return tuple(parse_scope(s) for s in self.scopes)


class ClientRegistry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    clients: tuple[Client, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> ClientRegistry:
        ids = [c.client_id for c in self.clients]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"client_id registered twice: {', '.join(duplicates)}")
        return self

    def get(self, client_id: str) -> Client | None:
        return next((c for c in self.clients if c.client_id == client_id), None)


def load_registry(path: Path | None) -> ClientRegistry:
    """The registry in ``path`` (empty when no file is configured); re-read when the file changes."""
    if path is None:
        return ClientRegistry()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise ClientDefinitionError(f"{path}: cannot read the clients file ({exc.strerror})") from exc
    return _load(path, stamp)


@cache
def _load(path: Path, stamp: int) -> ClientRegistry:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return ClientRegistry.model_validate(data)
    except yaml.YAMLError as exc:
        raise ClientDefinitionError(f"{path}: not valid YAML ({exc})") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise ClientDefinitionError(f"{path}: {where}: {first['msg']}") from exc
