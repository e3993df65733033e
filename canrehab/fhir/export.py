"""FHIR Bulk Data Access IG v2 export (https://hl7.org/fhir/uv/bulkdata/): kick-off, a background job that
writes the files once, status, manifest, cancel.

Levels: system (``/$export``), ``Patient/$export`` (every patient in the caller's scope) and
``Group/{id}/$export``, where a **Group is a care unit**: its id is the unit's HSA-id and its members are the
patients with a pathway at that unit (the same scope a unit manager has for their own unit). Scope: all
pathways for admin/system and regional analysts, the pathways of the caller's units for a unit manager; a
Group outside the caller's units is refused (403).

The job (a thread in the app process; its state is the ``bulk_export_job`` row) reads one consistent snapshot
of the database, pages through the patients in scope by id (``ExportReader``: one query per table per batch of
``BATCH`` patients, so memory holds a batch, never the region), runs the mappers of ``canrehab.fhir.mapping``
and appends one NDJSON line per resource to one file per type under ``<data dir>/bulk-export/<job>/``. It
uses the mappers' JSON builders (``*_json``); their ``*_to_fhir`` twins validate that same JSON with the
fhir.resources models, which costs more than all the rest of the export (the tests check the exported lines
against the R4 JSON schema and the models instead). Every Organization, PractitionerRole and Practitioner the
exported resources refer to is written too (unless ``_type`` leaves those types out), so no reference
dangles; a reference to a record the store lacks is reported in the manifest's ``error`` file
(OperationOutcome lines), never silently dropped.

Pseudonymised unless the caller's role sees identities: the Patient is its analytical pseudonym only, every
reference to it uses the pseudonym, free text and staff names are removed.

``_since`` and ``meta.lastUpdated``: every record carries ``updated_at`` (migration 0013, set on every write,
bulk loads included); an exported resource's ``meta.lastUpdated`` is its record's ``updated_at`` (derived
views — Condition and EpisodeOfCare of a pathway, the Goals of a plan — that of the record they are views
of), the same instant the REST read gives. With ``_since`` only resources whose record was written after it
are exported, at every level and for every type (Patient included: a Patient resource appears when its own
record changed, as the IG's "state has changed after the supplied time").
"""

from __future__ import annotations

import logging
import re
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl

import orjson

from canrehab.domain.access import Actor
from canrehab.domain.model import new_id
from canrehab.domain.permissions import Action, allowed
from canrehab.fhir.context import Ctx
from canrehab.fhir.mapping.assessment import questionnaire_response_json
from canrehab.fhir.mapping.organisation import (
    organization_json,
    patient_json,
    practitioner_json,
    practitioner_role_json,
)
from canrehab.fhir.mapping.pathway import condition_json, episode_json
from canrehab.fhir.mapping.plan import care_plan_json
from canrehab.fhir.mapping.procedure import procedure_json
from canrehab.fhir.mapping.svf import SvfState
from canrehab.fhir.mapping.team import care_team_json, rehab_members
from canrehab.fhir.mapping.workflow import service_request_json, task_json
from canrehab.fhir.outcome import FhirError
from canrehab.fhir.resources.common import questionnaire
from canrehab.fhir.resources.plan import goals_of
from canrehab.fhir.search import Query, matches, parse_query
from canrehab.fhir.search_params import params_of
from canrehab.fhir.systems import CANREHAB_BASE
from canrehab.services import svf

log = logging.getLogger(__name__)
Json = dict[str, Any]

CLINICAL = (
    "Patient",
    "EpisodeOfCare",
    "Condition",
    "QuestionnaireResponse",
    "CarePlan",
    "Goal",
    "ServiceRequest",
    "Task",
    "Procedure",
    "CareTeam",
)
SUPPORT = ("Organization", "PractitionerRole", "Practitioner")
TYPES = CLINICAL + SUPPORT
OUTPUT_FORMATS = frozenset({"application/fhir+ndjson", "application/ndjson", "ndjson"})
PARAMETERS = ("_outputFormat", "_since", "_type", "_typeFilter")
REMOVED = "(borttaget vid pseudonymisering)"
BATCH = 1000
WORKERS = 2  # processes for a large export on PostgreSQL (the machine's cores)
PARALLEL_MIN_PATIENTS = 20_000  # below this, one thread (starting processes costs seconds)
RETRY_AFTER = 2  # seconds between polls
STALE = timedelta(minutes=10)  # a running job with no progress for this long was interrupted
PSEUDONYMISED_EXT = f"{CANREHAB_BASE}/bulk-export-pseudonymised"
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")


