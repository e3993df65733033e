"""Two referrals to one profession, answered so that the same professional assesses on the same day: the
generator records one AW019, as the use case would (a second one that day is refused). At 200 000 patients
(seed 7) the generator used to stop on this with ``assessment.rehab_already_recorded``."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from canrehab.domain.assessment import REHAB_ASSESSMENT_CODE
from canrehab.services.context import Catalog
from canrehab.synth.care_paths import _rehab_assessments, _rng
from canrehab.synth.region import PatientBundle, RegionGenerator, SynthConfig

CONFIG = SynthConfig(patients=600, seed=5, today=date(2026, 6, 1))


def _draws(rng: random.Random, assessors: int) -> tuple[float, int, int]:
    """What ``_rehab_assessments`` draws for one referral: the 0,75 gate, the days after the answer, the
    inpatient draw and the assessor's index."""
    gate, days = rng.random(), rng.randint(0, 10)
    rng.random()
    return gate, days, rng.randrange(assessors) if assessors else 0


def _twin_referral_bundle(generator: RegionGenerator) -> PatientBundle:
    """A generated bundle with one referral-led AW019, given a second referral to the same profession and
    unit, answered so that the same professional assesses on the same day."""
    for bundle in generator:
        aw019 = [r for r in bundle.kva if r.code == REHAB_ASSESSMENT_CODE]
        if len(aw019) != 1 or len(bundle.referrals) != 1:
            continue
        first = bundle.referrals[0]
        assert first.to_unit_hsa_id is not None and first.answered_on is not None
        assessors = generator.org.of_profession(first.to_unit_hsa_id, first.to_profession)
        rng = _rng(generator, bundle, "rehab-assessment")
        _, days_1, who_1 = _draws(rng, len(assessors))
        gate_2, days_2, who_2 = _draws(rng, len(assessors))
        if gate_2 > 0.75 or who_1 != who_2:
            continue
        second = first.model_copy(
            update={"id": f"{first.id}-2", "answered_on": first.answered_on + timedelta(days=days_1 - days_2)}
        )
        return replace(
            bundle, referrals=[first, second], kva=[r for r in bundle.kva if r.code != REHAB_ASSESSMENT_CODE]
        )
    raise AssertionError("no bundle with one referral-led AW019 in the small region")


def test_one_professional_assessing_twice_on_one_day_records_one_aw019() -> None:
    generator = RegionGenerator(CONFIG, Catalog.load())
    bundle = _twin_referral_bundle(generator)

    _rehab_assessments(generator, bundle, bundle.pathway)

    aw019 = [r for r in bundle.kva if r.code == REHAB_ASSESSMENT_CODE]
    assert len(aw019) == 1
    assert aw019[0].performed_on == bundle.referrals[0].answered_on + timedelta(
        days=_draws(_rng(generator, bundle, "rehab-assessment"), 1)[1]
    )
