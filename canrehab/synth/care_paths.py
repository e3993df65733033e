"""The synthetic region's relatives, MDK-rehab, return-to-work plans and children's paths (issue 12 items
4-6 and 8), made by the same domain rules the application uses: some patients name a relative with consent
who is informed (GB010) or supported (QT011); some have a minor child as relative (DU055, DU057 when the
patient agrees); some pelvic-cancer patients at avancerad level are referred to the healthcare region's
MDK-rehab, whose coordinator (the county's rehab unit in the synthetic region) receives them and holds the
conference (XS008); some working-age patients get a return-to-work plan (DV077) made with the patient and a
consenting relative; a child's named nurse is the konsultsjuksköterska and the transition to adult care goes
to a physiotherapist; some young adults are referred to their targets. Deterministic with the patient (its
own generator: the rest of the region stays as it was for the same seed)"""

from __future__ import annotations

import random
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from canrehab.domain import assessment as assessment_rules
from canrehab.domain import children as children_rules
from canrehab.domain import handover as handover_rules
from canrehab.domain import mdk_rehab as mdk_rules
from canrehab.domain import pathway as pathway_rules
from canrehab.domain import plan as plan_rules
from canrehab.domain import procedure as procedure_rules
from canrehab.domain import referral as referral_rules
from canrehab.domain import relatives as relative_rules
from canrehab.domain.errors import DomainError
from canrehab.domain.kva import age_on
from canrehab.domain.mdk_rehab import MdkRehabCase, MdkRehabRegion
from canrehab.domain.model import (
    CareLevel,
    CareType,
    Goal,
    HandoverContent,
    HandoverStatus,
    KeyMoment,
    NeedsLevel,
    Pathway,
    PhaseKind,
    PlanContent,
    PlannedAction,
    PlanParticipation,
    Profession,
    ReferralStatus,
    Staff,
)
from canrehab.domain.relatives import ConsentStatus, RelationKind, Relative, RelativeSupport, SupportKind

if TYPE_CHECKING:
    from canrehab.synth.region import PatientBundle, RegionGenerator

PELVIC = ("colorectal", "prostate", "urinary_bladder", "gynaecological")


@dataclass
class CarePaths:
    """What this module adds to a patient's bundle (loaded by ``synth.load``)."""

    relatives: list[Relative] = field(default_factory=list)
    supports: list[RelativeSupport] = field(default_factory=list)
    mdk_rehab_cases: list[MdkRehabCase] = field(default_factory=list)


def _rng(gen: RegionGenerator, bundle: PatientBundle, part: str) -> random.Random:
    return random.Random(f"{gen.config.seed}:{bundle.patient.personnummer}:{part}")


def add_care_paths(gen: RegionGenerator, bundle: PatientBundle, pathway: Pathway, nurse: Staff) -> Pathway:
    """Add the bundle's relatives, support, MDK-rehab case, return-to-work plan and children's paths;
    returns the pathway as these leave it (a child's named nurse is its konsultsjuksköterska)."""
    pathway = _key_moments(gen, bundle, pathway, nurse)
    pathway = _handover_assessments(gen, bundle, pathway, nurse)
    rng, today = _rng(gen, bundle, "relatives"), gen.config.today
    paths = CarePaths()
    bundle.care_paths = paths
    on = min(today, pathway.started_on + timedelta(days=rng.randint(1, 20)))
    if rng.random() < 0.35:
        partner = relative_rules.add_relative(
            patient_id=bundle.patient.id,
            name=f"Närstående till {bundle.patient.name}",
            relation=RelationKind.PARTNER,
            consent=ConsentStatus.GIVEN if rng.random() < 0.8 else ConsentStatus.NOT_ASKED,
            on=on,
        )
        paths.relatives.append(partner)
        kind = (
            SupportKind.INFORMATION
            if partner.consent is ConsentStatus.GIVEN
            else SupportKind.RELATIVE_SUPPORT
        )
        _support(gen, bundle, pathway, partner, kind, nurse, on)
    if 28 <= age_on(bundle.patient.birth_date, on) <= 55 and rng.random() < 0.15:
        child = relative_rules.add_relative(
            patient_id=bundle.patient.id,
            name="Barn",
            relation=RelationKind.CHILD,
            consent=ConsentStatus.GIVEN if rng.random() < 0.7 else ConsentStatus.DECLINED,
            on=on,
            birth_date=on - timedelta(days=365 * rng.randint(4, 16)),
        )
        paths.relatives.append(child)
        _support(gen, bundle, pathway, child, SupportKind.CHILD_TALK_WITH_PATIENT, nurse, on)
        if child.consent is ConsentStatus.GIVEN:
            _support(gen, bundle, pathway, child, SupportKind.CHILD_TALK_WITH_CHILD, nurse, on)
    _mdk_rehab(gen, bundle, pathway, nurse)
    _return_to_work_plan(gen, bundle, pathway, nurse)
    pathway = _children(gen, bundle, pathway, nurse)
    return _rehab_assessments(gen, bundle, pathway)


