"""Every code system, identifier system and extension URL used by the FHIR layer, in one place.

Sources (looked up November 2026):

* HL7 Sweden, Swedish Base Profiles (basprofiler-r4, canonical base ``http://hl7.se/fhir/ig/base``),
  ``input/fsh/aliases.fsh`` in github.com/HL7Sweden/basprofiler-r4, used by the profiles SEBasePatient
  (``identifier[personnummer|samordningsnummer].system``), SEBaseOrganization and SEBasePractitionerRole
  (``identifier[hsaid].system``)::

      Alias: $hsaid = urn:oid:1.2.752.29.4.19
      Alias: $personnummer = http://electronichealth.se/identifier/personnummer
      Alias: $samordningsnummer = http://electronichealth.se/identifier/samordningsnummer
      Alias: $professional-categories = urn:oid:1.2.752.116.1.3.6   (SOSNYK)

  Note: the Swedish FHIR base profiles identify personnummer and samordningsnummer with these *http URIs*, not
  with the OIDs. The OIDs 1.2.752.129.2.1.3.1 (personnummer) and 1.2.752.129.2.1.3.3 (samordningsnummer) are
  the identifiers of the same number series in the RIV-TA service contracts of Inera (``PersonIdType.type``,
  RIV-TA best-practice wiki "PersonIdType", bitbucket.org/rivta-domains/best-practice) and in Inera's list
  "Lista över vanligt förekommande kodverk och identifierare". canrehab *writes* the HL7 Sweden URIs
  (conformant with SEBasePatient) and *reads* both the URIs and the ``urn:oid:`` forms.
* Inera, "Lista över vanligt förekommande kodverk och identifierare" (RIV-TA): ICD-10-SE
  1.2.752.116.1.1.1.1.3 and KVÅ 1.2.752.116.1.3.2.1.4, both owned by Socialstyrelsen (KVÅ:
  "Klassifikation av åtgärder. Anger aktivitetskod/åtgärdskod"). The same KVÅ OID is required by the RIV-TA
  referral contract (``desiredActivity.code.codeSystem``: "1.2.752.116.1.3.2.1.4 = KVÅ"). No http URI for KVÅ
  or ICD-10-SE is registered in HL7 Terminology (THO) or in the HL7 Sweden base profiles, so the ``urn:oid:``
  form is used for both. The KVÅ profession add-on codes (XS9xx, tilläggskoder) belong to KVÅ itself.
* Everything canrehab defines itself (its own code systems and extensions) lives under ``CANREHAB_BASE``, a
  placeholder canonical base in the reserved ``.example`` top-level domain (RFC 2606): replace it with the
  publisher's canonical base when an implementation guide is published.
"""

from __future__ import annotations

from typing import Final

# ---------------------------------------------------------------------------------------------- identifiers

PERSONNUMMER: Final = "http://electronichealth.se/identifier/personnummer"
SAMORDNINGSNUMMER: Final = "http://electronichealth.se/identifier/samordningsnummer"
PERSONNUMMER_OID: Final = "urn:oid:1.2.752.129.2.1.3.1"
SAMORDNINGSNUMMER_OID: Final = "urn:oid:1.2.752.129.2.1.3.3"
PERSONNUMMER_SYSTEMS: Final = frozenset({PERSONNUMMER, PERSONNUMMER_OID})
SAMORDNINGSNUMMER_SYSTEMS: Final = frozenset({SAMORDNINGSNUMMER, SAMORDNINGSNUMMER_OID})

HSA_ID: Final = "urn:oid:1.2.752.29.4.19"  # HL7 Sweden $hsaid
HSA_ID_INERA: Final = "urn:oid:1.2.752.129.2.1.4.1"  # HSA-id as written in RIV-TA contracts (read only)
HSA_ID_SYSTEMS: Final = frozenset({HSA_ID, HSA_ID_INERA})

# ---------------------------------------------------------------------------------------------- code systems

