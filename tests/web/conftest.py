"""Fixtures of the web tests: a browser page logged in through the real login form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from canrehab.synth.demo import DEMO_PASSWORD

LoginPage = Callable[..., Any]


def login_page(browser: Any, base: str, username: str, *, width: int = 1366, java_script: bool = True) -> Any:
    """A new browser context at ``width`` (900 px high), logged in as ``username`` with the demo password
    through the login form; returns its page, on the page the login leads to."""
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=java_script)
    page = context.new_page()
    page.goto(f"{base}/logga-in")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()
    return page


@pytest.fixture
def logged_in_page() -> LoginPage:
    """``login_page`` as a fixture: ``logged_in_page(browser, base, "ssk", width=390)``."""
    return login_page
