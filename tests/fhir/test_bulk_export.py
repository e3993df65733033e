"""FHIR Bulk Data IG v2 export against the running app (SQLite and PostgreSQL): kick-off (GET and POST) →
202 + Content-Location, status polling, manifest, downloads, cancel, errors; ``_since``, ``_type`` and
``_typeFilter``; references resolve inside the export; every NDJSON line is validated against the R4 JSON
schema and canrehab's profiles (tests/fhir/r4schema)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from canrehab.fhir import export as bulk
from canrehab.fhir import mapping as m
from canrehab.fhir.mapping.common import as_json, to_model
from tests.fhir.harness import KIR, ONK, Fhir, actor
from tests.fhir.r4schema import check
from tests.fhir.test_api import NAME, PNR, audit_actions, locations, outcome

ASYNC = {"Prefer": "respond-async", "Accept": "application/fhir+json"}
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def kickoff(
    client: TestClient, user: str, url: str = "$export", params: Any = None, prefer: bool = True
) -> Any:
    headers = Fhir(client, user).headers(ASYNC if prefer else {"Accept": "application/fhir+json"})
    return client.get(f"/fhir/{url}", params=params, headers=headers)


def job_id(response: Any) -> str:
    assert response.status_code == 202, response.text
    location = response.headers["content-location"]
    assert "/fhir/$export-status/" in location
    return str(location.rsplit("/", 1)[1])


def finished(client: TestClient, user: str, response: Any) -> dict[str, Any]:
    """Waits for the kicked-off job and answers its manifest (200)."""
    jid = job_id(response)
    bulk.wait(jid, timeout=60)
    status = client.get(f"/fhir/$export-status/{jid}", headers=Fhir(client, user).headers())
    assert status.status_code == 200, status.text
    assert status.headers["content-type"].startswith("application/json")
    manifest: dict[str, Any] = status.json()
    return manifest


def download(client: TestClient, user: str, manifest: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for item in manifest["output"]:
        path = item["url"].split("/fhir/", 1)[1]
        response = client.get(
            f"/fhir/{path}", headers=Fhir(client, user).headers({"Accept": "application/fhir+ndjson"})
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/fhir+ndjson")
        lines = [json.loads(line) for line in response.text.splitlines() if line]
        assert len(lines) == item["count"] and all(r["resourceType"] == item["type"] for r in lines)
        for r in lines:
            check(r, item["url"])  # the R4 JSON schema and canrehab's profile
            # the job writes the mappers' JSON unvalidated: it is exactly what the fhir.resources model keeps
            # (but for the model writing the instant to the microsecond)
            assert INSTANT.match(r["meta"]["lastUpdated"]), r
            assert without_last_updated(as_json(to_model(r))) == without_last_updated(r), item["type"]
        out[item["type"]] = lines
    return out


def without_last_updated(resource: dict[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in (resource.get("meta") or {}).items() if k != "lastUpdated"}
    rest = {k: v for k, v in resource.items() if k != "meta"}
    return {**rest, "meta": meta} if meta else rest


def references(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["reference"]] if isinstance(node.get("reference"), str) else []
        return found + [r for v in node.values() for r in references(v)]
    if isinstance(node, list):
        return [r for v in node for r in references(v)]
    return []


def free_text(node: Any) -> list[Any]:
    if isinstance(node, dict):
        keys = ("valueString", "description", "text")
        own = [v for k, v in node.items() if k in keys and isinstance(v, str)]
        return own + [t for v in node.values() for t in free_text(v)]
    if isinstance(node, list):
        return [t for v in node for t in free_text(v)]
    return []


def reference_objects(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        own = [node] if "reference" in node else []
        return own + [r for v in node.values() for r in reference_objects(v)]
    if isinstance(node, list):
        return [r for v in node for r in reference_objects(v)]
    return []


def assert_references_resolve(files: dict[str, list[dict[str, Any]]]) -> None:
    ids = {f"{r['resourceType']}/{r['id']}" for lines in files.values() for r in lines}
    refs = {ref for lines in files.values() for r in lines for ref in references(r)}
    assert refs, "the export holds references"
    dangling = sorted(ref for ref in refs if ref.split("/")[0] in files and ref not in ids)
    assert dangling == []
    for rtype in ("Organization", "PractitionerRole", "Practitioner"):
        assert any(ref.startswith(f"{rtype}/") for ref in refs | ids), rtype


# ---------------------------------------------------------------------------------------------- the flow


def test_system_export_pseudonymised_for_analyst_with_resolving_references(
    fhir_app: FastAPI, client: TestClient, imported: dict[str, Any]
) -> None:
    ids = locations(imported)
    response = kickoff(client, "analys", params={"_outputFormat": "application/fhir+ndjson"})
    manifest = finished(client, "analys", response)
    assert INSTANT.match(manifest["transactionTime"])
    assert manifest["request"].endswith("/fhir/$export?_outputFormat=application%2Ffhir%2Bndjson")
    assert manifest["requiresAccessToken"] is True and manifest["error"] == []
    assert manifest["extension"][bulk.PSEUDONYMISED_EXT] is True
    counts = {o["type"]: o["count"] for o in manifest["output"]}
    assert counts["Patient"] == 1 and counts["Procedure"] == 3 and counts["EpisodeOfCare"] == 1
    assert counts["Organization"] >= 1 and counts["PractitionerRole"] == counts["Practitioner"] >= 1
    files = download(client, "analys", manifest)
    assert_references_resolve(files)
    text = json.dumps(files, ensure_ascii=False)
    assert PNR not in text and NAME not in text and ids["Patient"] not in text
    assert "Karin Nilsson" not in text
    clinical = {t: lines for t, lines in files.items() if t in bulk.CLINICAL}
    assert free_text(clinical) and all(v == bulk.REMOVED for v in free_text(clinical))
    for ref in (r for lines in files.values() for line in lines for r in reference_objects(line)):
        assert "display" not in ref or ref["reference"].startswith("Organization/")
    patient = files["Patient"][0]
    assert patient["birthDate"] == "1912" and "name" not in patient
    assert files["EpisodeOfCare"][0]["patient"]["reference"] == f"Patient/{patient['id']}"
    exports = [e for e in audit_actions(fhir_app, "export") if e.actor_username == "analys"]
    assert any(e.entity_type == "bulk_export_job" for e in exports)
    assert {e.entity_id for e in exports if e.entity_type == "fhir_export"} == set(files)
    reads = audit_actions(fhir_app, "read")
    assert any(e.actor_username == "analys" and e.patient_id == ids["Patient"] for e in reads)


def test_post_kickoff_with_parameters_identified_for_unit_manager(
    client: TestClient, imported: dict[str, Any]
) -> None:
    body = {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "_type", "valueString": "Patient,Procedure"},
            {"name": "_outputFormat", "valueString": "ndjson"},
        ],
    }
    response = client.post("/fhir/$export", json=body, headers=Fhir(client, "chef").headers(ASYNC))
    manifest = finished(client, "chef", response)
    assert manifest["extension"][bulk.PSEUDONYMISED_EXT] is False
    assert [o["type"] for o in manifest["output"]] == ["Patient", "Procedure"]
    files = download(client, "chef", manifest)
    assert m.patient_from_fhir(files["Patient"][0]).personnummer == PNR
    bad = {"resourceType": "Patient"}
    outcome(client.post("/fhir/$export", json=bad, headers=Fhir(client, "chef").headers(ASYNC)), 400)


def test_patient_and_group_level(client: TestClient, imported: dict[str, Any]) -> None:
    manifest = finished(client, "chef", kickoff(client, "chef", "Patient/$export"))
    assert {o["type"]: o["count"] for o in manifest["output"]}["Patient"] == 1
    group = finished(client, "chef", kickoff(client, "chef", f"Group/{ONK}/$export"))
    files = download(client, "chef", group)
    assert len(files["Procedure"]) == 3
    assert_references_resolve(files)
    empty = finished(client, "admin", kickoff(client, "admin", f"Group/{KIR}/$export"))
    assert empty["output"] == []  # no pathway at that unit
    outcome(kickoff(client, "chef", f"Group/{KIR}/$export"), 403)  # not the manager's unit
    outcome(kickoff(client, "admin", "Group/SE2321000016-NONE/$export"), 404)
    outcome(kickoff(client, "karin", "$export"), 403)  # a nurse may not bulk export


def test_type_and_type_filter(client: TestClient, imported: dict[str, Any]) -> None:
    params = [("_type", "Procedure,Organization"), ("_typeFilter", "Procedure?code=AU010,XV019")]
    manifest = finished(client, "analys", kickoff(client, "analys", params=params))
    files = download(client, "analys", manifest)
    assert set(files) == {"Procedure", "Organization"}
    codes = sorted(r["code"]["coding"][0]["code"] for r in files["Procedure"])
    assert codes == ["AU010", "XV019"]
    two = [
        ("_type", "Procedure"),
        ("_typeFilter", "Procedure?code=AU010"),
        ("_typeFilter", "Procedure?code=AW020"),
    ]
    ored = download(client, "analys", finished(client, "analys", kickoff(client, "analys", params=two)))
    assert sorted(r["code"]["coding"][0]["code"] for r in ored["Procedure"]) == ["AU010", "AW020"]


def test_since_uses_the_recorded_changes(client: TestClient, imported: dict[str, Any]) -> None:
    before = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    after = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    changed = finished(client, "admin", kickoff(client, "admin", params={"_since": before}))
    counts = {o["type"]: o["count"] for o in changed["output"]}
    assert counts["Patient"] == 1 and counts["Procedure"] == 3
    later = finished(client, "admin", kickoff(client, "admin", params={"_since": after}))
    assert [o for o in later["output"] if o["type"] in bulk.CLINICAL] == []


@pytest.mark.parametrize(
    ("params", "prefer"),
    [
        ({}, False),  # no Prefer: respond-async
        ({"_outputFormat": "application/fhir+json"}, True),
        ({"start": "2026-01-01"}, True),  # the old synchronous export's period
        ({"_since": "2026-01-01"}, True),  # a date, not an instant
        ({"_type": "Nonsense"}, True),
        ({"_typeFilter": "Procedure?nonsense=1"}, True),
        ({"_typeFilter": "Procedure?_count=1"}, True),
        ({"_typeFilter": "Procedure?patient.identifier=x"}, True),
        ({"_typeFilter": "Procedure"}, True),
        ({"_type": "Patient", "_typeFilter": "Procedure?code=AU010"}, True),
        ({"patient": "Patient/x"}, True),
    ],
)
def test_bad_kickoff_is_400(client: TestClient, params: dict[str, str], prefer: bool) -> None:
    outcome(kickoff(client, "admin", params=params, prefer=prefer), 400)


def test_cancel_removes_files_and_foreign_jobs_are_404(
    fhir_app: FastAPI, client: TestClient, imported: dict[str, Any]
) -> None:
    response = kickoff(client, "chef")
    jid = job_id(response)
    outcome(client.get(f"/fhir/$export-status/{jid}", headers=Fhir(client, "analys").headers()), 404)
    outcome(client.delete(f"/fhir/$export-status/{jid}", headers=Fhir(client, "analys").headers()), 404)
    cancelled = client.delete(f"/fhir/$export-status/{jid}", headers=Fhir(client, "chef").headers())
    assert cancelled.status_code == 202, cancelled.text
    bulk.wait(jid, timeout=60)
    services = fhir_app.state.fhir_services
    assert not bulk.export_dir(services, jid).exists()
    outcome(client.get(f"/fhir/$export-status/{jid}", headers=Fhir(client, "chef").headers()), 404)
    outcome(client.get("/fhir/$export-status/nonexistent", headers=Fhir(client, "chef").headers()), 404)
    done = finished(client, "chef", kickoff(client, "chef"))
    url = done["output"][0]["url"].split("/fhir/", 1)[1]
    outcome(client.get(f"/fhir/{url}", headers=Fhir(client, "analys").headers()), 404)  # not the owner's
    done_id = url.split("/")[1]
    assert (
        client.delete(f"/fhir/$export-status/{done_id}", headers=Fhir(client, "chef").headers()).status_code
        == 202
    )
    assert not bulk.export_dir(services, done_id).exists()
    outcome(client.get(f"/fhir/{url}", headers=Fhir(client, "chef").headers()), 404)


def test_running_job_answers_202_with_progress(fhir_app: FastAPI, client: TestClient) -> None:
    services = fhir_app.state.fhir_services
    now = datetime.now(UTC)
    with services.uow(actor("admin"), log_reads=False) as uow:
        uow.bulk_jobs.add(
            {
                "id": "running-job",
                "owner_username": "admin",
                "owner_role": "admin",
                "owner_units": [],
                "owner_staff_id": None,
                "level": "system",
                "group_id": None,
                "request": "x",
                "parameters": {"types": list(bulk.TYPES)},
                "pseudonymised": False,
                "status": "running",
                "progress": "1000 av 4000 patienter (25 %)",
                "patients_done": 1000,
                "patients_total": 4000,
                "transaction_time": now,
                "created_at": now,
                "updated_at": now,
                "finished_at": None,
                "output": [],
                "error": [],
                "failure": "",
            }
        )
    status = client.get("/fhir/$export-status/running-job", headers=Fhir(client, "admin").headers())
    assert status.status_code == 202
    assert status.headers["x-progress"] == "1000 av 4000 patienter (25 %)"
    assert int(status.headers["retry-after"]) >= 1


def test_failed_job_answers_500_operation_outcome(
    fhir_app: FastAPI, client: TestClient, imported: dict[str, Any]
) -> None:
    services = fhir_app.state.fhir_services
    blocker = bulk.export_dir(services, "x").parent
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("not a directory")  # the job cannot write its files
    response = kickoff(client, "admin")
    jid = job_id(response)
    bulk.wait(jid, timeout=60)
    body = outcome(client.get(f"/fhir/$export-status/{jid}", headers=Fhir(client, "admin").headers()), 500)
    assert body["issue"][0]["code"] == "exception"


def test_capability_statement_declares_the_three_export_levels(client: TestClient) -> None:
    cs = client.get("/fhir/metadata").json()
    assert "http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data" in cs["instantiates"]
    rest = cs["rest"][0]
    system = {o["definition"] for o in rest["operation"]}
    by_type = {r["type"]: {o["definition"] for o in r.get("operation", [])} for r in rest["resource"]}
    base = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/"
    assert base + "export" in system
    assert base + "patient-export" in by_type["Patient"] and base + "group-export" in by_type["Group"]


@pytest.mark.postgres
def test_parallel_workers_share_one_snapshot(
    engine: Any, client: TestClient, imported: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL a large export runs in worker processes reading the job's exported snapshot; here the
    threshold is lowered so that the one imported patient goes through that path."""
    if engine.dialect.name != "postgresql":
        pytest.skip("worker processes share a snapshot on PostgreSQL only")
    monkeypatch.setattr(bulk, "PARALLEL_MIN_PATIENTS", 1)
    manifest = finished(client, "analys", kickoff(client, "analys"))
    assert all(".part" in o["url"] for o in manifest["output"] if o["type"] in bulk.CLINICAL)
    counts = {o["type"]: o["count"] for o in manifest["output"]}
    assert counts["Patient"] == 1 and counts["Procedure"] == 3
    files = download(client, "analys", manifest)
    assert_references_resolve(files)


