"""FHIR R4 interoperability: mapping of the care-process entities to FHIR resources and a REST API.

Models: ``fhir.resources.R4B``. fhir.resources 8.3 ships R5 (default), R4B and STU3 but no pure R4 module; R4B
(4.3.0) is wire-compatible with R4 (4.0.1) for every resource type used here (Patient, Organization,
Practitioner(Role), Condition, EpisodeOfCare, Questionnaire(Response), CarePlan, Goal, ServiceRequest, Task,
Procedure, AuditEvent, Bundle, OperationOutcome, CapabilityStatement), so R4B is the closest available choice.
"""
