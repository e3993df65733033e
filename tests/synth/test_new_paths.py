"""Issue 12 "Done when": the synthetic region exercises every new path. One small region, every path
counted (each count printed and > 0), and every confirmed structured assessment carries AU010 (004)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from canrehab.domain import children as children_rules
from canrehab.domain.assessment import REHAB_PROFESSIONS
from canrehab.domain.kva import age_on
from canrehab.domain.mdk_rehab import MdkRehabStatus, team_missing
from canrehab.domain.min_vardplan import responsible_care, treatment_summary
from canrehab.domain.model import AssessmentStatus, CareType, KeyMoment, NurseRole, PhaseKind, Profession
from canrehab.domain.prehabilitation import prehabilitation_actions, prehabilitation_for
from canrehab.services.context import Catalog
from canrehab.synth.region import RegionGenerator, SynthConfig

CONFIG = SynthConfig(patients=1200, seed=5, today=date(2026, 6, 1))


def test_a_small_synthetic_region_exercises_every_new_path_and_au010_on_every_confirmed_assessment() -> None:
    catalog = Catalog.load()
    generator = RegionGenerator(CONFIG, catalog)
    bcc = generator.org.bcc
    assert bcc is not None
    rules = catalog.children.model_copy(update={"childrens_cancer_centres": (bcc,)})
    konsult = {s.id for s in generator.org.consulting_nurses()}
    profession_of = {s.id: s.profession for s in generator.org.staff}
    prehabilitation = prehabilitation_for(catalog.routines["default"], catalog.routines)
    assert prehabilitation is not None
    assert konsult
    paths: Counter[str] = Counter()
    confirmed = carrying = 0
    for bundle in generator:
        patient, pathway, care = bundle.patient, bundle.pathway, bundle.care_paths
        codes = Counter(r.code for r in bundle.kva)
        variant = children_rules.pathway_variant(patient, pathway, rules)
        paths["child pathway (0-17)"] += variant is children_rules.PathwayVariant.CHILDREN
        paths["child pathway at the barncancercentrum (konsultsjuksköterska there)"] += any(
            n.role is NurseRole.CONSULTING_NURSE and n.staff_id in konsult for n in pathway.contact_nurses
        )
        paths["handover barncancercentrum -> home region hospital"] += sum(
            children_rules.is_home_region_handover(h, rules) for h in bundle.handovers
        )
        paths["transition handover to adult care at 18 (rehab staff)"] += sum(
            children_rules.is_transition_handover(h, patient, rules) for h in bundle.handovers
        )
        young = children_rules.age_group(patient, CONFIG.today, rules) is children_rules.AgeGroup.YOUNG_ADULT
        paths["young adult (18-25)"] += young
        targets = set(children_rules.young_adult_targets(patient, CONFIG.today, rules))
        paths["young adult referred to a referral target"] += young and any(
            r.to_profession in targets for r in bundle.referrals
        )
        paths["handover with disease and treatment"] += sum(
            bool(h.content.disease and h.content.treatment) for h in bundle.handovers
        )
        paths["AW019 by a rehab profession with its add-on code at särskild/avancerad level"] += sum(
            r.code == "AW019"
            and profession_of[r.performer_id] in REHAB_PROFESSIONS
            and bool(r.profession_code)
            for r in bundle.kva
        )
        paths["ordinary (adult) handover with disease and treatment"] += sum(
            bool(h.content.disease and h.content.treatment)
            for h in bundle.handovers
            if age_on(patient.birth_date, h.sent_on) >= 18
        )
        paths["AW019 in inpatient care (sluten vård)"] += sum(
            r.code == "AW019" and r.care_type is CareType.INPATIENT for r in bundle.kva
        )
        paths["confirmed contact with its date and how"] += sum(
            h.patient_contacted_on is not None and h.patient_contact_method is not None
            for h in bundle.handovers
        )
        paths["prehabilitation phase with an action in its window"] += any(
            a.done_on is not None
            for a in prehabilitation_actions(pathway, prehabilitation, bundle.kva)
            if any(p.kind is PhaseKind.PREHABILITATION for p in pathway.phases)
        )
        paths["change in disease or treatment (progression)"] += any(
            p.kind is PhaseKind.PROGRESSION for p in pathway.phases
        )
        paths["assessment at a change in disease or treatment"] += sum(
            a.key_moment is KeyMoment.PROGRESSION for a in bundle.assessments
        )
        # 004's key moment: the handover to primary care asks for an assessment, made by the sending nurse
        paths["assessment at a handover to primary care (key moment handover)"] += sum(
            a.key_moment is KeyMoment.HANDOVER and a.status is AssessmentStatus.CONFIRMED
            for a in bundle.assessments
        )
        paths["Min vårdplan: responsible unit after a handover"] += (
            responsible_care(pathway, bundle.handovers, CONFIG.today).unit_hsa_id != pathway.unit_hsa_id
        )
        summary = treatment_summary(pathway, bundle.plans, bundle.handovers, CONFIG.today)
        paths["Min vårdplan: treatment summary with the care given"] += bool(summary and summary.care_given)
        paths["handover to primary care"] += sum(
            generator.units[h.to_unit_hsa_id].level is not generator.units[pathway.unit_hsa_id].level
            for h in bundle.handovers
        )
        paths["relative with consent"] += sum(r.consent.value == "given" for r in care.relatives)
        for code in ("GB010", "QT011", "DU055", "DU057", "DV077", "XS008", "AW019"):
            paths[f"KVÅ {code}"] += codes[code]
        paths["MDK-rehab case concluded"] += sum(
            c.status is MdkRehabStatus.CONCLUDED for c in care.mdk_rehab_cases
        )
        paths["avancerad level without team or MDK-rehab (worklist flag)"] += team_missing(
            pathway, bundle.referrals, care.mdk_rehab_cases
        )
        paths["child under 18 at diagnosis"] += (
            age_on(patient.birth_date, pathway.started_on) < 18  # a suspicion counts from its start
        )
        paths["handover to a physiotherapist"] += sum(
            h.to_profession in (Profession.PHYSIOTHERAPIST,) for h in bundle.handovers
        )
        au010 = {
            r.source.split(":")[1]
            for r in bundle.kva
            if r.code == "AU010" and r.source.startswith("assessment:")
        }
        done = [a for a in bundle.assessments if a.status is AssessmentStatus.CONFIRMED]
        confirmed += len(done)
        carrying += sum(a.id in au010 for a in done)
    for name, count in sorted(paths.items()):
        print(f"{name}: {count}")
    print(f"confirmed structured assessments: {confirmed}, carrying AU010: {carrying}")
    assert {name for name, count in paths.items() if count == 0} == set()
    assert confirmed > 0 and carrying == confirmed