def test_lines_are_the_compact_json_of_json_dumps(tmp_path: Any) -> None:
    """The NDJSON lines (orjson) are byte for byte what ``json.dumps(…, ensure_ascii=False, separators=(",",
    ":"))`` writes: non-ASCII as UTF-8, escapes, nesting, integers, booleans, null; the error file too."""
    resource = {
        "resourceType": "Patient",
        "id": "p-1",
        "name": [{"family": "Åström", "given": ['Märta "Mia"', "tab\there"]}],
        "extension": [{"url": "x", "valueInteger": -12}, {"url": "y", "valueBoolean": False}],
        "note": [{"text": "rad 1\nrad 2 \\ \u2028 \x01 é€😀"}],
        "deceasedBoolean": None,
    }
    expected = json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n"
    writer = bulk._Writer(tmp_path)
    writer.write("Patient", bulk.dumps(resource))
    writer.issues.append(bulk._issue("Organization/SE1 is referenced by exported resources but not stored."))
    writer.close()
    assert (tmp_path / "Patient.ndjson").read_bytes() == expected.encode("utf-8")
    issue = json.dumps(writer.issues[0], ensure_ascii=False, separators=(",", ":")) + "\n"
    assert (tmp_path / "OperationOutcome.ndjson").read_text(encoding="utf-8") == issue


