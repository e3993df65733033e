"""Search semantics on the imported example pathway: every advertised parameter is honoured (and the
CapabilityStatement advertises exactly what is implemented), token systems, AND/OR, date prefixes on partial
dates, strict handling, malformed values, paging, and the audit rows that searches and reads leave."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle

from canrehab.fhir import systems
from canrehab.fhir.search_values import DateValue, date_range, parse_date_value
from tests.fhir.harness import Fhir, actor
from tests.fhir.test_api import locations, outcome

KVA = "urn:oid:1.2.752.116.1.3.2.1.4"


def cases(ids: dict[str, str]) -> dict[str, dict[str, tuple[str, str]]]:
    """type -> parameter -> (a value that matches the example, one that does not)."""
    pid, plan, episode = ids["Patient"], ids["CarePlan"], ids["EpisodeOfCare"]
    nurse = f"PractitionerRole/{ids['PractitionerRole']}"
    return {
        "Patient": {
            "_id": (pid, "nobody"),
            "identifier": (f"{systems.PERSONNUMMER}|191212121212", "http://wrong.example|191212121212"),
        },
        "Organization": {
            "_id": ("SE2321000016-ONK1", "SE0"),
            "identifier": (f"{systems.HSA_ID}|SE2321000016-ONK1", "http://wrong.example|SE2321000016-ONK1"),
            "name": ("onkologiska", "klinik"),  # starts with, not contains
        },
        "PractitionerRole": {
            "_id": (ids["PractitionerRole"], "nobody"),
            "organization": ("Organization/SE2321000016-ONK1", "Organization/SE0000000000-NONE"),
            "role": (f"{KVA}|XS912", f"{systems.CS_PROFESSION}|psychologist"),
        },
        "Practitioner": {
            "_id": (ids["PractitionerRole"], "nobody"),
            "organization": ("SE2321000016-ONK1", "SE0000000000-NONE"),
        },
        "EpisodeOfCare": {
            "_id": (episode, "nobody"),
            "patient": (pid, "nobody"),
            "status": ("http://hl7.org/fhir/episode-of-care-status|active", "finished"),
            "date": ("ge2026-02", "lt2026-02-02"),  # an open period: eq never contains it
            "organization": ("Organization/SE2321000016-ONK1", "Organization/SE2321000016-KIR1"),
            "care-manager": (nurse, "PractitionerRole/nobody"),
            "care-manager-role": (f"{systems.CS_NURSE_ROLE}|contact_nurse", "consulting_nurse"),
        },
        "CareTeam": {
            "_id": (f"{episode}-team", "nobody"),
            "patient": (pid, "nobody"),
            "status": ("http://hl7.org/fhir/care-team-status|active", "inactive"),
            "date": ("ge2026-02", "lt2026-02-02"),
            "participant": (nurse, "PractitionerRole/nobody"),
            "role": (f"{systems.CS_NURSE_ROLE}|contact_nurse", f"{systems.CS_NURSE_ROLE}|consulting_nurse"),
        },
        "Condition": {
            "_id": (f"{episode}-dx", "nobody"),
            "patient": (pid, "nobody"),
            "code": (f"{systems.ICD10_SE}|C509", f"{KVA}|C509"),
            "clinical-status": ("active", "resolved"),
            "recorded-date": ("le2026", "gt2026"),
        },
        "QuestionnaireResponse": {
            "_id": (ids["QuestionnaireResponse"], "nobody"),
            "patient": (pid, "nobody"),
            "status": ("completed", "in-progress"),
            "authored": ("2026-02-04", "ne2026-02-04"),
            "questionnaire": ("Questionnaire/halsoskattning", "hantering-av-angest"),
        },
        "CarePlan": {
            "_id": (plan, "nobody"),
            "patient": (pid, "nobody"),
            "status": ("active", "draft"),
            "date": ("ge2026-02-06", "eb2026-02-05"),
            "category": ("rehabiliteringsplan", "|rehabiliteringsplan"),
        },
        "Goal": {
            "_id": (f"{plan}-g1", "nobody"),
            "patient": (pid, "nobody"),
            "lifecycle-status": ("active", "completed"),
            "target-date": ("2026-05", "sa2026-05-01"),
        },
        "ServiceRequest": {
            "_id": (ids["ServiceRequest"], "nobody"),
            "patient": (pid, "nobody"),
            "status": ("active", "completed"),
            "authored": ("2026-02-06", "2026-02-07"),
            "category": ("mdk-rehab,x", "x"),
            "performer-type": (f"{KVA}|XS912", f"{KVA}|XS910"),
            "requester": (nurse, "PractitionerRole/nobody"),
            "performer": ("Organization/SE2321000016-REH1", "Organization/SE2321000016-KIR1"),
        },
        "Task": {
            "_id": (ids["Task"], "nobody"),
            "patient": (pid, "nobody"),
            "status": ("requested", "completed"),
            "business-status": ("sent", "received"),
            "authored-on": ("ge2026-02", "lt2026-02"),
            "owner": ("Organization/SE2321000016-REH1", "Organization/SE2321000016-KIR1"),
            "requester": (nurse, "PractitionerRole/nobody"),
        },
        "Procedure": {
            "_id": (ids["Procedure"], "nobody"),
            "patient": (pid, "nobody"),
            "status": ("http://hl7.org/fhir/event-status|completed", "http://wrong.example|completed"),
            "date": ("2026-02-05", "2025"),
            "code": (f"{KVA}|AW020", f"{KVA}|AW024"),
            "performer": (nurse, "PractitionerRole/nobody"),
        },
        "Questionnaire": {"_id": ("halsoskattning", "nobody")},
        "StructureDefinition": {
            "_id": ("canrehab-patient", "nobody"),
            "url": (
                f"{systems.CANREHAB_BASE}/StructureDefinition/canrehab-task",
                f"{systems.CANREHAB_BASE}/x",
            ),
            "type": ("Procedure", "Observation"),
        },
        "CodeSystem": {
            "_id": ("svf-pathway", "nobody"),
            "url": (systems.CS_SVF_FIRST_TREATMENT, f"{systems.CANREHAB_BASE}/x"),
        },
    }


NEEDS_PATIENT = {
    "EpisodeOfCare",
    "Condition",
    "QuestionnaireResponse",
    "CarePlan",
    "Goal",
    "ServiceRequest",
    "Task",
    "Procedure",
    "CareTeam",
}


def test_every_advertised_parameter_is_honoured_and_nothing_else_is_advertised(
    client: TestClient, imported: dict[str, Any]
) -> None:
    ids = locations(imported)
    statement = client.get("/fhir/metadata").json()
    advertised = {  # the searchable types (Group is there only for Group/[id]/$export)
        r["type"]: {p["name"] for p in r.get("searchParam", [])}
        for r in statement["rest"][0]["resource"]
        if any(i["code"] == "search-type" for i in r.get("interaction", []))
    }
    table = cases(ids)
    table["AuditEvent"] = {}  # its parameters are tested against the audit table below
    for rtype, params in table.items():
        if rtype not in ("AuditEvent", "StructureDefinition", "CodeSystem"):  # every type: meta.lastUpdated
            params["_lastUpdated"] = ("gt2000", "lt2000")
    assert {t: set(ps) for t, ps in table.items() if t != "AuditEvent"} == {
        t: ps for t, ps in advertised.items() if t != "AuditEvent"
    }
    assert advertised["AuditEvent"] == {
        "_id",
        "_lastUpdated",
        "patient",
        "date",
        "subtype",
        "action",
        "outcome",
    }
    admin = Fhir(client, "admin")
    mdk = copy.deepcopy(admin.get(f"ServiceRequest/{ids['ServiceRequest']}").json())
    mdk.pop("id"), mdk.pop("meta")
    mdk["category"] = [{"coding": [{"system": systems.CS_REFERRAL_CATEGORY, "code": "mdk-rehab"}]}]
    assert admin.post("ServiceRequest", mdk).status_code == 201, "the example has no MDK-rehab referral"
    for rtype, params in table.items():
        for name, (hit, miss) in params.items():
            base = {"patient": ids["Patient"]} if rtype in NEEDS_PATIENT and name != "patient" else {}
            if name == "_lastUpdated" and rtype in ("Patient", "PractitionerRole", "Practitioner"):
                base = {"_id": ids["Patient" if rtype == "Patient" else "PractitionerRole"]}  # required
            found = client.get(f"/fhir/{rtype}", params={**base, name: hit}, headers=admin.headers())
            assert found.status_code == 200, (rtype, name, found.text)
            assert found.json()["total"] >= 1, (rtype, name, hit)
            if name == "patient" and miss == "nobody":
                continue  # an unknown patient is a 404, not an empty search
            missed = client.get(f"/fhir/{rtype}", params={**base, name: miss}, headers=admin.headers()).json()
            assert missed["total"] == 0, (rtype, name, miss)


def test_and_or_tokens_and_refused_or_lenient_unknown_parameters(
    client: TestClient, imported: dict[str, Any]
) -> None:
    ids = locations(imported)
    karin = Fhir(client, "karin")
    pid = ids["Patient"]

    def total(**params: Any) -> int:
        response = karin.get("Procedure", patient=pid, **params)
        assert response.status_code == 200, response.text
        return int(response.json()["total"])

    assert total(code="AW020,AU010") == 2  # OR within a parameter
    assert total(code="AW020,AU010", date="2026-02-05") == 0  # AND across parameters
    assert total(code=f"{KVA}|") == 3 and total(code="http://wrong.example|") == 0
    assert total(code="|AW020") == 0  # the codes have a system
    # a repeated parameter is ANDed: within February, not before the 6th
    response = client.get(
        f"/fhir/Procedure?patient={pid}&date=ge2026-02-01&date=ge2026-02-06", headers=karin.headers()
    )
    assert response.json()["total"] == 2
    # an unknown parameter is refused by default, ignored (and left out of self) only when asked to be lenient
    refused = karin.get("Procedure", patient=pid, color="blue")
    assert "color" in outcome(refused, 400)["issue"][0]["diagnostics"]
    lenient = client.get(
        f"/fhir/Procedure?patient={pid}&color=blue&_sort=date",
        headers=karin.headers({"Prefer": "return=representation; handling=lenient"}),
    )
    assert lenient.status_code == 200 and lenient.json()["total"] == 3
    self_link = next(x["url"] for x in lenient.json()["link"] if x["relation"] == "self")
    assert "color" not in self_link and "_sort=date" in self_link and f"patient={pid}" in self_link
    strict = client.get(
        f"/fhir/Procedure?patient={pid}&color=blue", headers=karin.headers({"Prefer": "handling=strict"})
    )
    assert "color" in outcome(strict, 400)["issue"][0]["diagnostics"]
    for bad in ({"date": "2026-13"}, {"date": "xx2026"}, {"date": "2026-02-30"}, {"date": "ap2026"}):
        outcome(karin.get("Procedure", patient=pid, **bad), 400)
    outcome(karin.get("Procedure", patient=pid, **{"code:text": "x"}), 400)
    outcome(karin.get("Procedure", patient=pid, _count="-1"), 400)
    outcome(karin.get("Procedure", patient=pid, code="a|b|c"), 400)


@pytest.mark.parametrize(
    ("search", "target", "expected"),
    [
        ("2026", "2026-03-05", True),
        ("2026-03", "2026-03-05", True),
        ("2026-03", "2026-04-01", False),
        ("ne2026-03", "2026-04-01", True),
        ("gt2026-03", "2026-04-01", True),
        ("gt2026-03", "2026-03-31", False),
        ("ge2026-03", "2026-03-01", True),
        ("lt2026-03-05", "2026-03-04", True),
        ("le2026-03-05", "2026-03-05", True),
        ("le2026-03-05", "2026-03-06", False),
        ("sa2026-03-05", "2026-03-06", True),
        ("sa2026-03", "2026-03-31", False),
        ("eb2026", "2025-12-31", True),
        ("eb2026", "2026-01-01", False),
        ("eq2026-03-05", "2026-03-05T10:00:00+01:00", True),
        ("2026-03-05T10:00:00Z", "2026-03-05", False),  # a second does not contain the day
        ("le2026-03-05T10:00:00Z", "2026-03-05", True),  # the day starts before that second
    ],
)
def test_date_prefixes_compare_ranges(search: str, target: str, expected: bool) -> None:
    value: DateValue = parse_date_value("date", search)
    found = date_range(target)
    assert found is not None
    assert value.matches(found) is expected


def test_le_and_ge_find_periods_reaching_into_the_searched_day() -> None:
    """An open-ended episode that starts on the day is ``le`` the day; one ending on it is ``ge`` it."""
    from canrehab.fhir.search_values import period_range

    open_ended = period_range("2026-03-05", None)
    ended = period_range("2026-01-01", "2026-03-05")
    assert open_ended is not None and ended is not None
    assert parse_date_value("date", "le2026-03-05").matches(open_ended)
    assert not parse_date_value("date", "le2026-03-04").matches(open_ended)
    assert parse_date_value("date", "ge2026-03-05").matches(ended)
    assert not parse_date_value("date", "ge2026-03-06").matches(ended)


def test_paging_links_and_total(client: TestClient, imported: dict[str, Any]) -> None:
    ids = locations(imported)
    karin = Fhir(client, "karin")
    seen: list[str] = []
    page = karin.get("Procedure", patient=ids["Patient"], _count="2").json()
    Bundle.model_validate(page)
    assert page["total"] == 3 and len(page["entry"]) == 2
    links = {x["relation"]: x["url"] for x in page["link"]}
    assert "previous" not in links
    seen += [e["resource"]["id"] for e in page["entry"]]
    following = parse_qs(urlparse(links["next"]).query)
    assert following["_offset"] == ["2"] and following["_count"] == ["2"]
    nxt = karin.get("Procedure", **{k: v[0] for k, v in following.items()}).json()
    assert nxt["total"] == 3 and len(nxt["entry"]) == 1
    relations = {x["relation"] for x in nxt["link"]}
    assert "previous" in relations and "next" not in relations
    seen += [e["resource"]["id"] for e in nxt["entry"]]
    assert len(set(seen)) == 3
    only_total = karin.get("Procedure", patient=ids["Patient"], _count="0").json()
    assert only_total["total"] == 3 and only_total["entry"] == []
    capped = karin.get("Procedure", patient=ids["Patient"], _count="100000").json()
    assert "_count=200" in capped["link"][0]["url"]


def _audit(app: FastAPI) -> list[Any]:
    with app.state.fhir_services.uow(actor("admin"), log_reads=False) as uow:
        return list(uow.audit.query(limit=10_000))


def test_every_read_search_and_export_of_patient_data_is_audited_with_the_patient(
    fhir_app: FastAPI, client: TestClient, imported: dict[str, Any]
) -> None:
    ids = locations(imported)
    pid = ids["Patient"]
    karin = Fhir(client, "karin")
    requests: list[tuple[str, dict[str, str]]] = [
        ("Patient/" + pid, {}),
        ("Patient", {"identifier": "191212121212"}),
        ("EpisodeOfCare/" + ids["EpisodeOfCare"], {}),
        ("Condition/" + ids["EpisodeOfCare"] + "-dx", {}),
        ("QuestionnaireResponse/" + ids["QuestionnaireResponse"], {}),
        ("CarePlan/" + ids["CarePlan"], {}),
        ("CarePlan/" + ids["CarePlan"] + "/_history", {}),
        ("Goal/" + ids["CarePlan"] + "-g1", {}),
        ("ServiceRequest/" + ids["ServiceRequest"], {}),
        ("Task/" + ids["Task"], {}),
        ("Procedure/" + ids["Procedure"], {}),
    ]
    requests += [(t, {"patient": pid}) for t in sorted(NEEDS_PATIENT)]
    for url, params in requests:
        before = len(_audit(fhir_app))
        response = karin.get(url, **params)
        assert response.status_code == 200, (url, response.text)
        new = _audit(fhir_app)[: len(_audit(fhir_app)) - before]
        assert any(e.action == "read" and e.patient_id == pid and e.actor_username == "karin" for e in new), (
            url
        )
    from canrehab.fhir import export as bulk

    before = len(_audit(fhir_app))
    kickoff = client.get("/fhir/$export", headers=Fhir(client, "chef").headers({"Prefer": "respond-async"}))
    assert kickoff.status_code == 202, kickoff.text
    bulk.wait(kickoff.headers["content-location"].rsplit("/", 1)[1], timeout=60)
    new = _audit(fhir_app)[: len(_audit(fhir_app)) - before]
    assert any(e.action == "read" and e.patient_id == pid and e.actor_username == "chef" for e in new)


def test_audit_events_are_paged_filtered_in_the_database_and_reading_them_is_logged(
    fhir_app: FastAPI, client: TestClient, imported: dict[str, Any]
) -> None:
    ids = locations(imported)
    pid = ids["Patient"]
    chef = Fhir(client, "chef")
    outcome(Fhir(client, "eva").get(f"Patient/{pid}"), 403)  # a denial to find
    stored = [e for e in _audit(fhir_app) if e.patient_id == pid]
    first = chef.get("AuditEvent", patient=pid, _count="2").json()
    assert first["total"] >= len(stored) and len(first["entry"]) == 2
    assert any(x["relation"] == "next" for x in first["link"])
    denied = chef.get("AuditEvent", patient=pid, outcome="4").json()
    assert denied["total"] == 1
    assert denied["entry"][0]["resource"]["agent"][0]["who"]["identifier"]["value"] == "eva"
    assert (
        chef.get("AuditEvent", patient=pid, subtype=f"{systems.RESTFUL_INTERACTION}|create").json()["total"]
        >= 1
    )
    assert chef.get("AuditEvent", patient=pid, action="http://wrong.example|R").json()["total"] == 0
    assert chef.get("AuditEvent", patient=pid, date="2000").json()["total"] == 0
    assert chef.get("AuditEvent", patient=pid, date="gt2000").json()["total"] >= len(stored)
    one = denied["entry"][0]["resource"]["id"]
    assert chef.get(f"AuditEvent/{one}").json()["id"] == one
    outcome(chef.get("AuditEvent/99999999999999999999999"), 404)
    outcome(Fhir(client, "karin").get("AuditEvent", patient=pid), 403)
    # a unit manager sees only entries that concern their units: not the other units' staff's own events
    kir_only = [e for e in _audit(fhir_app) if e.actor_username == "eva" and e.patient_id is None]
    admin = Fhir(client, "admin")
    if kir_only:
        outcome(chef.get(f"AuditEvent/{kir_only[0].id}"), 404)
        assert admin.get(f"AuditEvent/{kir_only[0].id}").status_code == 200
    assert chef.get("AuditEvent").json()["total"] < admin.get("AuditEvent").json()["total"]
    reads = [e for e in _audit(fhir_app) if e.entity_type == "audit_log" and e.actor_username == "chef"]
    assert any(e.patient_id == pid for e in reads)
    assert any(e.patient_id is None for e in reads)


def test_careplan_content_versions_are_read_as_v_n(client: TestClient, imported: dict[str, Any]) -> None:
    from canrehab.fhir import mapping as m
    from canrehab.fhir.mapping.plan import plan_version_from_fhir

    ids = locations(imported)
    karin = Fhir(client, "karin")
    plan = m.rehab_plan_from_fhir(karin.get(f"CarePlan/{ids['CarePlan']}").json())
    history = karin.get(f"CarePlan/{ids['CarePlan']}/_history")
    assert history.status_code == 200, history.text
    Bundle.model_validate(history.json())
    versions = [e["resource"]["meta"]["versionId"] for e in history.json()["entry"]]
    assert versions == [str(plan.version)]  # the record's versions; content versions are vread as v<n>
    v1 = karin.get(f"CarePlan/{ids['CarePlan']}/_history/v1")
    assert v1.status_code == 200 and v1.headers["etag"] == 'W/"v1"'
    assert plan_version_from_fhir(v1.json()) == (plan.id, plan.versions[0])
    current = karin.get(f"CarePlan/{ids['CarePlan']}/_history/{plan.version}")
    assert current.status_code == 200 and current.json()["meta"]["versionId"] == str(plan.version)
    for unknown in ("v9", "7", "x"):
        outcome(karin.get(f"CarePlan/{ids['CarePlan']}/_history/{unknown}"), 404)
    outcome(Fhir(client, "eva").get(f"CarePlan/{ids['CarePlan']}/_history"), 403)


def test_a_nurse_names_only_staff_of_her_own_unit_as_performer(
    client: TestClient, imported: dict[str, Any]
) -> None:
    ids = locations(imported)
    karin = Fhir(client, "karin")
    procedure = copy.deepcopy(karin.get(f"Procedure/{ids['Procedure']}").json())
    procedure.pop("id")
    other_unit = copy.deepcopy(procedure)
    other_unit["performer"][0]["actor"]["reference"] = "PractitionerRole/diet-reh"
    body = outcome(karin.post("Procedure", other_unit), 403)
    assert "diet-reh" in body["issue"][0]["diagnostics"]
    assert karin.get("Procedure", patient=ids["Patient"]).json()["total"] == 3
    herself = copy.deepcopy(procedure)
    herself["performer"][0]["actor"]["reference"] = "PractitionerRole/nurse-onk"
    assert karin.post("Procedure", herself).status_code == 201
    colleague = copy.deepcopy(procedure)  # the imported contact nurse works at the same unit
    assert karin.post("Procedure", colleague).status_code == 201
    assert Fhir(client, "admin").post("Procedure", other_unit).status_code == 201  # an import as recorded
