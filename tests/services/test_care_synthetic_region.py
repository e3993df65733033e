"""The synthetic region exercises the new care paths (issue 12 "Done when"): relatives with consent and
their coded support (GB010, QT011, DU055, DU057), MDK-rehab cases received by the coordinator and
concluded with XS008/XS007, advanced levels left without a team for the worklist flag; and loading it
writes the new tables."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select

from canrehab.domain.children import PathwayVariant, is_transition_handover, pathway_variant
from canrehab.domain.mdk_rehab import MdkRehabStatus, team_missing
from canrehab.domain.model import AssessmentStatus, NurseRole
from canrehab.services.context import Catalog, Services
from canrehab.store.orm import TABLES
from canrehab.synth.load import load_region
from canrehab.synth.region import RegionGenerator, SynthConfig

CONFIG = SynthConfig(patients=1500, seed=3, today=date(2026, 6, 1))


def test_the_synthetic_region_has_relatives_their_coded_support_and_mdk_rehab() -> None:
    codes: Counter[str] = Counter()
    cases: Counter[MdkRehabStatus] = Counter()
    without_team = 0
    for bundle in RegionGenerator(CONFIG, Catalog.load()):
        paths = bundle.care_paths
        codes.update(r.code for r in bundle.kva if r.source.startswith(("relative:", "mdk_rehab:")))
        cases.update(c.status for c in paths.mdk_rehab_cases)
        without_team += team_missing(bundle.pathway, bundle.referrals, paths.mdk_rehab_cases)
        for support in paths.supports:
            assert support.kva_record_id in {r.id for r in bundle.kva}
    assert {"GB010", "QT011", "DU055", "DU057"} <= set(codes)
    assert (
        cases[MdkRehabStatus.CONCLUDED] > 0
        and codes["XS008"] + codes["XS007"] == cases[MdkRehabStatus.CONCLUDED]
    )
    assert without_team > 0


def test_loading_the_synthetic_region_writes_relatives_and_mdk_rehab_cases(services: Services) -> None:
    load_region(services, SynthConfig(patients=300, seed=3, today=date(2026, 6, 1)))
    with services.engine.connect() as conn:
        counted = {
            name: conn.execute(select(func.count()).select_from(TABLES[name])).scalar_one()
            for name in ("relative", "relative_support", "mdk_rehab_case")
        }
    assert counted["relative"] > 0 and counted["relative_support"] >= counted["relative"]


def test_every_confirmed_structured_assessment_in_a_synthetic_region_carries_au010() -> None:
    """004: AU010 is recommended for identifying rehab needs, i.e. every confirmed Hälsoskattning (and
    Hantering av ångest), whatever the level; AW019 is the rehab professional's own assessment."""
    confirmed = carrying = 0
    for bundle in RegionGenerator(CONFIG, Catalog.load()):
        au010 = {
            r.source.split(":")[1]
            for r in bundle.kva
            if r.code == "AU010" and r.source.startswith("assessment:")
        }
        done = [a for a in bundle.assessments if a.status is AssessmentStatus.CONFIRMED]
        confirmed += len(done)
        carrying += sum(a.id in au010 for a in done)
    assert confirmed > 1000 and carrying == confirmed


def test_the_synthetic_region_has_return_to_work_plans_participation_and_childrens_paths() -> None:
    """Issue 12 items 4 and 8 in the synthetic region: DV077 instead of AW020 for a return-to-work plan made
    together with the patient and a consenting relative; a child's named nurse is the konsultsjuksköterska,
    and a transition handover to adult care (when there is one) goes to rehab staff in the year around 18."""
    catalog = Catalog.load()
    dv077 = with_relative = consulting = 0
    for bundle in RegionGenerator(CONFIG, catalog):
        dv077 += sum(r.code == "DV077" for r in bundle.kva)
        with_relative += sum(
            bool(e.participation.relative_ids) and e.participation.patient
            for p in bundle.plans
            for e in p.events
        )
        child = pathway_variant(bundle.patient, bundle.pathway, catalog.children) is PathwayVariant.CHILDREN
        consulting += child and any(
            a.role is NurseRole.CONSULTING_NURSE for a in bundle.pathway.contact_nurses
        )
        for h in bundle.handovers:
            if child and is_transition_handover(h, bundle.patient, catalog.children):
                assert h.to_profession in catalog.children.transition_professions
    assert dv077 > 0 and with_relative > 0 and consulting > 0


def test_the_loaded_synthetic_region_flags_avancerad_without_a_team_on_the_worklist(
    services: Services,
) -> None:
    load_region(services, SynthConfig(patients=300, seed=3, today=date(2026, 6, 1)))
    with services.engine.connect() as conn:
        flagged = conn.execute(
            select(func.count())
            .select_from(TABLES["worklist_status"])
            .where(TABLES["worklist_status"].c.team_missing)
        ).scalar_one()
    assert flagged > 0
