"""The SMART routes under ``/fhir``: ``.well-known/smart-configuration`` (public), the server's JWKS
(public) and the token endpoint (``auth/token``: client credentials with a ``private_key_jwt`` assertion).
Token errors are RFC 6749 JSON (``{"error": ..., "error_description": ...}``), not OperationOutcomes."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response
from starlette.routing import Match
from starlette.types import Message, Receive, Scope, Send

from canrehab.fhir.auth import fhir_base
from canrehab.fhir.context import services_of
from canrehab.fhir.outcome import FhirError, error_response
from canrehab.fhir.smart.clients import Client, ClientDefinitionError, load_registry
from canrehab.fhir.smart.keys import KeyProblem, public_jwks, server_key
from canrehab.fhir.smart.scopes import ScopeError, grant, parse_scopes, text_of
from canrehab.fhir.smart.settings import FhirAuthSettings, auth_settings
from canrehab.fhir.smart.tokens import (
    ASSERTION_ALGORITHMS,
    ASSERTION_TYPE,
    OAuthError,
    client_actor,
    issue_access_token,
    verify_client_assertion,
)
from canrehab.services.client_tokens import (
    first_use_of_assertion,
    record_token_issued,
    record_token_refused,
)


class SmartRoute(APIRoute):
    """As the FHIR routes: HEAD answered as GET, another method 405 with an OperationOutcome (the token
    endpoint's own refusals are RFC 6749 JSON)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope.get("type") == "http" and scope.get("method") == "HEAD" and "GET" in (self.methods or ()):
            return super().matches({**scope, "method": "GET"})
        return super().matches(scope)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] == "HEAD" and "GET" in (self.methods or ()):

            async def headers_only(message: Message) -> None:
                if message["type"] == "http.response.body":
                    message = {**message, "body": b""}
                await send(message)

            await super().handle({**scope, "method": "GET"}, receive, headers_only)
            return
        if self.methods and scope["method"] not in self.methods:
            allowed = ", ".join(sorted(self.methods))
            refusal = FhirError(
                405,
                f"{scope['method']} is not supported here (allowed: {allowed}).",
                code="not-supported",
                headers={"Allow": allowed},
            )
            await error_response(refusal)(scope, receive, send)
            return
        await super().handle(scope, receive, send)


router = APIRouter(tags=["SMART on FHIR"], route_class=SmartRoute)
JSON_OBJECT = {"application/json": {"schema": {"type": "object"}}}
OAUTH_ERROR = {
    "description": "RFC 6749 error",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["error"],
                "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
            }
        }
    },
}
TOKEN_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["grant_type", "client_assertion_type", "client_assertion", "scope"],
                    "properties": {
                        "grant_type": {"type": "string", "example": "client_credentials"},
                        "client_assertion_type": {"type": "string"},
                        "client_assertion": {"type": "string"},
                        "scope": {"type": "string", "example": "system/Patient.rs"},
                    },
                }
            }
        },
    }
}
OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
SECURITY_SERVICE = "http://terminology.hl7.org/CodeSystem/restful-security-service"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
TOKEN_PATH = "/auth/token"


def token_url(request: Request, auth: FhirAuthSettings) -> str:
    return fhir_base(request, auth) + TOKEN_PATH


def smart_configuration(request: Request) -> dict[str, Any]:
    auth = auth_settings(request.app)
    base = fhir_base(request, auth)
    scopes = [f"{c}/*.{p}" for c in ("system", "user") for p in ("rs", "cruds", "read", "write")]
    config: dict[str, Any] = {
        "issuer": base,
        "jwks_uri": base + "/.well-known/jwks.json",
        "token_endpoint": base + TOKEN_PATH,
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": list(ASSERTION_ALGORITHMS),
        "grant_types_supported": ["client_credentials"],
        "scopes_supported": [*scopes, "patient/*.rs"],
        "capabilities": ["client-confidential-asymmetric", "permission-v1", "permission-v2"],
    }
    if auth.oidc_enabled:
        config["capabilities"].append("permission-user")
    if auth.oidc_authorization_endpoint:  # the region's IdP logs users in and issues their tokens
        config["authorization_endpoint"] = auth.oidc_authorization_endpoint
        config["response_types_supported"] = ["code"]
        config["code_challenge_methods_supported"] = ["S256"]
        config["capabilities"] += ["launch-standalone", "sso-openid-connect"]
    return config


def capability_security(request: Request) -> dict[str, Any]:
    """The CapabilityStatement's ``rest.security``: SMART-on-FHIR with the oauth-uris extension, and
    Basic while it is turned on."""
    auth = auth_settings(request.app)
    config = smart_configuration(request)
    uris = [{"url": "token", "valueUri": config["token_endpoint"]}]
    if "authorization_endpoint" in config:
        uris.append({"url": "authorize", "valueUri": config["authorization_endpoint"]})
    services = [{"coding": [{"system": SECURITY_SERVICE, "code": "SMART-on-FHIR"}], "text": "SMART on FHIR"}]
    if auth.basic_auth:
        services.append({"coding": [{"system": SECURITY_SERVICE, "code": "Basic"}], "text": "HTTP Basic"})
    return {
        "extension": [{"url": OAUTH_URIS, "extension": uris}],
        "cors": False,
        "service": services,
        "description": "SMART Backend Services (client credentials, private_key_jwt RS384/ES384) and the "
        "region's OIDC user tokens as bearer tokens; SMART v1/v2 scopes enforced on top of the care-unit "
        "access. "
        + ("HTTP Basic against the local accounts is on (local use). " if auth.basic_auth else "")
        + "No cookies.",
    }