# ---------------------------------------------------------------------------------------------- kick-off


@dataclass(frozen=True)
class ExportRequest:
    level: str  # system | patient | group
    group_id: str | None
    types: tuple[str, ...]
    since: datetime | None
    type_filters: tuple[str, ...] = ()

    def parameters(self) -> Json:
        return {
            "types": list(self.types),
            "since": self.since.isoformat() if self.since else None,
            "type_filters": list(self.type_filters),
        }


def _bad(message: str, where: str, code: str = "value") -> FhirError:
    return FhirError(400, message, code=code, expression=(where,))


def respond_async(prefer: str | None) -> bool:
    return any(p.strip().lower() == "respond-async" for p in (prefer or "").replace(";", ",").split(","))


def parse_instant(raw: str, where: str = "_since") -> datetime:
    text = raw.strip()
    if not INSTANT.match(text):
        raise _bad(f"{where} must be a FHIR instant (e.g. 2026-03-01T12:00:00Z), got {raw!r}.", where)
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError as exc:
        raise _bad(f"{where}: {raw!r} is not a valid instant.", where) from exc


def parse_types(values: Sequence[str]) -> tuple[str, ...]:
    wanted = [t.strip() for raw in values for t in raw.split(",") if t.strip()]
    if not wanted:
        return TYPES
    unknown = [t for t in wanted if t not in TYPES]
    if unknown:
        raise _bad(
            f"_type: cannot export {', '.join(unknown)} (one of {', '.join(TYPES)}).",
            "_type",
            "not-supported",
        )
    return tuple(t for t in TYPES if t in wanted)


def parse_type_filter(raw: str) -> tuple[str, Query]:
    """``Type?param=value&…``: a search of the type (its search parameters, as ``GET /fhir/Type?…``), filters
    only — result parameters, chains and parameters applied only while loading are refused."""
    rtype, sep, query_text = raw.partition("?")
    rtype = rtype.strip()
    if not sep or rtype not in TYPES:
        raise _bad(
            f"_typeFilter must be Type?search with a type of {', '.join(TYPES)}, got {raw!r}.", "_typeFilter"
        )
    items = parse_qsl(query_text, keep_blank_values=True)
    if not items:
        raise _bad(f"_typeFilter {raw!r} has no search parameter.", "_typeFilter")
    params = params_of(rtype)
    for key, _ in items:
        name = key.partition(":")[0]
        param = params.get(name)
        if (key.startswith("_") and param is None) or "." in key:
            raise _bad(
                f"_typeFilter: {key} is not supported in a type filter (search parameters only).",
                "_typeFilter",
                "not-supported",
            )
        if param is not None and param.values is None:
            raise _bad(
                f"_typeFilter: {rtype}?{name} cannot be applied to exported resources.",
                "_typeFilter",
                "not-supported",
            )
    try:
        query = parse_query(items, params, strict=True, rtype=rtype, params_of=params_of)
    except FhirError as exc:
        raise _bad(f"_typeFilter {raw!r}: {exc.diagnostics}", "_typeFilter", exc.code) from exc
    return rtype, query


def parse_kickoff(
    items: Iterable[tuple[str, str]], prefer: str | None, level: str, group_id: str | None = None
) -> ExportRequest:
    """The kick-off's parameters (query string or a POSTed Parameters resource); anything else is a 400."""
    if not respond_async(prefer):
        raise FhirError(
            400, "A bulk export runs asynchronously: send the header 'Prefer: respond-async'.", code="value"
        )
    types: list[str] = []
    since: datetime | None = None
    filters: list[str] = []
    unknown: list[str] = []
    for key, value in items:
        if key == "_outputFormat":
            if value.strip() not in OUTPUT_FORMATS:
                raise _bad(
                    f"_outputFormat {value!r} is not served (only {', '.join(sorted(OUTPUT_FORMATS))}).",
                    key,
                    "not-supported",
                )
        elif key == "_since":
            if since is not None:
                raise _bad("_since given more than once.", key)
            since = parse_instant(value)
        elif key == "_type":
            types.append(value)
        elif key == "_typeFilter":
            filters.append(value)
        elif key == "_format":
            continue  # JSON only, checked by the route (406 otherwise)
        else:
            unknown.append(key)
    if unknown:
        names = ", ".join(sorted(set(unknown)))
        raise FhirError(
            400,
            f"Unsupported $export parameter(s): {names} (supported: {', '.join(PARAMETERS)}).",
            code="not-supported",
            expression=tuple(sorted(set(unknown))),
        )
    wanted = parse_types(types)
    for raw in filters:
        rtype, _ = parse_type_filter(raw)
        if rtype not in wanted:
            raise _bad(f"_typeFilter names {rtype}, which _type does not export.", "_typeFilter")
    return ExportRequest(level, group_id, wanted, since, tuple(filters))