# The prehabilitation actions the contact nurse gives (routines.yaml: a code of each action, by a nurse).
PREHABILITATION_CODES = ("DV111", "DV132", "DV141", "DU112")


def _key_moments(gen: RegionGenerator, bundle: PatientBundle, pathway: Pathway, nurse: Staff) -> Pathway:
    """004's key moments beyond the phases: some patients have a prehabilitation phase between diagnosis and
    treatment start with the nurse's prehabilitation actions (tobacco, physical activity, nutrition,
    psychosocial support: 001 "Prehabilitering"), and some a change in disease or treatment (progression)
    after the treatment start, at which the routine asks for an assessment (the catch-up does most of
    them). Recorded by the pathway and procedure rules the web app's use cases call."""
    rng, today = _rng(gen, bundle, "key-moments"), gen.config.today
    diagnosed = pathway.diagnosis.diagnosed_on
    if pathway.closed_on is not None or diagnosed is None:  # key moments follow a confirmed diagnosis
        return pathway
    start = next((p.on for p in pathway.phases if p.kind is PhaseKind.TREATMENT_START), None)
    if start is not None and (start - diagnosed).days >= 10 and rng.random() < 0.3:
        opens = diagnosed + timedelta(days=rng.randint(1, 3))
        pathway = pathway_rules.record_phase(pathway, PhaseKind.PREHABILITATION, opens)
        codes = gen.catalog.kva or {}
        for code in rng.sample(PREHABILITATION_CODES, rng.randint(1, len(PREHABILITATION_CODES))):
            on = opens + timedelta(days=rng.randint(0, (start - opens).days - 1))
            done = any(r.code == code and r.pathway_id == pathway.id for r in bundle.kva)
            if on > today or code not in codes or done:  # e.g. the simple advice given at the assessment
                continue
            bundle.kva.append(
                procedure_rules.record_procedure(
                    pathway,
                    code=code,
                    by=nurse,
                    on=on,
                    today=today,
                    professions=gen.professions,
                    codes=codes,
                    existing=bundle.kva,
                )
            )
    if start is not None and rng.random() < 0.06:
        on = start + timedelta(days=rng.randint(30, 300))
        if on <= today:
            with suppress(DomainError):  # e.g. after a palliative phase or the follow-up: not recorded here
                pathway = pathway_rules.record_phase(pathway, PhaseKind.PROGRESSION, on)
    return pathway


def _handover_assessments(
    gen: RegionGenerator, bundle: PatientBundle, pathway: Pathway, nurse: Staff
) -> Pathway:
    """004's key moment "överlämning från specialistvård till primärvård": for about half of the handovers
    to primary care the sending nurse makes the structured assessment the routine asks for (one made in the
    30 days before sending is the handover's basis), by the generator's own assessment path, drawing from
    this patient's own generator."""
    rng = _rng(gen, bundle, "handover-assessment")
    for h in list(bundle.handovers):
        sender, receiver = gen.units[h.from_unit_hsa_id], gen.units[h.to_unit_hsa_id]
        if (
            pathway.closed_on is not None
            or h.status is HandoverStatus.REJECTED
            or sender.level is not CareLevel.SPECIALISED
            or receiver.level is CareLevel.SPECIALISED
            or rng.random() > 0.5
        ):
            continue
        on = max(pathway.started_on, h.sent_on - timedelta(days=rng.randint(0, 7)))
        main, gen.rng = gen.rng, rng
        try:
            pathway = gen._assess(bundle, pathway, KeyMoment.HANDOVER, on, nurse, pathway.unit_hsa_id)
        finally:
            gen.rng = main
    return pathway