ICD10_SE: Final = "urn:oid:1.2.752.116.1.1.1.1.3"
KVA: Final = "urn:oid:1.2.752.116.1.3.2.1.4"
V2_0203: Final = "http://terminology.hl7.org/CodeSystem/v2-0203"  # identifier type (PRN, ...)
AUDIT_EVENT_TYPE: Final = "http://terminology.hl7.org/CodeSystem/audit-event-type"
AUDIT_ENTITY_TYPE: Final = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
RESTFUL_INTERACTION: Final = "http://hl7.org/fhir/restful-interaction"
DATA_ABSENT_REASON: Final = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
SNOMED_CT: Final = "http://snomed.info/sct"
SCT_FOLKBOKFORINGSADRESS: Final = "63381000052101"  # SEBaseAddressPersonVS: folkbokföringsadress

# HL7 Sweden base profiles (hl7.fhir.se.base): the official address type of a person's address
SE_BASE: Final = "http://hl7.se/fhir/ig/base/StructureDefinition"
EXT_SE_OFFICIAL_ADDRESS: Final = f"{SE_BASE}/SEBaseAddressPersonExtension"

CANREHAB_BASE: Final = "https://canrehab.example/fhir"
_CS: Final = f"{CANREHAB_BASE}/CodeSystem"
_SD: Final = f"{CANREHAB_BASE}/StructureDefinition"

PSEUDONYM: Final = f"{CANREHAB_BASE}/identifier/pseudonym"  # stable analytical pseudonym of a patient
STAFF_ID: Final = f"{CANREHAB_BASE}/identifier/staff"  # canrehab's own staff id (PractitionerRole.id)

CS_PROFESSION: Final = f"{_CS}/profession"
CS_CARE_LEVEL: Final = f"{_CS}/care-level"
CS_CARE_TYPE: Final = f"{_CS}/care-type"  # vårdform: sluten / oppen (patient register)
CS_COUNTY: Final = f"{_CS}/county"  # SCB county (län) code, two digits
CS_DIAGNOSIS_PROCESS: Final = f"{_CS}/diagnosis-process"
CS_PHASE: Final = f"{_CS}/pathway-phase"
CS_KEY_MOMENT: Final = f"{_CS}/key-moment"
CS_RESPONDENT: Final = f"{_CS}/respondent"
CS_NEEDS_LEVEL: Final = f"{_CS}/needs-level"
CS_ASSESSMENT_STATUS: Final = f"{_CS}/assessment-status"
CS_CAREPLAN_CATEGORY: Final = f"{_CS}/careplan-category"  # rehabiliteringsplan / min-vardplan
CS_PLAN_STATUS: Final = f"{_CS}/plan-status"
CS_PLAN_EVENT: Final = f"{_CS}/plan-event"
CS_PLAN_CLOSE_REASON: Final = f"{_CS}/plan-close-reason"
CS_MIN_VARDPLAN_STATUS: Final = f"{_CS}/min-vardplan-status"
CS_NURSE_ROLE: Final = f"{_CS}/nurse-role"  # contact_nurse, consulting_nurse
CS_HANDOVER_STATUS: Final = f"{_CS}/handover-status"  # Task.businessStatus
CS_HANDOVER_INPUT: Final = f"{_CS}/handover-content"  # Task.input.type
CS_REFERRAL_STATUS: Final = f"{_CS}/referral-status"
CS_REFERRAL_CATEGORY: Final = f"{_CS}/referral-category"
CS_AUDIT_ACTION: Final = f"{_CS}/audit-action"
CS_ROLE: Final = f"{_CS}/user-role"
CS_SVF_PATHWAY: Final = f"{_CS}/svf-pathway"  # the SVF pathways of codes/svf.yaml (their ids)
CS_SVF_FIRST_TREATMENT: Final = f"{_CS}/svf-first-treatment"  # canrehab.domain.svf.FirstTreatment

INSTRUMENT_BASE: Final = f"{CANREHAB_BASE}/Questionnaire"  # Questionnaire.url = f"{INSTRUMENT_BASE}/{id}"

