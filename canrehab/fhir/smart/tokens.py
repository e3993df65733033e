"""SMART Backend Services tokens: the client assertion (a JWT the client signs, RS384 or ES384, checked
against its registered JWKS) exchanged for a short-lived access token (a JWT the server signs), and the
check of that access token on every FHIR request.

The client assertion (https://hl7.org/fhir/smart-app-launch/backend-services.html): ``iss`` = ``sub`` = the
client id, ``aud`` = the token endpoint URL, ``exp`` at most five minutes ahead, a ``jti`` never used before
(the caller keeps the replay store). Every refusal is an ``OAuthError`` with the RFC 6749 error code.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import secrets
import time
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, RSAKey

from canrehab.fhir.smart.clients import Client, ClientRegistry
from canrehab.fhir.smart.enforce import TokenActor
from canrehab.fhir.smart.keys import REMOTE_KEY_SETS, KeyProblem, algorithm_of, candidates, key_set
from canrehab.fhir.smart.scopes import Scope, grant, parse_scopes

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALGORITHMS = ("RS384", "ES384")
CLOCK_SKEW_SECONDS = 30  # tolerated difference between the client's clock and ours (exp, iat, nbf)


class OAuthError(Exception):
    """An RFC 6749 section 5.2 error: ``error`` code, a description, the HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def _b64json(part: str) -> dict[str, Any]:
    padded = part + "=" * (-len(part) % 4)
    value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of a compact JWS, before any check (to find the issuer and the key)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("not a compact JWS (three dot-separated parts)")
    try:
        return _b64json(parts[0]), _b64json(parts[1])
    except (binascii.Error, ValueError, RecursionError) as exc:  # RecursionError: absurdly nested JSON
        raise ValueError("the JWT's header or claims are not base64url JSON") from exc


def verified_claims(token: str, keys: KeySet, algorithms: tuple[str, ...]) -> dict[str, Any]:
    """The claims of ``token`` once its signature checks out against a key of ``keys``; ValueError when no
    key of the set made it, or the algorithm is not one of ``algorithms``."""
    header, _ = unverified(token)
    algorithm = header.get("alg")
    if algorithm not in algorithms:
        raise ValueError(f"alg {algorithm!r} is not accepted (accepted: {', '.join(algorithms)})")
    for key in candidates(keys, header.get("kid"), str(algorithm)):
        try:
            claims: dict[str, Any] = jwt.decode(token, key, algorithms=[str(algorithm)]).claims
            return claims
        except (JoseError, ValueError):
            continue
    raise ValueError("the signature matches no registered key")


def _client_keys(client: Client, kid: str | None) -> KeySet:
    if client.jwks is not None:
        return key_set(client.jwks, f"client {client.client_id}")
    assert client.jwks_url is not None
    return REMOTE_KEY_SETS.get(client.jwks_url, kid)


def _check_times(claims: dict[str, Any], now: int, max_lifetime: int) -> None:
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or not math.isfinite(exp):
        raise OAuthError("invalid_client", "The client assertion has no (finite) exp.", 401)
    if exp <= now - CLOCK_SKEW_SECONDS:
        raise OAuthError("invalid_client", "The client assertion has expired.", 401)
    if exp > now + max_lifetime + CLOCK_SKEW_SECONDS:
        raise OAuthError(
            "invalid_client", f"The client assertion's exp is more than {max_lifetime} s ahead.", 401
        )
    nbf = claims.get("nbf")
    if isinstance(nbf, int | float) and not nbf <= now + CLOCK_SKEW_SECONDS:  # NaN is not valid either
        raise OAuthError("invalid_client", "The client assertion is not valid yet (nbf).", 401)