def parameters_items(body: Json) -> list[tuple[str, str]]:
    """A POSTed kick-off's Parameters resource as (name, value) pairs."""
    if body.get("resourceType") != "Parameters":
        raise FhirError(400, "POST $export takes a Parameters resource.", code="structure")
    out: list[tuple[str, str]] = []
    for i, p in enumerate(body.get("parameter") or []):
        name = p.get("name") if isinstance(p, dict) else None
        values = [v for k, v in p.items() if k.startswith("value")] if isinstance(p, dict) else []
        if not isinstance(name, str) or len(values) != 1 or not isinstance(values[0], str):
            raise _bad(
                f"Parameters.parameter[{i}] needs a name and one string value (valueString, valueInstant …).",
                f"Parameters.parameter[{i}]",
            )
        out.append((name, values[0]))
    return out


def start(ctx: Ctx, req: ExportRequest, request_url: str) -> str:
    """Checks the caller may export the scope and records the job (status ``accepted``); returns its id.
    The caller launches the job (``launch``) once this unit of work has committed."""
    ctx.require_action(Action.BULK_EXPORT, "export data")
    actor = ctx.actor
    if req.level == "group":
        assert req.group_id is not None
        if not ctx.uow.export_reader.unit_exists(req.group_id):
            raise FhirError(
                404, f"Group/{req.group_id} not found (a Group is a care unit's HSA-id).", code="not-found"
            )
        if not allowed(actor.role, Action.BULK_EXPORT_ALL_UNITS) and req.group_id not in actor.unit_hsa_ids:
            raise FhirError(403, f"Group/{req.group_id} is not one of your care units.", code="forbidden")
    now = datetime.now(UTC)
    job_id = new_id()
    ctx.uow.bulk_jobs.add(
        {
            "id": job_id,
            "owner_username": actor.username,
            "owner_role": str(actor.role),
            "owner_units": sorted(actor.unit_hsa_ids),
            "owner_staff_id": actor.staff_id,
            "level": req.level,
            "group_id": req.group_id,
            "request": request_url,
            "parameters": req.parameters(),
            "pseudonymised": not ctx.sees_identities,
            "status": "accepted",
            "progress": "väntar",
            "patients_done": 0,
            "patients_total": None,
            "transaction_time": None,
            "created_at": now,
            "updated_at": now,
            "finished_at": None,
            "output": [],
            "error": [],
            "failure": "",
        }
    )
    scope = req.group_id or ("alla enheter" if allowed(actor.role, Action.BULK_EXPORT_ALL_UNITS) else "egna")
    detail = f"bulk export {job_id} startad ({req.level}, {scope}, {len(req.types)} typer)"
    ctx.uow.audit.record("export", "bulk_export_job", job_id, None, detail)
    return job_id


# ---------------------------------------------------------------------------------------------- the job

_THREADS: dict[str, threading.Thread] = {}


def export_dir(services: Any, job_id: str) -> Path:
    return Path(services.settings.data_dir) / "bulk-export" / job_id


def launch(services: Any, job_id: str) -> threading.Thread:
    thread = threading.Thread(
        target=run_job, args=(services, job_id), name=f"bulk-export-{job_id[:8]}", daemon=True
    )
    _THREADS[job_id] = thread
    thread.start()
    return thread


def wait(job_id: str, timeout: float | None = None) -> None:
    """Wait for a job of this process to end (tests, benchmarks)."""
    thread = _THREADS.get(job_id)
    if thread is not None:
        thread.join(timeout)


def _owner(job: Json) -> Actor:
    return Actor(
        role=job["owner_role"],
        staff_id=job["owner_staff_id"],
        unit_hsa_ids=frozenset(job["owner_units"]),
        username=job["owner_username"],
    )


class Cancelled(Exception):
    pass


def _updater(services: Any, job_id: str) -> Callable[..., bool]:
    """Writes the job's state in a transaction of its own; ``patients_done`` is added (several workers);
    False once the job has been cancelled."""
    from canrehab.services.context import SYSTEM

    def update(**values: Any) -> bool:
        done = values.pop("patients_done", None)
        with services.independent_uow(SYSTEM, log_reads=False) as uow:
            if done is not None:
                return bool(uow.bulk_jobs.add_progress(job_id, done))
            return bool(uow.bulk_jobs.set_unless_cancelled(job_id, updated_at=datetime.now(UTC), **values))

    return update


