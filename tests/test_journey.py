"""The product's main journey across its two halves, as one test: a Hälsoskattning answered through the
patient's link and confirmed by the nurse in the real web app (SQLite) reaches the analytics store through
the production publish path (``canrehab publish``), and the follow-up engine counts that patient's KVÅ code
in Socialstyrelsen's county table and in the structured-assessment indicator — on DuckDB and on Spark."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.domain.model import CareUnit, Profession, Staff
from canrehab.followup import api
from canrehab.services import patients as patient_service
from canrehab.services.accounts import create_user
from canrehab.services.context import SYSTEM, Services
from canrehab.services.publish import default_period, publish
from canrehab.web.app import create_app
from tests.followup.conftest import backend, spark
from tests.web.login import logged_in

__all__ = ["backend", "spark"]

PASSWORD = "resan-losenord-1"
UNIT = "SE2321000016-RESA"
COUNTY = "05"  # Östergötland: the patient's county of residence (the unit's county is 01)
PERSONNUMMER = "19121212-1212"
LINK_RE = re.compile(r'href="(?:http://127\.0\.0\.1)?/skattning/([^"]+)"')
HIDDEN_RE = re.compile(r'name="(csrf_token|version)" value="([^"]+)"')
RADIO_RE = re.compile(r'type="radio" name="(q_[^"]+)" value="([^"]*)"')


@dataclass
class Clinic:
    services: Services
    app: object
    patient_id: str
    pathway_id: str


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[Clinic]:
    """An empty installation with one unit, its contact nurse (login ``ssk``) and one registered patient
    with an open pathway: what an administrator and the nurse set up before the journey starts."""
    settings = Settings(data_dir=tmp_path, secret_key="resan-secret")
    services = Services.open(settings, migrate=True)
    with services.uow(SYSTEM, log_reads=False) as uow:
        uow.units.add(CareUnit(hsa_id=UNIT, name="Onkologen Resan", county_code="01"))
        nurse = uow.staff.add(
            Staff(
                hsa_id=f"{UNIT}-SSK", name="Sara Ssk", profession=Profession.CONTACT_NURSE, unit_hsa_id=UNIT
            )
        )
    create_user(services, username="ssk", role="nurse", password=PASSWORD, staff_id=nurse.id)
    actor = Actor(role="nurse", staff_id=nurse.id, unit_hsa_ids=frozenset({UNIT}), username="ssk")
    patient = patient_service.register_patient(
        services, actor, personnummer=PERSONNUMMER, name="Tolvan Tolvansson", county_code=COUNTY
    )
    pathway = patient_service.open_pathway(
        services,
        actor,
        patient_id=patient.id,
        icd10="C50.9",
        diagnosed_on=services.today() - timedelta(days=3),
        unit_hsa_id=UNIT,
    )
    patient_service.assign_contact_nurse(services, actor, pathway.id, nurse.id, pathway.version)
    yield Clinic(services, create_app(settings), patient.id, pathway.id)
    services.engine.dispose()


def answer_by_link(app: object, token: str) -> None:
    """The patient opens the link on their own device (no login) and answers every question with its first
    option (no troubles), then submits."""
    patient = TestClient(app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    form = patient.get(f"/skattning/{token}")
    assert form.status_code == 200
    fields = dict(HIDDEN_RE.findall(form.text))
    for name, value in RADIO_RE.findall(form.text):
        fields.setdefault(name, value)
    assert len(fields) > 10
    done = patient.post(f"/skattning/{token}", data={**fields, "op": "submit"})
    assert "Tack för dina svar" in done.text


def test_an_answered_and_confirmed_halsoskattning_is_counted_in_the_county_table_and_the_indicator(
    clinic: Clinic, backend: str
) -> None:
    nurse = logged_in(clinic.app, "ssk", PASSWORD)
    # The nurse starts a Hälsoskattning at diagnosis and sends the patient a personal link.
    started = nurse.post(
        f"/patient/{clinic.patient_id}/bedomning",
        data={"pathway_id": clinic.pathway_id, "key_moment": "diagnosis", "mode": "link"},
        follow_redirects=False,
    )
    assert started.status_code == 303
    token = LINK_RE.search(nurse.get(f"/patient/{clinic.patient_id}").text).group(1)  # type: ignore[union-attr]
    answer_by_link(clinic.app, token)

    # The nurse reviews the submitted answers and confirms the suggested needs level (basic: AU010).
    overview = nurse.get(f"/patient/{clinic.patient_id}").text
    assessment_id = re.search(r'href="/bedomning/([^"/]+)"', overview).group(1)  # type: ignore[union-attr]
    review = nurse.get(f"/bedomning/{assessment_id}").text
    suggested = re.search(r'name="level" value="(\d)" checked', review).group(1)  # type: ignore[union-attr]
    assert suggested == "1"
    version = re.search(r'name="version" value="(\d+)"', review).group(1)  # type: ignore[union-attr]
    confirmed = nurse.post(
        f"/bedomning/{assessment_id}/bekrafta",
        data={"level": suggested, "version": version, "override_reason": ""},
        follow_redirects=True,
    )
    assert "Bekräftad nivå" in confirmed.text

    # The production publish path takes the system's own data to the analytics store.
    start, end = default_period(clinic.services.today())
    published = publish(clinic.services, SYSTEM, start=start, end=end)
    assert published.persons == 1
    stored = pq.read_table(sorted(published.dataset.rglob("*.parquet"))[0]).to_pylist()
    assert PERSONNUMMER.replace("-", "") not in {str(v) for row in stored for v in row.values()}

    # The follow-up engine counts the patient in the county of residence and in the indicator.
    year = clinic.services.today().year
    county = api.region_tables(published.dataset, year, ["AU010"], backend=backend)["county"]
    numbers = county.numbers.set_index("region_code")
    assert (int(numbers.loc[COUNTY, "patients"]), int(numbers.loc["00", "patients"])) == (1, 1)
    assert county.published().set_index("region_code").loc[COUNTY, "patients"] == "<4"  # one person
    results = api.indicator_results(
        published.dataset, [year], ["strukturerad_behovsbedomning"], backend=backend, threshold=1
    )
    by_unit = results[results["level"].isin(["nation", "county"])].set_index("unit_code")
    assert (by_unit.loc[COUNTY, "numerator"], by_unit.loc["00", "numerator"]) == (1, 1)