def verify_client_assertion(
    assertion: str, registry: ClientRegistry, token_url: str, now: int, max_lifetime: int
) -> tuple[Client, dict[str, Any]]:
    """The registered client that signed the assertion and its claims (jti still to be checked for
    replay by the caller); ``OAuthError`` ``invalid_client`` (401) otherwise."""
    try:
        header, peeked = unverified(assertion)
    except ValueError as exc:
        raise OAuthError("invalid_client", f"The client assertion is malformed: {exc}.", 401) from exc
    client_id = peeked.get("iss")
    client = registry.get(client_id) if isinstance(client_id, str) else None
    if client is None:
        raise OAuthError("invalid_client", f"No registered client {client_id!r} (the assertion's iss).", 401)
    try:
        claims = verified_claims(assertion, _client_keys(client, header.get("kid")), ASSERTION_ALGORITHMS)
    except (ValueError, KeyProblem) as exc:
        raise OAuthError("invalid_client", f"The client assertion is not accepted: {exc}.", 401) from exc
    if claims.get("sub") != client.client_id:
        raise OAuthError("invalid_client", "The client assertion's sub must be the client id (= iss).", 401)
    audience = claims.get("aud")
    if audience != token_url and not (isinstance(audience, list) and token_url in audience):
        raise OAuthError("invalid_client", f"The client assertion's aud must be {token_url}.", 401)
    _check_times(claims, now, max_lifetime)
    if not isinstance(claims.get("jti"), str) or not claims["jti"]:
        raise OAuthError("invalid_client", "The client assertion has no jti.", 401)
    return client, claims


@dataclass(frozen=True)
class Issued:
    access_token: str
    expires_in: int
    scopes: tuple[Scope, ...]

    def body(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "token_type": "bearer",
            "expires_in": self.expires_in,
            "scope": " ".join(s.text for s in self.scopes),
        }


def issue_access_token(
    key: ECKey | RSAKey, issuer: str, client_id: str, scopes: tuple[Scope, ...], now: int, lifetime: int
) -> Issued:
    """A signed access token for the client; its audience and issuer are the FHIR base URL."""
    claims = {
        "iss": issuer,
        "aud": issuer,
        "sub": client_id,
        "client_id": client_id,
        "scope": " ".join(s.text for s in scopes),
        "iat": now,
        "exp": now + lifetime,
        "jti": secrets.token_urlsafe(16),
    }
    algorithm = algorithm_of(key)
    header = {"alg": algorithm, "kid": key.kid, "typ": "at+jwt"}
    return Issued(jwt.encode(header, claims, key, algorithms=[algorithm]), lifetime, scopes)


def verify_access_token(
    token: str, key: ECKey | RSAKey, issuer: str, now: int | None = None
) -> dict[str, Any]:
    """The claims of one of our own access tokens; ValueError naming what is wrong."""
    keys = KeySet([key])
    claims = verified_claims(token, keys, (algorithm_of(key),))
    now = int(time.time()) if now is None else now
    if claims.get("iss") != issuer or claims.get("aud") != issuer:
        raise ValueError("the access token was issued for another server")
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or not exp > now:  # NaN is not later than now
        raise ValueError("the access token has expired")
    return claims


def client_actor(client: Client, scopes: tuple[Scope, ...]) -> TokenActor:
    """The actor a client's token acts as: its registered role and units, its granted scopes; audited as
    ``client:<client_id>``."""
    return TokenActor(
        role=client.role,
        staff_id=client.staff_id,
        unit_hsa_ids=frozenset(client.units),
        username=f"client:{client.client_id}",
        scopes=scopes,
        client_id=client.client_id,
    )


def token_actor(claims: dict[str, Any], registry: ClientRegistry) -> TokenActor:
    """The actor behind a verified access token: the client as registered now (a client removed from the
    registry loses its tokens at once), with the token's scopes no wider than it is allowed today."""
    client = registry.get(str(claims.get("client_id", "")))
    if client is None:
        raise ValueError("the access token's client is no longer registered")
    scopes = grant(parse_scopes(str(claims.get("scope", ""))), client.allowed_scopes)
    return client_actor(client, scopes)
