"""The audit view: who accessed or changed which patient's record, scoped to the reader's care units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from canrehab.domain.access import Actor
from canrehab.domain.identity import parse_personnummer
from canrehab.domain.permissions import Action, allowed
from canrehab.services.guard import require_action

# The log's vocabulary and its filtered, paged reader, for the FHIR AuditEvent door (it maps the entries).
from canrehab.store.audit import ACTIONS as ACTIONS
from canrehab.store.audit import AuditEntry as AuditEntry
from canrehab.store.repositories.audit_reader import AuditFilter as AuditFilter
from canrehab.store.repositories.audit_reader import AuditReader

if TYPE_CHECKING:
    from canrehab.services.context import Services

ACTION_SV = {
    "read": "Läsning",
    "create": "Ny post",
    "update": "Ändring",
    "denied": "Nekad åtkomst",
    "export": "Export",
    "login": "Inloggning",
    "logout": "Utloggning",
    "revoke": "Återkallad",
}

# The event as the reader says it: a verb for the action and what it was done to (never an internal id).
VERB_SV = {
    "read": "Läste",
    "create": "Registrerade",
    "update": "Ändrade",
    "denied": "Nekades åtkomst till",
    "export": "Exporterade",
    "revoke": "Återkallade",
}
ENTITY_SV = {
    "patient": "patientuppgifter",
    "pathway": "rehabiliteringsförlopp",
    "assessment": "Hälsoskattning",
    "assessment_link": "patientlänk till Hälsoskattning",
    "rehab_plan": "rehabiliteringsplan",
    "care_unit": "enhetsuppgifter",
    "mdk_rehab_case": "MDK-rehabärende",
    "relative_support": "stöd till närstående",
    "handover": "överlämning",
    "referral": "remiss",
    "referral_list": "remisslistan",
    "kva_record": "KVÅ-registrering",
    "care_meeting": "teammöte",
    "user_account": "användarkonto",
    "audit_log": "åtkomstloggen",
    "indicators": "indikatorer",
    "indicator_drilldown": "patientlista bakom en indikator",
    "fhir_export": "FHIR-export",
    "par_export": "PAR-uttag",
    "gap_analysis": "gapanalys",
    "structure": "strukturregistret",
    "staff": "personaluppgifter",
    "relative": "närståendeuppgifter",
    "child": "uppgifter om barn som anhöriga",
    "mdk": "MDK-uppgifter",
    "svf": "SVF-uppgifter",
    "min_vardplan": "Min vårdplan",
    "page": "sida",
    "worklist": "arbetslistan",
    "arbetslista": "arbetslistan",
    "structure_indicators": "strukturindikatorer",
    "structure_entry": "strukturregistret",
    "analytics_dataset": "pseudonymiserade uppföljningsdata",
    "svf_record": "SVF-uppgifter",
    "oauth_client": "FHIR-klient",
    "bulk_export_job": "FHIR-export",
    "fhir": "FHIR-data",
    "kva": "KVÅ-registrering",
    "plan": "rehabiliteringsplan",
    "handovers": "överlämningar",
}


def entity_sv(entity_type: str) -> str:
    """What an event was done to, in Swedish; an unknown type reads as a generic 'post', never the internal
    name."""
    return ENTITY_SV.get(entity_type) or ENTITY_SV.get(entity_type.split("_")[0], "post")


SESSION_EVENTS = {"login": "Loggade in", "logout": "Loggade ut"}
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def event_sv(action: str, entity_type: str) -> str:
    """The event in readable Swedish, e.g. ``Läste rehabiliteringsplan``; an unknown entity type reads as a
    generic 'post' rather than the internal name."""
    if action in SESSION_EVENTS:
        return SESSION_EVENTS[action]
    verb = VERB_SV.get(action, ACTION_SV.get(action, "Händelse"))
    return f"{verb} {entity_sv(entity_type)}"


# Who sees which events: an administrator (the region's process leader) all of them, a unit manager only those
# that concern their own units (their patients, or done by their staff): Action.AUDIT_LOG_REGION_WIDE.
PAGE_SIZE = 100
EXPORT_LIMIT = 50_000


@dataclass(frozen=True)
class AuditQuery:
    """The reader's filters; every one optional. ``until`` is inclusive (a whole Swedish calendar day)."""

    patient_id: str = ""
    username: str = ""
    unit_hsa_id: str = ""
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class AuditEvent:
    at: datetime
    actor: str  # the username
    actor_name: str  # the staff member's name when the reader may see it, else the username
    role: str
    units: tuple[str, ...]  # the names of the actor's care units at the time
    action: str  # the action alone (Läsning, Ändring …)
    event: str  # the readable event (Läste rehabiliteringsplan)
    entity: str  # what it concerned, in Swedish, without ids
    patient_id: str | None
    patient_name: str  # the patient's name, '' when the event concerns no patient
    outcome: str


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    page: int
    page_size: int
    has_next: bool
    region_wide: bool
    total: int = 0


@dataclass(frozen=True)
class FilterChoices:
    """What the filter lists offer: the units and the staff the reader may filter on."""

    units: list[tuple[str, str]]  # (hsa id, name)
    users: list[tuple[str, str]]  # (username, display name)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=STOCKHOLM)


