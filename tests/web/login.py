"""Logging a test client in through the real login form (CSRF token from the page, then the POST)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from canrehab.synth.demo import DEMO_PASSWORD

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def logged_in(app: object, username: str, password: str = DEMO_PASSWORD) -> TestClient:
    """A client logged in as ``username``, sending the session's CSRF token with every request."""
    client = TestClient(app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    token = CSRF_RE.search(client.get("/logga-in").text).group(1)  # type: ignore[union-attr]
    r = client.post(
        "/logga-in",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    client.headers["x-csrf-token"] = token
    return client
