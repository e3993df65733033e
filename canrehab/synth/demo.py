"""The demo: a fresh database with a synthetic region and one login per role."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from canrehab.config import Settings
from canrehab.domain.model import PlanStatus, Profession
from canrehab.domain.permissions import role_label
from canrehab.services.accounts import create_user
from canrehab.services.context import Services
from canrehab.services.publish import default_period, publish
from canrehab.synth.analytics import build_demo_analytics
from canrehab.synth.load import load_region
from canrehab.synth.region import SynthConfig

if TYPE_CHECKING:
    from canrehab.domain.model import Staff

DEMO_PASSWORD = "cancerrehab-demo"
# (role, username) of the demo logins, in the order they are printed.
DEMO_USERS = (
    ("nurse", "ssk"),
    ("doctor", "lakare"),
    ("rehab_professional", "fysioterapeut"),
    ("unit_manager", "chef"),
    ("regional_analyst", "analytiker"),
    ("admin", "processledare"),
    ("patient", "patient"),
)


def demo_logins() -> list[tuple[str, str, str]]:
    return [(role_label(role).capitalize(), username, DEMO_PASSWORD) for role, username in DEMO_USERS]


def build_demo(
    settings: Settings,
    *,
    patients: int,
    seed: int,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
    analytics_persons: int = 40000,
) -> list[tuple[str, str, str]]:
    """Replace the database with a fresh synthetic region; returns (role, username, password) per role.

    The demo statistics (a synthetic register extract in the analytics store, independent of the database)
    are built in a second process meanwhile, on the machine's other core (which then compiles the web app's
    modules too, see ``_analytics_then_web_modules``): the build returns when both are done, and fails if
    either fails."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        analytics = pool.submit(_analytics_then_web_modules, settings, seed, analytics_persons)
        logins = _build_region(settings, patients=patients, seed=seed, today=today, progress=progress)
        analytics.result()
    return logins


def _analytics_then_web_modules(settings: Settings, seed: int, persons: int) -> None:
    """The second process's work: the demo statistics, then an import of the web app, so that on a first
    start (packages installed without .pyc files) Python compiles the web modules here, in parallel with the
    region, instead of when the server starts. Nothing else is done with the import."""
    build_demo_analytics(settings, seed=seed, persons=persons)
    import canrehab.web.app  # noqa: F401


def _build_region(
    settings: Settings,
    *,
    patients: int,
    seed: int,
    today: date | None,
    progress: Callable[[int], None] | None,
) -> list[tuple[str, str, str]]:
    url = settings.resolved_database_url
    if url.startswith("sqlite:///"):
        path = settings.data_dir / "canrehab.db" if not settings.database_url else None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-wal", "-shm"):
                target = path.with_name(path.name + suffix)
                if target.exists():
                    target.unlink()
    services = Services.open(settings, migrate=True)
    config = SynthConfig(
        patients=patients, seed=seed, today=today or date.today(), pseudonym_key=settings.pseudonym_secret()
    )
    generator = load_region(services, config, progress=progress)
    org = generator.org
    oncology = next(u for u in org.units if u.hsa_id.endswith("-ONK"))
    county = oncology.county_code
    rehab = org.rehab_unit[county]
    nurse = _busiest(services, oncology.hsa_id, org.nurses(oncology.hsa_id))
    doctor = org.of_profession(oncology.hsa_id, Profession.PHYSICIAN)[0]
    physio = org.of_profession(rehab, Profession.PHYSIOTHERAPIST)[0]
    patient_id = _demo_patient(services, oncology.hsa_id, config.today)
    extra: dict[str, dict[str, Any]] = {
        "ssk": {"staff_id": nurse.id},
        "lakare": {"staff_id": doctor.id},
        "fysioterapeut": {"staff_id": physio.id},
        "chef": {"display_name": "Verksamhetschef Onkologi", "unit_hsa_ids": [oncology.hsa_id]},
        "analytiker": {"display_name": "Regional analytiker"},
        "processledare": {
            "display_name": "Processledare cancerrehabilitering",
            "unit_hsa_ids": [u.hsa_id for u in org.units],
        },
        "patient": {"patient_id": patient_id},
    }
    for role, username in DEMO_USERS:
        create_user(services, username=username, role=role, password=DEMO_PASSWORD, **extra[username])
    _own_data_to_analytics(services, config.today)
    _demo_gap_analysis(services, oncology.hsa_id, config.today)
    services.engine.dispose()
    return demo_logins()


# 004's summary table (Region Örebro län's gap analysis against the national care programme), as the demo's
# process leader finds it at /gapanalys: (area, text, priority, priority_to, indicators, decisions per level)
GAPS_004: tuple[tuple[str, str, int, int | None, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "Identifierade gap",
        "Alla patienter som genomgår en cancerutredning och behandling ska få sitt rehabiliteringsbehov "
        "bedömt regelbundet och strukturerat via instrumentet Hälsoskattning med handbok",
        1,
        None,
        ("strukturerad_behovsbedomning_vard",),
        ("specialised",),
    ),
    (
        "Identifierade gap",
        "Team behöver förtydligas för att möta särskilda och avancerade rehabiliteringsinsatser",
        2,
        None,
        (),
        ("specialised", "regional_primary", "municipal"),
    ),
    (
        "Identifierade gap",
        "Implementering samt göra digitaliserad Prehabilitering för cancerpatienter känd",
        2,
        4,
        (),
        ("specialised",),
    ),
    (
        "Identifierade gap",
        "Implementera arbetssätt för att följa länsgemensam riktlinje Prevention och behandling vid "
        "ohälsosamma levnadsvanor",
        2,
        None,
        (),
        ("municipal",),
    ),
    (
        "Samverkan",
        "Framtagande av vårdnivåöverenskommelse och remissrutiner för cancerrehabilitering",
        1,
        None,
        (),
        ("specialised", "regional_primary", "municipal"),
    ),
    (
        "Dokumentation",
        "Implementering av KVÅ-åtgärder i uppföljande syfte",
        1,
        None,
        ("rehabplan_kva",),
        ("specialised", "regional_primary"),
    ),
    (
        "Riktlinjer, rutiner och informationsmaterial",
        "Översyn av befintliga riktlinjer och rutiner vad gäller cancerrehabilitering. Vad finns och ska "
        "ensas? Vad behöver skapas?",
        2,
        None,
        (),
        ("specialised",),
    ),
)