def progress(job: Json) -> str:
    """``X-Progress``: patients done of the patients in scope."""
    total, done = job["patients_total"], job["patients_done"]
    if total is None:
        return "väntar"
    return f"{done} av {total} patienter ({100 * done // total if total else 100} %)"


def run_job(services: Any, job_id: str) -> None:
    from canrehab.services.context import SYSTEM

    update = _updater(services, job_id)
    with services.independent_uow(SYSTEM, log_reads=False) as uow:
        job = uow.bulk_jobs.get(job_id)
    if job is None:
        return
    directory = export_dir(services, job_id)
    try:
        writer = _Writer(directory)
        _snapshot(services, job, writer, update)
        if not update(
            status="completed",
            progress="klar",
            output=writer.outputs(),
            error=writer.errors(),
            finished_at=datetime.now(UTC),
        ):
            raise Cancelled
    except Cancelled:
        shutil.rmtree(directory, ignore_errors=True)
    except Exception:  # the IG's failed job: the status answers 500 with an OperationOutcome
        log.exception("bulk export %s failed", job_id)
        shutil.rmtree(directory, ignore_errors=True)
        update(
            status="failed",
            progress="misslyckades",
            finished_at=datetime.now(UTC),
            failure="The export failed on the server; see the server log for the job id.",
        )
    finally:
        _THREADS.pop(job_id, None)


class _Writer:
    """One NDJSON file per type, opened on its first line; counts per type."""

    def __init__(self, directory: Path, suffix: str = "") -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.suffix = suffix
        self.files: dict[str, IO[bytes]] = {}
        self.counts: dict[str, int] = {}
        self.issues: list[Json] = []
        self.parts: list[tuple[str, str, int]] = []  # (type, file, count) written by worker processes

    def file_names(self) -> dict[str, str]:
        return {t: f"{t}{self.suffix}.ndjson" for t in self.files}

    def add_part(self, files: dict[str, str], counts: dict[str, int]) -> None:
        self.parts += [(t, name, counts[t]) for t, name in files.items()]

    def write(self, rtype: str, line: bytes) -> None:
        """One resource's JSON (UTF-8, one line) and its newline."""
        out = self.files.get(rtype)
        if out is None:
            path = self.directory / f"{rtype}{self.suffix}.ndjson"
            out = self.files[rtype] = path.open("wb", buffering=1 << 20)
            self.counts[rtype] = 0
        out.write(line + b"\n")
        self.counts[rtype] += 1

    def close(self) -> None:
        for f in self.files.values():
            f.close()
        if self.issues:
            with (self.directory / "OperationOutcome.ndjson").open("wb") as out:
                for issue in self.issues:
                    out.write(dumps(issue) + b"\n")

    def outputs(self) -> list[Json]:
        """One entry per file, in type order (a type written by several workers has one file per worker)."""
        own = [(t, f"{t}{self.suffix}.ndjson", n) for t, n in self.counts.items()]
        items = sorted([*self.parts, *own], key=lambda x: (TYPES.index(x[0]), x[1]))
        return [{"type": t, "file": name, "count": n} for t, name, n in items if n]

    def errors(self) -> list[Json]:
        if not self.issues:
            return []
        return [{"type": "OperationOutcome", "file": "OperationOutcome.ndjson", "count": len(self.issues)}]


@dataclass
class _Plan:
    """What the job writes: the types, the ``_typeFilter`` queries per type (ORed), ``_since``, the scope."""

    types: frozenset[str]
    filters: dict[str, list[Query]]
    since: datetime | None
    units: frozenset[str] | None
    pseudonymised: bool
    org_ids: set[str] = field(default_factory=set)
    role_ids: set[str] = field(default_factory=set)
    questionnaires: dict[str, Json | None] = field(default_factory=dict)

    def questionnaire(self, instrument_id: str) -> Json | None:
        """The instrument's Questionnaire, loaded once per job (the mappers only read it)."""
        if instrument_id not in self.questionnaires:
            self.questionnaires[instrument_id] = questionnaire(instrument_id)
        return self.questionnaires[instrument_id]

    def keep(self, rtype: str, line: bytes) -> bool:
        queries = self.filters.get(rtype)
        if not queries:
            return True
        resource = orjson.loads(line)
        return any(matches(resource, q) for q in queries)


