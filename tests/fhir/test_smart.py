"""SMART on FHIR against the running app (uvicorn on a loopback port; SQLite and PostgreSQL): the
well-known document, the Backend Services client-credentials flow with RS384 and ES384 keys, the refused
assertions, scopes enforced per interaction on top of the care-unit access, the region's OIDC user tokens
(a local test IdP whose JWKS a real HTTP server serves), Basic as an option, and a third-party OAuth client
library (authlib) doing the flow."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from canrehab.fhir.smart.settings import FhirAuthSettings
from canrehab.fhir.systems import PERSONNUMMER
from tests.fhir.harness import actor, auth
from tests.fhir.r4schema import check, check_response
from tests.fhir.smart_kit import (
    FORM,
    Registered,
    assertion,
    jwks_of,
    jwks_server,
    new_key,
    signed,
    standard_clients,
    token_form,
    write_registry,
)
from tests.fhir.test_api import PNR, locations
from tests.web.live_server import serve

FHIR_JSON = {"Accept": "application/fhir+json"}


@dataclass
class Smart:
    """The running app with registered clients; ``http`` talks to it."""

    app: FastAPI
    base: str  # .../fhir
    http: httpx.Client
    clients: dict[str, Registered]
    ids: dict[str, str]

    @property
    def token_url(self) -> str:
        return f"{self.base}/auth/token"

    def request_token(self, client_id: str, scope: str, **assertion_args: Any) -> httpx.Response:
        client = self.clients[client_id]
        signed_assertion = assertion(client.key, client.alg, client_id, self.token_url, **assertion_args)
        return self.http.post(self.token_url, data=token_form(signed_assertion, scope), headers=FORM)

    def token(self, client_id: str, scope: str) -> str:
        response = self.request_token(client_id, scope)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def get(self, token: str, path: str, **params: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", **FHIR_JSON}
        return self.http.get(f"{self.base}/{path}", params=params or None, headers=headers)

    def send(self, token: str, method: str, path: str, body: Any, **headers: str) -> httpx.Response:
        all_headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json", **headers}
        return self.http.request(method, f"{self.base}/{path}".rstrip("/"), json=body, headers=all_headers)


def _audit(app: FastAPI, action: str) -> list[Any]:
    services = app.state.fhir_services
    with services.uow(actor("admin"), log_reads=False) as uow:
        return [e for e in uow.audit.query(limit=10_000) if e.action == action]


def _running(app: FastAPI, ids: dict[str, str], clients: dict[str, Registered]) -> Iterator[Smart]:
    with serve(app) as url, httpx.Client(timeout=30, event_hooks={"response": [check_response]}) as http:
        yield Smart(app, f"{url}/fhir", http, clients, ids)


@pytest.fixture
def smart(fhir_app: FastAPI, imported: dict[str, Any], tmp_path: Path) -> Iterator[Smart]:
    clients = standard_clients()
    registry = write_registry(tmp_path / "clients.yaml", list(clients.values()))
    fhir_app.state.fhir_auth = FhirAuthSettings(clients_file=registry, basic_auth=True)
    yield from _running(fhir_app, locations(imported), clients)


# ------------------------------------------------------------------------------------- discovery


def test_the_well_known_document_describes_backend_services_and_matches_the_capability_statement(
    smart: Smart,
) -> None:
    response = smart.http.get(f"{smart.base}/.well-known/smart-configuration")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    config = response.json()
    required = {
        "token_endpoint",
        "token_endpoint_auth_methods_supported",
        "token_endpoint_auth_signing_alg_values_supported",
        "grant_types_supported",
        "scopes_supported",
        "capabilities",
    }
    assert required <= set(config)
    assert config["token_endpoint"] == smart.token_url
    assert config["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert {"RS384", "ES384"} <= set(config["token_endpoint_auth_signing_alg_values_supported"])
    assert "client_credentials" in config["grant_types_supported"]
    assert {"client-confidential-asymmetric", "permission-v2"} <= set(config["capabilities"])
    assert "system/*.rs" in config["scopes_supported"]
    keys = smart.http.get(config["jwks_uri"]).json()["keys"]
    assert keys and all("d" not in k for k in keys)  # public parts only
    metadata = smart.http.get(f"{smart.base}/metadata").json()
    check(metadata, "metadata")
    security = metadata["rest"][0]["security"]
    oauth = next(e for e in security["extension"] if e["url"].endswith("/oauth-uris"))
    assert {"url": "token", "valueUri": config["token_endpoint"]} in oauth["extension"]
    assert {c["code"] for s in security["service"] for c in s["coding"]} == {"SMART-on-FHIR", "Basic"}


# ------------------------------------------------------------------------------- client credentials


@pytest.mark.parametrize("client_id", ["journal-rs384", "journal-es384"])
def test_client_credentials_flow_issues_a_short_lived_token_that_reads_and_writes(
    smart: Smart, client_id: str
) -> None:
    response = smart.request_token(client_id, "system/Patient.rs system/Procedure.cruds launch")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "bearer" and 0 < body["expires_in"] <= 300
    assert body["scope"] == "system/Patient.rs system/Procedure.cruds"  # launch is no resource scope
    token = body["access_token"]
    pid = smart.ids["Patient"]
    assert smart.get(token, f"Patient/{pid}").json()["id"] == pid
    procedures = smart.get(token, "Procedure", patient=pid).json()
    assert procedures["total"] == 3
    procedure = smart.get(token, f"Procedure/{smart.ids['Procedure']}").json()
    procedure.pop("meta", None)
    created = smart.send(token, "POST", "Procedure", {k: v for k, v in procedure.items() if k != "id"})
    assert created.status_code == 201, created.text
    actor_name = f"client:{client_id}"
    assert any(
        e.actor_username == actor_name and e.entity_id == client_id for e in _audit(smart.app, "login")
    )
    assert any(e.actor_username == actor_name and e.patient_id == pid for e in _audit(smart.app, "read"))
    assert any(e.actor_username == actor_name for e in _audit(smart.app, "create"))


def _refused(response: httpx.Response, error: str, status: int, words: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error, body
    assert words in body["error_description"], body


def test_expired_replayed_wrong_audience_and_wrong_key_assertions_are_refused(smart: Smart) -> None:
    scope = "system/*.rs"
    _refused(smart.request_token("journal-es384", scope, exp_in=-120), "invalid_client", 401, "expired")
    _refused(smart.request_token("journal-es384", scope, exp_in=3600), "invalid_client", 401, "300 s ahead")
    client = smart.clients["journal-rs384"]
    wrong_aud = assertion(client.key, "RS384", client.client_id, f"{smart.base}/token")
    response = smart.http.post(smart.token_url, data=token_form(wrong_aud, scope), headers=FORM)
    _refused(response, "invalid_client", 401, "aud")
    stranger = new_key("RS384")
    forged = signed(
        stranger,
        "RS384",
        {
            "iss": client.client_id,
            "sub": client.client_id,
            "aud": smart.token_url,
            "exp": int(time.time()) + 200,
            "jti": "forged-1",
        },
        kid=client.key.kid,
    )
    response = smart.http.post(smart.token_url, data=token_form(forged, scope), headers=FORM)
    _refused(response, "invalid_client", 401, "no registered key")
    once = assertion(client.key, "RS384", client.client_id, smart.token_url, jti="only-once")
    first = smart.http.post(smart.token_url, data=token_form(once, scope), headers=FORM)
    assert first.status_code == 200, first.text
    again = smart.http.post(smart.token_url, data=token_form(once, scope), headers=FORM)
    _refused(again, "invalid_client", 401, "already used")
    rs256 = signed(
        client.key,
        "RS256",
        {
            "iss": client.client_id,
            "sub": client.client_id,
            "aud": smart.token_url,
            "exp": int(time.time()) + 200,
            "jti": "x",
        },
    )
    response = smart.http.post(smart.token_url, data=token_form(rs256, scope), headers=FORM)
    _refused(response, "invalid_client", 401, "RS256")
    unknown = assertion(client.key, "RS384", "nobody", smart.token_url)
    response = smart.http.post(smart.token_url, data=token_form(unknown, scope), headers=FORM)
    _refused(response, "invalid_client", 401, "No registered client 'nobody'")
    response = smart.http.post(
        smart.token_url, data={**token_form(once, scope), "grant_type": "password"}, headers=FORM
    )
    _refused(response, "unsupported_grant_type", 400, "client_credentials")
    response = smart.http.post(smart.token_url, json={"grant_type": "client_credentials"})
    _refused(response, "invalid_request", 400, "x-www-form-urlencoded")
    assert any(e.entity_id == "journal-rs384" for e in _audit(smart.app, "denied"))


def test_scopes_are_granted_as_the_intersection_of_requested_and_allowed(smart: Smart) -> None:
    body = smart.request_token("patients-only", "system/*.rs").json()
    assert body["scope"] == "system/Patient.rs"
    assert smart.request_token("patients-only", "system/Patient.read").json()["scope"] == "system/Patient.rs"
    _refused(smart.request_token("patients-only", "system/Procedure.rs"), "invalid_scope", 400, "allowed")
    _refused(smart.request_token("journal-es384", "user/*.rs"), "invalid_scope", 400, "system/ scopes only")
    _refused(smart.request_token("journal-es384", "system/Patient.rs?x=1"), "invalid_scope", 400, "search")


# ----------------------------------------------------------------------------------- enforcement


def _outcome(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    return str(body["issue"][0]["diagnostics"])


def test_a_patient_read_token_cannot_read_procedures_nor_write(smart: Smart) -> None:
    token = smart.token("patients-only", "system/Patient.rs")
    pid = smart.ids["Patient"]
    patient = smart.get(token, f"Patient/{pid}")
    assert patient.status_code == 200
    message = _outcome(smart.get(token, "Procedure", patient=pid), 403)
    assert "search of Procedure" in message and "system/Procedure.s" in message
    message = _outcome(smart.get(token, f"Procedure/{smart.ids['Procedure']}"), 403)
    assert "read of Procedure" in message
    body = patient.json()
    message = _outcome(smart.send(token, "PUT", f"Patient/{pid}", body), 403)
    assert "update of Patient" in message
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "resource": {k: v for k, v in body.items() if k not in ("id", "meta")},
                "request": {"method": "POST", "url": "Patient"},
            }
        ],
    }
    assert "create of Patient" in _outcome(smart.send(token, "POST", "", bundle), 403)
    include = smart.get(token, "Patient", _id=pid, _revinclude="Procedure:patient")
    assert include.status_code == 403  # an include reads Procedure too
    assert "search" in _outcome(smart.get(token, "$export", _type="Procedure"), 403)
    denied = [e for e in _audit(smart.app, "denied") if e.actor_username == "client:patients-only"]
    assert {e.entity_type for e in denied} >= {"Procedure", "Patient"}
    assert all("scope" in e.detail for e in denied)


def test_a_token_never_sees_another_units_patient(smart: Smart) -> None:
    token = smart.token("kirurgen", "system/*.rs")  # a KIR client: the example patient is ONK's
    pid = smart.ids["Patient"]
    assert "care unit" in _outcome(smart.get(token, f"Patient/{pid}"), 403)
    assert "care unit" in _outcome(smart.get(token, "Procedure", patient=pid), 403)
    found = smart.get(token, "Patient", identifier=f"{PERSONNUMMER}|{PNR}")
    assert found.status_code == 403  # as for a KIR nurse with Basic: the search names a patient not theirs


def test_a_tampered_expired_or_unregistered_token_is_refused_with_invalid_token(
    smart: Smart, tmp_path: Path
) -> None:
    token = smart.token("journal-es384", "system/*.rs")
    head, claims, signature = token.split(".")
    tampered = f"{head}.{claims}.{signature[:-4]}AAAA"
    response = smart.get(tampered, "Patient")
    _outcome(response, 401)
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    write_registry(tmp_path / "clients.yaml", [smart.clients["journal-rs384"]])  # es384 removed
    assert "no longer registered" in _outcome(smart.get(token, "Patient"), 401)


# ----------------------------------------------------------------------------------- Basic option


def test_basic_is_refused_with_a_bearer_challenge_when_turned_off(fhir_app: FastAPI, tmp_path: Path) -> None:
    fhir_app.state.fhir_auth = FhirAuthSettings(basic_auth=False)
    with serve(fhir_app) as url:
        response = httpx.get(f"{url}/fhir/Patient", headers=auth("karin"))
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert "Basic is turned off" in response.json()["issue"][0]["diagnostics"]
        security = httpx.get(f"{url}/fhir/metadata").json()["rest"][0]["security"]
        assert {c["code"] for s in security["service"] for c in s["coding"]} == {"SMART-on-FHIR"}
    fhir_app.state.fhir_auth = FhirAuthSettings(basic_auth=True)
    with serve(fhir_app) as url:
        assert httpx.get(f"{url}/fhir/Organization", headers=auth("karin")).status_code == 200


# ------------------------------------------------------------------------------------- OIDC users


def test_user_tokens_of_the_regions_idp_act_as_the_staff_login_with_user_scopes(
    fhir_app: FastAPI, imported: dict[str, Any]
) -> None:
    idp_key = new_key("RS256")
    documents: dict[str, Any] = {"/jwks": jwks_of(idp_key)}
    pid = locations(imported)["Patient"]
    with jwks_server(documents) as idp, serve(fhir_app) as url:
        fhir_app.state.fhir_auth = FhirAuthSettings(
            oidc_issuer=idp, oidc_jwks_url=f"{idp}/jwks", oidc_audience="canrehab-fhir", basic_auth=False
        )

        def user_token(username: str, scope: str, **more: Any) -> str:
            now = int(time.time())
            claims = {
                "iss": idp,
                "aud": "canrehab-fhir",
                "exp": now + 300,
                "iat": now,
                "preferred_username": username,
                "scope": scope,
                "azp": "journal-app",
                **more,
            }
            return signed(idp_key, "RS256", claims)

        def get(token: str, path: str, **params: Any) -> httpx.Response:
            return httpx.get(
                f"{url}/fhir/{path}", params=params, headers={"Authorization": f"Bearer {token}"}
            )

        karin = user_token("karin", "openid user/Patient.rs system/*.cruds")
        assert get(karin, f"Patient/{pid}").status_code == 200
        refused = get(karin, "Procedure", patient=pid)
        assert refused.status_code == 403 and "user/Procedure.s" in refused.text  # system/ was dropped
        eva = user_token("eva", "user/*.rs")  # a KIR nurse: the example patient is ONK's
        assert get(eva, f"Patient/{pid}").status_code == 403
        default = user_token("karin", "openid profile")  # no resource scope: the configured user/*.rs
        assert get(default, "Procedure", patient=pid).json()["total"] == 3
        for bad, why in (
            (user_token("karin", "user/*.rs", aud="someone-else"), "aud"),
            (user_token("karin", "user/*.rs", exp=int(time.time()) - 600), "expired"),
            (user_token("okänd", "user/*.rs"), "no unlocked canrehab account"),
            (
                signed(
                    new_key("RS256"),
                    "RS256",
                    {
                        "iss": idp,
                        "aud": "canrehab-fhir",
                        "exp": int(time.time()) + 60,
                        "preferred_username": "karin",
                    },
                ),
                "no registered key",
            ),
        ):
            response = get(bad, "Patient")
            assert response.status_code == 401 and why in response.text, (why, response.text)
    reads = [e for e in _audit(fhir_app, "read") if e.actor_username == "karin" and e.patient_id == pid]
    assert reads


# ------------------------------------------------------------------------- jwks_url, third party


def test_a_client_registered_with_a_jwks_url_and_authlib_doing_the_flow(
    fhir_app: FastAPI, imported: dict[str, Any], tmp_path: Path
) -> None:
    from authlib.integrations.httpx_client import OAuth2Client
    from authlib.oauth2.rfc7523 import PrivateKeyJWT

    client = Registered("registret", "RS384", ["system/*.rs"])
    documents = {"/registret/jwks.json": jwks_of(client.key)}
    pid = locations(imported)["Patient"]
    with jwks_server(documents) as keys_url, serve(fhir_app) as url:
        client.jwks_url = f"{keys_url}/registret/jwks.json"
        registry = write_registry(tmp_path / "clients.yaml", [client])
        fhir_app.state.fhir_auth = FhirAuthSettings(clients_file=registry)
        token_url = f"{url}/fhir/auth/token"
        default = OAuth2Client(
            client.client_id, client.key, token_endpoint_auth_method=PrivateKeyJWT(token_url, alg="RS384")
        )
        with pytest.raises(Exception, match="invalid_client"):  # authlib's default assertion lives 1 h
            default.fetch_token(token_url, grant_type="client_credentials", scope="system/*.rs")
        short = PrivateKeyJWT(token_url, alg="RS384", claims={"exp": int(time.time()) + 240})
        oauth = OAuth2Client(
            client.client_id, client.key, token_endpoint_auth_method=short, scope="system/Patient.rs"
        )
        token = oauth.fetch_token(token_url, grant_type="client_credentials")
        assert token["scope"] == "system/Patient.rs"
        patient = oauth.get(f"{url}/fhir/Patient/{pid}")
        assert patient.status_code == 200 and patient.json()["id"] == pid
        assert oauth.get(f"{url}/fhir/Procedure", params={"patient": pid}).status_code == 403


def test_the_smart_routes_are_served_inside_the_full_web_app_without_csrf(
    db_url: str, tmp_path: Path, example_bundle: dict[str, Any]
) -> None:
    from fastapi.testclient import TestClient

    from canrehab.config import Settings
    from canrehab.services.context import Services
    from canrehab.web.app import create_app
    from tests.fhir.harness import TODAY, seed

    settings = Settings(data_dir=tmp_path, secret_key="s", database_url=db_url, pseudonym_key="p")
    app = create_app(settings)
    app.state.fhir_services = Services(
        settings=settings, engine=app.state.services.engine, clock=lambda: TODAY
    )
    seed(app)
    client = standard_clients()["journal-es384"]
    app.state.fhir_auth = FhirAuthSettings(clients_file=write_registry(tmp_path / "clients.yaml", [client]))
    try:
        with TestClient(app) as http:
            config = http.get("/fhir/.well-known/smart-configuration").json()
            signed_assertion = assertion(client.key, client.alg, client.client_id, config["token_endpoint"])
            response = http.post(  # a form POST without any CSRF token or cookie
                "/fhir/auth/token", data=token_form(signed_assertion, "system/Organization.rs"), headers=FORM
            )
            assert response.status_code == 200, response.text
            token = response.json()["access_token"]
            found = http.get("/fhir/Organization", headers={"Authorization": f"Bearer {token}"})
            assert found.status_code == 200 and "set-cookie" not in found.headers
    finally:
        app.state.services.engine.dispose()


def test_a_patients_own_login_may_use_patient_scopes_and_sees_only_their_record(
    fhir_app: FastAPI, imported: dict[str, Any]
) -> None:
    from canrehab.services.context import SYSTEM
    from tests.fhir.harness import CHEAP_HASHER

    pid = locations(imported)["Patient"]
    with fhir_app.state.fhir_services.uow(SYSTEM, log_reads=False) as uow:
        uow.accounts.create("tolvan", CHEAP_HASHER.hash("x-lösen-123"), "patient", "Tolvan", patient_id=pid)
    idp_key = new_key("ES256")
    with jwks_server({"/jwks": jwks_of(idp_key)}) as idp, serve(fhir_app) as url:
        fhir_app.state.fhir_auth = FhirAuthSettings(oidc_issuer=idp, oidc_jwks_url=f"{idp}/jwks")

        def get(scope: str, path: str, username: str = "tolvan") -> httpx.Response:
            claims = {
                "iss": idp,
                "exp": int(time.time()) + 120,
                "preferred_username": username,
                "scope": scope,
            }
            token = signed(idp_key, "ES256", claims)
            return httpx.get(f"{url}/fhir/{path}", headers={"Authorization": f"Bearer {token}"})

        assert get("patient/Patient.rs", f"Patient/{pid}").json()["id"] == pid
        refused = get("patient/Patient.rs", f"Procedure?patient={pid}")
        assert refused.status_code == 403 and "patient/Procedure.s" in refused.text
        staff = get("patient/*.rs", f"Patient/{pid}", username="karin")  # patient/ is for patients only
        assert staff.status_code == 401 and "no user/ scope" in staff.text
        assert get("system/*.rs", f"Patient/{pid}").status_code == 401  # system/ is never a user's


def test_the_discovery_routes_answer_head_and_refuse_other_methods_with_an_operation_outcome(
    smart: Smart,
) -> None:
    url = f"{smart.base}/.well-known/smart-configuration"
    head = smart.http.head(url)
    assert head.status_code == 200 and head.content == b""
    refused = smart.http.request("PATCH", url)
    assert refused.status_code == 405 and refused.json()["resourceType"] == "OperationOutcome"
    get_token = smart.http.get(smart.token_url)  # POST only; the API's catch-all answers a GET there
    assert get_token.status_code == 404 and get_token.json()["resourceType"] == "OperationOutcome"
