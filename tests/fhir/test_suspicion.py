"""A pathway started at välgrundad misstanke through FHIR and through the services: what one door writes the
other reads. The Condition's verificationStatus is provisional while the suspicion is investigated, confirmed
with the diagnosis, refuted once dismissed; a Condition update confirms or dismisses through the use cases
the web pages call."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from canrehab.domain.model import ClosedReason, Pathway
from canrehab.domain.pathway import confirm_diagnosis, dismiss_suspicion, start_at_suspicion
from canrehab.fhir import mapping as m
from canrehab.fhir import systems
from canrehab.services import patients as patient_service
from canrehab.services import suspicion
from tests.fhir.harness import ONK, TODAY, Fhir, actor
from tests.fhir.test_api import outcome

SUSPECTED = date(2026, 2, 10)
VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"


def _started(app: FastAPI) -> Pathway:
    services = app.state.fhir_services
    patient = patient_service.register_patient(
        services, actor("karin"), personnummer="191212121212", name="Tolvan Tolvansson", county_code="01"
    )
    return suspicion.start(
        services,
        actor("karin"),
        patient_id=patient.id,
        unit_hsa_id=ONK,
        svf_pathway="brostcancer",
        suspicion_on=SUSPECTED,
    )


def _verification(condition: dict[str, Any]) -> str:
    codes = [c["code"] for c in condition["verificationStatus"]["coding"] if c["system"] == VERIFICATION]
    return str(codes[0])


def _states() -> list[Pathway]:
    from canrehab.domain.model import CareUnit, Patient, Sex

    patient = Patient(personnummer="191212121212", pseudonym="p", sex=Sex.MALE, birth_date=date(1912, 12, 12))
    unit = CareUnit(hsa_id=ONK, name="Onkologen", county_code="01")
    suspected = start_at_suspicion(patient, unit, "breast", SUSPECTED, TODAY)
    return [
        suspected,
        confirm_diagnosis(suspected, "C509", date(2026, 2, 20), "breast", TODAY),
        dismiss_suspicion(suspected, date(2026, 2, 25), TODAY),
    ]


@pytest.mark.parametrize("pathway", _states(), ids=["provisional", "confirmed", "refuted"])
def test_every_state_of_a_suspicion_maps_to_fhir_and_back_unchanged(pathway: Pathway) -> None:
    episode, condition = m.episode_to_fhir(pathway), m.condition_to_fhir(pathway)
    assert m.pathway_from_fhir(episode, condition) == pathway


def test_a_pathway_started_in_the_web_door_reads_as_a_provisional_condition(
    client: TestClient, fhir_app: FastAPI
) -> None:
    pathway = _started(fhir_app)
    karin = Fhir(client, "karin")
    condition = karin.get(f"Condition/{pathway.id}-dx").json()
    assert _verification(condition) == "provisional"
    assert condition["code"] == {"text": "Välgrundad misstanke om cancer: Bröstcancer"}
    assert condition["recordedDate"] == SUSPECTED.isoformat()
    episode = karin.get(f"EpisodeOfCare/{pathway.id}").json()
    assert episode["status"] == "active" and episode["period"]["start"] == SUSPECTED.isoformat()
    assert {"url": systems.EXT_SUSPICION, "valueDate": SUSPECTED.isoformat()} in episode["extension"]


def test_a_condition_update_confirms_the_diagnosis_the_services_read(
    client: TestClient, fhir_app: FastAPI
) -> None:
    pathway = _started(fhir_app)
    karin = Fhir(client, "karin")
    read = karin.get(f"Condition/{pathway.id}-dx")
    confirmed = {
        **read.json(),
        "verificationStatus": {"coding": [{"system": VERIFICATION, "code": "confirmed"}]},
        "code": {"coding": [{"system": systems.ICD10_SE, "code": "C50.9"}]},
        "recordedDate": "2026-02-20",
    }
    too_early = {**confirmed, "recordedDate": "2026-02-01"}
    refused = outcome(
        karin.put(f"Condition/{pathway.id}-dx", too_early, {"If-Match": read.headers["etag"]}), 422
    )
    assert "före datumet för välgrundad misstanke" in str(refused)
    answer = karin.put(f"Condition/{pathway.id}-dx", confirmed, {"If-Match": read.headers["etag"]})
    assert answer.status_code == 200, answer.text
    assert _verification(answer.json()) == "confirmed"
    stored = patient_service.patient_record(fhir_app.state.fhir_services, actor("karin"), pathway.patient_id)
    (now,) = stored.pathways
    assert now.diagnosis.icd10 == "C509" and now.diagnosis.diagnosed_on == date(2026, 2, 20)
    assert now.suspicion_on == SUSPECTED and now.version == pathway.version + 1
    again = karin.put(
        f"Condition/{pathway.id}-dx",
        {
            **answer.json(),
            "verificationStatus": {"coding": [{"system": VERIFICATION, "code": "refuted"}]},
            "abatementDateTime": "2026-02-25",
        },
        {"If-Match": answer.headers["etag"]},
    )
    assert again.status_code == 422 and "bekräftades 2026-02-20" in again.text


def test_a_condition_update_dismisses_the_suspicion_and_the_episode_is_finished(
    client: TestClient, fhir_app: FastAPI
) -> None:
    pathway = _started(fhir_app)
    karin = Fhir(client, "karin")
    read = karin.get(f"Condition/{pathway.id}-dx")
    refuted = {
        **read.json(),
        "verificationStatus": {"coding": [{"system": VERIFICATION, "code": "refuted"}]},
        "clinicalStatus": {
            "coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "inactive"}
            ]
        },
        "abatementDateTime": "2026-02-25",
    }
    answer = karin.put(f"Condition/{pathway.id}-dx", refuted, {"If-Match": read.headers["etag"]})
    assert answer.status_code == 200, answer.text
    episode = karin.get(f"EpisodeOfCare/{pathway.id}").json()
    assert episode["status"] == "finished" and episode["period"]["end"] == "2026-02-25"
    stored = patient_service.patient_record(fhir_app.state.fhir_services, actor("karin"), pathway.patient_id)
    (now,) = stored.pathways
    assert now.closed_reason is ClosedReason.SUSPICION_DISMISSED and not now.diagnosis.confirmed


def _copied_for_another_patient(
    fhir_app: FastAPI, karin: Fhir
) -> tuple[str, Pathway, dict[str, Any], dict[str, Any]]:
    """The EpisodeOfCare and Condition of a web-started suspicion (read through the API), without id and
    meta, pointed at another registered patient. (that patient's id, the web-started pathway, episode,
    condition)"""
    other = patient_service.register_patient(
        fhir_app.state.fhir_services,
        actor("karin"),
        personnummer="191010101010",
        name="Tio Tiosson",
        county_code="01",
    )
    web = _started(fhir_app)
    episode = karin.get(f"EpisodeOfCare/{web.id}").json()
    condition = karin.get(f"Condition/{web.id}-dx").json()
    for resource in (episode, condition):
        resource.pop("id", None)
        resource.pop("meta", None)
    condition["subject"] = episode["patient"] = {"reference": f"Patient/{other.id}"}
    return other.id, web, episode, condition


def _post_with_contained(karin: Fhir, episode: dict[str, Any], condition: dict[str, Any]) -> Any:
    """POST the EpisodeOfCare with its Condition contained as its diagnosis."""
    episode["contained"] = [{**condition, "id": "dx"}]
    episode["diagnosis"] = [{**episode["diagnosis"][0], "condition": {"reference": "#dx"}}]
    return karin.post("EpisodeOfCare", episode)


def _fhir_created(fhir_app: FastAPI, karin: Fhir) -> tuple[str, str, Pathway]:
    """A suspicion created through FHIR: the EpisodeOfCare and Condition of a web-started pathway (read
    through the API) posted for another patient. (patient id, pathway id, the web-started pathway)"""
    other_id, web, episode, condition = _copied_for_another_patient(fhir_app, karin)
    answer = _post_with_contained(karin, episode, condition)
    assert answer.status_code == 201, answer.text
    return other_id, str(answer.json()["id"]), web


def test_a_suspicion_created_through_fhir_has_the_svf_record_the_web_door_writes(
    client: TestClient, fhir_app: FastAPI
) -> None:
    from canrehab.services import svf

    karin = Fhir(client, "karin")
    patient_id, pathway_id, web = _fhir_created(fhir_app, karin)
    services = fhir_app.state.fhir_services
    by_web = svf.find(services, actor("karin"), web.patient_id, web.id)
    by_fhir = svf.find(services, actor("karin"), patient_id, pathway_id)
    assert by_fhir == by_web and by_fhir is not None
    assert by_fhir[0].svf_pathway == "brostcancer" and by_fhir[0].suspicion_on == SUSPECTED
    # confirmed through FHIR: the same use case as the web page; the SVF record keeps its suspicion date
    read = karin.get(f"Condition/{pathway_id}-dx")
    confirmed = {
        **read.json(),
        "verificationStatus": {"coding": [{"system": VERIFICATION, "code": "confirmed"}]},
        "code": {"coding": [{"system": systems.ICD10_SE, "code": "C50.9"}]},
        "recordedDate": "2026-02-20",
    }
    answer = karin.put(f"Condition/{pathway_id}-dx", confirmed, {"If-Match": read.headers["etag"]})
    assert answer.status_code == 200, answer.text
    suspicion.confirm(
        services, actor("karin"), web.id, web.version, icd10="C50.9", diagnosed_on=date(2026, 2, 20)
    )
    after_fhir = svf.find(services, actor("karin"), patient_id, pathway_id)
    after_web = svf.find(services, actor("karin"), web.patient_id, web.id)
    assert after_fhir == after_web == by_web
    (fhir_pathway,) = patient_service.patient_record(services, actor("karin"), patient_id).pathways
    (web_pathway,) = patient_service.patient_record(services, actor("karin"), web.patient_id).pathways
    fields = ("suspicion_on", "diagnosis", "closed_reason", "version")
    assert [getattr(fhir_pathway, f) for f in fields] == [getattr(web_pathway, f) for f in fields]


def test_a_fhir_suspicion_whose_process_has_no_svf_is_refused_and_nothing_is_written(
    client: TestClient, fhir_app: FastAPI
) -> None:
    karin = Fhir(client, "karin")
    services = fhir_app.state.fhir_services
    other_id, _web, episode, condition = _copied_for_another_patient(fhir_app, karin)
    # a sender that names no SVF record (the extension svf): the SVF pathway follows the diagnosis process
    episode["extension"] = [e for e in episode["extension"] if e["url"] != systems.EXT_SVF]
    # "Övriga cancerdiagnoser": no SVF pathway of codes/svf.yaml belongs to it
    condition["code"] = {"text": "Välgrundad misstanke om cancer: Övriga cancerdiagnoser"}
    condition["extension"] = [
        {
            "url": systems.EXT_DIAGNOSIS_PROCESS,
            "valueCoding": {"system": systems.CS_DIAGNOSIS_PROCESS, "code": "other"},
        }
    ]
    answer = _post_with_contained(karin, episode, condition)
    assert answer.status_code == 422, answer.text
    assert "standardiserat vårdförlopp" in answer.text
    from canrehab.services.context import SYSTEM

    with services.uow(SYSTEM, log_reads=False) as uow:
        assert list(uow.pathways.for_patient(other_id)) == []
