"""Audit log entries -> AuditEvent.

``AuditRecord`` is the shape of an entry of the append-only audit log as the FHIR layer sees it; build it from
the store's entries with ``AuditRecord.model_validate(entry, from_attributes=True)``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fhir.resources.R4B.auditevent import AuditEvent
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from canrehab.fhir import systems
from canrehab.fhir.mapping.common import (
    Json,
    MappingError,
    as_json,
    clean,
    code_in,
    coding,
    concept,
    expect_type,
    ext,
    iso_datetime,
    parse_datetime,
    ref,
    ref_id,
    require,
    resource_id,
    to_model,
)


class AuditRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    id: str
    at: datetime
    actor_username: str
    actor_role: str
    actor_units: tuple[str, ...] = Field(
        default=(), validation_alias=AliasChoices("actor_units", "actor_unit_hsa_ids")
    )
    action: str  # read | create | update | denied | export | ...
    entity_type: str
    entity_id: str
    patient_id: str | None = None
    detail: str = ""

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: Any) -> str:
        return str(v)

    @field_validator("actor_units", mode="before")
    @classmethod
    def _units(cls, v: Any) -> Any:
        """The store keeps the units comma-separated."""
        if isinstance(v, str):
            return tuple(u for u in v.split(",") if u)
        return v

    @field_validator("detail", mode="before")
    @classmethod
    def _detail(cls, v: Any) -> str:
        return "" if v is None else str(v)


ACTION_SV = {
    "read": "läsning",
    "create": "ny post",
    "update": "ändring",
    "denied": "nekad åtkomst",
    "export": "export",
}
REST = {"read": "read", "create": "create", "update": "update", "denied": "read"}
ACTION_CODE = {"read": "R", "create": "C", "update": "U", "denied": "R", "export": "E"}


def audit_event_to_fhir(entry: AuditRecord) -> AuditEvent:
    e = entry
    subtype = [coding(systems.CS_AUDIT_ACTION, e.action, ACTION_SV.get(e.action))]
    if e.action in REST:
        subtype.append(coding(systems.RESTFUL_INTERACTION, REST[e.action]))
    entities: list[Json] = []
    if e.patient_id:
        entities.append(
            {"what": ref("Patient", e.patient_id), "type": coding(systems.AUDIT_ENTITY_TYPE, "1")}
        )
    entities.append(
        clean(
            {
                "what": {
                    "identifier": {
                        "system": f"{systems.CANREHAB_BASE}/entity/{e.entity_type}",
                        "value": e.entity_id,
                    }
                },
                "type": coding(systems.AUDIT_ENTITY_TYPE, "2"),
                "name": e.entity_type,
                "detail": [{"type": "detail", "valueString": e.detail}] if e.detail else None,
            }
        )
    )
    data = {
        "resourceType": "AuditEvent",
        "id": e.id,
        "type": coding(systems.AUDIT_EVENT_TYPE, "rest", "RESTful Operation"),
        "subtype": subtype,
        "action": ACTION_CODE.get(e.action, "E"),
        "recorded": iso_datetime(e.at),
        "outcome": "4" if e.action == "denied" else "0",
        "outcomeDesc": "åtkomst nekad" if e.action == "denied" else None,
        "agent": [
            {
                "extension": [
                    ext(systems.EXT_CARE_UNIT, valueReference=ref("Organization", u)) for u in e.actor_units
                ]
                or None,
                "type": concept(systems.CS_ROLE, e.actor_role),
                "who": {
                    "identifier": {
                        "system": f"{systems.CANREHAB_BASE}/identifier/username",
                        "value": e.actor_username,
                    }
                },
                "requestor": True,
            }
        ],
        "source": {"observer": {"display": "canrehab"}},
        "entity": entities,
    }
    model: AuditEvent = to_model(clean(data))  # type: ignore[assignment]
    return model


def audit_record_from_fhir(resource: Any) -> AuditRecord:
    data = as_json(resource)
    expect_type(data, "AuditEvent")
    path = "AuditEvent"
    action = None
    for c in data.get("subtype", []) or []:
        if c.get("system") == systems.CS_AUDIT_ACTION:
            action = c.get("code")
    if not action:
        raise MappingError(f"{path}.subtype", f"no coding with system {systems.CS_AUDIT_ACTION}")
    agents = require(data, "agent", path)
    agent = agents[0]
    role = code_in(agent.get("type"), systems.CS_ROLE, f"{path}.agent[0].type")
    username = ((agent.get("who") or {}).get("identifier") or {}).get("value")
    if not username:
        raise MappingError(f"{path}.agent[0].who.identifier.value", "the user name is required")
    units = tuple(
        ref_id(x.get("valueReference"), "Organization", f"{path}.agent[0].extension('care-unit')")
        for x in agent.get("extension", []) or []
        if x.get("url") == systems.EXT_CARE_UNIT
    )
    patient_id = None
    entity_type = entity_id = None
    detail = ""
    for i, ent in enumerate(data.get("entity", []) or []):
        what = ent.get("what") or {}
        if what.get("reference"):
            patient_id = ref_id(what, "Patient", f"{path}.entity[{i}].what")
        else:
            ident = what.get("identifier") or {}
            entity_type = ent.get("name") or str(ident.get("system", "")).rsplit("/", 1)[-1]
            entity_id = ident.get("value")
            detail = next(
                (str(d.get("valueString")) for d in ent.get("detail", []) or [] if "valueString" in d), ""
            )
    if not entity_type or entity_id is None:
        raise MappingError(f"{path}.entity", "the audited entity (identifier) is required")
    return AuditRecord(
        id=resource_id(data),
        at=parse_datetime(require(data, "recorded", path), f"{path}.recorded"),
        actor_username=str(username),
        actor_role=str(role),
        actor_unit_hsa_ids=units,
        action=str(action),
        entity_type=str(entity_type),
        entity_id=str(entity_id),
        patient_id=patient_id,
        detail=detail,
    )
