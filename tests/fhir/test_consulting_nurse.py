"""The children's konsultsjuksköterska on the EpisodeOfCare (issue 12 item 8; 002: "Inom barncancervården
finns inte kontaktsjuksköterskor, istället finns en roll som kallas konsultsjuksköterska vid samtliga BCC"):
the contact-nurse extension carries the nurse's role as a coding, read back (not dropped), and a role
outside canrehab's code system is refused naming the element."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from canrehab.domain.model import ContactNurseAssignment, Diagnosis, NurseRole, Pathway
from canrehab.fhir import mapping as m
from canrehab.fhir import systems
from canrehab.fhir.mapping.common import MappingError
from tests.fhir.harness import Fhir
from tests.fhir.test_api import locations


def _child_pathway() -> Pathway:
    return Pathway(
        patient_id="child-1",
        unit_hsa_id="SE2321000016-BCC",
        diagnosis=Diagnosis(icd10="C910", diagnosed_on=date(2026, 3, 2), process="other"),
        contact_nurses=(
            ContactNurseAssignment(
                staff_id="nurse-bcc", from_date=date(2026, 3, 4), role=NurseRole.CONSULTING_NURSE
            ),
        ),
    )


def _nurse_parts(episode: dict[str, object]) -> dict[str, dict[str, object]]:
    found = [e for e in episode["extension"] if e["url"] == systems.EXT_CONTACT_NURSE]  # type: ignore[attr-defined,index]
    assert len(found) == 1
    return {p["url"]: p for p in found[0]["extension"]}


def test_the_konsultsjukskoterska_is_exported_with_its_role_code_and_read_back() -> None:
    pathway = _child_pathway()
    episode = m.episode_to_fhir(pathway).model_dump(mode="json", exclude_none=True)
    role = _nurse_parts(episode)["role"]["valueCoding"]
    assert role == {
        "system": systems.CS_NURSE_ROLE,
        "code": "consulting_nurse",
        "display": "konsultsjuksköterska",
    }
    assert episode["careManager"]["reference"] == "PractitionerRole/nurse-bcc"
    condition = m.condition_to_fhir(pathway).model_dump(mode="json", exclude_none=True)
    assert m.pathway_from_fhir(episode, condition).contact_nurses == pathway.contact_nurses


def test_a_contact_nurse_without_a_role_is_read_as_kontaktsjukskoterska() -> None:
    pathway = _child_pathway()
    episode = m.episode_to_fhir(pathway).model_dump(mode="json", exclude_none=True)
    nurse = next(e for e in episode["extension"] if e["url"] == systems.EXT_CONTACT_NURSE)
    nurse["extension"] = [p for p in nurse["extension"] if p["url"] != "role"]
    condition = m.condition_to_fhir(pathway).model_dump(mode="json", exclude_none=True)
    read = m.pathway_from_fhir(episode, condition)
    assert read.contact_nurses[0].role is NurseRole.CONTACT_NURSE


def test_a_nurse_role_outside_canrehabs_code_system_is_refused() -> None:
    pathway = _child_pathway()
    episode = m.episode_to_fhir(pathway).model_dump(mode="json", exclude_none=True)
    _nurse_parts(episode)["role"]["valueCoding"] = {"system": "http://example.org/roles", "code": "x"}
    condition = m.condition_to_fhir(pathway).model_dump(mode="json", exclude_none=True)
    with pytest.raises(MappingError, match="nurse-role"):
        m.pathway_from_fhir(episode, condition)


def test_an_episode_recorded_with_a_konsultsjukskoterska_for_an_adult_is_refused(
    client: TestClient, imported: dict[str, Any]
) -> None:
    """A pathway recorded whole by another system keeps the children's rule: an adult's pathway gets no
    konsultsjuksköterska (the role is read, so it must be checked), and nothing is written."""
    ids = locations(imported)
    admin = Fhir(client, "admin")
    episode = admin.get(f"EpisodeOfCare/{ids['EpisodeOfCare']}").json()
    condition = admin.get(f"Condition/{ids['EpisodeOfCare']}-dx").json()
    condition = {k: v for k, v in condition.items() if k not in ("meta",)} | {"id": "dx"}
    body = {k: v for k, v in episode.items() if k not in ("id", "meta")}
    body["contained"] = [condition]
    body["diagnosis"] = [{"condition": {"reference": "#dx"}, "rank": 1}]
    for e in body["extension"]:
        if e["url"] == systems.EXT_CONTACT_NURSE:
            role = next(p for p in e["extension"] if p["url"] == "role")
            role["valueCoding"] = {"system": systems.CS_NURSE_ROLE, "code": "consulting_nurse"}
    before = admin.get("EpisodeOfCare", patient=ids["Patient"]).json()["total"]
    refused = admin.post("EpisodeOfCare", body)
    assert refused.status_code in (400, 422), refused.text
    assert "Konsultsjuksköterska är en roll inom barncancervården" in refused.text
    assert admin.get("EpisodeOfCare", patient=ids["Patient"]).json()["total"] == before
