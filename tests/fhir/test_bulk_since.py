"""Bulk export and the REST read agree: every exported resource carries the ``meta.lastUpdated`` the read of
that resource gives (and its ``Last-Modified``), identified exports are the read mapping's resources, and
``_since`` exports only the records written after it (the ``updated_at`` columns, migration 0013)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from fastapi.testclient import TestClient

from tests.fhir.harness import Fhir
from tests.fhir.test_api import locations
from tests.fhir.test_bulk_export import download, finished, kickoff


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _since(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_exported_resources_are_the_reads_with_their_last_updated(
    client: TestClient, imported: dict[str, Any]
) -> None:
    admin = Fhir(client, "admin")
    files = download(client, "admin", finished(client, "admin", kickoff(client, "admin")))
    wanted = {"Patient", "EpisodeOfCare", "Condition", "Procedure", "Organization", "Practitioner"}
    assert set(files) >= wanted
    compared = 0
    for rtype, resources in files.items():
        for resource in resources:
            read = admin.get(f"{rtype}/{resource['id']}")
            assert read.status_code == 200, (rtype, read.text)
            body = read.json()
            assert resource["meta"]["lastUpdated"] == body["meta"]["lastUpdated"], rtype
            modified = parsedate_to_datetime(read.headers["last-modified"])
            assert modified == _instant(resource["meta"]["lastUpdated"]).replace(microsecond=0), rtype
            # the identified export is exactly the read mapping's resource
            assert resource == body, rtype
            compared += 1
    assert compared == sum(len(r) for r in files.values()) > 10


def test_since_just_before_a_change_exports_only_the_changed_record(
    client: TestClient, imported: dict[str, Any]
) -> None:
    admin = Fhir(client, "admin")
    pid = locations(imported)["Patient"]
    time.sleep(0.01)  # the import's instants lie strictly before ``before``
    before = datetime.now(UTC)
    time.sleep(0.01)
    patient = admin.get(f"Patient/{pid}").json()
    patient["name"] = [{"use": "official", "text": "Tolvan Ek"}]
    changed = admin.put(f"Patient/{pid}", patient)
    assert changed.status_code == 200, changed.text
    stamp = changed.json()["meta"]["lastUpdated"]
    for url in ("$export", "Patient/$export"):
        manifest = finished(client, "admin", kickoff(client, "admin", url, params={"_since": _since(before)}))
        assert {o["type"]: o["count"] for o in manifest["output"]} == {"Patient": 1}, url
        exported = download(client, "admin", manifest)["Patient"][0]
        assert exported["id"] == pid and exported["name"][0]["text"] == "Tolvan Ek"
        assert exported["meta"]["lastUpdated"] == stamp
    # the change's own instant is not "after" it; a _since before the import exports everything again
    at_change = {"_since": _since(_instant(stamp))}
    assert finished(client, "admin", kickoff(client, "admin", params=at_change))["output"] == []
    earlier = {"_since": _since(before - timedelta(hours=1))}
    everything = finished(client, "admin", kickoff(client, "admin", params=earlier))
    counts = {o["type"]: o["count"] for o in everything["output"]}
    assert counts["Patient"] == 1 and counts["Procedure"] == 3 and counts["Organization"] >= 1
