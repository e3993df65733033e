"""SVF pathways of the synthetic region: some patients whose diagnosis process has an SVF
(``codes/svf.yaml``) are started at välgrundad misstanke a few days to weeks before the diagnosis; a few
suspicions are dismissed (avskriven misstanke: the pathway closes without a diagnosis), the most recent are
still under investigation, the rest are confirmed. Each gets its SVF record (suspicion, MDK, the first
treatment start, and its kind where the SVF's maximum depends on it).

Drawn from a generator of its own, seeded by the patient, after the rest of the patient was generated, so
that the other patients of a seed stay as they were."""

from __future__ import annotations

import random
from datetime import date, timedelta

from canrehab.domain import pathway as pathway_rules
from canrehab.domain.model import CareUnit, Pathway, Patient, PhaseKind
from canrehab.domain.svf import SvfDefinitions, SvfRecord

SVF_SHARE = 0.3  # of the pathways whose process has an SVF, started at välgrundad misstanke
DISMISSED_SHARE = 0.08  # of those, the suspicion dismissed
STILL_INVESTIGATED_DAYS = 14  # diagnosed this recently: the suspicion is not yet confirmed in the record
MDK_SHARE = 0.65  # discussed at MDK (003: 64,5 % in Region Jönköpings län, jan–jun 2021)


def svf_start(
    seed: int,
    personnummer: str,
    generated: Pathway,
    unit: CareUnit,
    today: date,
    definitions: SvfDefinitions,
    patient: Patient,
) -> tuple[Pathway, SvfRecord, bool] | None:
    """The pathway as an SVF pathway started at suspicion with its SVF record, and whether the rest of the
    generated care is kept (False: the suspicion is dismissed or still investigated, so nothing that needs
    the diagnosis happened); None when this patient is not drawn for an SVF."""
    process = generated.diagnosis.process
    svf = next((d for d in definitions.pathways if process in d.processes), None)
    if svf is None or generated.diagnosis.diagnosed_on is None:
        return None
    draw = random.Random(f"{seed}:{personnummer}:svf")
    if draw.random() >= SVF_SHARE:
        return None
    diagnosed_on = generated.diagnosis.diagnosed_on
    suspicion_on = diagnosed_on - timedelta(days=draw.randint(3, 25))
    suspected = pathway_rules.start_at_suspicion(patient, unit, process, suspicion_on, today)
    record = SvfRecord(svf.id, suspicion_on)
    if draw.random() < DISMISSED_SHARE:
        return pathway_rules.dismiss_suspicion(suspected, diagnosed_on, today), record, False
    if diagnosed_on > today - timedelta(days=STILL_INVESTIGATED_DAYS):
        return suspected, record, False
    icd10 = generated.diagnosis.icd10
    assert icd10 is not None
    confirmed = pathway_rules.confirm_diagnosis(suspected, icd10, diagnosed_on, process, today)
    pathway = generated.model_copy(
        update={"suspicion_on": suspicion_on, "phases": (*confirmed.phases[:1], *generated.phases)}
    )
    starts = [p.on for p in pathway.phases if p.kind is PhaseKind.TREATMENT_START]
    treatment_start = min(starts, default=None)
    discussed = draw.random() < MDK_SHARE
    mdk_on = min(today, diagnosed_on + timedelta(days=draw.randint(0, 7))) if discussed else None
    if mdk_on is not None and treatment_start is not None:
        mdk_on = min(mdk_on, treatment_start)
    kind = None
    if svf.max_days_by_treatment is not None and treatment_start is not None:
        # the kind of the first treatment, where the SVF's maximum depends on it: one of its kinds, uniformly
        # (drawn last, so that an SVF with one maximum draws as before)
        kind = draw.choice(sorted(svf.max_days_by_treatment))
    record = SvfRecord(svf.id, suspicion_on, discussed, mdk_on, treatment_start, kind)
    return pathway, record, True
