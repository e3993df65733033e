"""A synthetic region's care process: patients, pathways, assessments, plans, handovers, referrals and the
KVÅ records they leave — produced by the same domain rules the application uses, so the data is always
consistent with what the app itself would record.

Deterministic for a given ``seed`` and reference date ``today``. Coverage rates make some patients lack a
named contact nurse, Min vårdplan, an assessment or a plan, and leave some handovers unconfirmed past the
overdue limit, so that worklists and indicators have something to show.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from canrehab.domain import assessment as assessment_rules
from canrehab.domain import handover as handover_rules
from canrehab.domain import pathway as pathway_rules
from canrehab.domain import plan as plan_rules
from canrehab.domain import referral as referral_rules
from canrehab.domain.diagnosis import process_for
from canrehab.domain.identity import generate_personnummer, pseudonymise
from canrehab.domain.mdk_rehab import team_missing
from canrehab.domain.model import (
    Assessment,
    ContactMethod,
    Diagnosis,
    Goal,
    Handover,
    HandoverContent,
    HandoverStatus,
    KeyMoment,
    KvaRecord,
    MinVardplanStatus,
    NeedsLevel,
    Pathway,
    Patient,
    PhaseKind,
    PlanCloseReason,
    PlanContent,
    PlannedAction,
    PlanStatus,
    Profession,
    Referral,
    RehabPlan,
    Respondent,
    Sex,
    Staff,
)
from canrehab.domain.routines import due_assessments
from canrehab.synth.names import FEMALE, MALE, SURNAMES
from canrehab.synth.organisation import DEFAULT_COUNTIES, Organisation, build_organisation

# (ICD-10 code, weight, share of women) — roughly the Swedish incidence mix.
DIAGNOSES: tuple[tuple[str, float, float], ...] = (
    ("C509", 15.0, 0.99),
    ("C619", 16.0, 0.0),
    ("C189", 6.0, 0.5),
    ("C187", 2.0, 0.5),
    ("C20", 3.5, 0.4),
    ("C349", 7.0, 0.52),
    ("C439", 6.5, 0.48),
    ("C449", 1.0, 0.45),
    ("C679", 3.5, 0.25),
    ("C64", 2.0, 0.35),
    ("C541", 2.5, 1.0),
    ("C56", 1.5, 1.0),
    ("C539", 1.0, 1.0),
    ("C259", 2.5, 0.5),
    ("C169", 1.2, 0.4),
    ("C159", 1.0, 0.3),
    ("C220", 1.0, 0.35),
    ("C01", 0.8, 0.3),
    ("C329", 0.6, 0.2),
    ("C711", 1.5, 0.45),
    ("C900", 1.5, 0.42),
    ("C911", 1.5, 0.4),
    ("C833", 1.8, 0.45),
    ("C819", 0.5, 0.45),
    ("C73", 1.2, 0.75),
    ("C80", 1.5, 0.5),
    ("C629", 0.6, 0.0),
    ("C23", 0.4, 0.6),
)


@dataclass(frozen=True)
class Coverage:
    """How often the care process is done as it should be (0..1)."""

    contact_nurse: float = 0.88
    min_vardplan: float = 0.55
    assessment_at_diagnosis: float = 0.65
    repeated_assessment: float = 0.45
    plan_when_needed: float = 0.6
    handover_at_treatment_end: float = 0.3
    handover_confirmed: float = 0.7
    referral_when_suggested: float = 0.5


@dataclass
class SynthConfig:
    patients: int = 3000
    seed: int = 1
    today: date = field(default_factory=date.today)
    counties: tuple[str, ...] = DEFAULT_COUNTIES
    coverage: Coverage = field(default_factory=Coverage)
    pseudonym_key: bytes = b"canrehab-synthetic"


@dataclass
class PatientBundle:
    """Everything generated for one patient."""

    patient: Patient
    pathway: Pathway
    assessments: list[Assessment] = field(default_factory=list)
    plans: list[RehabPlan] = field(default_factory=list)
    handovers: list[Handover] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    kva: list[KvaRecord] = field(default_factory=list)
    care_paths: Any = None  # relatives and MDK-rehab (synth.care_paths.CarePaths)
    svf: Any = None  # the SVF record of a pathway started at välgrundad misstanke (synth.svf_paths)


class RegionGenerator:
    def __init__(self, config: SynthConfig, catalog: Any) -> None:
        self.config = config
        self.catalog = catalog
        self.rng = random.Random(config.seed)
        self.org: Organisation = build_organisation(self.rng, config.counties, config.patients)
        self.units = {u.hsa_id: u for u in self.org.units}
        self.instrument = catalog.instruments["halsoskattning"]
        self.rules = catalog.rules["halsoskattning"]
        self.professions = catalog.professions
        self._icd = [d[0] for d in DIAGNOSES]
        self._icd_weights = [d[1] for d in DIAGNOSES]
        self._female_share = {d[0]: d[2] for d in DIAGNOSES}
        self._used_pnr: set[str] = set()
        self._areas = self._choice_items()

    def _choice_items(self) -> list[tuple[str, list[Any]]]:
        """(linkId, allowed answer values, least troublesome first) of the instrument's questions."""
        out: list[tuple[str, list[Any]]] = []
        for item in self.instrument.items:
            if item.kind == "choice" and item.options and not item.repeats:
                ordered = sorted((o for o in item.options if not o.not_applicable), key=lambda o: o.ordinal)
                out.append((item.link_id, [o.value for o in ordered]))
            elif item.kind == "boolean":
                out.append((item.link_id, [False, True]))
            elif item.kind == "integer" and item.min_value is not None and item.max_value is not None:
                out.append((item.link_id, list(range(item.min_value, item.max_value + 1))))
        return out

    # ------------------------------------------------------------------------------------------ people

    def _patient(self) -> Patient:
        rng = self.rng
        icd = rng.choices(self._icd, self._icd_weights)[0]
        sex = Sex.FEMALE if rng.random() < self._female_share[icd] else Sex.MALE
        age = (
            int(min(95, max(19, rng.gauss(67, 12)))) if rng.random() > 0.01 else rng.randint(2, 25)
        )  # children and young adults (002)
        diagnosed_on = self.config.today - timedelta(days=rng.randint(5, 730))
        birth = diagnosed_on - timedelta(days=age * 365 + rng.randint(0, 364))
        while True:
            pnr = generate_personnummer(rng, birth, sex)
            if pnr not in self._used_pnr:
                self._used_pnr.add(pnr)
                break
            birth -= timedelta(days=1)
        first = rng.choice(FEMALE if sex == Sex.FEMALE else MALE)
        county = rng.choice(self.config.counties)
        patient = Patient(
            personnummer=pnr,
            pseudonym=pseudonymise(pnr, self.config.pseudonym_key),
            name=f"{first} {rng.choice(SURNAMES)}",
            sex=sex,
            birth_date=birth,
            county_code=county,
        )
        self._pending = (icd, diagnosed_on)
        return patient

    def __iter__(self) -> Iterator[PatientBundle]:
        for _ in range(self.config.patients):
            yield self.one()

    # ------------------------------------------------------------------------------------------ pathway

    def one(self) -> PatientBundle:
        rng, cov, today = self.rng, self.config.coverage, self.config.today
        patient = self._patient()
        icd, diagnosed_on = self._pending
        county = patient.county_code or self.config.counties[0]
        unit = self.units[self.org.clinic(county, icd, rng)]
        diagnosis = Diagnosis(
            icd10=icd, diagnosed_on=diagnosed_on, process=process_for(icd, self.catalog.processes)
        )
        pathway = pathway_rules.open_pathway(patient, unit, diagnosis, diagnosed_on)
        bundle = PatientBundle(patient=patient, pathway=pathway)
        nurses = self.org.nurses(unit.hsa_id)
        nurse = rng.choice(nurses)

        treatment_start = diagnosed_on + timedelta(days=rng.randint(10, 45))
        treatment_end = treatment_start + timedelta(days=rng.randint(60, 240))
        if treatment_start <= today:
            pathway = pathway_rules.record_phase(pathway, PhaseKind.TREATMENT_START, treatment_start)
        if treatment_end <= today:
            pathway = pathway_rules.record_phase(pathway, PhaseKind.TREATMENT_END, treatment_end)
            follow_up = treatment_end + timedelta(days=rng.randint(14, 60))
            if follow_up <= today:
                pathway = pathway_rules.record_phase(pathway, PhaseKind.FOLLOW_UP, follow_up)
        if rng.random() < 0.06 and treatment_start + timedelta(days=30) <= today:
            pathway = pathway_rules.record_phase(
                pathway,
                PhaseKind.PALLIATIVE,
                min(today, treatment_start + timedelta(days=rng.randint(30, 200))),
            )

        if rng.random() < cov.contact_nurse:
            pathway = pathway_rules.assign_contact_nurse(
                pathway,
                nurse,
                min(today, diagnosed_on + timedelta(days=rng.randint(0, 10))),
                offered_on=diagnosed_on,
            )
        if rng.random() < cov.min_vardplan:
            on = min(today, diagnosed_on + timedelta(days=rng.randint(3, 30)))
            pathway, records = pathway_rules.establish_min_vardplan(
                pathway, nurse, unit, on, self.professions
            )
            bundle.kva.extend(records)
            if treatment_end <= today and rng.random() < 0.4:
                pathway, records = pathway_rules.revise_min_vardplan(
                    pathway, nurse, unit, treatment_end, self.professions
                )
                bundle.kva.extend(records)
        elif rng.random() < 0.3:
            pathway = pathway_rules.offer_min_vardplan(pathway, diagnosed_on)

        if rng.random() < cov.assessment_at_diagnosis:
            on = min(today, diagnosed_on + timedelta(days=rng.randint(0, 21)))
            pathway = self._assess(bundle, pathway, KeyMoment.DIAGNOSIS, on, nurse, unit.hsa_id)
        if treatment_end <= today and rng.random() < cov.repeated_assessment:
            on = min(today, treatment_end + timedelta(days=rng.randint(0, 30)))
            pathway = self._assess(bundle, pathway, KeyMoment.END_OF_TREATMENT, on, nurse, unit.hsa_id)

        if treatment_end + timedelta(days=3) <= today and rng.random() < cov.handover_at_treatment_end:
            self._handover(bundle, pathway, nurse, county, treatment_end + timedelta(days=rng.randint(1, 20)))

        from canrehab.synth.care_paths import add_care_paths

        pathway = add_care_paths(self, bundle, pathway, nurse)
        in_rehab = any(p.status is PlanStatus.ESTABLISHED for p in bundle.plans)
        pathway = (
            pathway if in_rehab else _living_unit(pathway, patient.personnummer, self.config.seed, today)
        )
        bundle.pathway = self._catch_up(bundle, pathway, nurse, unit)
        return self._svf(bundle, unit)

    def _svf(self, bundle: PatientBundle, unit: Any) -> PatientBundle:
        """Some pathways started at välgrundad misstanke (``synth.svf_paths``); a dismissed or still
        investigated suspicion keeps none of the care that needs a diagnosis."""
        from canrehab.services.process_indicators import svf_definitions
        from canrehab.synth.svf_paths import svf_start

        found = svf_start(
            self.config.seed,
            bundle.patient.personnummer,
            bundle.pathway,
            unit,
            self.config.today,
            svf_definitions(),
            bundle.patient,
        )
        if found is None:
            return bundle
        pathway, record, kept = found
        if kept:
            bundle.pathway, bundle.svf = pathway, record
            return bundle
        from canrehab.synth.care_paths import CarePaths

        return PatientBundle(patient=bundle.patient, pathway=pathway, svf=record, care_paths=CarePaths())

    def _catch_up(self, bundle: PatientBundle, pathway: Pathway, nurse: Staff, unit: Any) -> Pathway:
        """A living unit works its list: what the coverage draws left undone is mostly done late, so the
        gaps still open today are recent ones (days or weeks), not every old patient's. A missing contact
        nurse or Min vårdplan is made up for after its usual window (the timeliness indicators still see
        the lapse); an overdue assessment is done within days or weeks of falling due, except for a few
        left open (most of them recent). Drawn from its own generator, seeded by the patient, so that the
        rest of the region stays as it was for the same seed."""
        if pathway.closed_on is not None:
            return pathway
        today = self.config.today
        draw = random.Random(f"{self.config.seed}:{bundle.patient.personnummer}:caught-up")
        diagnosed_on = pathway.started_on
        old = (today - diagnosed_on).days
        if (
            pathway_rules.current_contact_nurse(pathway, today) is None
            and old > 21
            and draw.random() < caught_up_share(10_000)
        ):
            on = min(today, diagnosed_on + timedelta(days=draw.randint(11, 40)))
            pathway = pathway_rules.assign_contact_nurse(pathway, nurse, on, offered_on=diagnosed_on)
        mvp_done = pathway.min_vardplan.status in (
            MinVardplanStatus.ESTABLISHED,
            MinVardplanStatus.REVISED,
            MinVardplanStatus.DECLINED,
        )
        if not mvp_done and old > 30 and draw.random() < caught_up_share(10_000):
            on = min(today, diagnosed_on + timedelta(days=draw.randint(31, 60)))
            pathway, records = pathway_rules.establish_min_vardplan(
                pathway, nurse, unit, on, self.professions
            )
            bundle.kva.extend(records)
        routine = self.catalog.routine_for(pathway.diagnosis.process)
        kept, main_rng = 0, self.rng
        self.rng = draw  # the assessments done late draw their answers from the catch-up generator
        try:
            for _ in range(len(routine.triggers)):
                items = due_assessments(
                    pathway, bundle.assessments, routine, today, handovers=bundle.handovers
                )
                overdue = [i for i in items if i.status != "upcoming"][kept:]
                if not overdue:
                    break
                item = overdue[0]
                if draw.random() >= caught_up_share((today - item.due_on).days):
                    kept += 1  # left open: on today's list as overdue
                    continue
                late = draw.randint(0, max(0, (item.overdue_on - item.due_on).days + 14))
                on = min(today, item.due_on + timedelta(days=late))
                pathway = self._assess(bundle, pathway, item.key_moment, on, nurse, unit.hsa_id)
        finally:
            self.rng = main_rng
        self._catch_up_others(bundle, pathway, nurse, draw)
        return pathway

    def _catch_up_others(
        self, bundle: PatientBundle, pathway: Pathway, nurse: Staff, draw: random.Random
    ) -> None:
        """The rest of the catch-up: plan follow-ups, referrals and handovers waiting for weeks are mostly
        done by now (within about two weeks of their date), a few recent ones stay open."""
        today = self.config.today

        def keep_open(on: date) -> bool:
            return draw.random() >= caught_up_share((today - on).days)

        level_on = pathway.confirmed_level_on
        if level_on is not None and not keep_open(level_on):
            if plan_rules.plan_required(pathway, bundle.plans):
                main_rng, self.rng = self.rng, draw
                try:
                    self._plan(bundle, pathway, level_on, nurse, always=True)
                finally:
                    self.rng = main_rng
            if team_missing(pathway, bundle.referrals, ()):
                county = bundle.patient.county_code or self.config.counties[0]
                bundle.referrals.append(
                    referral_rules.send_referral(
                        pathway,
                        from_staff=nurse,
                        to_profession=Profession.REHAB_TEAM,
                        to_unit_hsa_id=self.org.rehab_unit[county],
                        reason="Avancerade behov: bedömning i rehabiliteringsteam.",
                        on=min(today, level_on + timedelta(days=draw.randint(0, 7))),
                    )
                )
        for n, plan in enumerate(bundle.plans):
            for _ in range(12):  # a plan followed up every three months since it was set up
                due = plan.content.follow_up_on
                if plan.status is not PlanStatus.ESTABLISHED or due is None or due >= today or keep_open(due):
                    break
                on = min(today, due + timedelta(days=draw.randint(0, 14)))
                revised = plan.content.model_copy(update={"follow_up_on": on + timedelta(days=90)})
                plan, records = plan_rules.revise(
                    plan, revised, by=nurse, on=on, note="Uppföljd, nya mål.", professions=self.professions
                )
                bundle.kva.extend(records)
            bundle.plans[n] = plan
        for n, referral in enumerate(bundle.referrals):
            if not referral_rules.is_waiting(referral) or keep_open(referral.sent_on):
                continue
            unit = referral_rules.receiving_unit(referral)
            receivers = (
                self.org.of_profession(unit, referral.to_profession) if referral.to_profession else []
            ) or self.org.staff_by_unit[unit]
            receivers = [s for s in receivers if s.id != referral.from_staff_id]  # not one's own referral
            if not receivers:
                continue
            on = min(today, referral.sent_on + timedelta(days=draw.randint(1, 14)))
            bundle.referrals[n] = referral_rules.accept(referral, by=draw.choice(receivers), on=on)
        for n, handover in enumerate(bundle.handovers):
            if handover.status not in handover_rules.UNCONFIRMED or keep_open(handover.sent_on):
                continue
            receiver = draw.choice(self.org.staff_by_unit[handover.to_unit_hsa_id])
            start = handover.received_on or handover.sent_on
            on = min(today, start + timedelta(days=draw.randint(0, 10)))
            if handover.status is HandoverStatus.SENT:
                handover = handover_rules.receive(handover, by=receiver, on=on)
            bundle.handovers[n] = handover_rules.confirm_patient_contact(
                handover, by=receiver, on=on, how=contact_method(self.config.seed, bundle, n)
            )

    def _answers(self, burden: float) -> dict[str, Any]:
        """Answers whose troublesomeness follows the patient's latent burden (0..1)."""
        answers: dict[str, Any] = {}
        for link_id, values in self._areas:
            if values == [False, True]:
                answers[link_id] = self.rng.random() < burden * 0.5
                continue
            top = len(values) - 1
            position = min(
                top,
                int(self.rng.random() ** (1.0 / max(burden, 0.01)) * top + 0.5)
                if self.rng.random() < burden * 1.5
                else 0,
            )
            answers[link_id] = values[position]
        return answers

    def _assess(
        self,
        bundle: PatientBundle,
        pathway: Pathway,
        moment: KeyMoment,
        on: date,
        nurse: Staff,
        unit_hsa_id: str,
    ) -> Pathway:
        rng = self.rng
        respondent = Respondent.PATIENT if rng.random() < 0.6 else Respondent.STAFF_ON_BEHALF
        assessment = assessment_rules.start_assessment(
            pathway, self.instrument, key_moment=moment, respondent=respondent, on=on
        )
        burden = rng.betavariate(1.2, 5.0)
        if rng.random() < 0.05 and on > self.config.today - timedelta(days=14):
            # Started through a link and not finished yet.
            bundle.assessments.append(assessment)
            return pathway
        assessment = assessment_rules.save_answers(
            assessment, self.instrument, self._answers(burden), on=on, submit=True, rules=self.rules
        )
        if rng.random() < 0.08 and on > self.config.today - timedelta(days=30):
            bundle.assessments.append(assessment)  # submitted, awaiting the nurse's confirmation
            return pathway
        suggested = assessment.suggestion.level if assessment.suggestion else NeedsLevel.BASIC
        level, reason = suggested, ""
        if rng.random() < 0.1:
            level = NeedsLevel(max(1, min(4, int(suggested) + rng.choice((-1, 1)))))
            if level != suggested:
                reason = "Samtal med patienten ger en annan bild än formuläret."
        advice = tuple(assessment.suggestion.advice_codes) if assessment.suggestion else ()
        assessment, pathway, records = assessment_rules.confirm_level(
            assessment,
            pathway,
            level=level,
            by=nurse,
            on=on,
            reason=reason,
            professions=self.professions,
            advice_given=advice if rng.random() < 0.5 else (),
        )
        bundle.assessments.append(assessment)
        bundle.kva.extend(records)
        if level >= NeedsLevel.SPECIAL:
            self._plan(bundle, pathway, on, nurse)
            if assessment.suggestion and rng.random() < self.config.coverage.referral_when_suggested:
                self._referral(bundle, pathway, assessment, nurse, on)
        return pathway

    def _plan(
        self,
        bundle: PatientBundle,
        pathway: Pathway,
        assessed_on: date,
        nurse: Staff,
        *,
        always: bool = False,
    ) -> None:
        rng, today = self.rng, self.config.today
        if any(p.status != "closed" for p in bundle.plans) or (
            not always and rng.random() > self.config.coverage.plan_when_needed
        ):
            return
        on = min(today, assessed_on + timedelta(days=rng.randint(0, 14)))
        follow_up_on = on + timedelta(days=rng.randint(30, 120))
        content = PlanContent(
            summary="Behov av stöd med trötthet och fysisk funktion efter behandling.",
            goals=(
                Goal(
                    text="Kunna gå en promenad på 30 minuter",
                    responsible="Fysioterapeut",
                    profession=Profession.PHYSIOTHERAPIST,
                    target_date=follow_up_on,
                ),
                Goal(
                    text="Orka återgå till arbete på halvtid",
                    responsible=nurse.name,
                    target_date=follow_up_on + timedelta(days=60),
                ),
            ),
            actions=(
                PlannedAction(
                    what="Individuellt träningsprogram",
                    who="Fysioterapeut",
                    profession=Profession.PHYSIOTHERAPIST,
                    when=on + timedelta(days=14),
                ),
                PlannedAction(
                    what="Samtal om oro och sömn",
                    who="Kurator",
                    profession=Profession.COUNSELLOR,
                    when=on + timedelta(days=21),
                ),
            ),
            self_care="Fysisk aktivitet 150 minuter i veckan. Regelbundna måltider.",
            follow_up_on=follow_up_on,
        )
        plan = plan_rules.draft_plan(pathway, content, on=on)
        plan, records = plan_rules.establish(plan, by=nurse, on=on, professions=self.professions)
        bundle.kva.extend(records)
        if follow_up_on <= today and rng.random() < 0.7:
            if rng.random() < 0.5:
                plan, records = plan_rules.follow_up(
                    plan, by=nurse, on=follow_up_on, note="", professions=self.professions
                )
            else:
                # new goals after the follow-up: their dates move with the next follow-up (not left behind)
                revised = content.model_copy(
                    update={
                        "follow_up_on": follow_up_on + timedelta(days=90),
                        "goals": tuple(
                            g.model_copy(update={"target_date": g.target_date + timedelta(days=90)})
                            if g.target_date is not None
                            else g
                            for g in content.goals
                        ),
                    }
                )
                plan, records = plan_rules.revise(
                    plan,
                    revised,
                    by=nurse,
                    on=follow_up_on,
                    note="Nya mål efter uppföljning.",
                    professions=self.professions,
                )
            bundle.kva.extend(records)
            if follow_up_on + timedelta(days=90) <= today and rng.random() < 0.5:
                plan, records = plan_rules.close(
                    plan,
                    PlanCloseReason.GOALS_REACHED,
                    by=nurse,
                    on=follow_up_on + timedelta(days=90),
                    professions=self.professions,
                )
                bundle.kva.extend(records)
        bundle.plans.append(plan)

    def _referral(
        self, bundle: PatientBundle, pathway: Pathway, assessment: Assessment, nurse: Staff, on: date
    ) -> None:
        suggestion = assessment.suggestion
        if suggestion is None or not suggestion.professions:
            return
        profession = suggestion.professions[0]
        county = bundle.patient.county_code or self.config.counties[0]
        rehab = self.org.rehab_unit[county]
        referral = referral_rules.send_referral(
            pathway,
            from_staff=nurse,
            to_profession=profession,
            to_unit_hsa_id=rehab,
            reason="Besvär enligt Hälsoskattning.",
            on=on,
        )
        receivers = self.org.of_profession(rehab, profession) or self.org.staff_by_unit[rehab]
        receiver = self.rng.choice(receivers)
        answered = on + timedelta(days=self.rng.randint(1, 14))
        if answered <= self.config.today and self.rng.random() < 0.8:
            referral = referral_rules.accept(referral, by=receiver, on=answered)
            if answered + timedelta(days=60) <= self.config.today and self.rng.random() < 0.6:
                referral = referral_rules.complete(referral, by=receiver, on=answered + timedelta(days=60))
        bundle.referrals.append(referral)

    def _handover(self, bundle: PatientBundle, pathway: Pathway, nurse: Staff, county: str, on: date) -> None:
        rng, today = self.rng, self.config.today
        on = min(on, today)
        if rng.random() < 0.5:
            to_unit_id = self.org.rehab_unit[county]
            to_profession: Profession | None = Profession.PHYSIOTHERAPIST
        else:
            to_unit_id = rng.choice(self.org.primary_units[county])
            to_profession = Profession.NURSE
        to_unit = self.units[to_unit_id]
        handover = handover_rules.send_handover(
            pathway,
            from_staff=nurse,
            to_unit=to_unit,
            to_profession=to_profession,
            content=HandoverContent(
                needs="Fortsatt stöd för fysisk aktivitet och trötthet.",
                wishes="Vill ha kontakt nära hemmet.",
                plan_summary="Rehabiliteringsplan upprättad, uppföljning om tre månader.",
                ongoing_actions="Träningsprogram hos fysioterapeut.",
                disease=handover_disease(pathway, self.catalog.processes, on),
                treatment=handover_treatment(pathway, on),
            ),
            patient_informed=rng.random() < 0.85,
            on=on,
        )
        receivers = self.org.staff_by_unit[to_unit_id]
        receiver = rng.choice(receivers)
        if rng.random() < self.config.coverage.handover_confirmed:
            received = on + timedelta(days=rng.randint(0, 5))
            if received <= today:
                handover = handover_rules.receive(handover, by=receiver, on=received)
                contacted = received + timedelta(days=rng.randint(0, 7))
                if contacted <= today:
                    handover = handover_rules.confirm_patient_contact(
                        handover,
                        by=receiver,
                        on=contacted,
                        how=contact_method(self.config.seed, bundle, len(bundle.handovers)),
                    )
                    if contacted + timedelta(days=30) <= today and rng.random() < 0.5:
                        handover = handover_rules.complete(
                            handover, by=receiver, on=contacted + timedelta(days=30)
                        )
        elif rng.random() < 0.1:
            handover = handover_rules.reject(
                handover,
                by=receiver,
                on=min(today, on + timedelta(days=2)),
                reason="Patienten tillhör inte vårt upptagningsområde.",
            )
        bundle.handovers.append(handover)