# ---------------------------------------------------------------------------------------------- extensions

# (the county is Patient/Organization.address.state, as HL7 Sweden's base profiles carry a place)
EXT_PATHWAY: Final = f"{_SD}/pathway"  # Reference(EpisodeOfCare) on resources without an episode element
EXT_CARE_UNIT: Final = f"{_SD}/care-unit"  # Reference(Organization)
EXT_FROM_UNIT: Final = f"{_SD}/from-unit"
EXT_TO_UNIT: Final = f"{_SD}/to-unit"
EXT_FROM_PROFESSION: Final = f"{_SD}/from-profession"
EXT_TO_STAFF: Final = f"{_SD}/to-staff"
EXT_PROFESSION: Final = f"{_SD}/profession"
EXT_DIAGNOSIS_PROCESS: Final = f"{_SD}/diagnosis-process"
EXT_PHASE: Final = f"{_SD}/pathway-phase"  # complex: kind, on
EXT_CONTACT_NURSE: Final = f"{_SD}/contact-nurse"  # complex: staff, role, offered, from, to
# complex: level, on, by, overridden, reason; and advice (the advice codes given, read when confirming)
EXT_CONFIRMED_LEVEL: Final = f"{_SD}/confirmed-needs-level"
EXT_SUGGESTION: Final = f"{_SD}/needs-suggestion"  # complex
EXT_KEY_MOMENT: Final = f"{_SD}/key-moment"
EXT_RESPONDENT: Final = f"{_SD}/respondent"
EXT_ASSESSMENT_STATUS: Final = f"{_SD}/assessment-status"
EXT_STARTED: Final = f"{_SD}/started"
EXT_EMPTY_SELECTION: Final = f"{_SD}/empty-selection"  # an answered multi-choice item with nothing chosen
EXT_PLAN_STATUS: Final = f"{_SD}/plan-status"
EXT_PLAN_EVENT: Final = f"{_SD}/plan-event"  # complex: kind, on, by, contentVersion, note
EXT_PLAN_VERSION: Final = f"{_SD}/plan-version"  # number of a contained content version
EXT_CLOSE_REASON: Final = f"{_SD}/plan-close-reason"
EXT_SELF_CARE: Final = f"{_SD}/self-care"
EXT_FOLLOW_UP: Final = f"{_SD}/follow-up-date"
EXT_PART_OF_MVP: Final = f"{_SD}/part-of-min-vardplan"
EXT_RESPONSIBLE: Final = f"{_SD}/responsible"
# valueDate: the välgrundad misstanke a pathway started at (SVF), on its EpisodeOfCare
EXT_SUSPICION: Final = f"{_SD}/valgrundad-misstanke"
# complex, on the EpisodeOfCare of a pathway with an SVF record: pathway, suspicion, mdkDiscussed, mdk,
# treatmentStart, firstTreatment, version (the SVF record's own version)
EXT_SVF: Final = f"{_SD}/svf"
EXT_MIN_VARDPLAN: Final = f"{_SD}/min-vardplan"  # complex: status, offered, established, revised*, declined
EXT_HANDOVER_DATES: Final = (
    f"{_SD}/handover-dates"  # complex: received, patientContacted, completed, rejected
)
EXT_PATIENT_INFORMED: Final = f"{_SD}/patient-informed"  # complex: informed, on
EXT_REFERRAL_STATUS: Final = f"{_SD}/referral-status"
EXT_ANSWERED: Final = f"{_SD}/answered"
EXT_COMPLETED: Final = f"{_SD}/completed"
EXT_REJECT_REASON: Final = f"{_SD}/reject-reason"
EXT_CARE_TYPE: Final = f"{_SD}/care-type"
EXT_SOURCE: Final = f"{_SD}/source"
EXT_RECORDED_AT: Final = f"{_SD}/recorded-at"
EXT_CLOSED: Final = f"{_SD}/closed"