def _plan_of(job: Json) -> _Plan:
    params = job["parameters"]
    filters: dict[str, list[Query]] = {}
    for raw in params.get("type_filters") or []:
        rtype, query = parse_type_filter(raw)
        filters.setdefault(rtype, []).append(query)
    owner = _owner(job)
    units: frozenset[str] | None
    if job["level"] == "group":
        units = frozenset({job["group_id"]})
    elif allowed(owner.role, Action.BULK_EXPORT_ALL_UNITS):
        units = None
    else:
        units = owner.unit_hsa_ids
    since = datetime.fromisoformat(params["since"]) if params.get("since") else None
    return _Plan(frozenset(params["types"]), filters, since, units, bool(job["pseudonymised"]))


def _snapshot(services: Any, job: Json, writer: _Writer, update: Callable[..., bool]) -> None:
    plan = _plan_of(job)
    owner = _owner(job)
    with services.independent_uow(owner, log_reads=False, read_only=True) as uow:
        reader = uow.export_reader
        reader.snapshot()
        transaction_time = reader.now() or datetime.now(UTC)
        total = reader.count_patients(plan.units)
        if not update(status="running", transaction_time=transaction_time, patients_total=total):
            raise Cancelled
        snapshot_id = reader.export_snapshot() if total >= PARALLEL_MIN_PATIENTS else None
        if snapshot_id is None or WORKERS < 2:
            _export_range(services, job, plan, reader, ("", None), writer, update)
        else:  # PostgreSQL: worker processes share this transaction's snapshot, one id range each
            bounds = reader.split_points(plan.units, WORKERS)
            ranges = list(zip(["", *bounds], [*bounds, None], strict=True))
            _export_parallel(services, job, snapshot_id, ranges, plan, writer)
        for rtype, resource in _support_resources(reader, plan, writer):
            line = dumps(resource)
            if rtype in plan.types and plan.keep(rtype, line):
                writer.write(rtype, line)
    writer.close()


def _export_range(
    services: Any,
    job: Json,
    plan: _Plan,
    reader: Any,
    bounds: tuple[str, str | None],
    writer: _Writer,
    update: Callable[..., bool],
) -> None:
    """The patients with ids after ``low`` up to ``high`` (None: no end) and their records, batch by batch."""
    owner = _owner(job)
    job_id = job["id"]
    after, high = bounds
    while (batch := reader.batch(plan.units, after, BATCH, upto=high)) is not None:
        after = batch.patients[-1].id
        pseudonyms = {p.id: p.pseudonym for p in batch.patients} if plan.pseudonymised else None
        for rtype, resource in _batch_resources(reader, batch, plan):
            line = dumps(resource)
            if pseudonyms is not None:
                line = scrub(line, pseudonyms)
            if plan.keep(rtype, line):
                _collect_refs(line, plan)
                writer.write(rtype, line)
        with services.independent_uow(owner) as audit_uow:
            for p in batch.patients:
                audit_uow.audit.record("read", "patient", p.id, p.id, f"bulk export {job_id}")
        if not update(patients_done=len(batch.patients)):
            raise Cancelled


def _export_parallel(
    services: Any,
    job: Json,
    snapshot_id: str,
    ranges: list[tuple[str, str | None]],
    plan: _Plan,
    writer: _Writer,
) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    url = services.engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")  # never fork a threaded web server
    with ProcessPoolExecutor(max_workers=len(ranges), mp_context=context) as pool:
        futures = [
            pool.submit(_part, services.settings, url, job, snapshot_id, bounds, i)
            for i, bounds in enumerate(ranges)
        ]
        results = [f.result() for f in futures]  # a worker's exception fails the job
    for files, counts, org_ids, role_ids, issues in results:
        writer.add_part(files, counts)
        plan.org_ids |= org_ids
        plan.role_ids |= role_ids
        writer.issues += issues


def _part(
    settings: Any, url: str, job: Json, snapshot_id: str, bounds: tuple[str, str | None], number: int
) -> tuple[dict[str, str], dict[str, int], set[str], set[str], list[Json]]:
    """One worker process: the patients of one id range, read in the parent's snapshot."""
    from canrehab.services.context import Services

    services = Services.open(settings.model_copy(update={"database_url": url}))
    job_id = job["id"]

    update = _updater(services, job_id)
    plan = _plan_of(job)
    writer = _Writer(export_dir(services, job_id), suffix=f".part{number + 1}")
    try:
        with services.independent_uow(_owner(job), log_reads=False, read_only=True) as uow:
            uow.export_reader.use_snapshot(snapshot_id)
            _export_range(services, job, plan, uow.export_reader, bounds, writer, update)
        writer.close()
        return writer.file_names(), writer.counts, plan.org_ids, plan.role_ids, writer.issues
    finally:
        services.engine.dispose()


