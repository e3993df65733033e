"""OIDC login at the configuration/redirect level, against a discovery document served on loopback."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from fastapi import FastAPI
from fastapi.testclient import TestClient

from canrehab.config import Settings
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
