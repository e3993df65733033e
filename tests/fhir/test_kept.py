"""One table says which elements of each resource type canrehab keeps; everything else is refused unless it is
what canrehab itself serves for the record."""

from __future__ import annotations

from typing import Any

import pytest

from canrehab.fhir.mapping.kept import unkept_elements

SERVED_TASK = {"resourceType": "Task", "description": "Aktiv överlämning", "intent": "order"}
UNIT = "https://canrehab.example/fhir/StructureDefinition/care-unit"


@pytest.mark.parametrize(
    ("sent", "unkept"),
    [
        ({"resourceType": "Task", "status": "accepted"}, []),  # read by the mapping: whatever the value
        ({"resourceType": "Task", "description": "Aktiv överlämning"}, []),  # derived, sent back as served
        ({"resourceType": "Task", "description": "Ring först"}, ["Task.description"]),
        ({"resourceType": "Task", "note": [{"text": "x"}]}, ["Task.note"]),
        ({"resourceType": "Task", "meta": {"versionId": "3"}, "text": {"div": "<div/>"}}, []),  # never data
        ({"resourceType": "Procedure", "bodySite": [{"text": "x"}]}, ["Procedure.bodySite"]),
        (
            {"resourceType": "Procedure", "note": [{"text": "x"}], "outcome": {"text": "y"}},
            ["Procedure.note", "Procedure.outcome"],
        ),
        ({"resourceType": "Procedure", "extension": [{"url": UNIT}]}, []),
        (
            {"resourceType": "Procedure", "extension": [{"url": "urn:x:local"}]},
            ["Procedure.extension('urn:x:local')"],
        ),
    ],
)
def test_an_element_is_kept_when_the_mapping_reads_it_or_it_is_as_served(
    sent: dict[str, Any], unkept: list[str]
) -> None:
    served = SERVED_TASK if sent["resourceType"] == "Task" else {"extension": [{"url": UNIT}]}
    assert unkept_elements(sent, served) == unkept


@pytest.mark.parametrize(
    ("sent", "unkept"),
    [
        # inside an element the mapping reads, a part canrehab does not serve is not kept
        (
            {"resourceType": "Procedure", "code": {"coding": [{"code": "AW020"}], "text": "x"}},
            ["Procedure.code.text"],
        ),
        ({"resourceType": "Procedure", "code": {"coding": [{"code": "AW020", "display": "Upprättad"}]}}, []),
        (
            {
                "resourceType": "Procedure",
                "code": {"coding": [{"code": "AW020"}, {"system": "s", "code": "1"}]},
            },
            ["Procedure.code.coding[1]"],  # canrehab serves one coding: a second one would be dropped
        ),
        (
            {
                "resourceType": "Procedure",
                "subject": {"reference": "Patient/p", "identifier": {"value": "1"}},
            },
            ["Procedure.subject.identifier"],
        ),
        (
            {
                "resourceType": "Procedure",
                "extension": [{"url": UNIT, "valueReference": {"reference": "x"}, "id": "a"}],
            },
            ["Procedure.extension[0].id"],
        ),
    ],
)
def test_a_part_of_a_read_element_that_is_not_served_is_not_kept(
    sent: dict[str, Any], unkept: list[str]
) -> None:
    served = {
        "code": {
            "coding": [{"system": "urn:oid:1.2.752.116.1.3.2.1.4", "code": "AW020", "display": "Upprättad"}]
        },
        "subject": {"reference": "Patient/p"},
        "extension": [{"url": UNIT, "valueReference": {"reference": "Organization/x"}}],
    }
    assert unkept_elements(sent, served) == unkept
