"""A procedure recorded on its own: a professional records a KVÅ code of the code list that their
profession performs (``KvaDef.performed_by``), e.g. a counsellor's DU057 talk with a child whose parent is
the patient, a physiotherapist's DV133, a rehab coordinator's GC001, AW030 after an inpatient programme.

The record carries the professional's add-on code (XS9xx) and the care type of the contact; the code must
be valid on the date and belong to the care type (``domain.kva.require_recordable``). Codes that a
care-process action produces (AU010 by the assessment, AW020 by the plan, AU124 by the SIP, ...) are not
recorded here. Dates lie between the diagnosis and today; the same code by the same professional on the same
date is recorded once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from canrehab.domain.definitions import KvaDef, ProfessionDef
from canrehab.domain.errors import DomainError
from canrehab.domain.kva import DEFAULT_CARE_TYPE, make_record, require_recordable
from canrehab.domain.model import CareType, KvaRecord, Pathway, Profession, Staff
from canrehab.domain.pathway import require_done_between_diagnosis_and_today, require_open


def recordable_codes(profession: Profession, codes: Mapping[str, KvaDef]) -> list[KvaDef]:
    """The codes a profession records on its own, in list order (for a form's choices)."""
    return [c for c in codes.values() if profession in c.performed_by]


def record_procedure(
    pathway: Pathway,
    *,
    code: str,
    by: Staff,
    on: date,
    today: date,
    professions: Mapping[Profession, ProfessionDef],
    codes: Mapping[str, KvaDef],
    care_type: CareType = DEFAULT_CARE_TYPE,
    existing: Sequence[KvaRecord] = (),
) -> KvaRecord:
    """One KVÅ record for a procedure the professional performed (see the module docstring)."""
    require_open(pathway)
    definition = require_recordable(code, on, CareType(care_type), codes)
    if not definition.performed_by:
        raise DomainError(
            "kva.not_recordable",
            f"{code} ({definition.text_sv}) registreras av sin åtgärd i vårdprocessen, inte för sig.",
            f"{code} is produced by its care-process action",
        )
    if by.profession not in definition.performed_by:
        label = professions[by.profession].label_sv if by.profession in professions else by.profession.value
        allowed = ", ".join(
            professions[p].label_sv if p in professions else p.value for p in definition.performed_by
        )
        raise DomainError(
            "kva.not_performed_by",
            f"{code} ({definition.text_sv}) registreras av {allowed}, inte av {label}.",
            f"{code} is not performed by {by.profession.value}",
        )
    require_done_between_diagnosis_and_today(pathway, on, today)
    if any(
        r.pathway_id == pathway.id and r.code == code and r.performed_on == on and r.performer_id == by.id
        for r in existing
    ):
        raise DomainError(
            "kva.already_recorded",
            f"{code} är redan registrerad av dig för vårdförloppet {on.isoformat()}.",
            f"{code} already recorded by this professional on {on.isoformat()}",
        )
    return make_record(
        code=code,
        pathway=pathway,
        on=on,
        unit_hsa_id=by.unit_hsa_id,
        performer=by,
        professions=professions,
        source=f"procedure:{pathway.id}:{code}:{by.id}:{on.isoformat()}",
        care_type=care_type,
        codes=codes,
    )
