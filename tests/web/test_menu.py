"""The main menu shows each role the pages the permission table opens to it (``allowed(user, action)``)."""

from __future__ import annotations

import re

import pytest

from canrehab.web.pages import make_templates
from canrehab.web.user import WebUser

WORK = ["/arbetslista", "/overlamningar", "/remisser"]
FOLLOWUP = ["/uppfoljning", "/statistik"]

MENU = {
    "nurse": WORK,
    "doctor": WORK,
    "rehab_professional": WORK,
    "unit_manager": [*WORK, *FOLLOWUP, "/struktur", "/gapanalys", "/logg"],
    "regional_analyst": FOLLOWUP,
    "admin": [*FOLLOWUP, "/struktur", "/gapanalys", "/personal", "/logg"],
    "patient": ["/min-vardplan"],
}


def menu_links(user: WebUser | None) -> list[str]:
    html = (
        make_templates()
        .env.get_template("error.html")
        .render(
            user=user,
            csrf_token="tok",
            flashes=[],
            heading="h",
            message="m",
            url_for=lambda *_a, **kw: "/static/" + kw.get("path", ""),
        )
    )
    nav = re.search(r'<nav aria-label="Huvudmeny">(.*?)</nav>', html, re.S)
    return re.findall(r'href="([^"]+)"', nav.group(1)) if nav else []


@pytest.mark.parametrize(("role", "links"), MENU.items())
def test_the_menu_shows_a_role_the_pages_it_may_open(role: str, links: list[str]) -> None:
    assert menu_links(WebUser(username="u", role=role, display_name="U")) == links


def test_nobody_logged_in_sees_no_menu() -> None:
    assert menu_links(None) == []