@router.get(
    "/.well-known/smart-configuration",
    summary="SMART configuration (public)",
    response_class=JSONResponse,
    responses={200: {"description": "SMART configuration", "content": JSON_OBJECT}},
)
async def well_known(request: Request) -> Response:
    return JSONResponse(smart_configuration(request))


@router.get(
    "/.well-known/jwks.json",
    summary="The public key that signs the access tokens",
    response_class=JSONResponse,
    responses={200: {"description": "JWK Set", "content": JSON_OBJECT}},
)
async def jwks(request: Request) -> Response:
    auth = auth_settings(request.app)
    key = server_key(auth.token_key_file, services_of(request).settings.data_dir)
    return JSONResponse(public_jwks(key))


def _field(form: dict[str, str], name: str) -> str:
    value = form.get(name, "").strip()
    if not value:
        raise OAuthError("invalid_request", f"{name} is required.")
    return value


def _exchange(request: Request, form: dict[str, str]) -> dict[str, Any]:
    auth = auth_settings(request.app)
    services = services_of(request)
    grant_type = _field(form, "grant_type")
    if grant_type != "client_credentials":
        raise OAuthError("unsupported_grant_type", f"grant_type {grant_type!r}: only client_credentials.")
    if _field(form, "client_assertion_type") != ASSERTION_TYPE:
        raise OAuthError("invalid_client", f"client_assertion_type must be {ASSERTION_TYPE}.", 401)
    assertion = _field(form, "client_assertion")
    try:
        registry = load_registry(auth.clients_file)
    except ClientDefinitionError as exc:
        raise OAuthError("server_error", "The client registry cannot be read.", 500) from exc
    now = int(time.time())
    client, claims = verify_client_assertion(
        assertion, registry, token_url(request, auth), now, auth.assertion_max_lifetime_seconds
    )
    try:
        return _grant(request, form, client, claims, auth)
    except OAuthError as exc:
        record_token_refused(services, client_actor(client, ()), client.client_id, exc.error)
        raise


def _grant(
    request: Request, form: dict[str, str], client: Client, claims: dict[str, Any], auth: FhirAuthSettings
) -> dict[str, Any]:
    services = services_of(request)
    if form.get("client_id") not in (None, "", client.client_id):
        raise OAuthError("invalid_client", "client_id does not match the client assertion.", 401)
    expires = datetime.fromtimestamp(float(claims["exp"]), UTC)
    if not first_use_of_assertion(services, client.client_id, str(claims["jti"]), expires):
        raise OAuthError("invalid_client", "The client assertion's jti was already used.", 401)
    try:
        requested = parse_scopes(_field(form, "scope"))
    except ScopeError as exc:
        raise OAuthError("invalid_scope", str(exc)) from exc
    if any(s.context != "system" for s in requested):
        raise OAuthError("invalid_scope", "A Backend Services client asks for system/ scopes only.")
    granted = grant(requested, client.allowed_scopes)
    if not granted:
        raise OAuthError(
            "invalid_scope",
            f"None of the requested scopes is allowed for {client.client_id} "
            f"(allowed: {text_of(client.allowed_scopes)}).",
        )
    try:
        key = server_key(auth.token_key_file, services.settings.data_dir)
    except KeyProblem as exc:
        raise OAuthError("server_error", "The token key cannot be read.", 500) from exc
    issued = issue_access_token(
        key,
        fhir_base(request, auth),
        client.client_id,
        granted,
        int(time.time()),
        auth.token_lifetime_seconds,
    )
    record_token_issued(services, client_actor(client, granted), client.client_id, text_of(granted))
    return issued.body()


@router.post(
    TOKEN_PATH,
    summary="SMART Backend Services token endpoint (client_credentials, private_key_jwt)",
    response_class=JSONResponse,
    responses={
        200: {"description": "access token", "content": JSON_OBJECT},
        400: OAUTH_ERROR,
        401: OAUTH_ERROR,
    },
    openapi_extra=TOKEN_FORM,
)
async def token(request: Request) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if content_type != "application/x-www-form-urlencoded":
            raise OAuthError("invalid_request", "Send the parameters as application/x-www-form-urlencoded.")
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        body = await run_in_threadpool(_exchange, request, form)
    except OAuthError as exc:
        headers = dict(NO_STORE)
        if exc.status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="canrehab FHIR", error="invalid_client"'
        return JSONResponse(exc.body(), status_code=exc.status, headers=headers)
    return JSONResponse(body, headers=NO_STORE)
