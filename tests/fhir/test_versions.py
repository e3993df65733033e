"""Versions and last-updated instants against the running app (issue 15 items 3-4): ``meta.lastUpdated`` on
every resource, ``Last-Modified`` and ``If-Modified-Since`` on reads, ``_lastUpdated`` search and sort on
every type, history and vread for every type whose records change (Patient included), the ETag of a kept
version consistent with If-Match, and a CapabilityStatement that declares vread/history exactly there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from fastapi.testclient import TestClient

from tests.fhir.harness import Fhir
from tests.fhir.test_api import locations, outcome

VERSIONED = {"Patient", "EpisodeOfCare", "QuestionnaireResponse", "CarePlan", "ServiceRequest", "Task"}


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _every_resource(client: TestClient, imported: dict[str, Any]) -> list[dict[str, Any]]:
    ids = locations(imported)
    admin = Fhir(client, "admin")
    pid = ids["Patient"]
    urls = [f"{e['response']['location'].rsplit('/_history', 1)[0]}" for e in imported["entry"]]
    urls += [
        f"Condition/{ids['EpisodeOfCare']}-dx",
        f"Goal/{ids['CarePlan']}-g1",
        f"Practitioner/{ids['PractitionerRole']}",
        "Questionnaire/halsoskattning",
    ]
    found = []
    for url in urls:
        response = admin.get(url)
        assert response.status_code == 200, (url, response.text)
        found.append(response.json())
    found += [e["resource"] for e in admin.get("AuditEvent", patient=pid, _count="3").json()["entry"]]
    return found


def test_every_resource_carries_meta_last_updated_and_reads_say_last_modified(
    client: TestClient, imported: dict[str, Any]
) -> None:
    resources = _every_resource(client, imported)
    types = {r["resourceType"] for r in resources}
    assert types >= {"Patient", "Organization", "PractitionerRole", "Practitioner", "Condition", "Goal"}
    assert types >= {"AuditEvent", "Questionnaire", "Procedure", "Task", "ServiceRequest", "CarePlan"}
    now = datetime.now(UTC)
    for resource in resources:
        stamp = _instant(resource["meta"]["lastUpdated"])
        assert stamp.tzinfo is not None and stamp <= now + timedelta(seconds=1), resource["resourceType"]
    admin = Fhir(client, "admin")
    pid = locations(imported)["Patient"]
    read = admin.get(f"Patient/{pid}")
    modified = parsedate_to_datetime(read.headers["last-modified"])
    assert modified == _instant(read.json()["meta"]["lastUpdated"]).replace(microsecond=0)
    searched = admin.get("Procedure", patient=pid).json()["entry"]
    assert all("lastUpdated" in e["resource"]["meta"] for e in searched)


def test_if_modified_since_is_304_until_the_record_changes(
    client: TestClient, imported: dict[str, Any]
) -> None:
    karin = Fhir(client, "karin")
    pid = locations(imported)["Patient"]
    first = karin.get(f"Patient/{pid}")
    stamp = first.headers["last-modified"]
    later = format_datetime(parsedate_to_datetime(stamp) + timedelta(hours=1), usegmt=True)
    earlier = format_datetime(parsedate_to_datetime(stamp) - timedelta(seconds=1), usegmt=True)
    for since in (stamp, later):
        cached = client.get(f"/fhir/Patient/{pid}", headers=karin.headers({"If-Modified-Since": since}))
        assert cached.status_code == 304 and cached.content == b"", since
        assert cached.headers["last-modified"] == stamp
    for since in (earlier, "not a date"):
        response = client.get(f"/fhir/Patient/{pid}", headers=karin.headers({"If-Modified-Since": since}))
        assert response.status_code == 200, since
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.1.3)
    both = karin.headers({"If-Modified-Since": later, "If-None-Match": 'W/"9"'})
    assert client.get(f"/fhir/Patient/{pid}", headers=both).status_code == 200
    body = first.json()
    body["name"] = [{"use": "official", "text": "Tolvan Ek"}]
    updated = karin.put(f"Patient/{pid}", body)
    assert updated.status_code == 200, updated.text
    assert _instant(updated.json()["meta"]["lastUpdated"]) >= _instant(body["meta"]["lastUpdated"])
    assert updated.headers["last-modified"]


def test_last_updated_searches_and_sorts_on_every_type(client: TestClient, imported: dict[str, Any]) -> None:
    admin = Fhir(client, "admin")
    ids = locations(imported)
    pid = ids["Patient"]
    procedures = admin.get("Procedure", patient=pid).json()
    stamps = sorted(_instant(e["resource"]["meta"]["lastUpdated"]) for e in procedures["entry"])
    assert admin.get("Procedure", patient=pid, _lastUpdated="gt2000").json()["total"] == 3
    assert admin.get("Procedure", patient=pid, _lastUpdated="lt2000").json()["total"] == 0
    day = stamps[0].date().isoformat()
    assert admin.get("Procedure", patient=pid, _lastUpdated=day).json()["total"] == 3
    # a change moves the record past the others: gt the latest stamp before it finds only the changed one
    before = max(
        _instant(admin.get(f"{t}/{ids[t]}").json()["meta"]["lastUpdated"])
        for t in ("Patient", "EpisodeOfCare")
    )
    patient = admin.get(f"Patient/{pid}").json()
    patient["name"] = [{"use": "official", "text": "Tolvan Ek"}]
    assert admin.put(f"Patient/{pid}", patient).status_code == 200
    after = f"gt{before.isoformat().replace('+00:00', 'Z')}"
    assert admin.get("Patient", _id=pid, _lastUpdated=after).json()["total"] == 1
    assert admin.get("EpisodeOfCare", patient=pid, _lastUpdated=after).json()["total"] == 0
    # _sort=_lastUpdated, descending too, paged after sorting
    newest = admin.get("Procedure", patient=pid, _sort="-_lastUpdated", _count="1").json()
    assert newest["total"] == 3 and len(newest["entry"]) == 1
    assert _instant(newest["entry"][0]["resource"]["meta"]["lastUpdated"]) == stamps[-1]
    ordered = admin.get("Procedure", patient=pid, _sort="_lastUpdated").json()["entry"]
    assert [_instant(e["resource"]["meta"]["lastUpdated"]) for e in ordered] == stamps
    # every type, AuditEvent in the database, Questionnaire by its definition file
    for rtype in ("Organization", "Questionnaire"):
        assert admin.get(rtype, _lastUpdated="gt2000").json()["total"] >= 1, rtype
    assert admin.get("AuditEvent", patient=pid, _lastUpdated="gt2000").json()["total"] >= 1
    assert admin.get("AuditEvent", patient=pid, _lastUpdated="lt2000").json()["total"] == 0
    outcome(admin.get("Procedure", patient=pid, _lastUpdated="igår"), 400)


def test_patient_history_keeps_every_version(client: TestClient, imported: dict[str, Any]) -> None:
    karin = Fhir(client, "karin")
    pid = locations(imported)["Patient"]
    original = karin.get(f"Patient/{pid}").json()
    for n, name in enumerate(("Tolvan Ek", "Tolvan Björk"), start=1):
        body = {**original, "name": [{"use": "official", "text": name}]}
        body.pop("meta")
        assert karin.put(f"Patient/{pid}", body, {"If-Match": f'W/"{n}"'}).status_code == 200
    history = karin.get(f"Patient/{pid}/_history")
    assert history.status_code == 200, history.text
    bundle = history.json()
    assert bundle["type"] == "history" and bundle["total"] == 3
    entries = bundle["entry"]
    assert [e["resource"]["meta"]["versionId"] for e in entries] == ["3", "2", "1"]
    assert [e["resource"]["name"][0]["text"] for e in entries] == [
        "Tolvan Björk",
        "Tolvan Ek",
        original["name"][0]["text"],
    ]
    assert [e["request"]["method"] for e in entries] == ["PUT", "PUT", "POST"]
    stamps = [_instant(e["resource"]["meta"]["lastUpdated"]) for e in entries]
    assert stamps == sorted(stamps, reverse=True)
    assert entries[2]["resource"]["meta"]["lastUpdated"] == original["meta"]["lastUpdated"]
    first = karin.get(f"Patient/{pid}/_history/1")
    assert first.status_code == 200 and first.headers["etag"] == 'W/"1"'
    assert first.json()["name"] == original["name"]
    assert first.headers["last-modified"]
    # the ETag of an old version is what If-Match names: stale, so 412
    stale = {**first.json(), "name": [{"use": "official", "text": "Tolvan Gran"}]}
    stale.pop("meta")
    outcome(karin.put(f"Patient/{pid}", stale, {"If-Match": first.headers["etag"]}), 412)
    outcome(karin.get(f"Patient/{pid}/_history/4"), 404)
    outcome(karin.get(f"Patient/{pid}/_history/x"), 404)
    outcome(Fhir(client, "eva").get(f"Patient/{pid}/_history"), 403)
    outcome(Fhir(client, "eva").get(f"Patient/{pid}/_history/1"), 403)


def test_history_is_read_as_the_record_is(client: TestClient, imported: dict[str, Any]) -> None:
    pid = locations(imported)["Patient"]
    for username in ("analys", "eva"):  # no per-patient reads for analysts; another unit's nurse
        outcome(Fhir(client, username).get(f"Patient/{pid}/_history"), 403)


def test_every_versioned_type_has_history_and_the_others_declare_none(
    client: TestClient, imported: dict[str, Any]
) -> None:
    ids = locations(imported)
    admin = Fhir(client, "admin")
    for rtype in sorted(VERSIONED):
        rid = ids[rtype]
        current = admin.get(f"{rtype}/{rid}").json()
        history = admin.get(f"{rtype}/{rid}/_history")
        assert history.status_code == 200, (rtype, history.text)
        assert history.json()["entry"][0]["resource"]["meta"]["versionId"] == current["meta"]["versionId"]
        vid = current["meta"]["versionId"]
        assert admin.get(f"{rtype}/{rid}/_history/{vid}").json()["meta"] == current["meta"], rtype
    statement = client.get("/fhir/metadata").json()
    declared = {
        r["type"]
        for r in statement["rest"][0]["resource"]
        if {"vread", "history-instance"} <= {i["code"] for i in r.get("interaction", [])}
    }
    assert declared == VERSIONED
    for rtype in ("Organization", "Procedure", "Condition"):
        rid = ids.get(rtype) or f"{ids['EpisodeOfCare']}-dx"
        outcome(admin.get(f"{rtype}/{rid}/_history/1"), 404)


def test_episode_history_follows_each_change(client: TestClient, imported: dict[str, Any]) -> None:
    karin = Fhir(client, "karin")
    eid = locations(imported)["EpisodeOfCare"]
    episode = karin.get(f"EpisodeOfCare/{eid}").json()
    history = karin.get(f"EpisodeOfCare/{eid}/_history").json()
    assert history["entry"][0]["resource"] == episode
    mvp = karin.get(f"CarePlan/{eid}-mvp")
    if mvp.status_code == 200:
        mvp_history = karin.get(f"CarePlan/{eid}-mvp/_history").json()
        assert mvp_history["entry"][0]["resource"]["id"] == f"{eid}-mvp"


def test_an_open_ended_episode_starting_on_the_day_is_le_that_day(
    client: TestClient, imported: dict[str, Any]
) -> None:
    karin = Fhir(client, "karin")
    ids = locations(imported)
    episode = karin.get(f"EpisodeOfCare/{ids['EpisodeOfCare']}").json()
    start = episode["period"]["start"][:10]
    assert "end" not in episode["period"], "the example's episode is open-ended"
    for prefix, total in (("le", 1), ("ge", 1), ("lt", 0), ("sa", 0), ("eb", 0), ("ne", 1)):
        found = karin.get("EpisodeOfCare", patient=ids["Patient"], date=f"{prefix}{start}").json()
        assert found["total"] == total, (prefix, found["total"])