def _batch_resources(reader: Any, batch: Any, plan: _Plan) -> Iterator[tuple[str, Json]]:
    """The batch's clinical resources as (type, JSON), identified (``scrub`` pseudonymises the lines), each
    with ``meta.lastUpdated`` (its record's ``updated_at``, as the REST read gives it); with ``_since`` only
    those whose record was written after it."""
    wanted = plan.types
    forms = plan.questionnaire
    stamped = _stamper(reader, plan)
    if "Patient" in wanted:
        for p in batch.patients:
            if (at := stamped("patient", p.id)) is not None:
                yield "Patient", _with_last_updated(patient_json(p, pseudonymised=plan.pseudonymised), at)
    team_of = _teams(reader, batch, plan) if "CareTeam" in wanted else None
    svf_of = {}  # the batch's SVF records, one query per batch (the extension svf)
    if "EpisodeOfCare" in wanted:
        svf_of = svf.for_export(reader.session, [pw.id for pw in batch.pathways])
    for pw in batch.pathways:
        if (at := stamped("pathway", pw.id)) is not None:
            if "EpisodeOfCare" in wanted:
                found = svf_of.get(pw.id)
                episode = episode_json(pw, None if found is None else SvfState(*found))
                yield "EpisodeOfCare", _with_last_updated(episode, at)
            if "Condition" in wanted:
                yield "Condition", _with_last_updated(condition_json(pw), at)
        if team_of is not None and (team := team_of(pw)) is not None:
            yield "CareTeam", team
    if "QuestionnaireResponse" in wanted:
        for a in batch.assessments:
            if (at := stamped("assessment", a.id)) is not None:
                resource = questionnaire_response_json(a, forms(a.instrument_id))
                yield "QuestionnaireResponse", _with_last_updated(resource, at)
    if "CarePlan" in wanted or "Goal" in wanted:
        for plan_ in batch.plans:
            if (at := stamped("rehab_plan", plan_.id)) is not None:
                if "CarePlan" in wanted:
                    yield "CarePlan", _with_last_updated(care_plan_json(plan_), at)
                if "Goal" in wanted:
                    for g in goals_of(plan_).values():
                        yield "Goal", _with_last_updated(g, at)
    if "ServiceRequest" in wanted:
        for r in batch.referrals:
            if (at := stamped("referral", r.id)) is not None:
                yield "ServiceRequest", _with_last_updated(service_request_json(r), at)
    if "Task" in wanted:
        for h in batch.handovers:
            if (at := stamped("handover", h.id)) is not None:
                yield "Task", _with_last_updated(task_json(h), at)
    if "Procedure" in wanted:
        for k in batch.kva:
            if (at := stamped("kva_record", k.id)) is not None:
                yield "Procedure", _with_last_updated(procedure_json(k), at)


def _teams(reader: Any, batch: Any, plan: _Plan) -> Callable[[Any], Json | None]:
    """The batch's CareTeams by pathway: the KVÅ records grouped by pathway and their performers'
    professions read once per batch. A team was last updated when its pathway or one of the pathway's KVÅ
    records was (a new member is a new record); ``_since`` leaves out a team with neither after it."""
    performers = {k.performer_id for k in batch.kva if k.performer_id}
    professions = {s.id: s.profession for s in reader.staff(performers)}
    by_pathway: dict[str, list[Any]] = {}
    for k in batch.kva:
        by_pathway.setdefault(k.pathway_id, []).append(k)

    def team(pw: Any) -> Json | None:
        records = by_pathway.get(pw.id, ())
        stamps = [reader.stamp("pathway", pw.id), *(reader.stamp("kva_record", k.id) for k in records)]
        known = [s for s in stamps if s is not None]
        at = max(known) if known else None
        if plan.since is not None and (at is None or at <= plan.since):
            return None
        resource = care_team_json(pw, rehab_members(pw.id, records, professions.get))
        return _with_last_updated(resource, instant(at) if at is not None else _NO_STAMP)

    return team


_NO_STAMP = ""  # a record without ``updated_at`` (not expected after migration 0013): no meta.lastUpdated


def _stamper(reader: Any, plan: _Plan) -> Callable[[str, str], str | None]:
    """``(entity type, key)`` → the record's ``meta.lastUpdated`` text, or None when ``_since`` leaves it out
    (written at or before ``_since``: the IG exports resources "updated after" it)."""
    since = plan.since

    def stamped(entity_type: str, key: str) -> str | None:
        at = reader.stamp(entity_type, key)
        if since is not None and (at is None or at <= since):
            return None
        return instant(at) if at is not None else _NO_STAMP

    return stamped