def handover_disease(pathway: Pathway, processes: Any, on: date) -> str:
    """The handover's disease text on ``on`` (item 9: the handover carries the disease): the diagnosis, its
    process and date, and whether a palliative phase has begun. No random draw: the region stays as it was."""
    names = {p.id: p.name_sv for p in processes}
    diagnosis = pathway.diagnosis
    state = (
        "palliativ fas"
        if any(p.kind is PhaseKind.PALLIATIVE and p.on <= on for p in pathway.phases)
        else "ingen känd återkommande sjukdom"
    )
    name = names.get(diagnosis.process, diagnosis.process)
    if diagnosis.diagnosed_on is None:  # started at välgrundad misstanke, not yet confirmed
        return f"{name}: välgrundad misstanke {pathway.started_on.isoformat()}, utredning pågår; {state}"
    return f"{name} ({diagnosis.icd10}), diagnos {diagnosis.diagnosed_on.isoformat()}; {state}"


def handover_treatment(pathway: Pathway, on: date) -> str:
    """The handover's treatment text on ``on``: the treatment given, with its dates from the pathway."""
    start = next((p.on for p in pathway.phases if p.kind is PhaseKind.TREATMENT_START and p.on <= on), None)
    end = next((p.on for p in pathway.phases if p.kind is PhaseKind.TREATMENT_END and p.on <= on), None)
    if start is None:
        return "Ingen behandling påbörjad"
    if end is None:
        return f"Pågående behandling sedan {start.isoformat()}"
    return f"Behandling {start.isoformat()}–{end.isoformat()}, avslutad"


