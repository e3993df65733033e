"""Server-side sessions and the login page, on SQLite and PostgreSQL: logout ends the session (a copied cookie
no longer works), expiry is enforced on the server, a locked account's sessions stop working, and the login
page answers an unknown account, a wrong password and a locked account alike."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from canrehab.config import Settings
from canrehab.services.accounts import create_user
from canrehab.services.context import Services
from canrehab.store.sessions import token_hash
from canrehab.web.app import SESSION_COOKIE, create_app
from canrehab.web.auth import LOGIN_FAILED
from canrehab.web.settings import WebSettings

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "ett-langt-losenord"


@dataclass
class Site:
    app: object
    engine: sa.Engine
    web: WebSettings


@pytest.fixture
def site(db_url: str, tmp_path: Path) -> Iterator[Site]:
    settings = Settings(data_dir=tmp_path, database_url=db_url, secret_key="session-secret")
    services = Services.open(settings)
    for name in ("anna", "bertil"):
        create_user(services, username=name, role="regional_analyst", password=PASSWORD)
    web = WebSettings()
    app = create_app(settings, web)
    yield Site(app, services.engine, web)
    app.state.services.engine.dispose()
    services.engine.dispose()


def new_client(site: Site) -> TestClient:
    client = TestClient(site.app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    token = CSRF_RE.search(client.get("/logga-in").text).group(1)  # type: ignore[union-attr]
    client.headers["x-csrf-token"] = token
    return client


def attempt(client: TestClient, username: str, password: str) -> object:
    return client.post("/logga-in", data={"username": username, "password": password}, follow_redirects=False)


def logged_in(site: Site, username: str = "anna") -> TestClient:
    client = new_client(site)
    r = attempt(client, username, PASSWORD)
    assert r.status_code == 303, r.text  # type: ignore[attr-defined]
    return client


def is_logged_in(client: TestClient) -> bool:
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303
    return not r.headers["location"].startswith("/logga-in")


def session_token(client: TestClient) -> str:
    payload = client.cookies[SESSION_COOKIE].split(".")[0]
    data = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    return str(data["sid"])


def sessions(site: Site) -> list[dict[str, object]]:
    with site.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text("SELECT * FROM web_session")).mappings()]


def test_only_a_hash_of_the_session_token_is_stored(site: Site) -> None:
    client = logged_in(site)
    token = session_token(client)
    rows = sessions(site)
    assert [r["token_hash"] for r in rows] == [token_hash(token)]
    assert token not in json.dumps(rows, default=str)
    assert rows[0]["username"] == "anna"


def test_logout_ends_the_session_and_a_copied_cookie_no_longer_works(site: Site) -> None:
    client = logged_in(site)
    assert is_logged_in(client)
    copied = client.cookies[SESSION_COOKIE]
    r = client.post("/logga-ut", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/logga-in"
    assert sessions(site) == []
    replay = TestClient(site.app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    replay.cookies.set(SESSION_COOKIE, copied)
    r = replay.get("/arbetslista", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/logga-in?next=")


def test_a_new_login_replaces_the_previous_session(site: Site) -> None:
    client = logged_in(site)
    first = session_token(client)
    attempt(client, "anna", PASSWORD)
    assert session_token(client) != first
    assert [r["token_hash"] for r in sessions(site)] == [token_hash(session_token(client))]


@pytest.mark.parametrize("column", ["last_seen_at", "expires_at"])
def test_an_expired_session_leads_to_the_login_page(site: Site, column: str) -> None:
    client = logged_in(site)
    past = datetime.now(UTC) - timedelta(seconds=site.web.session_idle_timeout + 5)
    with site.engine.begin() as conn:
        conn.execute(sa.text(f"UPDATE web_session SET {column} = :past"), {"past": past})
    r = client.get("/uppfoljning", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/logga-in?next=")
    assert "sessionen gick ut" in client.get(r.headers["location"]).text
    assert sessions(site) == []


def test_the_sessions_of_a_locked_account_stop_working(site: Site) -> None:
    anna, bertil = logged_in(site, "anna"), logged_in(site, "bertil")
    with site.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE user_account SET locked_until = :until WHERE username = 'anna'"),
            {"until": datetime.now(UTC) + timedelta(minutes=10)},
        )
    assert not is_logged_in(anna)
    assert is_logged_in(bertil)
    assert {r["username"] for r in sessions(site)} == {"bertil"}


def test_failed_logins_neither_end_open_sessions_nor_lock_the_account(site: Site) -> None:
    """Issue 14: five wrong passwords used to lock any named account for 15 minutes, from anywhere. The
    throttle slows the guessing client (tests/web/test_account_protection.py) and leaves Anna alone."""
    open_session = logged_in(site)
    client = new_client(site)
    for _ in range(5):
        r = attempt(client, "anna", "fel-losenord")
        assert r.status_code in (401, 429)  # type: ignore[attr-defined]
    assert is_logged_in(open_session)
    elsewhere = TestClient(site.app, base_url="http://127.0.0.1", client=("10.1.1.1", 5000))  # type: ignore[arg-type]
    token = CSRF_RE.search(elsewhere.get("/logga-in").text).group(1)  # type: ignore[union-attr]
    elsewhere.headers["x-csrf-token"] = token
    assert attempt(elsewhere, "anna", PASSWORD).status_code == 303  # type: ignore[attr-defined]


def _message(html: str) -> str:
    found = re.search(r'<p class="flash error"[^>]*>(.*?)</p>', html, re.S)
    return found.group(1).strip() if found else html


def test_unknown_account_wrong_password_and_locked_account_look_alike(site: Site) -> None:
    client = new_client(site)
    with site.engine.begin() as conn:  # bertil is locked (an administrator's lock on the account row)
        conn.execute(
            sa.text("UPDATE user_account SET locked_until = :until WHERE username = 'bertil'"),
            {"until": datetime.now(UTC) + timedelta(minutes=10)},
        )

    def answer(username: str, password: str) -> tuple[int, str, float]:
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            r = attempt(client, username, password)
            best = min(best, time.perf_counter() - start)
        return r.status_code, _message(r.text), best  # type: ignore[attr-defined]

    unknown = answer("ingen-sadan", "vad-som-helst")
    wrong = answer("anna", "fel-losenord")
    locked = answer("bertil", PASSWORD)
    assert unknown[:2] == wrong[:2] == locked[:2]
    assert unknown[0] == 401 and LOGIN_FAILED in unknown[1]
    # Every answer costs one argon2 verification: none comes back markedly faster than a wrong password.
    assert min(unknown[2], locked[2]) > wrong[2] / 3
