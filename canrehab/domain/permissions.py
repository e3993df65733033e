"""The permission table: which roles may take which action. The one home of the rule for the web pages, the
FHIR API and the use cases; each name means one set.

The roles (``Role``, value and Swedish label side by side):

* clinicians (nurse, doctor, rehab_professional) read and change their units' patients' records and perform
  the clinical, KVÅ-coded actions;
* the unit manager reads their units' records, has the units' work lists, follow-up with drill-down to
  patients and the units' audit log, and never changes a record;
* the administrator, who is also the region's process leader (``admin``), reads any record region-wide
  (drill-down from the dashboards, follow-up of the audit log) and registers units and staff, but is not a
  clinician: no clinical actions, no unit work lists or inboxes;
* the regional analyst sees aggregated, suppressed figures only;
* a patient sees only their own record; ``system`` is the installation's own jobs and integrations.

Which *patients* a role reaches (care relation, own units) is ``canrehab.domain.access``; this table answers
only whether the role may take the action at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Role(StrEnum):
    NURSE = "nurse"
    DOCTOR = "doctor"
    REHAB_PROFESSIONAL = "rehab_professional"
    UNIT_MANAGER = "unit_manager"
    REGIONAL_ANALYST = "regional_analyst"
    ADMIN = "admin"
    PATIENT = "patient"
    SYSTEM = "system"

    @property
    def label_sv(self) -> str:
        return ROLE_LABEL_SV[self]


ROLE_LABEL_SV: Mapping[Role, str] = {
    Role.NURSE: "sjuksköterska",
    Role.DOCTOR: "läkare",
    Role.REHAB_PROFESSIONAL: "rehabiliteringsprofession",
    Role.UNIT_MANAGER: "verksamhetschef",
    Role.REGIONAL_ANALYST: "regional analytiker",
    Role.ADMIN: "administratör/processledare",
    Role.PATIENT: "patient",
    Role.SYSTEM: "systemet",
}

ACCOUNT_ROLES = frozenset(Role) - {Role.SYSTEM}
"""The roles a login account can have (``system`` is never a person)."""


class Action(StrEnum):
    READ_RECORD = "read_record"  # open a patient's record: overview, assessment, plan, handover, PDF
    CHANGE_RECORD = "change_record"  # change a record; the clinical, KVÅ-coded actions
    UNIT_WORK = "unit_work"  # the unit's work list, handover and referral boxes, care-action forms
    READ_ANY_RECORD = "read_any_record"  # every patient of the region, with no care relation needed
    SEE_IDENTITIES = "see_identities"  # patient identities at all (names, personnummer)
    REGISTER_PATIENT = "register_patient"  # a new patient (FHIR create)
    REGISTER_ORGANISATION = "register_organisation"  # care units and staff
    FOLLOWUP = "followup"  # dashboards, indicators and KVÅ statistics (aggregates)
    FOLLOWUP_DRILL_DOWN = "followup_drill_down"  # from a figure to the patients behind it, unsuppressed
    FOLLOWUP_REGION_WIDE = "followup_region_wide"  # every unit's figures, not only one's own units'
    AUDIT_LOG = "audit_log"  # the audit log of the events that concern one's units
    AUDIT_LOG_REGION_WIDE = "audit_log_region_wide"  # the whole region's audit log
    EXPORT_PAR = "export_par"  # the pseudonymised PAR-like extract of the KVÅ records
    BULK_EXPORT = "bulk_export"  # FHIR $export of one's units' patients
    BULK_EXPORT_ALL_UNITS = "bulk_export_all_units"  # FHIR $export of the whole region
    CONFIGURE_UNIT = "configure_unit"  # the unit's own settings, e.g. the worklist's grace period
    EDIT_STRUCTURE = "edit_structure"  # the structure register of one's units (any unit: region-wide roles)
    GAP_ANALYSIS = "gap_analysis"  # the gap analyses (004): start, gaps, decisions, actions, export


_CLINICIANS = frozenset({Role.NURSE, Role.DOCTOR, Role.REHAB_PROFESSIONAL})
_UNIT_STAFF = _CLINICIANS | {Role.UNIT_MANAGER}

PERMISSIONS: Mapping[Action, frozenset[Role]] = {
    Action.READ_RECORD: _UNIT_STAFF | {Role.ADMIN},
    Action.CHANGE_RECORD: _CLINICIANS,
    Action.UNIT_WORK: _UNIT_STAFF,
    Action.READ_ANY_RECORD: frozenset({Role.ADMIN, Role.SYSTEM}),
    Action.SEE_IDENTITIES: _UNIT_STAFF | {Role.ADMIN, Role.PATIENT},
    Action.REGISTER_PATIENT: _CLINICIANS | {Role.ADMIN, Role.SYSTEM},
    Action.REGISTER_ORGANISATION: frozenset({Role.ADMIN, Role.SYSTEM}),
    Action.FOLLOWUP: frozenset({Role.UNIT_MANAGER, Role.REGIONAL_ANALYST, Role.ADMIN}),
    Action.FOLLOWUP_DRILL_DOWN: frozenset({Role.UNIT_MANAGER, Role.ADMIN}),
    Action.FOLLOWUP_REGION_WIDE: frozenset({Role.REGIONAL_ANALYST, Role.ADMIN}),
    Action.AUDIT_LOG: frozenset({Role.UNIT_MANAGER, Role.ADMIN, Role.SYSTEM}),
    Action.AUDIT_LOG_REGION_WIDE: frozenset({Role.ADMIN, Role.SYSTEM}),
    Action.EXPORT_PAR: frozenset({Role.REGIONAL_ANALYST, Role.ADMIN, Role.SYSTEM}),
    Action.BULK_EXPORT: frozenset({Role.UNIT_MANAGER, Role.REGIONAL_ANALYST, Role.ADMIN, Role.SYSTEM}),
    Action.BULK_EXPORT_ALL_UNITS: frozenset({Role.REGIONAL_ANALYST, Role.ADMIN, Role.SYSTEM}),
    Action.CONFIGURE_UNIT: frozenset({Role.UNIT_MANAGER}),
    Action.EDIT_STRUCTURE: frozenset({Role.UNIT_MANAGER, Role.ADMIN, Role.SYSTEM}),
    Action.GAP_ANALYSIS: frozenset({Role.UNIT_MANAGER, Role.ADMIN, Role.SYSTEM}),
}


def roles_for(action: Action) -> frozenset[str]:
    """The role names that may take ``action``."""
    return frozenset(str(role) for role in PERMISSIONS[action])


def allowed(role: str, action: Action) -> bool:
    """Whether ``role`` may take ``action``; an unknown role may take none."""
    return role in PERMISSIONS[action]


def role_label(role: str) -> str:
    """The Swedish name of a role; an unknown one as it is."""
    try:
        return Role(role).label_sv
    except ValueError:
        return role
