"""The care-process indicators of the one indicator model and their evaluation per pathway.

The definitions are the ``source: care`` indicators of ``followup/definitions/indicators.yaml`` (schema
:class:`canrehab.followup.goals.IndicatorDef`; there is no second vocabulary). Each has a population (the
denominator) and a condition (the numerator), evaluated per pathway (or per handover) as of the period's end:
an event after the period does not count. SVF lead time and MDK are read from the pathway's SVF record
(``domain.svf``); MDK is recorded there, so a pathway without an SVF record counts as not discussed. A
condition whose data canrehab does not hold (the expected number of cancer cases for SVF inclusion) is not
evaluated; such indicators are left out of the dashboards rather than shown as 0 %.

The ``assessed*`` conditions and ``troublesome_areas_decreased`` count the needs assessments only (the
Hälsoskattning family, instruments with decision support); a PREM (instrument kind ``prem``, e.g.
``instruments/prem-exempel.json``) counts only in ``prem_answered`` / ``prem_fully_involved``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

from canrehab.domain import offers
from canrehab.domain import svf as svf_rules
from canrehab.domain.assessment import PREM_FULLY, PREM_INVOLVEMENT_ITEM
from canrehab.domain.instrument import InstrumentKind
from canrehab.domain.model import (
    Assessment,
    AssessmentStatus,
    Handover,
    NeedsLevel,
    Pathway,
    PhaseKind,
    RehabPlan,
)
from canrehab.domain.plan import plan_in_place
from canrehab.domain.svf import SvfDefinitions, SvfRecord
from canrehab.followup import care as care_engine
from canrehab.followup.goals import CareCondition, CarePopulation, IndicatorDef, default_indicators

Population = CarePopulation
Condition = CareCondition

# What the care data can answer: the populations and conditions the care engine evaluates, one list
# (``followup.care``), which this module's per-pathway reference evaluates too. ``followup.goals``'s
# ``CarePopulation``/``CareCondition`` are the definition files' vocabulary, a superset: the rest wait for
# their data (``expected_cancer_cases``, ``treatment_started_in_svf``: the SVF inclusion measure).
EVALUATED_POPULATIONS: frozenset[str] = frozenset(care_engine.POPULATIONS)
EVALUATED_CONDITIONS: frozenset[str] = frozenset(care_engine.CONDITIONS)


def evaluable(definition: IndicatorDef) -> bool:
    care = definition.care
    return (
        care is not None
        and care.population in EVALUATED_POPULATIONS
        and care.condition in EVALUATED_CONDITIONS
    )


@cache
def svf_definitions() -> SvfDefinitions:
    """The SVF pathways and their maximum lead times (``codes/svf.yaml``)."""
    from canrehab.services.svf import load_definitions

    return load_definitions()


def load_process_indicators() -> tuple[IndicatorDef, ...]:
    """The care indicators the care data can evaluate, in the order of the definitions file."""
    return tuple(d for d in default_indicators().of_source("care") if evaluable(d))


@dataclass(frozen=True)
class PathwayFacts:
    """What the indicators need to know about one pathway (assessments, plans of that pathway)."""

    pathway: Pathway
    assessments: Sequence[Assessment]
    plans: Sequence[RehabPlan]
    svf: SvfRecord | None = None  # None: not an SVF pathway


@cache
def _prem_instruments() -> frozenset[str]:
    from canrehab.instruments import load_instruments

    return frozenset(i.id for i in load_instruments().values() if i.kind is InstrumentKind.PREM)


def prem_instrument_ids() -> frozenset[str]:
    """The ids of the PREM instruments (kind ``prem``): what ``is_prem`` tells apart, for a set-based read."""
    return _prem_instruments()


def is_prem(a: Assessment) -> bool:
    """Whether the assessment is a PREM survey (an instrument of kind ``prem``), not a needs assessment."""
    return a.instrument_id in _prem_instruments()


def _done(a: Assessment, end: date) -> bool:
    return a.status != AssessmentStatus.IN_PROGRESS and (a.submitted_on or a.started_on) <= end


def _needs_done(facts: PathwayFacts, end: date) -> list[Assessment]:
    return [a for a in facts.assessments if _done(a, end) and not is_prem(a)]


def latest_prems(facts: PathwayFacts, end: date) -> list[Assessment]:
    """The pathway's PREM answers of the latest day with one by ``end`` (several on a tie), or none."""
    done = [a for a in facts.assessments if _done(a, end) and is_prem(a)]
    if not done:
        return []
    latest = max(a.submitted_on or a.started_on for a in done)
    return [a for a in done if (a.submitted_on or a.started_on) == latest]


def _completed(facts: PathwayFacts, end: date) -> list[Assessment]:
    """The pathway's completed assessments with decision support by ``end``, oldest first."""
    done = [a for a in _needs_done(facts, end) if a.suggestion is not None]
    return sorted(done, key=lambda a: (a.submitted_on or a.started_on, a.id))


