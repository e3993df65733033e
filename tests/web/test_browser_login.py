"""The login page in real headless Chromium: renders under the strict CSP with no console errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from canrehab.config import Settings
from canrehab.web.app import create_app
from tests.web.browser import chromium, screenshot
from tests.web.live_server import serve

pytestmark = pytest.mark.browser


def test_login_page_in_chromium(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, secret_key="s"))
    with serve(app) as base, chromium() as browser:
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{base}/arbetslista")
        assert page.url.startswith(f"{base}/logga-in?next=")
        assert page.get_by_label("Användarnamn").is_visible()
        assert page.get_by_label("Lösenord").is_visible()
        # The stylesheet loaded under the CSP (the header bar is coloured, not default transparent).
        bg = page.eval_on_selector("header.top", "e => getComputedStyle(e).backgroundColor")
        assert bg == "rgb(0, 91, 143)"
        screenshot(page, "01-login")
        assert errors == []