def _demo_gap_analysis(services: Services, oncology_hsa_id: str, today: date) -> None:
    """A gap analysis laid out as 004's, with its decisions, one decision of the oncology clinic's own and
    an action, so that the process leader's /gapanalys and its Excel export show something real."""
    from canrehab.domain.access import Actor
    from canrehab.domain.gap_analysis import ActionItem, Decision, Gap, Participant
    from canrehab.domain.model import CareLevel
    from canrehab.services import gap_analysis

    leader = Actor(role="admin", staff_id=None, username="processledare")  # the demo's own logins decide
    manager = Actor(
        role="unit_manager", staff_id=None, unit_hsa_ids=frozenset({oncology_hsa_id}), username="chef"
    )
    people = (
        Participant("Johanna Grönqvist", "Ordförande/AT", "Onk mott", CareLevel.SPECIALISED),
        Participant("Anette Danesjö", "Metodstöd", "Utvecklingsenheten", CareLevel.SPECIALISED),
        Participant("Eva Norman", "Patientrepresentant", "Livsgnistan"),
        Participant(
            "Helena Tholin (adjungerad)",
            "Samordnare rehabkoordinatörer",
            "Hälsoval",
            CareLevel.REGIONAL_PRIMARY,
        ),
        Participant("Annelie Wase (adjungerad)", "MAR", "Lindesbergs kommun", CareLevel.MUNICIPAL),
    )
    analysis = gap_analysis.start(
        services,
        leader,
        title="Cancerrehabilitering, Region Östergötland",
        knowledge_support="Nationellt vårdprogram för cancerrehabilitering",
        held_on=today - timedelta(days=60),
        participants=people,
    )
    version = analysis.version
    for number, (area, text, priority, priority_to, indicators, levels) in enumerate(GAPS_004, start=1):
        gap_id = f"gap{number}"
        gap = Gap(gap_id, area, text, priority, priority_to, indicators)
        version = gap_analysis.add_gap(services, leader, analysis.id, gap, expected_version=version).version
        for level in levels:
            version = gap_analysis.decide(
                services,
                leader,
                analysis.id,
                gap_id,
                care_level=CareLevel(level),
                decision=Decision.YES,
                expected_version=version,
            ).version
    version = gap_analysis.decide(
        services,
        manager,
        analysis.id,
        "gap5",
        care_level=CareLevel.SPECIALISED,
        unit_hsa_id=oncology_hsa_id,
        decision=Decision.WAIT,
        comment="Oklar ansvarsfördelning och hur konsultationer bör genomföras.",
        expected_version=version,
    ).version
    gap_analysis.add_action(
        services,
        leader,
        analysis.id,
        "gap1",
        ActionItem(
            "Utbilda kontaktsjuksköterskor i Hälsoskattning med handbok",
            "LAG Cancerrehabilitering",
            today + timedelta(days=90),
        ),
        expected_version=version,
    )


def _own_data_to_analytics(services: Services, today: date) -> None:
    """The region's own KVÅ records, published to the analytics store by the production path
    (``canrehab publish``), so the statistics pages show the system's own data next to the register
    extract."""
    from canrehab.services.context import SYSTEM

    start, end = default_period(today)
    publish(services, SYSTEM, start=start, end=end)


def _demo_patient(services: Services, unit_hsa_id: str, today: date) -> str:
    """A patient at the demo unit with an established plan, for the patient login: one whose plan is current
    (its follow-up and every goal date still ahead), so Min vårdplan shows what a patient would see today;
    failing that any established plan, failing that the unit's first patient."""
    from canrehab.services.context import SYSTEM

    fallback: str | None = None
    with services.uow(SYSTEM, log_reads=False) as uow:
        for pathway in uow.pathways.for_unit(unit_hsa_id):
            for p in uow.plans.for_patient(pathway.patient_id):
                if p.status != PlanStatus.ESTABLISHED:
                    continue
                fallback = fallback or str(pathway.patient_id)
                dates = [p.content.follow_up_on, *(g.target_date for g in p.content.goals)]
                if all(d is None or d >= today for d in dates):
                    return str(pathway.patient_id)
        return fallback or str(uow.pathways.for_unit(unit_hsa_id)[0].patient_id)


def _busiest(services: Services, unit_hsa_id: str, nurses: list[Staff]) -> Staff:
    """The demo nurse: the unit's contact nurse with the most patients on today's worklist, so that "Mina
    patienter" shows a nurse's own day (the first nurse of a region may have none listed)."""
    from canrehab.store.orm import WorklistStatusTable as ws

    with services.engine.connect() as conn:
        listed = dict(
            conn.execute(
                select(ws.contact_nurse_id, func.count())
                .where(ws.unit_hsa_id == unit_hsa_id, ws.next_action_on.is_not(None))
                .group_by(ws.contact_nurse_id)
            ).all()
        )
    return max(nurses, key=lambda n: (listed.get(n.id, 0), -nurses.index(n)))