def _rehab_assessments(gen: RegionGenerator, bundle: PatientBundle, pathway: Pathway) -> Pathway:
    """The rehab professional who accepted a referral assesses the patient's rehabilitation needs at the
    pathway's särskild or avancerad level (004: AW019 "ska användas på särskild och avancerad nivå"), by the
    domain rule the web app's use case (``services.procedures.assess_rehab_needs``) calls: AW019 with the
    profession's add-on code, and the pathway's confirmed level on that date. Most do so within a few days
    of accepting; some never record it."""
    rng, today = _rng(gen, bundle, "rehab-assessment"), gen.config.today
    for referral in bundle.referrals:
        level = pathway.confirmed_level
        if (
            level is None
            or level < NeedsLevel.SPECIAL
            or pathway.closed_on is not None
            or referral.status not in (ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED)
            or referral.answered_on is None
            or referral.to_profession not in assessment_rules.REHAB_PROFESSIONS
            or referral.to_unit_hsa_id is None
            or rng.random() > 0.75
        ):
            continue
        assessors = gen.org.of_profession(referral.to_unit_hsa_id, referral.to_profession)
        on = referral.answered_on + timedelta(days=rng.randint(0, 10))
        if not assessors or on > today:
            continue
        level_set = gen.catalog.level_set
        if level_set is not None and not level_set.contains(level):
            continue  # a level the region's set does not have: the use case would refuse it
        inpatient = rng.random() < 0.15  # assessed on the ward during an admission (AW030's sluten vård)
        try:
            pathway, record = assessment_rules.assess_rehab_needs(
                pathway,
                level=level,
                by=rng.choice(assessors),
                on=on,
                today=today,
                professions=gen.professions,
                existing=bundle.kva,
                level_set=level_set,
                care_type=CareType.INPATIENT if inpatient else CareType.OUTPATIENT,
                codes=gen.catalog.kva or None,
            )
        except DomainError as exc:
            # two referrals to one profession, answered by the same professional on the same day: one
            # assessment covers both (the use case refuses a second AW019 that day, and so does the generator)
            if exc.code != "assessment.rehab_already_recorded":
                raise
            continue
        bundle.kva.append(record)
    return pathway


def _return_to_work_plan(gen: RegionGenerator, bundle: PatientBundle, pathway: Pathway, nurse: Staff) -> None:
    """Some working-age patients at särskild level or higher without a plan get a plan for return to work
    (DV077 instead of AW020, 002 Bilaga 2), made together with the patient, a consenting relative and the
    professions taking part."""
    rng, today = _rng(gen, bundle, "return-to-work"), gen.config.today
    confirmed_on = pathway.confirmed_level_on
    if (
        pathway.confirmed_level is None
        or pathway.confirmed_level < NeedsLevel.SPECIAL
        or confirmed_on is None
        or bundle.plans
        or not 25 <= age_on(bundle.patient.birth_date, confirmed_on) <= 64
        or rng.random() > 0.4
    ):
        return
    on = min(today, confirmed_on + timedelta(days=rng.randint(1, 14)))
    consenting = [r.id for r in bundle.care_paths.relatives if r.consent is ConsentStatus.GIVEN]
    content = PlanContent(
        summary="Trötthet och oro inför återgång i arbete.",
        goals=(Goal(text="Arbeta halvtid inom tre månader", profession=Profession.REHAB_COORDINATOR),),
        actions=(
            PlannedAction(what="Avstämningsmöte med arbetsgivaren", profession=Profession.REHAB_COORDINATOR),
        ),
        follow_up_on=on + timedelta(days=rng.randint(30, 90)),
        return_to_work=True,
    )
    participation = PlanParticipation(
        patient=True,
        relative_ids=tuple(consenting[:1]),
        professions=(Profession.REHAB_COORDINATOR, Profession.COUNSELLOR),
    )
    plan = plan_rules.draft_plan(pathway, content, on=on)
    plan, records = plan_rules.establish(
        plan,
        by=nurse,
        on=on,
        professions=gen.professions,
        participation=participation,
        consenting_relatives=consenting,
    )
    bundle.plans.append(plan)
    bundle.kva.extend(records)