def _with_last_updated(resource: Json, at: str) -> Json:
    """``meta.lastUpdated`` set as the read path sets it (``fhir.resources.common.stamped``)."""
    if not at:
        return resource
    meta = resource.get("meta") or {}
    if meta.get("lastUpdated"):
        return resource
    return {**resource, "meta": {**meta, "lastUpdated": at}}


def _support_resources(reader: Any, plan: _Plan, writer: _Writer) -> Iterator[tuple[str, Json]]:
    """The Organizations and staff (PractitionerRole + Practitioner) the exported resources refer to; a
    referenced record the store lacks is an error line, not a silent dangling reference."""
    if not plan.types & set(SUPPORT):
        return
    staff = reader.staff(plan.role_ids)
    plan.org_ids |= {s.unit_hsa_id for s in staff}
    units = reader.units(plan.org_ids)
    for missing, rtype in (
        (plan.org_ids - {u.hsa_id for u in units}, "Organization"),
        (plan.role_ids - {s.id for s in staff}, "PractitionerRole"),
    ):
        for rid in sorted(missing):
            writer.issues.append(_issue(f"{rtype}/{rid} is referenced by exported resources but not stored."))
    stamped = _stamper(reader, plan)
    for u in units:
        if (at := stamped("care_unit", u.hsa_id)) is not None:
            yield "Organization", _with_last_updated(organization_json(u), at)
    for s in staff:
        if (at := stamped("staff", s.id)) is None:
            continue
        role = _with_last_updated(practitioner_role_json(s), at)
        person = _with_last_updated(practitioner_json(s), at)
        if plan.pseudonymised:  # staff names are removed with the free text
            role["practitioner"].pop("display", None)
            person.pop("name", None)
        yield "PractitionerRole", role
        yield "Practitioner", person


def _issue(message: str) -> Json:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "not-found", "diagnostics": message}],
    }


def dumps(resource: Json) -> bytes:
    """One resource as compact UTF-8 JSON. orjson writes the same text as ``json.dumps(resource,
    ensure_ascii=False, separators=(",", ":"))`` for the mappers' JSON (str keys, str/int/bool/None values, no
    floats out of ``repr``'s range) at about a tenth of the cost; ``test_bulk_export`` checks the equality."""
    return orjson.dumps(resource)


# On the compact JSON line (a pass over the bytes instead of walking every resource's tree twice): the JSON
# grammar makes this exact — a quote inside a string is always escaped, and only a key is followed by ``:``,
# so ``"text":"`` is the key ``text`` with a string value.
_BODY = rb'[^"\\]*(?:\\.[^"\\]*)*'  # a JSON string's characters, "unrolled" (faster than (a|b)*)
_REFERENCE = re.compile(rb'"reference":"(Organization|PractitionerRole|Practitioner)/(' + _BODY + b')"')
_FREE_KEYS = (b"valueString", b"description", b"text")
_REMOVED_JSON = orjson.dumps(REMOVED)


def _collect_refs(line: bytes, plan: _Plan) -> None:
    if b'"reference":"' not in line:
        return
    for rtype, rid in _REFERENCE.findall(line):
        (plan.org_ids if rtype == b"Organization" else plan.role_ids).add(rid.decode("utf-8"))


def _string_end(data: bytes, start: int) -> int:
    """The index of the quote that ends the JSON string whose characters start at ``start`` (-1: none)."""
    end = data.find(b'"', start)
    while end > start and data[end - 1] == 0x5C:  # a backslash before it: escaped unless they pair up
        slashes = len(data[start:end]) - len(data[start:end].rstrip(b"\\"))
        if slashes % 2 == 0:
            break
        end = data.find(b'"', end + 1)
    return end


_REF_MARK = b'"reference":"'
_DISPLAY_MARK = b',"display":"'


def _scrub_references(line: bytes, pseudonyms: dict[str, str]) -> bytes:
    """References to the patients in ``pseudonyms`` use the pseudonym; the display after a reference to
    anything but an Organization is removed. One split on the reference key instead of two regex passes."""
    parts = line.split(_REF_MARK)
    out = [parts[0]]
    for part in parts[1:]:
        end = _string_end(part, 0)
        if end < 0:  # not JSON as the mappers write it: leave the part as it is
            out.append(part)
            continue
        target = part[:end]
        if target.startswith(b"Patient/"):
            pseudonym = pseudonyms.get(target[8:].decode("utf-8"))
            if pseudonym is not None:
                target = b"Patient/" + pseudonym.encode()
        rest = part[end:]  # from the closing quote
        if not part.startswith(b"Organization/") and rest.startswith(_DISPLAY_MARK, 1):
            display_end = _string_end(rest, 1 + len(_DISPLAY_MARK))
            if display_end >= 0:
                rest = b'"' + rest[display_end + 1 :]
        out.append(target + rest)
    return _REF_MARK.join(out)


