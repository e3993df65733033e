"""User tokens from the region's identity provider (OIDC): an ID or access token (a JWT) verified against
the provider's JWKS (``CANREHAB_FHIR_OIDC_JWKS_URL``), issuer and audience checked, one claim
(``oidc_username_claim``, by default ``preferred_username``) mapped to a canrehab login
(``user_account.username``). The user acts with their account's role and units, narrowed by the token's
``user/`` scopes (``patient/`` scopes too for a patient's own account); a token that carries no resource
scope gets ``oidc_default_scopes``."""

from __future__ import annotations

import time
from typing import Any

from canrehab.fhir.smart.enforce import TokenActor
from canrehab.fhir.smart.keys import REMOTE_KEY_SETS, KeyProblem
from canrehab.fhir.smart.scopes import Scope, ScopeError, parse_scope, parse_scopes
from canrehab.fhir.smart.settings import FhirAuthSettings
from canrehab.fhir.smart.tokens import CLOCK_SKEW_SECONDS, unverified, verified_claims

USER_TOKEN_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384")


def is_idp_token(claims: dict[str, Any], auth: FhirAuthSettings) -> bool:
    return auth.oidc_enabled and claims.get("iss") == auth.oidc_issuer


def verify_user_token(token: str, auth: FhirAuthSettings, now: int | None = None) -> dict[str, Any]:
    """The claims of a user token signed by the IdP, for this API (aud) and not expired; ValueError."""
    header, _ = unverified(token)
    try:
        keys = REMOTE_KEY_SETS.get(auth.oidc_jwks_url, header.get("kid"))
    except KeyProblem as exc:
        raise ValueError(str(exc)) from exc
    claims = verified_claims(token, keys, USER_TOKEN_ALGORITHMS)
    now = int(time.time()) if now is None else now
    if claims.get("iss") != auth.oidc_issuer:
        raise ValueError("the token's issuer is not the configured identity provider")
    if auth.oidc_audience:
        audience = claims.get("aud")
        if audience != auth.oidc_audience and not (
            isinstance(audience, list) and auth.oidc_audience in audience
        ):
            raise ValueError(f"the token's aud does not name {auth.oidc_audience}")
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or not exp > now - CLOCK_SKEW_SECONDS:  # NaN is not later
        raise ValueError("the token has expired")
    nbf = claims.get("nbf")
    if isinstance(nbf, int | float) and not nbf <= now + CLOCK_SKEW_SECONDS:
        raise ValueError("the token is not valid yet (nbf)")
    return claims


def user_scopes(claims: dict[str, Any], auth: FhirAuthSettings, *, patient: bool) -> tuple[Scope, ...]:
    """The token's user/ scopes (and patient/ for a patient's own account; never system/), or the
    configured defaults when it carries no resource scope."""
    raw = claims.get(auth.oidc_scope_claim, "")
    text = " ".join(str(s) for s in raw) if isinstance(raw, list) else str(raw)
    try:
        scopes = parse_scopes(text)
    except ScopeError as exc:
        raise ValueError(str(exc)) from exc
    if not scopes:
        scopes = tuple(parse_scope(s) for s in auth.oidc_default_scopes.split())
    contexts = {"user", "patient"} if patient else {"user"}
    return tuple(s for s in scopes if s.context in contexts)


def user_actor(account: Any, claims: dict[str, Any], auth: FhirAuthSettings) -> TokenActor:
    scopes = user_scopes(claims, auth, patient=account.role == "patient")
    if not scopes:
        raise ValueError(
            "the token carries no user/ scope (patient/ scopes count for a patient's own account only)"
        )
    return TokenActor(
        role=account.role,
        staff_id=account.staff_id,
        unit_hsa_ids=frozenset(account.unit_hsa_ids),
        patient_id=account.patient_id,
        username=account.username,
        scopes=scopes,
        client_id=str(claims.get("azp") or claims.get("client_id") or auth.oidc_audience or "oidc"),
    )
