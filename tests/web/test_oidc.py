"""OIDC login at the configuration/redirect level, against a discovery document served on loopback."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from authlib.jose import JsonWebKey, jwt
from fastapi import FastAPI
from fastapi.testclient import TestClient

from canrehab.config import Settings
from canrehab.domain.model import CareUnit
from canrehab.services.accounts import create_user
from canrehab.services.context import SYSTEM, Services
from canrehab.web.app import create_app
from canrehab.web.settings import WebSettings
from tests.web.live_server import serve


def idp_app() -> FastAPI:
    idp = FastAPI()

    @idp.get("/.well-known/openid-configuration")
    def discovery() -> dict[str, object]:
        return {
            "issuer": "https://idp.region.example",
            "authorization_endpoint": "https://idp.region.example/authorize",
            "token_endpoint": "https://idp.region.example/token",
            "jwks_uri": "https://idp.region.example/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    return idp


def test_oidc_login_redirects_to_the_idp_with_state_and_nonce(tmp_path: Path) -> None:
    with serve(idp_app()) as idp_base:
        web = WebSettings(
            oidc_metadata_url=f"{idp_base}/.well-known/openid-configuration",
            oidc_client_id="canrehab-test",
            oidc_client_secret="hemlis",
        )
        app = create_app(Settings(data_dir=tmp_path, secret_key="s"), web)
        client = TestClient(app, base_url="http://127.0.0.1")
        assert 'href="/logga-in/oidc"' in client.get("/logga-in").text
        r = client.get("/logga-in/oidc", follow_redirects=False)
    assert r.status_code == 302
    target = urlsplit(r.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == "https://idp.region.example/authorize"
    q = parse_qs(target.query)
    assert q["client_id"] == ["canrehab-test"]
    assert q["response_type"] == ["code"]
    assert q["scope"] == ["openid profile"]
    assert q["redirect_uri"] == ["http://127.0.0.1/logga-in/oidc/svar"]
    assert q["state"][0] and q["nonce"][0]
    # A callback with a state that does not match the session is refused.
    bad = client.get("/logga-in/oidc/svar?code=x&state=wrong", follow_redirects=False)
    assert bad.status_code == 401


def idp_with_token_endpoint(base: dict[str, str]) -> FastAPI:
    """A loopback IdP whose token endpoint answers without an ID token (no user claims)."""
    idp = FastAPI()

    @idp.get("/.well-known/openid-configuration")
    def discovery() -> dict[str, object]:
        return {
            "issuer": base["url"],
            "authorization_endpoint": f"{base['url']}/authorize",
            "token_endpoint": f"{base['url']}/token",
            "jwks_uri": f"{base['url']}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    @idp.post("/token")
    def token() -> dict[str, object]:
        return {"access_token": "at", "token_type": "Bearer", "expires_in": 60}

    return idp


def test_oidc_callback_error_paths(tmp_path: Path) -> None:
    base: dict[str, str] = {}
    with serve(idp_with_token_endpoint(base)) as idp_base:
        base["url"] = idp_base
        web = WebSettings(
            oidc_metadata_url=f"{idp_base}/.well-known/openid-configuration", oidc_client_id="canrehab-test"
        )
        app = create_app(Settings(data_dir=tmp_path, secret_key="s"), web)
        client = TestClient(app, base_url="http://127.0.0.1")
        # The IdP refuses (the user cancelled): a Swedish error page, no session.
        refused = client.get("/logga-in/oidc/svar?error=access_denied&state=x", follow_redirects=False)
        assert refused.status_code == 401
        assert "Inloggningen misslyckades" in refused.text
        # The IdP accepts, but names no account known to canrehab: refused, still no session.
        start = client.get("/logga-in/oidc", follow_redirects=False)
        state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
        unknown = client.get(f"/logga-in/oidc/svar?code=abc&state={state}", follow_redirects=False)
        assert unknown.status_code == 403
        assert "saknar behörighet i canrehab" in unknown.text
        # A replayed callback (the state is used up) is refused too.
        again = client.get(f"/logga-in/oidc/svar?code=abc&state={state}", follow_redirects=False)
        assert again.status_code == 401
    home = client.get("/", follow_redirects=False)
    assert home.headers["location"].startswith("/logga-in")


def test_oidc_callback_when_not_configured(tmp_path: Path) -> None:
    client = TestClient(create_app(Settings(data_dir=tmp_path, secret_key="s")), base_url="http://127.0.0.1")
    assert client.get("/logga-in/oidc/svar?code=x&state=y").status_code == 403


def signing_idp(base: dict[str, str], key: Any, nonce: dict[str, str]) -> FastAPI:
    """A loopback IdP that signs an RS256 ID token naming the user ``ssk`` (with the nonce of the login)."""
    idp = idp_with_token_endpoint(base)
    idp.router.routes = [r for r in idp.router.routes if getattr(r, "path", "") != "/token"]

    @idp.get("/jwks")
    def jwks() -> dict[str, object]:
        return {"keys": [key.as_dict(is_private=False, kid="k1", alg="RS256", use="sig")]}

    @idp.post("/token")
    def token() -> dict[str, object]:
        now = int(time.time())
        claims = {
            "iss": base["url"],
            "aud": "canrehab-test",
            "sub": "user-1",
            "preferred_username": "ssk",
            "nonce": nonce["value"],
            "iat": now,
            "exp": now + 300,
        }
        id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key).decode()
        return {"access_token": "at", "token_type": "Bearer", "expires_in": 60, "id_token": id_token}

    return idp


def test_oidc_login_with_a_signed_id_token_starts_a_session_for_the_named_account(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="s")
    services = Services.open(settings, migrate=True)
    with services.uow(SYSTEM, log_reads=False) as uow:
        uow.units.add(CareUnit(hsa_id="SE2321000016-ONK", name="Onkologiska kliniken", county_code="01"))
    create_user(
        services,
        username="ssk",
        role="nurse",
        password="tillräckligt-långt",
        display_name="Karin Nilsson",
        unit_hsa_ids=("SE2321000016-ONK",),
    )
    services.engine.dispose()
    key = JsonWebKey.generate_key("RSA", 2048, is_private=True)
    base: dict[str, str] = {}
    nonce: dict[str, str] = {}
    with serve(signing_idp(base, key, nonce)) as idp_base:
        base["url"] = idp_base
        web = WebSettings(
            oidc_metadata_url=f"{idp_base}/.well-known/openid-configuration", oidc_client_id="canrehab-test"
        )
        client = TestClient(create_app(settings, web), base_url="http://127.0.0.1")
        start = client.get("/logga-in/oidc", follow_redirects=False)
        query = parse_qs(urlsplit(start.headers["location"]).query)
        nonce["value"] = query["nonce"][0]
        done = client.get(f"/logga-in/oidc/svar?code=abc&state={query['state'][0]}", follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == "/"
        home = client.get("/", follow_redirects=True)
        assert home.status_code == 200 and "Karin Nilsson" in home.text
        # a token whose nonce is not the login's is refused (no session)
        other = TestClient(create_app(settings, web), base_url="http://127.0.0.1")
        start = other.get("/logga-in/oidc", follow_redirects=False)
        nonce["value"] = "not-the-login-nonce"
        state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
        refused = other.get(f"/logga-in/oidc/svar?code=abc&state={state}", follow_redirects=False)
        assert refused.status_code in (401, 403)
        assert other.get("/", follow_redirects=False).headers["location"].startswith("/logga-in")
