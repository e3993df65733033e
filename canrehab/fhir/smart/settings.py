"""The FHIR API's authentication settings (environment variables prefixed ``CANREHAB_FHIR_``).

Basic authentication against the local accounts is for local use and the demo: on by default, off with
``CANREHAB_FHIR_BASIC_AUTH=false`` (then Basic is answered 401 with ``WWW-Authenticate: Bearer``). Bearer
tokens are always accepted: the server's own (SMART Backend Services, ``/fhir/auth/token``) and, when
``oidc_issuer`` and ``oidc_jwks_url`` are set, user tokens from the region's identity provider.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict


class FhirAuthSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CANREHAB_FHIR_", env_file=".env", extra="ignore")

    basic_auth: bool = True
    # The registered Backend Services clients (YAML, schema canrehab.fhir.smart.clients.ClientRegistry);
    # empty: no client is registered.
    clients_file: Path | None = None
    # The key that signs the access tokens (a private JWK as JSON, EC P-384 or RSA); empty: one generated
    # once and kept in <data_dir>/fhir-token-key.json (fine for one server; set it for several).
    token_key_file: Path | None = None
    token_lifetime_seconds: int = 300
    # The longest a client assertion may live (SMART: exp no more than five minutes in the future).
    assertion_max_lifetime_seconds: int = 300
    # The public base of the FHIR API (https://fhir.region.se/fhir) when a proxy changes the host; the token
    # endpoint URL a client assertion's aud must name is derived from it. Empty: the request's own.
    public_base_url: str = ""
    # The region's identity provider: user tokens (ID or access tokens, JWT) verified against its JWKS.
    oidc_issuer: str = ""
    oidc_jwks_url: str = ""
    oidc_audience: str = ""  # the aud the token must carry (the FHIR API's client id at the IdP)
    oidc_username_claim: str = "preferred_username"  # matched against user_account.username
    oidc_scope_claim: str = "scope"  # space-separated string or list; user/ scopes are kept
    oidc_default_scopes: str = "user/*.rs"  # the scopes of a user token that carries none
    oidc_authorization_endpoint: str = ""  # published in the smart-configuration (the IdP's login)

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_jwks_url)


@cache
def _from_environment() -> FhirAuthSettings:
    return FhirAuthSettings()


def auth_settings(app: Any) -> FhirAuthSettings:
    """The app's settings (``app.state.fhir_auth``, e.g. set by a test), else the environment's."""
    given = getattr(app.state, "fhir_auth", None)
    return given if isinstance(given, FhirAuthSettings) else _from_environment()
