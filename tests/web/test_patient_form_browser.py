"""The Hälsoskattning form as a patient meets it on a phone (Chromium at 390 px): what the page costs to
load (every response of the page summed: HTML, CSS, JS, images) stays under 150 kB, and with JavaScript
switched off the whole paged form can be filled domain by domain (one domain shown at a time, its progress,
"ej aktuellt" where it fits, lifestyle on its own scale) and submitted, ending on the thank-you page with the
answers and where to turn for acute problems (1177, 112)."""

from __future__ import annotations

from typing import Any

import pytest

from canrehab.services.context import SYSTEM
from canrehab.web.app import create_app
from tests.web.browser import SCREENSHOTS, WIDTHS, chromium, screenshot
from tests.web.live_server import serve
from tests.web.test_forms_reshow import token
from tests.web.test_routes_access import World, world

__all__ = ["token", "world"]
pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
BUDGET = 150_000
PARTS = ["fysiskt", "psykiskt", "socialt", "existentiellt", "levnadsvanor", "ovrigt-del"]
# The answers that are not "the first option": not applicable where it fits, daily tobacco, a wish to talk.
CHOSEN = {"q_stomi": "ej_aktuellt", "q_barn": "ej_aktuellt", "q_tobak": "2", "q_trotthet": "2"}


def _pictures(page: Any, name: str) -> None:
    """Screenshots at desktop and phone width without axe-core: axe is a script, and scripts are off here
    (the same pages with scripts on are checked by axe in this file and in ``test_e2e_care_flow``)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    cdp = page.context.new_cdp_session(page)  # page.evaluate needs scripts; the layout metrics do not
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
        scroll = cdp.send("Page.getLayoutMetrics")["cssContentSize"]["width"]
        assert scroll <= width, f"{name} is {scroll} px wide at {width} px"
    page.set_viewport_size(PHONE)


def _transferred(page: Any, url: str) -> tuple[int, list[tuple[str, int]]]:
    """Load ``url`` in ``page`` and sum the bytes of every response (headers and body as sent)."""
    requests: list[Any] = []
    page.on("requestfinished", lambda request: requests.append(request))
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    sizes = []
    for request in requests:
        s = request.sizes()
        sizes.append((request.url, int(s["responseBodySize"]) + int(s["responseHeadersSize"])))
    return sum(n for _, n in sizes), sizes


def test_the_patient_form_on_a_phone_is_under_150_kb(world: World, token: str) -> None:
    with serve(create_app(world.services.settings)) as base, chromium() as browser:
        context = browser.new_context(viewport=PHONE, is_mobile=True, device_scale_factor=2)
        page = context.new_page()
        total, sizes = _transferred(page, f"{base}/skattning/{token}")
        listing = "\n".join(f"  {n:>8} {u}" for u, n in sizes)
        print(f"\nHälsoskattning form at 390 px: {total} bytes in {len(sizes)} responses\n{listing}")
        assert any(u.endswith(f"/skattning/{token}") for u, _ in sizes)
        assert any(u.endswith(".css") for u, _ in sizes), "the stylesheet is counted"
        assert total < BUDGET, listing
        screenshot(page, "patient_form_phone")
        context.close()


def test_the_whole_form_can_be_filled_and_sent_without_javascript(world: World, token: str) -> None:
    with serve(create_app(world.services.settings)) as base, chromium() as browser:
        context = browser.new_context(viewport=PHONE, is_mobile=True, java_script_enabled=False)
        page = context.new_page()
        page.goto(f"{base}/skattning/{token}")
        for number, key in enumerate(PARTS, start=1):
            part = page.locator(f"#del-{key}")
            assert part.is_visible(), f"part {key} is shown"
            for other in PARTS:
                if other != key:
                    assert not page.locator(f"#del-{other}").is_visible(), f"only {key} is shown, not {other}"
            assert f"Del {number} av {len(PARTS)}" in part.locator(".progress").inner_text()
            if key == "levnadsvanor":
                text = part.inner_text()
                assert "Röker eller snusar du?" in text and "Ja, dagligen" in text
                assert "besvärande" not in text, "lifestyle has its own answer scale"
            for fieldset in part.locator("fieldset.item").all():
                radios = fieldset.locator("input[type=radio]")
                name = radios.first.get_attribute("name") or ""
                if name.endswith(".talk"):
                    if name == "q_trotthet.talk":
                        fieldset.locator("input[value=true]").check()
                    continue
                if name in ("q_stomi", "q_barn"):
                    assert fieldset.locator("input[value=ej_aktuellt]").count() == 1
                value = CHOSEN.get(name, radios.first.get_attribute("value"))
                fieldset.locator(f"input[value='{value}']").check()
            if key == "ovrigt-del":
                part.locator("textarea").fill("Vill gärna prata om träning.")
            _pictures(page, f"patient_form_nojs_{number}_{key}")
            if number < len(PARTS):
                part.get_by_role("link", name="Nästa").click()
                assert page.url.endswith(f"#del-{PARTS[number]}")
        page.get_by_role("button", name="Skicka in").click()
        page.wait_for_load_state()
        body = page.inner_text("body")
        assert "Tack för dina svar" in body
        answers = "\n".join(page.locator("dl.answers").all_inner_texts())
        assert "Stomi" in answers and "Ej aktuellt" in answers
        assert "Ja, dagligen" in answers
        assert "Vill gärna prata om träning." in answers
        assert "1177" in body and "112" in body
        _pictures(page, "patient_form_nojs_done")
        context.close()
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        submitted = [a for a in uow.assessments.for_patient(world.own_patient) if a.answers.get("stomi")]
    sent = [a.answers for a in submitted if a.answers.get("ovrigt") == "Vill gärna prata om träning."]
    assert sent, [a.answers for a in submitted]
    assert sent[0]["stomi"] == "ej_aktuellt" and sent[0]["barn"] == "ej_aktuellt"
    assert sent[0]["tobak"] == "2" and sent[0]["trotthet"] == "2" and sent[0]["trotthet.talk"] is True