def _children(gen: RegionGenerator, bundle: PatientBundle, pathway: Pathway, nurse: Staff) -> Pathway:
    """Children (0-17 at diagnosis): the named nurse is the konsultsjuksköterska, and from a year before the
    18th birthday the transition handover goes to a physiotherapist of the county's rehab unit. Young
    adults (18-25): a referral to one of their referral targets (002 "Barn och ungdom")."""
    rules, today, patient = gen.catalog.children, gen.config.today, bundle.patient
    if rules is None:
        return pathway
    rng = _rng(gen, bundle, "children")
    bcc = gen.org.bcc
    if bcc is not None and bcc not in rules.childrens_cancer_centres:
        rules = rules.model_copy(update={"childrens_cancer_centres": (*rules.childrens_cancer_centres, bcc)})
    if children_rules.pathway_variant(patient, pathway, rules) is children_rules.PathwayVariant.CHILDREN:
        first = pathway.contact_nurses[0] if pathway.contact_nurses else None
        on = first.from_date if first is not None else pathway.started_on
        consulting = gen.org.consulting_nurses()
        konsult = rng.choice(consulting) if consulting else nurse
        if pathway.closed_on is None and on <= today and age_on(patient.birth_date, on) < rules.adult_age:
            cleared = pathway.model_copy(update={"contact_nurses": ()})
            pathway = children_rules.assign_consulting_nurse(cleared, patient, konsult, on, rules)
            _home_region_handover(gen, bundle, pathway, konsult, on, rules, rng)
        _transition(gen, bundle, pathway, nurse, rng)
    elif children_rules.age_group(patient, today, rules) is children_rules.AgeGroup.YOUNG_ADULT:
        targets = children_rules.young_adult_targets(patient, today, rules)
        if targets and pathway.closed_on is None and rng.random() < 0.5:
            bundle.referrals.append(
                referral_rules.send_referral(
                    pathway,
                    from_staff=nurse,
                    to_profession=rng.choice(targets),
                    to_unit_hsa_id=None,
                    reason="Ung vuxen: psykosocialt stöd och åldersanpassad information",
                    on=min(today, pathway.started_on + timedelta(days=rng.randint(7, 30))),
                )
            )
    return pathway


def _home_region_handover(
    gen: RegionGenerator,
    bundle: PatientBundle,
    pathway: Pathway,
    konsult: Staff,
    named_on: date,
    rules: children_rules.ChildrenDef,
    rng: random.Random,
) -> None:
    """The konsultsjuksköterska at the barncancercentrum hands over to the hospital in the child's home
    region (002: "barnets hemregion deltar också i vården och ger vissa typer av behandlingar")."""
    bcc, today, patient = gen.org.bcc, gen.config.today, bundle.patient
    if bcc is None or konsult.unit_hsa_id != bcc or rng.random() > 0.7:
        return
    on = named_on + timedelta(days=rng.randint(14, 90))
    home = gen.units[pathway.unit_hsa_id]
    if on > today or age_on(patient.birth_date, on) >= rules.adult_age:
        return
    children_rules.require_home_region_handover(patient, gen.units[bcc], home, on, rules)
    bundle.handovers.append(
        handover_rules.send_handover(
            pathway,
            from_staff=konsult,
            to_unit=home,
            to_profession=Profession.NURSE,
            content=HandoverContent(
                needs="Trötthet och skolfrånvaro; stöd till föräldrar och syskon.",
                ongoing_actions="Fortsatt underhållsbehandling på hemortssjukhuset.",
                disease=f"{pathway.diagnosis.icd10}, under behandling vid barncancercentrum",
                treatment="Cytostatika enligt protokoll; underhållsbehandling i hemregionen",
            ),
            patient_informed=True,
            on=on,
            from_unit=gen.units[bcc],
        )
    )


