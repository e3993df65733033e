"""Authentication of FHIR clients (no cookies): ``Authorization: Bearer`` with an access token of the
server's own (SMART Backend Services, ``canrehab.fhir.smart.tokens``) or a user token of the region's
identity provider (``canrehab.fhir.smart.oidc``); HTTP Basic against the local accounts (``user_account``)
only while ``CANREHAB_FHIR_BASIC_AUTH`` is on (local use, the demo).

A bearer token's scopes are enforced on every resource handler (``canrehab.fhir.smart.enforce``); the bulk
export, which reads through no handler, is checked here by the types it asks for."""

from __future__ import annotations

import base64
import binascii
import time

from starlette.requests import Request

from canrehab.domain.access import Actor
from canrehab.fhir.context import AccessDenied, services_of
from canrehab.fhir.outcome import FhirError
from canrehab.fhir.smart import oidc
from canrehab.fhir.smart.clients import ClientDefinitionError, load_registry
from canrehab.fhir.smart.enforce import TokenActor, require
from canrehab.fhir.smart.keys import KeyProblem, server_key
from canrehab.fhir.smart.settings import FhirAuthSettings, auth_settings
from canrehab.fhir.smart.tokens import token_actor, unverified, verify_access_token
from canrehab.services.accounts import login_account, password_login
from canrehab.services.login_throttle import LoginThrottle

REALM = 'Basic realm="canrehab FHIR", charset="UTF-8"'
BEARER = 'Bearer realm="canrehab FHIR"'


def fhir_base(request: Request, auth: FhirAuthSettings) -> str:
    """The FHIR API's base URL as clients know it: configured (behind a proxy), else the request's."""
    return auth.public_base_url.rstrip("/") or str(request.base_url).rstrip("/") + "/fhir"


def _challenge(auth: FhirAuthSettings) -> str:
    return f"{BEARER}, {REALM}" if auth.basic_auth else BEARER


def _unauthorised(message: str, challenge: str) -> FhirError:
    return FhirError(401, message, code="login", headers={"WWW-Authenticate": challenge})


def _invalid_token(message: str) -> FhirError:
    description = message.replace('"', "'")
    return _unauthorised(
        f"The bearer token is not accepted: {message}.",
        f'{BEARER}, error="invalid_token", error_description="{description}"',
    )


def _credentials(request: Request) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic" or not token:
        raise _unauthorised("Authentication required (HTTP Basic or a bearer token).", REALM)
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise _unauthorised("Malformed Basic credentials.", REALM) from exc
    username, sep, password = decoded.partition(":")
    if not sep or not username:
        raise _unauthorised("Malformed Basic credentials.", REALM)
    return username, password


def _basic(request: Request) -> Actor:
    username, password = _credentials(request)
    client = request.client.host if request.client else "-"
    throttle: LoginThrottle | None = getattr(request.app.state, "throttle", None)
    account, ok = password_login(services_of(request), username, password)
    # after the check, the throttle decides (atomically with counting a failure) whether the outcome may
    # be told: a throttled attempt is 429 whatever its password (LoginThrottle.settle)
    if throttle is not None and throttle.settle(f"fhir-ip:{client}", f"fhir-user:{username}", ok=ok) > 0:
        raise FhirError(429, "Too many failed logins; try again later.", code="throttled")
    if not ok or account is None:
        raise _unauthorised("Wrong user name or password, or the account is locked.", REALM)
    return Actor(
        role=account.role,
        staff_id=account.staff_id,
        unit_hsa_ids=frozenset(account.unit_hsa_ids),
        patient_id=account.patient_id,
        username=account.username,
    )


def _own_token(request: Request, token: str, auth: FhirAuthSettings) -> TokenActor:
    services = services_of(request)
    try:
        key = server_key(auth.token_key_file, services.settings.data_dir)
        claims = verify_access_token(token, key, fhir_base(request, auth), int(time.time()))
        return token_actor(claims, load_registry(auth.clients_file))
    except (ValueError, KeyProblem, ClientDefinitionError) as exc:
        raise _invalid_token(str(exc)) from exc


def _user_token(request: Request, token: str, auth: FhirAuthSettings) -> TokenActor:
    try:
        claims = oidc.verify_user_token(token, auth)
    except ValueError as exc:
        raise _invalid_token(str(exc)) from exc
    username = str(claims.get(auth.oidc_username_claim, "")).strip()
    account = login_account(services_of(request), username)
    if account is None or account.locked:
        raise _invalid_token(f"no unlocked canrehab account {username!r} ({auth.oidc_username_claim})")
    try:
        return oidc.user_actor(account, claims, auth)
    except ValueError as exc:
        raise _invalid_token(str(exc)) from exc


def _bearer(request: Request, token: str, auth: FhirAuthSettings) -> TokenActor:
    try:
        _, claims = unverified(token)
    except ValueError as exc:
        raise _invalid_token(str(exc)) from exc
    if oidc.is_idp_token(claims, auth):
        return _user_token(request, token, auth)
    return _own_token(request, token, auth)


def _export_types(request: Request) -> list[str] | None:
    """The types a bulk-export request reads (``_type``, or the type in the path; ``*`` for all), or None
    when the request is no export."""
    segments = request.url.path.split("/")
    if "$export" not in segments:
        return None
    after = segments[segments.index("$export") + 1 :]
    if after and after[0][:1].isupper():
        return [after[0]]
    given = request.query_params.get("_type")
    return [t.strip() for t in given.split(",") if t.strip()] if given else ["*"]


def _check_export(request: Request, actor: TokenActor) -> None:
    types = _export_types(request)
    if types is None:
        return
    try:
        for rtype in types:
            require(actor, rtype, "search")
    except AccessDenied as exc:
        services = services_of(request)
        with services.uow(actor) as uow:
            uow.audit.record("denied", exc.entity_type, exc.entity_id, None, exc.detail)
        raise FhirError(403, exc.reason, code="forbidden") from exc


def authenticate(request: Request) -> Actor:
    """The actor behind the request's bearer token or (when enabled) Basic credentials; 401 with
    ``WWW-Authenticate`` when missing or wrong, 403 when a token's scopes do not cover a bulk export."""
    auth = auth_settings(request.app)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        actor = _bearer(request, token.strip(), auth)
        _check_export(request, actor)
        return actor
    if auth.basic_auth:
        return _basic(request)
    if scheme.lower() == "basic":
        raise _unauthorised("HTTP Basic is turned off on this server: send a bearer token.", BEARER)
    raise _unauthorised("Authentication required (a bearer token).", BEARER)
