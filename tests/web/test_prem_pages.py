"""The PREM through the pages (no browser): the nurse makes the patient's PREM link on the patient page, the
patient answers it by the link with the patient form, the review page offers no level to confirm, and the
PREM indicator is on the follow-up dashboard."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from canrehab.services.context import SYSTEM
from tests.web.login import CSRF_RE, logged_in
from tests.web.test_routes_access import World, world

__all__ = ["world"]

LINK_RE = re.compile(r'id="patient-link" href="(?:http://127\.0\.0\.1)?/skattning/([^"]+)"')


def test_the_nurse_sends_the_prem_and_the_patient_answers_it_by_the_link(world: World) -> None:
    nurse = logged_in(world.app, "ssk")
    page = nurse.get(f"/patient/{world.own_patient}").text
    assert "Skicka länk till patientenkät (PREM) – exempel" in page
    csrf = CSRF_RE.search(page).group(1)  # type: ignore[union-attr]
    data = {"csrf_token": csrf, "pathway_id": world.own_pathway, "instrument_id": "prem-exempel"}
    r = nurse.post(f"/patient/{world.own_patient}/bedomning", data={**data, "mode": "together"})
    assert r.status_code == 200 and "En personlig länk till enkäten ”EXEMPEL" in r.text  # always by link
    token = LINK_RE.search(r.text).group(1)  # type: ignore[union-attr]
    unknown = nurse.post(f"/patient/{world.own_patient}/bedomning", data={**data, "instrument_id": "okänd"})
    assert unknown.status_code == 200 and "Okänt formulär" in unknown.text

    patient = TestClient(world.app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    form = patient.get(f"/skattning/{token}").text
    assert "EXEMPEL – patientupplevd kvalitet" in form and 'name="q_delaktighet"' in form
    csrf = CSRF_RE.search(form).group(1)  # type: ignore[union-attr]
    version = re.search(r'name="version" value="(\d+)"', form).group(1)  # type: ignore[union-attr]
    answers = {"q_information": "ja-delvis", "q_delaktighet": "ja-helt", "q_kontakt": "ja-helt"}
    incomplete = patient.post(
        f"/skattning/{token}",
        data={"csrf_token": csrf, "version": version, "op": "submit", "q_kontakt": "nej"},
    )
    assert incomplete.status_code == 422 and "obligatoriska frågor saknar svar" in incomplete.text
    version = re.search(r'name="version" value="(\d+)"', incomplete.text).group(1)  # type: ignore[union-attr]
    done = patient.post(
        f"/skattning/{token}", data={"csrf_token": csrf, "version": version, "op": "submit", **answers}
    )
    assert done.status_code == 200 and "Ja, helt" in done.text

    with world.services.uow(SYSTEM, log_reads=False) as uow:
        prem = [
            a for a in uow.assessments.for_pathway(world.own_pathway) if a.instrument_id == "prem-exempel"
        ]
    assert len(prem) == 1 and prem[0].status == "submitted" and prem[0].suggestion is None
    assert prem[0].answers == {"information": "ja-delvis", "delaktighet": "ja-helt", "kontakt": "ja-helt"}
    review = nurse.get(f"/bedomning/{prem[0].id}").text
    assert "ingen behovsnivå bekräftas" in review and "/bekrafta" not in review

    board = logged_in(world.app, "processledare").get("/uppfoljning?from=2020-01-01").text
    assert "Delaktig i planeringen av rehabiliteringen (PREM)" in board