CONTACT_METHODS = (
    (ContactMethod.PHONE, 0.6),
    (ContactMethod.VISIT, 0.25),
    (ContactMethod.VIDEO, 0.05),
    (ContactMethod.DIGITAL_MESSAGE, 0.07),
    (ContactMethod.LETTER, 0.03),
)


def contact_method(seed: int, bundle: PatientBundle, n: int) -> ContactMethod:
    """How the receiver made contact with the patient for the bundle's ``n``-th handover (item 9:
    confirming contact records the date and how); own generator, seeded by the patient."""
    draw = random.Random(f"{seed}:{bundle.patient.personnummer}:contact:{n}")
    methods = [m for m, _ in CONTACT_METHODS]
    return draw.choices(methods, [w for _, w in CONTACT_METHODS])[0]


def caught_up_share(age_days: int) -> float:
    """The share of a unit's gaps made up for by today, by how many days ago the gap opened: a living unit
    has most of this week's still to do, some of the last weeks' and hardly any older ones."""
    if age_days <= 7:
        return 0.3
    return 0.96 if age_days <= 21 else 0.998


LEFT_THE_UNIT = 0.85  # of the patients in follow-up for months: their pathway at the unit has been closed


def _living_unit(pathway: Pathway, patient_key: str, seed: int, today: date) -> Pathway:
    """A unit's old cases have mostly left its care: a pathway in follow-up for more than three months (and
    no rehab plan still running) is
    closed (on a date between three and six months into the follow-up) for most patients, so the worklist
    holds the recent pathways with a few old loose ends, as a living unit's does. Drawn from its own
    generator (seeded by the patient) so that the rest of the region stays as it was for the same seed."""
    follow_up = next((p.on for p in pathway.phases if p.kind is PhaseKind.FOLLOW_UP), None)
    if follow_up is None or follow_up + timedelta(days=90) > today:
        return pathway
    draw = random.Random(f"{seed}:{patient_key}:closed")
    if draw.random() >= LEFT_THE_UNIT:
        return pathway
    closed_on = min(today, follow_up + timedelta(days=draw.randint(90, 180)))
    return pathway_rules.close_pathway(pathway, closed_on)
