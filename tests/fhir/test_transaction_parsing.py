"""The transaction Bundle checks (before anything is stored): any corruption of any entry is reported as an
``EntryError`` naming that entry, or a ``FhirError`` for the Bundle itself — never another exception."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from canrehab.fhir.outcome import FhirError
from canrehab.fhir.transaction import EntryError, absorb, parse_entries, resolve_references, validate

EXAMPLE = json.loads(
    (Path(__file__).resolve().parents[2] / "examples" / "pathway-bundle.json").read_text("utf-8")
)
N = len(EXAMPLE["entry"])


def check(bundle: Any) -> list[Any]:
    entries = parse_entries(bundle)
    resolve_references(entries)
    validate(entries)
    return absorb(entries)


def test_the_example_passes_every_check() -> None:
    work = check(copy.deepcopy(EXAMPLE))
    assert {e.rtype for e in work} >= {"Patient", "EpisodeOfCare", "CarePlan", "Task", "Procedure"}
    episode = next(e for e in work if e.rtype == "EpisodeOfCare")
    assert episode.resource["contained"][0]["resourceType"] == "Condition"
    assert episode.resource["diagnosis"][0]["condition"] == {"reference": "#dx"}
    patient = next(e for e in work if e.rtype == "Patient")
    assert episode.resource["patient"] == {"reference": f"Patient/{patient.rid}"}
    assert "urn:uuid:" not in json.dumps([e.resource for e in work])


CORRUPTIONS = {
    "no request": lambda e: e.pop("request"),
    "GET": lambda e: e["request"].update(method="GET"),
    "DELETE": lambda e: e["request"].update(method="DELETE"),
    "url mismatch": lambda e: e["request"].update(url="Basic"),
    "PUT without id": lambda e: e["request"].update(method="PUT"),
    "no resource": lambda e: e.pop("resource"),
    "resource not an object": lambda e: e.update(resource=[1, 2]),
    "unknown element": lambda e: e["resource"].update(bogus=1),
    "bad instant": lambda e: e["resource"].update(meta={"lastUpdated": "igår"}),
    "bad narrative": lambda e: e["resource"].update(text={"status": "nonsense", "div": 5}),
}


@settings(max_examples=60, deadline=None)
@given(index=st.integers(0, N - 1), corruption=st.sampled_from(sorted(CORRUPTIONS)))
def test_a_corrupt_entry_is_named(index: int, corruption: str) -> None:
    bundle = copy.deepcopy(EXAMPLE)
    CORRUPTIONS[corruption](bundle["entry"][index])
    with pytest.raises(EntryError) as err:
        check(bundle)
    assert err.value.index == index
    assert err.value.where.startswith(f"Bundle.entry[{index}]")


@pytest.mark.parametrize(
    "bundle",
    [
        None,
        [],
        {"resourceType": "Patient"},
        {"resourceType": "Bundle", "type": "batch", "entry": []},
        {"resourceType": "Bundle", "type": "transaction"},
        {"resourceType": "Bundle", "type": "transaction", "entry": {}},
    ],
)
def test_a_bad_bundle_is_a_fhir_error(bundle: Any) -> None:
    with pytest.raises(FhirError) as err:
        check(bundle)
    assert 400 <= err.value.status < 500


def test_an_unreferenced_condition_is_refused() -> None:
    bundle = copy.deepcopy(EXAMPLE)
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["resourceType"] != "EpisodeOfCare"]
    index = next(i for i, e in enumerate(bundle["entry"]) if e["resource"]["resourceType"] == "Condition")
    with pytest.raises(EntryError) as err:
        check(bundle)
    assert err.value.index == index and "EpisodeOfCare" in str(err.value)
