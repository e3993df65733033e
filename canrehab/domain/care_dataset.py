"""The care dataset's four tables and their column kinds: one schema for the set-based extract
(``store.care_extract``) and the engine (``followup.care``), which both read it from here."""

from __future__ import annotations

PATHWAY_COLUMNS: dict[str, str] = {
    "pathway_id": "string",
    "unit": "string",
    "process": "string",
    "diagnosed_on": "date",
    "confirmed_level": "int64",
    "confirmed_level_on": "date",
    "contact_nurse_from": "date",
    "contact_nurse_offered_on": "date",
    "mvp_established_on": "date",
    "mvp_offered_on": "date",
    "mvp_digital": "boolean",
    "treatment_end_on": "date",
    "svf": "boolean",
    "svf_treatment_start_on": "date",
    "svf_within_max": "boolean",
    "mdk_on": "date",
}
ASSESSMENT_COLUMNS: dict[str, str] = {
    "pathway_id": "string",
    "assessment_id": "string",
    "done_on": "date",
    "decision_support": "boolean",
    "troublesome": "int64",
    "prem": "boolean",  # a PREM survey (instrument kind prem), not a needs assessment
    "prem_fully_involved": "boolean",  # a PREM answered "Ja, helt" on involvement (process_indicators)
}
PLAN_COLUMNS: dict[str, str] = {
    "pathway_id": "string",
    "established_on": "date",
    "closed": "boolean",
    "closed_on": "date",
}
HANDOVER_COLUMNS: dict[str, str] = {
    "pathway_id": "string",
    "unit": "string",
    "sent_on": "date",
    "patient_contacted_on": "date",
}
SCHEMAS: dict[str, dict[str, str]] = {
    "pathways": PATHWAY_COLUMNS,
    "assessments": ASSESSMENT_COLUMNS,
    "plans": PLAN_COLUMNS,
    "handovers": HANDOVER_COLUMNS,
}