def troublesome_change(facts: PathwayFacts, end: date) -> tuple[int, int] | None:
    """The number of troublesome areas at the first and at the latest completed assessment by ``end`` (None
    with fewer than two)."""
    done = _completed(facts, end)
    if len(done) < 2:
        return None
    first, latest = done[0].suggestion, done[-1].suggestion
    assert first is not None and latest is not None
    return len(first.troublesome_areas), len(latest.troublesome_areas)


def in_population(population: Population, facts: PathwayFacts, start: date, end: date) -> bool:
    pw = facts.pathway
    # A suspicion counts from its confirmed diagnosis date; one not confirmed (or dismissed) never does.
    diagnosed_on = pw.diagnosis.diagnosed_on
    diagnosed = diagnosed_on is not None and start <= diagnosed_on <= end
    if population == "diagnosed_in_period":
        return diagnosed
    if population == "needs_special_or_more":
        return (
            diagnosed
            and pw.confirmed_level is not None
            and pw.confirmed_level >= NeedsLevel.SPECIAL
            and (pw.confirmed_level_on is None or pw.confirmed_level_on <= end)
        )
    if population == "assessed_twice":
        done = _completed(facts, end)
        latest = done[-1].submitted_on or done[-1].started_on if done else None
        return len(done) >= 2 and latest is not None and start <= latest <= end
    if population == "svf_treatment_started":
        started = facts.svf.treatment_start_on if facts.svf is not None else None
        return started is not None and start <= started <= end
    if population == "prem_answered":
        prems = latest_prems(facts, end)
        return bool(prems) and start <= (prems[0].submitted_on or prems[0].started_on)
    if population == "treatment_ended":
        return diagnosed and any(p.kind == PhaseKind.TREATMENT_END and p.on <= end for p in pw.phases)
    return False


def condition_met(condition: Condition, facts: PathwayFacts, end: date) -> bool:
    pw = facts.pathway
    if condition == "has_contact_nurse":
        return any(a.from_date <= end for a in pw.contact_nurses)
    if condition == "offered_contact_nurse":
        return offers.offered_contact_nurse(pw, end)
    if condition == "has_min_vardplan":
        return pw.min_vardplan.established_on is not None and pw.min_vardplan.established_on <= end
    if condition in ("offered_min_vardplan", "offered_min_vardplan_digital"):
        return offers.offered_min_vardplan(pw, end, digital_only=condition == "offered_min_vardplan_digital")
    if condition == "assessed":
        return bool(_needs_done(facts, end))
    if condition == "assessed_repeatedly":
        return len(_needs_done(facts, end)) >= 2
    if condition == "prem_fully_involved":  # the latest answer (every one of a tie) is "Ja, helt"
        latest = latest_prems(facts, end)
        return bool(latest) and all(a.answers.get(PREM_INVOLVEMENT_ITEM) == PREM_FULLY for a in latest)
    if condition == "troublesome_areas_decreased":
        change = troublesome_change(facts, end)
        return change is not None and change[1] < change[0]
    if condition == "within_svf_lead_time":
        return facts.svf is not None and svf_rules.within_max(facts.svf, svf_definitions()) is True
    if condition == "discussed_at_mdk":
        mdk_on = None if facts.svf is None else svf_rules.discussed_at_mdk_on(facts.svf)
        return mdk_on is not None and mdk_on <= end
    if condition == "has_plan":
        return plan_in_place(pw, facts.plans, end)  # the worklist's definition too (domain.plan)
    return False


def handover_counts(condition: Condition, handover: Handover, end: date) -> bool:
    if condition == "handover_confirmed":
        return handover.patient_contacted_on is not None and handover.patient_contacted_on <= end
    return False


def per_pathway_counts(
    definition: IndicatorDef,
    facts: Sequence[PathwayFacts],
    handovers: Sequence[Handover],
    start: date,
    end: date,
) -> dict[str, tuple[int, int]]:
    """``{unit: (numerator, denominator)}`` of one care indicator evaluated pathway by pathway (handover by
    handover) in Python over the loaded facts: the reference the Ibis engine (``followup.care``) is tested
    and benchmarked against. A unit appears when its population is not empty."""
    spec = definition.care
    if spec is None:
        raise ValueError(f"{definition.id} is not a care indicator")
    num: dict[str, int] = defaultdict(int)
    den: dict[str, int] = defaultdict(int)
    if spec.population == "handovers_sent":
        for h in handovers:
            if start <= h.sent_on <= end:
                den[h.from_unit_hsa_id] += 1
                num[h.from_unit_hsa_id] += handover_counts(spec.condition, h, end)
    else:
        for f in facts:
            if in_population(spec.population, f, start, end):
                den[f.pathway.unit_hsa_id] += 1
                num[f.pathway.unit_hsa_id] += condition_met(spec.condition, f, end)
    return {u: (num[u], den[u]) for u in den}
