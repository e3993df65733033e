"""The SVF record through FHIR (the EpisodeOfCare extension ``svf``): a journal system's round trip, on
SQLite and PostgreSQL. What the FHIR door writes the web door's use case (``services.svf``) reads and the
other way round; a stale or missing version and every refusal of the record's rules are answered naming the
sub-extension, and nothing is written — not even the pathway change of the same update."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from canrehab.domain.model import Pathway
from canrehab.domain.pathway import start_at_suspicion
from canrehab.domain.svf import FIRST_TREATMENT_SV, FirstTreatment, SvfRecord
from canrehab.fhir import mapping as m
from canrehab.fhir import systems
from canrehab.fhir.mapping.svf import SvfState, definitions, part_path, svf_ext
from canrehab.services import patients as patient_service
from canrehab.services import suspicion
from canrehab.services import svf as svf_service
from canrehab.services.context import SYSTEM
from tests.fhir.harness import ONK, TODAY, Fhir, actor
from tests.fhir.r4schema import extension_errors, profile_errors
from tests.fhir.test_api import outcome
from tests.fhir.test_bulk_export import download, finished, kickoff

SUSPECTED = date(2026, 2, 10)
SVF = "EpisodeOfCare.extension('svf')"


def _patient(app: FastAPI, personnummer: str = "191212121212") -> str:
    patient = patient_service.register_patient(
        app.state.fhir_services, actor("karin"), personnummer=personnummer, name="Tolvan T", county_code="01"
    )
    return str(patient.id)


def _svf_of(resource: dict[str, Any]) -> dict[str, Any]:
    """The ``svf`` extension's sub-extensions by name (each one's one value)."""
    (found,) = [e for e in resource.get("extension", []) if e["url"] == systems.EXT_SVF]
    return {p["url"]: next(v for k, v in p.items() if k.startswith("value")) for p in found["extension"]}


def _with_svf(resource: dict[str, Any], **parts: Any) -> dict[str, Any]:
    """``resource`` with its ``svf`` sub-extensions changed: a value sets one (of the sub-extension's type;
    a pair ``(valueX, value)`` as given), None removes it."""
    changed = copy.deepcopy(resource)
    (found,) = [e for e in changed["extension"] if e["url"] == systems.EXT_SVF]
    kinds = {"suspicion": "Date", "mdk": "Date", "treatmentStart": "Date", "mdkDiscussed": "Boolean"}
    kinds |= {"version": "Integer", "pathway": "Coding", "firstTreatment": "Coding"}
    for name, value in parts.items():
        found["extension"] = [p for p in found["extension"] if p["url"] != name]
        if isinstance(value, tuple):
            found["extension"].append({"url": name, value[0]: value[1]})
        elif value is not None:
            found["extension"].append({"url": name, f"value{kinds[name]}": value})
    return changed


def _coding(system: str, code: str) -> dict[str, str]:
    return {"system": system, "code": code}


def _posted(app: FastAPI, patient_id: str, svf: SvfState | None, process: str = "prostate") -> dict[str, Any]:
    """A new EpisodeOfCare at välgrundad misstanke as a journal system sends it (its provisional
    Condition contained), with ``svf`` as its extension."""
    with app.state.fhir_services.uow(SYSTEM, log_reads=False) as uow:
        patient, unit = uow.patients.get(patient_id), uow.units.get(ONK)
    pathway = start_at_suspicion(patient, unit, process, SUSPECTED, TODAY)
    episode = m.as_json(m.episode_to_fhir(pathway, svf))
    condition = m.as_json(m.condition_to_fhir(pathway))
    for resource in (episode, condition):
        resource.pop("id"), resource.pop("meta")
    episode["contained"] = [{**condition, "id": "dx"}]
    episode["diagnosis"] = [{"condition": {"reference": "#dx"}, "rank": 1}]
    return episode


def _web_started(app: FastAPI, svf_pathway: str = "prostatacancer") -> Pathway:
    """A pathway the web page started at välgrundad misstanke (its SVF record at version 1)."""
    return suspicion.start(
        app.state.fhir_services,
        actor("karin"),
        patient_id=_patient(app),
        unit_hsa_id=ONK,
        svf_pathway=svf_pathway,
        suspicion_on=SUSPECTED,
    )


def _read_web_started(client: TestClient, app: FastAPI) -> tuple[Pathway, Fhir, Any]:
    """A pathway the web page started, and its EpisodeOfCare as the nurse Karin reads it through FHIR."""
    pathway = _web_started(app)
    karin = Fhir(client, "karin")
    return pathway, karin, karin.get(f"EpisodeOfCare/{pathway.id}")


def _found(app: FastAPI, pathway_id: str, patient_id: str) -> tuple[SvfRecord, int] | None:
    return svf_service.find(app.state.fhir_services, actor("karin"), patient_id, pathway_id)


def test_a_journal_systems_round_trip_through_both_doors(client: TestClient, fhir_app: FastAPI) -> None:
    karin = Fhir(client, "karin")
    patient_id = _patient(fhir_app)
    posted = _posted(fhir_app, patient_id, SvfState(SvfRecord("prostatacancer", SUSPECTED), None))
    created = karin.post("EpisodeOfCare", posted)
    assert created.status_code == 201, created.text
    pathway_id = created.json()["id"]
    assert _svf_of(created.json()) == {
        "pathway": {"system": systems.CS_SVF_PATHWAY, "code": "prostatacancer", "display": "Prostatacancer"},
        "suspicion": "2026-02-10",
        "version": 1,
    }
    # the MDK, then the treatment start with its kind, each on the version read
    read = karin.get(f"EpisodeOfCare/{pathway_id}")
    mdk = _with_svf(read.json(), mdkDiscussed=True, mdk="2026-02-17")
    answer = karin.put(f"EpisodeOfCare/{pathway_id}", mdk, {"If-Match": read.headers["etag"]})
    assert answer.status_code == 200, answer.text
    # the SVF change moves the EpisodeOfCare's version: a cached copy is not answered 304, and a write
    # based on the old version is stale
    assert _svf_of(answer.json())["version"] == 2 and answer.headers["etag"] != read.headers["etag"]
    assert answer.json()["meta"]["versionId"] == answer.headers["etag"].removeprefix('W/"').rstrip('"')
    cached = client.get(
        f"/fhir/EpisodeOfCare/{pathway_id}",
        headers={**karin.headers(), "If-None-Match": read.headers["etag"]},
    )
    assert cached.status_code == 200 and _svf_of(cached.json())["mdk"] == "2026-02-17"
    kirurgi = _coding(systems.CS_SVF_FIRST_TREATMENT, "kirurgi")
    started = _with_svf(answer.json(), treatmentStart="2026-03-01", firstTreatment=kirurgi, version=2)
    based_on_old = {**started, "meta": {**started["meta"], "versionId": read.json()["meta"]["versionId"]}}
    stale = karin.put(f"EpisodeOfCare/{pathway_id}", based_on_old, {"If-Match": read.headers["etag"]})
    assert stale.status_code == 412, stale.text
    answer = karin.put(f"EpisodeOfCare/{pathway_id}", started, {"If-Match": answer.headers["etag"]})
    assert answer.status_code == 200, answer.text
    expected = SvfRecord(
        "prostatacancer", SUSPECTED, True, date(2026, 2, 17), date(2026, 3, 1), FirstTreatment.KIRURGI
    )
    # the web door's use case reads what the FHIR door wrote ...
    assert _found(fhir_app, pathway_id, patient_id) == (expected, 3)
    parts = _svf_of(karin.get(f"EpisodeOfCare/{pathway_id}").json())
    assert parts["firstTreatment"] == {**kirurgi, "display": "Kirurgi"} and parts["version"] == 3
    # ... and the FHIR door reads what the web door writes
    corrected = SvfRecord(
        "prostatacancer", SUSPECTED, True, date(2026, 2, 18), date(2026, 3, 1), expected.first_treatment
    )
    services = fhir_app.state.fhir_services
    svf_service.record(services, actor("karin"), patient_id, pathway_id, corrected, expected_version=3)
    parts = _svf_of(karin.get(f"EpisodeOfCare/{pathway_id}").json())
    assert parts["mdk"] == "2026-02-18" and parts["version"] == 4
    # search, history and version read carry it
    found = karin.get("EpisodeOfCare", patient=patient_id).json()["entry"][0]["resource"]
    assert _svf_of(found)["version"] == 4
    history = karin.get(f"EpisodeOfCare/{pathway_id}/_history").json()["entry"]
    assert all(_svf_of(e["resource"])["version"] == 4 for e in history)
    vread = karin.get(f"EpisodeOfCare/{pathway_id}/_history/1").json()
    assert _svf_of(vread)["version"] == 4 and profile_errors(vread) == []


def test_each_svf_read_is_audited_as_the_web_pages_is(client: TestClient, fhir_app: FastAPI) -> None:
    pathway = _web_started(fhir_app)
    before = _svf_reads(fhir_app, pathway.id)
    assert Fhir(client, "karin").get(f"EpisodeOfCare/{pathway.id}").status_code == 200
    assert _svf_reads(fhir_app, pathway.id) == before + 1


def _svf_reads(app: FastAPI, pathway_id: str) -> int:
    from sqlalchemy import func, select

    from canrehab.store.orm import TABLES

    audit = TABLES["audit_log"]
    query = select(func.count()).where(
        audit.c.action == "read", audit.c.entity_type == "svf_record", audit.c.entity_id == pathway_id
    )
    with app.state.fhir_services.uow(SYSTEM, log_reads=False) as uow:
        return int(uow.session.execute(query).scalar_one())


def test_a_stale_or_missing_version_is_refused_naming_it_and_nothing_is_written(
    client: TestClient, fhir_app: FastAPI
) -> None:
    pathway, karin, read = _read_web_started(client, fhir_app)
    etag = {"If-Match": read.headers["etag"]}
    first = karin.put(f"EpisodeOfCare/{pathway.id}", _with_svf(read.json(), mdkDiscussed=False), etag)
    assert first.status_code == 200, first.text
    etag = {"If-Match": first.headers["etag"]}  # the pathway's version is current: the SVF record's is not
    for version in (1, None):  # the version read before the change above, or none
        stale = _with_svf(first.json(), mdkDiscussed=True, version=version)
        refused = outcome(karin.put(f"EpisodeOfCare/{pathway.id}", stale, etag), 412)
        issue = refused["issue"][0]
        assert issue["code"] == "conflict" and issue["expression"] == [part_path("version")]
        assert "has version 2" in issue["diagnostics"]
    assert _found(fhir_app, pathway.id, pathway.patient_id) == (
        SvfRecord("prostatacancer", SUSPECTED, mdk_discussed=False),
        2,
    )
    # an unchanged record sent with an old version changes nothing
    unchanged = _with_svf(first.json(), version=1)
    assert karin.put(f"EpisodeOfCare/{pathway.id}", unchanged, etag).status_code == 200
    assert _found(fhir_app, pathway.id, pathway.patient_id) == (
        SvfRecord("prostatacancer", SUSPECTED, mdk_discussed=False),
        2,
    )


FT = systems.CS_SVF_FIRST_TREATMENT
REFUSALS: list[tuple[str, dict[str, Any], str, int]] = [
    ("unknown SVF pathway", {"pathway": _coding(systems.CS_SVF_PATHWAY, "okand")}, "pathway", 422),
    ("SVF pathway of another system", {"pathway": _coding("urn:x", "prostatacancer")}, "pathway", 422),
    ("no SVF pathway", {"pathway": None}, "pathway", 422),
    (
        "unknown first treatment",
        {"treatmentStart": "2026-03-01", "firstTreatment": _coding(FT, "x")},
        "firstTreatment",
        422,
    ),
    ("MDK in the future", {"mdkDiscussed": True, "mdk": "2026-03-03"}, "mdk", 422),
    (
        "treatment start in the future",
        {"treatmentStart": "2026-04-01", "firstTreatment": _coding(FT, "kirurgi")},
        "treatmentStart",
        422,
    ),
    ("MDK before the suspicion", {"mdkDiscussed": True, "mdk": "2026-02-01"}, "mdk", 422),
    (
        "treatment before the suspicion",
        {"treatmentStart": "2026-02-01", "firstTreatment": _coding(FT, "kirurgi")},
        "treatmentStart",
        422,
    ),
    ("MDK date without MDK", {"mdkDiscussed": False, "mdk": "2026-02-17"}, "mdk", 422),
    ("treatment start without its kind", {"treatmentStart": "2026-03-01"}, "firstTreatment", 422),
    ("kind without the start", {"firstTreatment": _coding(FT, "kirurgi")}, "firstTreatment", 422),
    (
        "kind the pathway has no lead time for",
        {"treatmentStart": "2026-03-01", "firstTreatment": _coding(FT, "icke_tumorspecifik")},
        "firstTreatment",
        422,
    ),
    ("suspicion moved", {"suspicion": "2026-02-11"}, "suspicion", 422),
    ("suspicion in the future", {"suspicion": "2026-03-10"}, "suspicion", 422),
    ("MDK as text", {"mdkDiscussed": ("valueString", "ja")}, "mdkDiscussed", 422),
    ("a negative version", {"mdkDiscussed": True, "version": -1}, "version", 422),
]


@pytest.mark.parametrize(
    ("parts", "where", "status"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_each_refusal_names_its_sub_extension_and_rolls_back_the_pathway_change(
    client: TestClient, fhir_app: FastAPI, parts: dict[str, Any], where: str, status: int
) -> None:
    pathway, karin, read = _read_web_started(client, fhir_app)
    wanted = _with_svf(read.json(), **parts)
    # the same update starts the prehabilitation phase: refused with the SVF part, it is not stored
    phase = {"kind": {"system": systems.CS_PHASE, "code": "prehabilitation"}, "on": "2026-02-20"}
    wanted["extension"].append(
        {
            "url": systems.EXT_PHASE,
            "extension": [
                {"url": "kind", "valueCoding": phase["kind"]},
                {"url": "on", "valueDate": phase["on"]},
            ],
        }
    )
    answer = karin.put(f"EpisodeOfCare/{pathway.id}", wanted, {"If-Match": read.headers["etag"]})
    issue = outcome(answer, status)["issue"][0]
    assert issue["expression"] == [part_path(where)], issue
    assert part_path(where) in issue["diagnostics"]
    assert _found(fhir_app, pathway.id, pathway.patient_id) == (SvfRecord("prostatacancer", SUSPECTED), 1)
    now = karin.get(f"EpisodeOfCare/{pathway.id}")
    assert now.headers["etag"] == read.headers["etag"]
    assert not [
        e for e in now.json()["extension"] if e["url"] == systems.EXT_PHASE and "2026-02-20" in str(e)
    ]


def test_the_same_phase_change_with_a_valid_svf_change_is_stored(
    client: TestClient, fhir_app: FastAPI
) -> None:
    """The control of the refusals above: the update they send, valid, stores both parts."""
    pathway, karin, read = _read_web_started(client, fhir_app)
    wanted = _with_svf(read.json(), mdkDiscussed=True, mdk="2026-02-17")
    wanted["extension"].append(
        {
            "url": systems.EXT_PHASE,
            "extension": [
                {"url": "kind", "valueCoding": {"system": systems.CS_PHASE, "code": "prehabilitation"}},
                {"url": "on", "valueDate": "2026-02-20"},
            ],
        }
    )
    answer = karin.put(f"EpisodeOfCare/{pathway.id}", wanted, {"If-Match": read.headers["etag"]})
    assert answer.status_code == 200, answer.text
    assert answer.headers["etag"] != read.headers["etag"]
    assert _found(fhir_app, pathway.id, pathway.patient_id) == (
        SvfRecord("prostatacancer", SUSPECTED, True, date(2026, 2, 17)),
        2,
    )


def test_an_unkept_part_or_a_removed_record_is_refused_never_dropped(
    client: TestClient, fhir_app: FastAPI
) -> None:
    pathway, karin, read = _read_web_started(client, fhir_app)
    etag = {"If-Match": read.headers["etag"]}
    commented = copy.deepcopy(read.json())
    (svf,) = [e for e in commented["extension"] if e["url"] == systems.EXT_SVF]
    svf["extension"].append({"url": "comment", "valueString": "remiss från vårdcentralen"})
    issue = outcome(karin.put(f"EpisodeOfCare/{pathway.id}", commented, etag), 422)["issue"][0]
    assert issue["expression"] == [part_path("comment")] and "not kept" in issue["diagnostics"], issue
    removed = copy.deepcopy(read.json())
    removed["extension"] = [e for e in removed["extension"] if e["url"] != systems.EXT_SVF]
    issue = outcome(karin.put(f"EpisodeOfCare/{pathway.id}", removed, etag), 422)["issue"][0]
    assert issue["expression"] == [SVF]
    assert _found(fhir_app, pathway.id, pathway.patient_id) == (SvfRecord("prostatacancer", SUSPECTED), 1)


def test_a_create_names_any_svf_pathway_and_a_refused_record_stores_no_pathway(
    client: TestClient, fhir_app: FastAPI
) -> None:
    karin = Fhir(client, "karin")
    patient_id = _patient(fhir_app)
    # vulvacancer belongs to no diagnosis process of its own: only the extension can name it
    wrong = SvfRecord("vulvacancer", SUSPECTED, True, date(2026, 2, 1))
    posted = _posted(fhir_app, patient_id, SvfState(wrong, 7), process="gynaecological")
    issue = outcome(karin.post("EpisodeOfCare", posted), 422)["issue"][0]
    assert issue["expression"] == [part_path("mdk")]
    with fhir_app.state.fhir_services.uow(SYSTEM, log_reads=False) as uow:
        assert list(uow.pathways.for_patient(patient_id)) == []
    right = SvfRecord("vulvacancer", SUSPECTED, True, date(2026, 2, 12))
    created = karin.post("EpisodeOfCare", _posted(fhir_app, patient_id, SvfState(right, 7), "gynaecological"))
    assert created.status_code == 201, created.text  # a create's version is the server's, as meta.versionId
    assert _found(fhir_app, created.json()["id"], patient_id) == (right, 1)


def test_a_bulk_export_carries_the_svf_record(client: TestClient, fhir_app: FastAPI) -> None:
    pathway = _web_started(fhir_app)
    manifest = finished(client, "admin", kickoff(client, "admin", params={"_type": "EpisodeOfCare"}))
    (episode,) = [e for e in download(client, "admin", manifest)["EpisodeOfCare"] if e["id"] == pathway.id]
    assert _svf_of(episode)["version"] == 1 and _svf_of(episode)["pathway"]["code"] == "prostatacancer"


def test_the_code_systems_are_served_and_name_every_code(client: TestClient) -> None:
    bundle = client.get("/fhir/CodeSystem").json()
    by_url = {e["resource"]["url"]: e["resource"] for e in bundle["entry"]}
    pathways = by_url[systems.CS_SVF_PATHWAY]
    assert {c["code"]: c["display"] for c in pathways["concept"]} == {
        p.id: p.name_sv for p in definitions().pathways
    }
    kinds = client.get("/fhir/CodeSystem/svf-first-treatment").json()
    assert {c["code"]: c["display"] for c in kinds["concept"]} == {
        k.value: n for k, n in FIRST_TREATMENT_SV.items()
    }
    assert kinds["count"] == len(FirstTreatment)
    outcome(client.get("/fhir/CodeSystem/nothing"), 404)
    outcome(client.get("/fhir/CodeSystem", params={"system": "x"}), 400)
    statement = client.get("/fhir/metadata").json()
    assert "CodeSystem" in {r["type"] for r in statement["rest"][0]["resource"]}
    sd = client.get("/fhir/StructureDefinition/svf").json()
    assert sd["url"] == systems.EXT_SVF and sd["type"] == "Extension"


RECORDS = st.builds(
    SvfRecord,
    svf_pathway=st.sampled_from([p.id for p in definitions().pathways]),
    suspicion_on=st.dates(date(2015, 1, 1), date(2030, 12, 31)),
    mdk_discussed=st.none() | st.booleans(),
    mdk_on=st.none() | st.dates(date(2015, 1, 1), date(2030, 12, 31)),
    treatment_start_on=st.none() | st.dates(date(2015, 1, 1), date(2030, 12, 31)),
    first_treatment=st.none() | st.sampled_from(FirstTreatment),
)


@given(record=RECORDS, version=st.none() | st.integers(0, 10**6))
def test_the_mapping_round_trips_any_record_and_meets_the_extension_profile(
    record: SvfRecord, version: int | None
) -> None:
    episode = {"resourceType": "EpisodeOfCare", "extension": [svf_ext(SvfState(record, version))]}
    assert m.svf_from_fhir(episode) == SvfState(record, version)
    assert extension_errors(episode) == []


def test_the_extension_profile_check_finds_what_breaks_the_structure_definition() -> None:
    """tests/fhir/r4schema checks every served svf against StructureDefinition/svf: the check itself."""
    good = svf_ext(SvfState(SvfRecord("brostcancer", SUSPECTED, True, date(2026, 2, 12)), 3))
    parts = {p["url"]: p for p in good["extension"]}
    broken = [
        [p for name, p in parts.items() if name != "pathway"],  # pathway is 1..1
        [*parts.values(), {"url": "comment", "valueString": "x"}],  # closed slicing
        [*parts.values(), parts["mdk"]],  # mdk is 0..1
        [{**p, "valueString": "ja"} if name == "mdkDiscussed" else p for name, p in parts.items()],
        [{"url": "pathway", "valueCoding": {"system": "urn:x", "code": "brostcancer"}}, parts["suspicion"]],
    ]
    assert extension_errors({"extension": [good]}) == []
    for extension in broken:
        assert extension_errors({"extension": [{**good, "extension": extension}]}), extension
    twice = {"resourceType": "EpisodeOfCare", "extension": [good, good]}
    assert any("extension:svf" in e for e in profile_errors(twice))


def test_a_transaction_bundle_stores_the_svf_record_with_its_pathway_or_neither(
    client: TestClient, fhir_app: FastAPI
) -> None:
    karin = Fhir(client, "karin")
    patient_id = _patient(fhir_app)

    def bundle(record: SvfRecord) -> dict[str, Any]:
        episode = _posted(fhir_app, patient_id, SvfState(record, None))
        entry = {
            "fullUrl": "urn:uuid:1",
            "resource": episode,
            "request": {"method": "POST", "url": "EpisodeOfCare"},
        }
        return {"resourceType": "Bundle", "type": "transaction", "entry": [entry]}

    late = SvfRecord("prostatacancer", SUSPECTED, treatment_start_on=date(2026, 3, 1))  # no kind
    issue = outcome(karin.post("", bundle(late)), 422)["issue"][0]
    assert issue["expression"] == [part_path("firstTreatment")] and "Bundle.entry[0]" in issue["diagnostics"]
    with fhir_app.state.fhir_services.uow(SYSTEM, log_reads=False) as uow:
        assert list(uow.pathways.for_patient(patient_id)) == []
    started = SvfRecord("prostatacancer", SUSPECTED, True, None, date(2026, 3, 1), FirstTreatment.KIRURGI)
    answer = karin.post("", bundle(started))
    assert answer.status_code == 200, answer.text
    pathway_id = answer.json()["entry"][0]["response"]["location"].split("/")[1]
    assert _found(fhir_app, pathway_id, patient_id) == (started, 1)