def test_scrub_pseudonymises_the_line() -> None:
    """Patient references use the pseudonym, free text is removed (escaped quotes included), staff displays
    go and an Organization's display stays; a patient outside the batch keeps its reference."""
    resource = {
        "resourceType": "Task",
        "for": {"reference": "Patient/p1", "display": "Märta Åström"},
        "basedOn": [{"reference": "Patient/other"}],
        "owner": {"reference": "Organization/SE1", "display": "Onkologen"},
        "requester": {"reference": "PractitionerRole/r1", "display": 'Dr "Doc" Ek'},
        "description": 'säger "hej" \\ då',
        "note": [{"text": "fri text"}],
        "input": [{"type": {"text": "typ"}, "valueString": "värde"}],
    }
    line = bulk.scrub(bulk.dumps(resource), {"p1": "PSEUDO1"})
    out = json.loads(line)
    removed = bulk.REMOVED
    assert out["for"] == {"reference": "Patient/PSEUDO1"}
    assert out["basedOn"] == [{"reference": "Patient/other"}]
    assert out["owner"] == {"reference": "Organization/SE1", "display": "Onkologen"}
    assert out["requester"] == {"reference": "PractitionerRole/r1"}
    assert out["description"] == removed and out["note"] == [{"text": removed}]
    assert out["input"] == [{"type": {"text": removed}, "valueString": removed}]


