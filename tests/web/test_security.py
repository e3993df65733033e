"""Security properties of the web app that hold before anyone logs in: headers, CSRF, cookies, OIDC config."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from canrehab.config import Settings
from canrehab.web.app import create_app
from canrehab.web.settings import WebSettings

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    app = create_app(Settings(data_dir=tmp_path, secret_key="test-secret"), WebSettings())
    return TestClient(app, base_url="http://127.0.0.1")


def test_security_headers_on_pages_and_errors(client: TestClient) -> None:
    for path in ("/logga-in", "/finns-inte", "/static/app.css"):
        r = client.get(path)
        h = r.headers
        assert "frame-ancestors 'none'" in h["content-security-policy"]
        assert "script-src 'self'" in h["content-security-policy"]
        assert h["x-frame-options"] == "DENY"
        assert h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "no-referrer"
    assert client.get("/logga-in").headers["cache-control"] == "no-store"
    assert client.get("/finns-inte").status_code == 404


def test_session_cookie_is_httponly_samesite_lax_and_not_secure_on_http(client: TestClient) -> None:
    r = client.get("/logga-in")
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("canrehab_session=")
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()


def test_session_cookie_secure_and_hsts_when_https(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, secret_key="s"), WebSettings(https=True))
    r = TestClient(app, base_url="https://127.0.0.1").get("/logga-in")
    assert "secure" in r.headers["set-cookie"].lower()
    assert r.headers["strict-transport-security"].startswith("max-age=")


def test_post_without_or_with_wrong_csrf_token_is_rejected(client: TestClient) -> None:
    assert client.post("/logga-in", data={"username": "a", "password": "b"}).status_code == 403
    client.get("/logga-in")
    r = client.post("/logga-in", data={"username": "a", "password": "b", "csrf_token": "fel"})
    assert r.status_code == 403
    assert "säkerhetskontroll" in r.text
    # Every state-changing route is behind the same middleware, including logout.
    assert client.post("/logga-ut").status_code == 403


def test_csrf_token_from_another_session_is_rejected(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, secret_key="s"))
    a, b = TestClient(app), TestClient(app)
    token_a = CSRF_RE.search(a.get("/logga-in").text).group(1)  # type: ignore[union-attr]
    b.get("/logga-in")
    assert b.post("/logga-ut", data={"csrf_token": token_a}).status_code == 403
    assert a.post("/logga-ut", data={"csrf_token": token_a}, follow_redirects=False).status_code == 303


def test_pages_require_login(client: TestClient) -> None:
    for path in (
        "/",
        "/arbetslista",
        "/patient/x",
        "/uppfoljning",
        "/logg",
        "/min-vardplan",
        "/overlamningar",
    ):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/logga-in?next=")


def test_login_page_is_swedish_and_has_labels(client: TestClient) -> None:
    html = client.get("/logga-in").text
    assert '<html lang="sv">' in html
    assert '<label for="username">Användarnamn</label>' in html
    assert '<label for="password">Lösenord</label>' in html
    assert "oidc" not in html  # not configured


def test_oidc_not_configured_is_refused(client: TestClient) -> None:
    assert client.get("/logga-in/oidc", follow_redirects=False).status_code == 403


def test_open_redirect_after_login_is_prevented() -> None:
    from canrehab.web.auth import _safe_next

    assert _safe_next("/arbetslista?due=x") == "/arbetslista?due=x"
    for bad in ("https://evil.example/", "//evil.example/", "javascript:alert(1)", ""):
        assert _safe_next(bad) == "/"


def _post_paths() -> list[str]:
    from canrehab.web import auth
    from canrehab.web.routes import ROUTERS

    paths = []
    for router in (auth.router, *ROUTERS):
        for route in router.routes:
            methods: set[str] = getattr(route, "methods", None) or set()
            if "POST" in methods:
                paths.append(route.path.replace("{", "").replace("}", ""))  # type: ignore[attr-defined]
    return paths


def test_every_state_changing_route_requires_the_csrf_token(client: TestClient) -> None:
    paths = _post_paths()
    assert len(paths) >= 11  # login, logout, assessments, plans, handovers, referrals, patient link
    client.get("/logga-in")  # a session exists, but the form carries no token
    for path in paths:
        r = client.post(path, data={"version": "1", "op": "submit"}, follow_redirects=False)
        assert r.status_code == 403, path
        assert "säkerhetskontroll" in r.text, path


def test_nul_characters_are_refused_with_400_not_a_server_error(client: TestClient) -> None:
    for path in ("/patient/%00", "/arbetslista?process=%00", "/skattning/ab%00cd"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 400, path
        assert "Ogiltig adress" in r.text