def _filter(query: AuditQuery, actor: Actor, region_wide: bool) -> AuditFilter:
    scope = None if region_wide else frozenset(actor.unit_hsa_ids)
    units = scope
    if query.unit_hsa_id:
        # A unit outside the reader's own shows nothing (concerns_units of a subset is a subset).
        units = frozenset({query.unit_hsa_id}) if scope is None or query.unit_hsa_id in scope else frozenset()
    interval: tuple[tuple[tuple[datetime | None, datetime | None], ...], ...] = ()
    if query.since or query.until:
        lo = _day_start(query.since) if query.since else None
        hi = _day_start(query.until + timedelta(days=1)) if query.until else None
        interval = (((lo, hi),),)
    return AuditFilter(
        patient_ids=frozenset({query.patient_id}) if query.patient_id else None,
        actors=frozenset({query.username}) if query.username else None,
        units=units,
        at=interval,
    )


def _events(uow: Any, actor: Actor, region_wide: bool, entries: list[AuditEntry]) -> list[AuditEvent]:
    names = {u.hsa_id: u.name for u in uow.units.list_all()}
    own = set(actor.unit_hsa_ids)
    accounts = {a.username: a for a in uow.accounts.list_all()}

    def actor_name(username: str) -> str:
        account = accounts.get(username)
        if account is None or not account.display_name:
            return username
        if region_wide or own.intersection(account.unit_hsa_ids):
            return str(account.display_name)
        return username

    patient_ids = sorted({e.patient_id for e in entries if e.patient_id})
    patients = uow.patients.names(patient_ids)  # covered by the audit_log read recorded by the caller
    return [
        AuditEvent(
            at=e.at,
            actor=e.actor_username,
            actor_name=actor_name(e.actor_username),
            role=e.actor_role,
            units=tuple(names.get(u, u) for u in e.actor_units),
            action=ACTION_SV.get(e.action, e.action),
            event=event_sv(e.action, e.entity_type),
            entity=entity_sv(e.entity_type),
            patient_id=e.patient_id,
            patient_name=patients.get(e.patient_id, "okänd patient") if e.patient_id else "",
            outcome="nekad" if e.action == "denied" else "ok",
        )
        for e in entries
    ]


def events(
    services: Services,
    actor: Actor,
    query: AuditQuery | None = None,
    *,
    patient_id: str = "",
    username: str = "",
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> AuditPage:
    require_action(actor, Action.AUDIT_LOG, services, "audit_log")
    region_wide = allowed(actor.role, Action.AUDIT_LOG_REGION_WIDE)
    query = query or AuditQuery(patient_id=patient_id, username=username)
    page = max(1, page)
    with services.uow(actor) as uow:
        reader = log_reader(uow)
        f = _filter(query, actor, region_wide)
        entries = reader.page(f, offset=(page - 1) * page_size, limit=page_size + 1)
        total = reader.count(f)
        shown = entries[:page_size]
        result = _events(uow, actor, region_wide, shown)
        uow.audit.record(
            "read",
            "audit_log",
            query.patient_id or "*",
            query.patient_id or None,
            f"{len(shown)} loggposter, sida {page}",
        )
    return AuditPage(
        events=result,
        page=page,
        page_size=page_size,
        has_next=len(entries) > page_size,
        region_wide=region_wide,
        total=total,
    )


def export(services: Services, actor: Actor, query: AuditQuery) -> list[AuditEvent]:
    """Every matching event (newest first, at most ``EXPORT_LIMIT``) for a CSV file; audited as an export."""
    require_action(actor, Action.AUDIT_LOG, services, "audit_log")
    region_wide = allowed(actor.role, Action.AUDIT_LOG_REGION_WIDE)
    with services.uow(actor) as uow:
        entries = log_reader(uow).page(_filter(query, actor, region_wide), offset=0, limit=EXPORT_LIMIT)
        result = _events(uow, actor, region_wide, entries)
        uow.audit.record(
            "export",
            "audit_log",
            query.patient_id or "*",
            query.patient_id or None,
            f"{len(result)} loggposter",
        )
    return result


def filter_choices(services: Services, actor: Actor) -> FilterChoices:
    require_action(actor, Action.AUDIT_LOG, services, "audit_log")
    region_wide = allowed(actor.role, Action.AUDIT_LOG_REGION_WIDE)
    own = set(actor.unit_hsa_ids)
    with services.uow(actor, log_reads=False) as uow:
        units = [(u.hsa_id, u.name) for u in uow.units.list_all() if region_wide or u.hsa_id in own]
        users = [
            (a.username, a.display_name or a.username)
            for a in uow.accounts.list_all()
            if a.role != "patient" and (region_wide or own.intersection(a.unit_hsa_ids))
        ]
    return FilterChoices(units=sorted(units, key=lambda u: u[1]), users=sorted(users, key=lambda u: u[1]))


def patient_by_personnummer(services: Services, actor: Actor, text: str) -> str | None:
    """The id of the patient with this personnummer (for the log's patient filter), None when nobody has it.
    The personnummer is parsed (a DomainError in Swedish when it is malformed) and never logged."""
    require_action(actor, Action.AUDIT_LOG, services, "audit_log")
    person = parse_personnummer(text, today=services.today())
    with services.uow(actor, log_reads=False) as uow:
        patient = uow.patients.get_by_personnummer(person.personnummer)
    return None if patient is None else str(patient.id)


def log_reader(uow: Any) -> AuditReader:
    """The audit log as a filtered, paged reader in this unit of work, its own pending rows written first.
    The caller checks who may read which entries (``Action.AUDIT_LOG``, scoped by unit)."""
    uow.audit.flush()
    return AuditReader(uow.session)