def _transition(
    gen: RegionGenerator, bundle: PatientBundle, pathway: Pathway, nurse: Staff, rng: random.Random
) -> None:
    rules, today, patient = gen.catalog.children, gen.config.today, bundle.patient
    county = gen.units[pathway.unit_hsa_id].county_code
    rehab = gen.org.rehab_unit.get(county)
    if rehab is None or pathway.closed_on is not None:
        return
    on = max(
        children_rules.transition_on(patient, rules) - timedelta(days=rng.randint(30, 200)),
        pathway.started_on,
    )
    if on > today:
        return
    children_rules.require_transition_handover(patient, Profession.PHYSIOTHERAPIST, on, rules)
    bundle.handovers.append(
        handover_rules.send_handover(
            pathway,
            from_staff=nurse,
            to_unit=gen.units[rehab],
            to_profession=Profession.PHYSIOTHERAPIST,
            content=HandoverContent(
                needs="Övergång till vuxenvården vid 18 år: trötthet, skola och fysisk aktivitet.",
                disease="Barncancer, i remission",
                treatment="Avslutad cytostatikabehandling",
            ),
            patient_informed=True,
            on=on,
            from_unit=gen.units[pathway.unit_hsa_id],
        )
    )


def _support(
    gen: RegionGenerator,
    bundle: PatientBundle,
    pathway: Pathway,
    relative: Relative,
    kind: SupportKind,
    by: Staff,
    on: date,
) -> None:
    support, record = relative_rules.give_support(
        pathway,
        relative,
        kind,
        by=by,
        on=on,
        today=gen.config.today,
        professions=gen.professions,
        codes=gen.catalog.kva,
        existing=bundle.kva,
    )
    bundle.care_paths.supports.append(support)
    bundle.kva.append(record)


def _region(gen: RegionGenerator, county: str) -> MdkRehabRegion | None:
    coordinator = gen.org.rehab_unit.get(county)
    if coordinator is None:
        return None
    return MdkRehabRegion(
        id=f"synth-{county}",
        name_sv="Sjukvårdsregionen (syntetisk)",
        coordinator_unit_hsa_id=coordinator,
        county_codes=(county,),
        processes=PELVIC,
    )


def _mdk_rehab(gen: RegionGenerator, bundle: PatientBundle, pathway: Pathway, nurse: Staff) -> None:
    rng, today = _rng(gen, bundle, "mdk-rehab"), gen.config.today
    level, confirmed_on = pathway.confirmed_level, pathway.confirmed_level_on
    if (
        level is None
        or level < NeedsLevel.ADVANCED
        or confirmed_on is None
        or pathway.diagnosis.process not in PELVIC
    ):
        return
    if rng.random() < 0.3:  # left without a team: the worklist's team_missing flag has something to show
        return
    county = gen.units[pathway.unit_hsa_id].county_code
    region = _region(gen, county)
    coordinators: list[Any] = gen.org.staff_by_unit.get(region.coordinator_unit_hsa_id, []) if region else []
    if region is None or not coordinators:
        return
    coordinator = coordinators[0]
    sent = min(today, confirmed_on + timedelta(days=rng.randint(1, 10)))
    case = mdk_rules.refer(
        pathway,
        by=nurse,
        unit_county_code=county,
        reason="Besvär efter behandling i bäckenet",
        on=sent,
        regions=(region,),
    )
    received = min(today, sent + timedelta(days=rng.randint(1, 7)))
    case = mdk_rules.receive(case, by=coordinator, on=received)
    conference = received + timedelta(days=rng.randint(7, 21))
    if conference <= today:
        try:
            case, record = mdk_rules.conclude(
                case,
                pathway,
                by=coordinator,
                on=conference,
                today=today,
                recommendation="Bäckenbottenträning och kostråd; uppföljning hos uroterapeut",
                proposed_plan="Uroterapeut 6 veckor, dietist, uppföljning efter 3 månader",
                professions=(Profession.URO_THERAPIST, Profession.DIETITIAN, Profession.PHYSICIAN),
                with_patient=rng.random() < 0.3,
                profession_defs=gen.professions,
                codes=gen.catalog.kva,
            )
            bundle.kva.append(record)
        except DomainError:  # e.g. the pathway closed meanwhile: the case stays received
            pass
    bundle.care_paths.mdk_rehab_cases.append(case)
