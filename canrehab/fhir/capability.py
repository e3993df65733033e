"""The server's CapabilityStatement, built from the resource handlers."""

from __future__ import annotations

from typing import Any

from canrehab.fhir.profiles import profile_of
from canrehab.fhir.resources import HANDLERS
from canrehab.fhir.search import DEFAULT_COUNT, MAX_COUNT
from canrehab.fhir.search_params import definition_of, includes_of, revincludes_of

BULK = "http://hl7.org/fhir/uv/bulkdata"
BULK_EXPORT_OPERATIONS = (
    {
        "name": "export",
        "definition": f"{BULK}/OperationDefinition/export",
        "documentation": "Bulk Data IG v2: Prefer: respond-async → 202 + Content-Location (status URL); "
        "_outputFormat (ndjson), _since, _type, _typeFilter; GET or POST (Parameters).",
    },
)
BULK_EXPORT_GROUP = {
    "type": "Group",
    "documentation": "A Group is a care unit: Group/<HSA-id> has the patients with a pathway at the unit. "
    "Only Group/[id]/$export is served.",
    "operation": [{"name": "export", "definition": f"{BULK}/OperationDefinition/group-export"}],
}


CODE_SYSTEMS = {
    "type": "CodeSystem",
    "interaction": [{"code": "read"}, {"code": "search-type"}],
    "versioning": "no-version",
    "readHistory": False,
    "updateCreate": False,
    "documentation": "canrehab's own CodeSystems a sender needs to write a value: svf-pathway and "
    "svf-first-treatment (the EpisodeOfCare extension svf, StructureDefinition/svf).",
    "searchParam": [
        {"name": "_id", "definition": definition_of("CodeSystem", "_id"), "type": "token"},
        {"name": "url", "definition": definition_of("CodeSystem", "url"), "type": "uri"},
    ],
}


def _with_patient_export(resource: dict[str, Any]) -> dict[str, Any]:
    if resource.get("type") != "Patient":
        return resource
    patient_export = {"name": "export", "definition": f"{BULK}/OperationDefinition/patient-export"}
    return {**resource, "operation": [*resource.get("operation", []), patient_export]}


def capability_statement(base_url: str) -> dict[str, Any]:
    resources = []
    for rtype, h in HANDLERS.items():
        interactions = [{"code": "read"}, {"code": "search-type"}]
        if h.history is not None:  # vread only where earlier versions are kept
            interactions += [{"code": "vread"}, {"code": "history-instance"}]
        if h.create is not None:
            interactions.append({"code": "create"})
        if h.update is not None:
            interactions.append({"code": "update"})
        references = {"searchInclude": includes_of(rtype), "searchRevInclude": revincludes_of(rtype)}
        profile = profile_of(rtype)
        resources.append(
            {
                "type": rtype,
                **({"profile": profile} if profile else {}),
                **{k: v for k, v in references.items() if v},  # FHIR JSON has no empty arrays
                "interaction": interactions,
                "versioning": "versioned-update" if h.update is not None else "no-version",
                "readHistory": h.history is not None,
                "updateCreate": False,
                "conditionalUpdate": False,
                "searchParam": [
                    {
                        "name": p.name,
                        "definition": definition_of(rtype, p.name),
                        "type": p.type,
                        "documentation": p.documentation,
                    }
                    for p in h.params.values()
                ],
            }
        )
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-12-04",
        "publisher": "canrehab",
        "kind": "instance",
        "instantiates": [f"{BULK}/CapabilityStatement/bulk-data"],
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
                "documentation": "Bearer tokens (SMART, rest.security) or, when enabled, HTTP Basic; "
                "access by care unit, narrowed by a token's scopes; "
                'every read is audited. Updates require If-Match (W/"<version>") or meta.versionId. '
                "Search: parameters ANDed, "
                "comma-separated values ORed, token system|code, date prefixes eq ne gt lt ge le sa eb on "
                "partial dates; an unsupported parameter is refused (400) unless Prefer: handling=lenient; "
                "_lastUpdated on every type, _sort (date parameters, _lastUpdated, _id), _summary (true, "
                "text, data, count, false), _elements, _include/_revinclude over reference parameters, chain "
                f"patient.identifier; paging with _count (default {DEFAULT_COUNT}, at most {MAX_COUNT}) and "
                "_offset. Every resource has meta.lastUpdated; reads answer Last-Modified and 304 to "
                "If-None-Match / If-Modified-Since. vread and history where every version is kept (the types "
                "that declare them); a CarePlan's content versions are also read as _history/v1, v2, ...",
                "security": {
                    "cors": False,
                    "description": "HTTP Basic (local accounts). No cookies.",
                },
                "resource": [
                    *(_with_patient_export(r) for r in resources),
                    BULK_EXPORT_GROUP,
                    {
                        "type": "StructureDefinition",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "versioning": "no-version",
                        "readHistory": False,
                        "updateCreate": False,
                        "documentation": "canrehab's profile set (derived from HL7 Sweden's basic profiles)",
                        "searchParam": [
                            {
                                "name": "_id",
                                "definition": definition_of("StructureDefinition", "_id"),
                                "type": "token",
                            },
                            {
                                "name": "url",
                                "definition": definition_of("StructureDefinition", "url"),
                                "type": "uri",
                            },
                            {
                                "name": "type",
                                "definition": definition_of("StructureDefinition", "type"),
                                "type": "uri",
                            },
                        ],
                    },
                    CODE_SYSTEMS,
                ],
                "interaction": [{"code": "transaction"}, {"code": "batch"}],
                "operation": [
                    {
                        "name": "validate",
                        "definition": "http://hl7.org/fhir/OperationDefinition/Resource-validate",
                    },
                    {
                        "name": "everything",
                        "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                    },
                    *BULK_EXPORT_OPERATIONS,
                ],
            }
        ],
    }
