"""One table says which elements of each resource type canrehab keeps; everything else is refused unless it is
what canrehab itself serves for the record."""

from __future__ import annotations

from typing import Any

import pytest

from canrehab.fhir.mapping.kept import unkept_elements

SERVED_TASK = {"resourceType": "Task", "description": "Aktiv överlämning", "intent": "order"}
UNIT = "https://canrehab.se/fhir/StructureDefinition/care-unit"


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
