"""The server's CapabilityStatement, built from the resource handlers."""

from __future__ import annotations

from typing import Any

from canrehab.fhir.resources import HANDLERS

PARAM_TYPES = {"patient": "reference", "organization": "reference", "date": "date", "_id": "token"}


def capability_statement(base_url: str) -> dict[str, Any]:
    resources = []
    for rtype, h in HANDLERS.items():
        interactions = [{"code": "read"}, {"code": "search-type"}]
        if h.create is not None:
            interactions.append({"code": "create"})
        if h.update is not None:
            interactions.append({"code": "update"})
        resources.append(
            {
                "type": rtype,
                "interaction": interactions,
                "versioning": "versioned-update" if h.update is not None else "no-version",
                "readHistory": False,
                "updateCreate": False,
                "conditionalUpdate": False,
                "searchParam": [{"name": p, "type": PARAM_TYPES.get(p, "token")} for p in h.search_params],
            }
        )
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-11-22",
        "publisher": "canrehab",
        "kind": "instance",
        "software": {"name": "canrehab"},
        "implementation": {
            "description": "canrehab FHIR API (cancer rehabilitation care process)",
            "url": base_url,
        },
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json"],
        "rest": [
            {
                "mode": "server",
                "documentation": "HTTP Basic authentication against canrehab accounts; access by care unit; "
                'every read is audited. Updates require If-Match (W/"<version>") or meta.versionId.',
                "security": {
                    "cors": False,
                    "description": "HTTP Basic (local accounts). No cookies.",
                },
                "resource": resources,
                "interaction": [{"code": "transaction"}],
                "operation": [
                    {
                        "name": "export",
                        "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export",
                    }
                ],
            }
        ],
    }