def _scrub_free_text(line: bytes, key: bytes) -> bytes:
    """Every string value of ``key`` is ``REMOVED``."""
    mark = b'"' + key + b'":"'
    parts = line.split(mark)
    out = [parts[0]]
    for part in parts[1:]:
        end = _string_end(part, 0)
        out.append(part if end < 0 else _REMOVED_JSON[1:] + part[end + 1 :])
    return mark.join(out)


def scrub(line: bytes, pseudonyms: dict[str, str]) -> bytes:
    """Pseudonymises one resource's JSON line: references to the patients in ``pseudonyms`` (id → pseudonym)
    use the pseudonym, free text (``valueString``, ``description``, ``text``) is removed, and so are the
    displays (staff names) of references to anything but an Organization.

    Split on the key (``"reference":"``, ``"text":"`` …), each string's closing quote found: exact by the
    JSON grammar (see above) and 2–3× faster than the regular expressions it replaced, whose results it
    equals (``test_bulk_export.test_scrub_equals_the_regular_expressions``)."""
    if _REF_MARK in line:
        line = _scrub_references(line, pseudonyms)
    for key in _FREE_KEYS:
        if b'"' + key + b'":"' in line:
            line = _scrub_free_text(line, key)
    return line


# ---------------------------------------------------------------------------------------------- status


def job_of(ctx: Ctx, job_id: str) -> Json:
    """The caller's own job; another caller's, a cancelled or an unknown one is 404."""
    job = ctx.uow.bulk_jobs.get(job_id)
    if job is None or job["owner_username"] != ctx.actor.username or job["status"] == "cancelled":
        raise FhirError(404, f"No bulk export job {job_id} of yours.", code="not-found")
    ctx.require_action(Action.BULK_EXPORT, "export data")
    if job["status"] in ("accepted", "running") and datetime.now(UTC) - job["updated_at"] > STALE:
        ctx.uow.bulk_jobs.set(job_id, status="failed", failure="The job was interrupted (no progress).")
        job = {**job, "status": "failed", "failure": "The job was interrupted (no progress)."}
    return job


def instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def manifest(job: Json, base: str) -> Json:
    def files(items: list[Json]) -> list[Json]:
        return [
            {"type": o["type"], "url": f"{base}/$export-file/{job['id']}/{o['file']}", "count": o["count"]}
            for o in items
        ]

    return {
        "transactionTime": instant(job["transaction_time"]),
        "request": job["request"],
        "requiresAccessToken": True,
        "output": files(job["output"]),
        "error": files(job["error"]),
        "extension": {PSEUDONYMISED_EXT: bool(job["pseudonymised"])},
    }


def cancel(ctx: Ctx, services: Any, job_id: str) -> None:
    """DELETE on the status URL: the job stops (a running one at its next batch) and its files are removed."""
    job = job_of(ctx, job_id)
    ctx.uow.bulk_jobs.set(job_id, status="cancelled", updated_at=datetime.now(UTC))
    ctx.uow.audit.record(
        "export", "bulk_export_job", job_id, None, f"bulk export {job_id} avbruten ({job['status']})"
    )
    shutil.rmtree(export_dir(services, job_id), ignore_errors=True)


def download(ctx: Ctx, services: Any, job_id: str, name: str) -> tuple[Path, Json]:
    """The file ``name`` of the caller's completed job (audited as an export)."""
    job = job_of(ctx, job_id)
    if job["status"] != "completed":
        raise FhirError(404, f"Bulk export {job_id} is not complete.", code="not-found")
    item = next((o for o in [*job["output"], *job["error"]] if o["file"] == name), None)
    if item is None:
        raise FhirError(404, f"Bulk export {job_id} has no file {name!r}.", code="not-found")
    path = export_dir(services, job_id) / item["file"]
    detail = f"bulk export {job_id}: {item['count']} {item['type']}"
    detail += " (pseudonymiserat)" if job["pseudonymised"] else ""
    ctx.uow.audit.record("export", "fhir_export", item["type"], None, detail)
    return path, item
