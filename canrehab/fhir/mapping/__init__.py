"""Pure mapping functions between the domain entities and FHIR R4 resources (fhir.resources R4B models).

``*_to_fhir(entity)`` returns a validated fhir.resources model; ``*_from_fhir(resource)`` takes a model or a
JSON dict and returns the domain entity, raising ``MappingError`` (with a FHIRPath-like ``path``) when the
resource does not fit the domain.
"""

from canrehab.fhir.mapping.assessment import assessment_from_fhir, questionnaire_response_to_fhir
from canrehab.fhir.mapping.audit import AuditRecord, audit_event_to_fhir, audit_record_from_fhir
from canrehab.fhir.mapping.common import MappingError, as_json, to_model
from canrehab.fhir.mapping.organisation import (
    organization_from_fhir,
    organization_to_fhir,
    patient_from_fhir,
    patient_to_fhir,
    practitioner_role_to_fhir,
    practitioner_to_fhir,
    staff_from_fhir,
)
from canrehab.fhir.mapping.pathway import (
    condition_to_fhir,
    condition_verification,
    diagnosis_from_fhir,
    episode_to_fhir,
    min_vardplan_from_fhir,
    min_vardplan_to_fhir,
    pathway_from_fhir,
)
from canrehab.fhir.mapping.plan import care_plan_to_fhir, rehab_plan_from_fhir
from canrehab.fhir.mapping.procedure import kva_record_from_fhir, procedure_to_fhir
from canrehab.fhir.mapping.svf import SvfState, svf_from_fhir
from canrehab.fhir.mapping.workflow import (
    handover_from_fhir,
    referral_from_fhir,
    service_request_to_fhir,
    task_to_fhir,
)

__all__ = [
    "AuditRecord",
    "MappingError",
    "SvfState",
    "as_json",
    "assessment_from_fhir",
    "audit_event_to_fhir",
    "audit_record_from_fhir",
    "care_plan_to_fhir",
    "condition_to_fhir",
    "condition_verification",
    "diagnosis_from_fhir",
    "episode_to_fhir",
    "handover_from_fhir",
    "kva_record_from_fhir",
    "min_vardplan_from_fhir",
    "min_vardplan_to_fhir",
    "organization_from_fhir",
    "organization_to_fhir",
    "pathway_from_fhir",
    "patient_from_fhir",
    "patient_to_fhir",
    "practitioner_role_to_fhir",
    "practitioner_to_fhir",
    "procedure_to_fhir",
    "questionnaire_response_to_fhir",
    "referral_from_fhir",
    "rehab_plan_from_fhir",
    "service_request_to_fhir",
    "staff_from_fhir",
    "svf_from_fhir",
    "task_to_fhir",
    "to_model",
]
