"""The patient form on a phone: paged by domain with progress (without JavaScript: every part is in the one
form, the address's #del-… shows one), light enough for a phone, and a thank-you page with the answers
given and where to turn for acute problems."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.login import CSRF_RE
from tests.web.test_forms_reshow import RADIO_RE, token
from tests.web.test_routes_access import World, world

__all__ = ["token", "world"]


def test_the_form_is_paged_by_domain_with_progress_and_small(world: World, token: str) -> None:
    patient = TestClient(world.app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    r = patient.get(f"/skattning/{token}")
    html = r.text
    parts = re.findall(r'<section class="part" id="del-([^"]+)"', html)
    assert parts[:5] == ["fysiskt", "psykiskt", "socialt", "existentiellt", "levnadsvanor"]
    assert f"Del 1 av {len(parts)}" in html and f"Del {len(parts)} av {len(parts)}" in html
    assert 'href="#del-psykiskt"' in html  # "Nästa" works as a plain link
    assert html.count("<form") == 1  # one form: every answer is posted together, whichever part is shown
    assert len(r.content) < 150_000
    assert "<script" not in html


def test_the_thank_you_page_shows_the_answers_and_1177_and_112(world: World, token: str) -> None:
    patient = TestClient(world.app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    form = patient.get(f"/skattning/{token}").text
    data: dict[str, str] = {
        "csrf_token": CSRF_RE.search(form).group(1),  # type: ignore[union-attr]
        "version": re.search(r'name="version" value="(\d+)"', form).group(1),  # type: ignore[union-attr]
        "op": "submit",
    }
    for name, value in RADIO_RE.findall(form):
        data.setdefault(name, value)  # the first option of every question
    r = patient.post(f"/skattning/{token}", data=data)
    assert r.status_code == 200, r.text[:2000]
    assert "Tack för dina svar" in r.text
    assert "<dt>Trötthet</dt>" in r.text
    assert "1177" in r.text and "112" in r.text


def test_ej_aktuellt_and_lifestyle_scales_on_the_form_and_the_thank_you_page(world: World) -> None:
    from canrehab.domain.model import KeyMoment
    from canrehab.services.context import SYSTEM
    from tests.web.test_forms_reshow import patient_link

    assessment_id, link = patient_link(world, KeyMoment.OTHER)
    patient = TestClient(world.app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    form = patient.get(f"/skattning/{link}").text
    radios = RADIO_RE.findall(form)
    na = {name for name, value in radios if value == "ej_aktuellt"}
    assert na == {"q_stomi", "q_barn", "q_arbete", "q_sexualitet"}
    lifestyle = form[form.index('id="del-levnadsvanor"') :]
    lifestyle = lifestyle[: lifestyle.index("</section>")]
    assert "Röker eller snusar du?" in lifestyle and "Ja, dagligen" in lifestyle
    assert "besvärande" not in lifestyle
    data: dict[str, str] = {
        "csrf_token": CSRF_RE.search(form).group(1),  # type: ignore[union-attr]
        "version": re.search(r'name="version" value="(\d+)"', form).group(1),  # type: ignore[union-attr]
        "op": "submit",
    }
    for name, value in radios:
        data.setdefault(name, value)
    data.update({"q_stomi": "ej_aktuellt", "q_barn": "ej_aktuellt", "q_tobak": "2"})
    r = patient.post(f"/skattning/{link}", data=data)
    assert r.status_code == 200, r.text[:2000]
    assert "<dt>Stomi</dt><dd>Ej aktuellt<" in r.text  # its follow-up, if answered, after it
    assert "Ja, dagligen" in r.text
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        stored = uow.assessments.get(assessment_id)
    assert stored.answers["stomi"] == "ej_aktuellt"
    assert stored.suggestion is not None
    assert (
        "stomi" not in stored.suggestion.troublesome_areas
        and "barn" not in stored.suggestion.troublesome_areas
    )
    assert "DV111" in stored.suggestion.advice_codes