# The regular expressions ``scrub`` replaced (bulk3), kept here as its specification.
_BODY = rb'[^"\\]*(?:\\.[^"\\]*)*'
_STRING = b'"' + _BODY + b'"'
_PATIENT_REF = re.compile(rb'"reference":"Patient/(' + _BODY + b')"')
_FREE_TEXT = tuple(
    re.compile(b'"' + key + b'":' + _STRING) for key in (b"valueString", b"description", b"text")
)
_STAFF_DISPLAY = re.compile(rb'("reference":"(?!Organization/)' + _BODY + b'"),"display":' + _STRING)


def _scrub_by_regex(line: bytes, pseudonyms: dict[str, str]) -> bytes:
    def patient(match: re.Match[bytes]) -> bytes:
        pseudonym = pseudonyms.get(match.group(1).decode("utf-8"))
        return match.group(0) if pseudonym is None else b'"reference":"Patient/' + pseudonym.encode() + b'"'

    line = _PATIENT_REF.sub(patient, line)
    for key, pattern in zip((b"valueString", b"description", b"text"), _FREE_TEXT, strict=True):
        line = pattern.sub(b'"' + key + b'":' + bulk.dumps(bulk.REMOVED), line)
    return _STAFF_DISPLAY.sub(rb"\1", line)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                ["Patient/p1", "Patient/p2", 'Patient/x"\\', "Organization/o", "Practitioner/a\\"]
            ),
            st.one_of(st.none(), st.text(alphabet='ab"\\\n\u2028å:,{}', max_size=8)),
            st.text(alphabet='ab"\\\n:,{}"reference":"text', max_size=12),
        ),
        max_size=4,
    )
)
@settings(max_examples=300, deadline=None)
def test_scrub_equals_the_regular_expressions(parts: list[tuple[str, str | None, str]]) -> None:
    """References with and without displays, free text with quotes, backslashes and key-like text: the
    byte-level ``scrub`` gives what the regular expressions gave."""
    resource: dict[str, object] = {"resourceType": "Task"}
    for i, (target, display, text) in enumerate(parts):
        ref: dict[str, object] = {"reference": target}
        if display is not None:
            ref["display"] = display
        resource[f"r{i}"] = [ref, {"text": text, "valueString": text, "code": text}]
        resource[f"description{i}"] = {"description": text, "reference": text}
    line = bulk.dumps(resource)
    pseudonyms = {"p1": "PSEUDO1", 'x"\\': "PSEUDO2"}
    assert bulk.scrub(line, pseudonyms) == _scrub_by_regex(line, pseudonyms)
