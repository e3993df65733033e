"""The FHIR REST API under ``/fhir``: ``router`` (included by the web app when this module imports).

Interactions: ``GET /fhir/metadata``; ``GET /fhir/{type}/{id}`` (ETag ``W/"<version>"``);
``GET /fhir/{type}?..`` (searchset); ``POST /fhir/{type}`` (the server assigns the id);
``PUT /fhir/{type}/{id}`` with ``If-Match`` (or ``meta.versionId``): 412 on a stale version;
``POST /fhir`` with a transaction Bundle (atomic);
Bulk Data export (``$export`` at system, Patient and Group level → ``$export-status/{job}`` →
``$export-file/{job}/{Type}.ndjson``, see ``canrehab.fhir.export``). Content type
``application/fhir+json``; every error is an OperationOutcome. Authentication: bearer tokens (SMART,
``canrehab.fhir.smart``; scopes checked on every handler) or, when enabled, HTTP Basic against the local
accounts (no cookies; the CSRF middleware exempts ``/fhir``). Access by care unit as in the web app;
denials are audited (``denied``) in their own transaction after the refused one rolled back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response
from starlette.routing import Match
from starlette.types import Message, Receive, Scope, Send

from canrehab.domain.access import Actor
from canrehab.domain.errors import ConflictError, DomainError
from canrehab.domain.model import new_id
from canrehab.fhir import export as bulk
from canrehab.fhir import openapi as api_doc
from canrehab.fhir import profiles
from canrehab.fhir.auth import authenticate
from canrehab.fhir.body import read_json
from canrehab.fhir.capability import capability_statement
from canrehab.fhir.codesystems import code_systems
from canrehab.fhir.conditional import existing
from canrehab.fhir.context import AccessDenied, Ctx, services_of
from canrehab.fhir.mapping.common import MappingError
from canrehab.fhir.outcome import (
    FhirError,
    error_response,
    etag,
    etag_matches,
    fhir_response,
    last_modified,
    not_modified_since,
    operation_outcome,
    parse_etag,
    preferred_return,
    unserved_format,
)
from canrehab.fhir.resources import HANDLERS, Handler, version_of
from canrehab.fhir.search import MAX_COUNT, Page, parse_query, searchset, strict_handling
from canrehab.fhir.search import Query as SearchQuery
from canrehab.fhir.search_params import params_of
from canrehab.fhir.search_results import search_page
from canrehab.fhir.search_values import ReferenceValue
from canrehab.fhir.smart import routes as smart
from canrehab.fhir.transaction import EntryError, process
from canrehab.services import refusals

log = logging.getLogger(__name__)
MAX_AUDIT_ID = 200
NDJSON = "application/fhir+ndjson"
JSON_TYPES = ("application/fhir+json", "application/json")

_BODY = {
    "requestBody": {
        "required": True,
        "content": {t: {"schema": api_doc.resource_schema("Bundle")} for t in JSON_TYPES},
    }
}


def _validation_message(exc: RequestValidationError) -> tuple[str, tuple[str, ...]]:
    errors = exc.errors()
    parts = [f"{'.'.join(str(x) for x in e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in errors[:5]]
    return "; ".join(parts) or "invalid request", tuple(
        ".".join(str(x) for x in e.get("loc", ())) for e in errors[:5]
    )


def _has_nul(request: Request) -> bool:
    """NUL cannot be stored or compared by PostgreSQL (and is never valid FHIR): refuse it up front."""
    if "\x00" in request.url.path:
        return True
    return any("\x00" in key or "\x00" in value for key, value in request.query_params.multi_items())


class FhirRoute(APIRoute):
    """Answers every error of a FHIR route with an OperationOutcome; answers HEAD as GET without the body;
    refuses formats it does not serve (406: JSON only)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope.get("type") == "http" and scope.get("method") == "HEAD" and "GET" in (self.methods or ()):
            return super().matches({**scope, "method": "GET"})
        return super().matches(scope)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] == "HEAD" and "GET" in (self.methods or ()):

            async def headers_only(message: Message) -> None:
                if message["type"] == "http.response.body":
                    message = {**message, "body": b""}
                await send(message)

            await super().handle({**scope, "method": "GET"}, receive, headers_only)
            return
        if self.methods and scope["method"] not in self.methods:
            allowed = ", ".join(sorted(self.methods))
            err = FhirError(
                405,
                f"{scope['method']} is not supported here (allowed: {allowed}).",
                code="not-supported",
                headers={"Allow": allowed},
            )
            await error_response(err)(scope, receive, send)
            return
        await super().handle(scope, receive, send)

    def get_route_handler(self) -> Callable[[Request], Any]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            if _has_nul(request):
                return error_response(
                    FhirError(400, "The request holds a NUL character, which no FHIR value may contain.")
                )
            unserved = unserved_format(request.headers.get("accept"), request.query_params.get("_format"))
            if unserved is not None and not (self.path in NDJSON_PATHS and "ndjson" in unserved):
                return error_response(
                    FhirError(
                        406,
                        f"{unserved!r} is not served: canrehab answers application/fhir+json only.",
                        code="not-supported",
                    )
                )
            try:
                response: Response = await original(request)
                return response
            except FhirError as exc:
                return error_response(exc)
            except RequestValidationError as exc:
                message, where = _validation_message(exc)
                status = 404 if any(w.startswith("path.rtype") for w in where) else 400
                return error_response(FhirError(status, message, expression=where))
            except HTTPException as exc:
                return error_response(FhirError(exc.status_code, str(exc.detail)))

        return handler


class FhirJSONResponse(Response):
    media_type = "application/fhir+json"


router = APIRouter(
    prefix="/fhir",
    route_class=FhirRoute,
    tags=["FHIR"],
    responses=api_doc.ERRORS,
    default_response_class=FhirJSONResponse,
)


# ---------------------------------------------------------------------------------------------- plumbing


def _services(request: Request) -> Any:
    return services_of(request)


def _log_denied(services: Any, actor: Actor, exc: AccessDenied) -> None:
    with services.uow(actor) as uow:
        uow.audit.record("denied", exc.entity_type, exc.entity_id, exc.patient_id, exc.detail)


def _denied_error(exc: AccessDenied, where: str = "") -> FhirError:
    what = "change" if exc.write else "read"
    prefix = f"{where}: " if where else ""
    if exc.reason:  # refused by the bearer token's scopes, not by the care units
        return FhirError(403, prefix + exc.reason, code="forbidden")
    return FhirError(
        403, f"{prefix}You may not {what} this patient's record (care unit access).", code="forbidden"
    )


# A use case's refusal -> HTTP status and OperationOutcome issue code (other codes: 404 for ``*not_found``,
# else 422). A refusal by access (``AccessRefused``) is already in the audit log.
DOMAIN_STATUS: dict[str, tuple[int, str]] = {
    "access.denied": (403, "forbidden"),
    "access.not_clinician": (403, "forbidden"),
    "patient.exists": (409, "duplicate"),
    "unit.exists": (409, "duplicate"),
    "staff.exists": (409, "duplicate"),
}


def _convert(exc: Exception, where: str = "", expression: tuple[str, ...] = ()) -> FhirError:
    prefix = f"{where}: " if where else ""
    if isinstance(exc, FhirError):
        if where:
            return FhirError(
                exc.status,
                prefix + exc.diagnostics,
                code=exc.code,
                expression=exc.expression or expression,
                headers=exc.headers,
            )
        return exc
    if isinstance(exc, MappingError):
        return FhirError(422, f"{prefix}{exc.path}: {exc.message}", code="invalid", expression=(exc.path,))
    if isinstance(exc, ConflictError):
        return FhirError(412, prefix + exc.message_en, code="conflict", expression=expression)
    if isinstance(exc, DomainError):
        status, code = DOMAIN_STATUS.get(exc.code) or (
            (404, "not-found") if exc.code.endswith("not_found") else (422, "business-rule")
        )
        return FhirError(status, f"{prefix}{exc.message_sv} ({exc.code})", code=code, expression=expression)
    raise exc


def interaction(method: str, route_path: str) -> str:
    """What a FHIR request does, for the audit rows it writes: ``FHIR Procedure search``, ``FHIR Patient
    read``, ``FHIR Patient $everything`` (from the route's template, never the path as asked)."""
    parts = [p for p in route_path.removeprefix("/fhir").split("/") if p]
    if not parts:
        return f"FHIR {'transaction' if method == 'POST' else method}"
    rtype, rest = parts[0], parts[1:]
    if rtype.startswith("$"):
        return f"FHIR {rtype}" + (f" {rest[0]}" if rest and not rest[0].startswith("{") else "")
    if method == "POST":
        kind = rest[-1] if rest else "create"
    elif method == "PUT":
        kind = "update"
    elif not rest:
        kind = "search"
    elif rest[-1].startswith("$"):
        kind = rest[-1]
    else:
        kind = {1: "read", 2: "history", 3: "vread"}.get(len(rest), "read")
    return f"FHIR {rtype} {kind}"


def _interaction_of(request: Request) -> str:
    route = request.scope.get("route")
    return interaction(request.method, str(getattr(route, "path", "") or "/fhir"))


def _run(request: Request, actor: Actor, work: Callable[[Ctx], Any], what: str | None = None) -> Any:
    """``work`` in one unit of work, its audit rows marked with the interaction (``what``, or the one the
    request's route names); a refusal (403, or a record that does not belong to the patient) is audited in a
    transaction of its own after the refused one rolled back."""
    services = _services(request)
    what = what or _interaction_of(request)
    try:
        with services.uow(actor) as uow:
            uow.audit.context = what
            return work(Ctx(services, uow, actor))
    except AccessDenied as exc:
        _log_denied(services, actor, exc)
        raise _denied_error(exc) from exc
    except FhirError as exc:
        if exc.status == 403:
            _log_refused(services, actor, what, exc.diagnostics)
        raise
    except (MappingError, DomainError) as exc:
        if isinstance(exc, DomainError) and refusals.is_unaudited_refusal(exc):
            _log_refused(services, actor, what, exc.message_en)
        raise _convert(exc) from exc


def _log_refused(services: Any, actor: Actor, what: str, reason: str) -> None:
    with services.independent_uow(actor, log_reads=False) as uow:
        uow.audit.record("denied", "fhir", what[:MAX_AUDIT_ID], None, f"{what}: {reason}"[:500])


async def _body(request: Request) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in JSON_TYPES:
        raise FhirError(415, f"Send application/fhir+json (got {content_type or 'no content type'}).")
    data = await read_json(request)  # size, encoding and nesting limits: fhir/body.py
    if not isinstance(data, dict):
        raise FhirError(400, "The body must be a JSON object (a FHIR resource).", code="structure")
    return data


def _resource_headers(resource: dict[str, Any], request: Request, *, location: bool = True) -> dict[str, str]:
    headers = {}
    version = version_of(resource)
    if version is not None:
        headers["ETag"] = etag(version)
    modified = last_modified(resource)
    if modified is not None:
        headers["Last-Modified"] = modified
    rtype, rid = resource["resourceType"], resource["id"]
    suffix = f"/_history/{version}" if version is not None else ""
    if location:
        headers["Location"] = f"{_base(request)}/{rtype}/{rid}{suffix}"
    return headers


def _written(request: Request, stored: dict[str, Any], status: int) -> Response:
    """The answer to a create or update as ``Prefer: return=`` asks: the resource (representation, the
    default), nothing (minimal) or an OperationOutcome; always with ETag and Location."""
    headers = _resource_headers(stored, request)
    wanted = preferred_return(request.headers.get("prefer"))
    if wanted == "minimal":
        return Response(status_code=status, headers=headers)
    if wanted == "OperationOutcome":
        what = "created" if status == 201 else "updated"
        message = f"{stored['resourceType']}/{stored['id']} {what} (version {version_of(stored)})."
        return fhir_response(
            operation_outcome(message, code="informational", severity="information"), status, headers
        )
    return fhir_response(stored, status, headers)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/fhir"


def _check_body_type(data: dict[str, Any], rtype: str) -> None:
    if data.get("resourceType") != rtype:
        raise FhirError(
            400,
            f"resourceType {data.get('resourceType')!r} does not match the URL ({rtype}).",
            expression=("resourceType",),
        )


def _validated(data: dict[str, Any]) -> None:
    from canrehab.fhir.mapping.common import to_model

    try:
        to_model(data)
    except MappingError as exc:
        raise FhirError(
            400,
            f"Invalid {data.get('resourceType')}: {exc.message}",
            code="invalid",
            expression=(str(data.get("resourceType")),),
        ) from exc


# ---------------------------------------------------------------------------------------------- routes

router.include_router(smart.router)  # .well-known/smart-configuration, the token endpoint, the JWKS


@router.get(
    "/metadata",
    summary="CapabilityStatement",
    responses=api_doc.ok("CapabilityStatement", "CapabilityStatement"),
)
async def metadata(request: Request) -> Response:
    statement = capability_statement(_base(request))
    statement["rest"][0]["security"] = smart.capability_security(request)  # SMART oauth-uris, Basic or not
    return fhir_response(statement)


@router.post(
    "",
    summary="Transaction Bundle (atomic)",
    openapi_extra=_BODY,
    responses=api_doc.ok("transaction-response Bundle", "Bundle"),
)
async def transaction(request: Request) -> Response:
    actor = await run_in_threadpool(authenticate, request)  # argon2 and the account lookup block
    bundle = await _body(request)
    services = _services(request)

    @contextmanager
    def ctx_factory() -> Iterator[Ctx]:
        with services.uow(actor) as uow:
            uow.audit.context = "FHIR transaction"
            yield Ctx(services, uow, actor)

    def work(one: dict[str, Any] = bundle) -> dict[str, Any]:
        try:
            return process(ctx_factory, one)
        except EntryError as exc:
            where = exc.where
            if isinstance(exc.error, AccessDenied):
                _log_denied(services, actor, exc.error)
                raise _denied_error(exc.error, where) from exc
            error = exc.error
            if (isinstance(error, FhirError) and error.status == 403) or (
                isinstance(error, DomainError) and refusals.is_unaudited_refusal(error)
            ):
                reason = error.diagnostics if isinstance(error, FhirError) else error.message_en
                _log_refused(services, actor, f"FHIR transaction {where}", reason)
            raise _convert(exc.error, where, (f"Bundle.entry[{exc.index}]",)) from exc

    if isinstance(bundle, dict) and bundle.get("type") == "batch":
        return fhir_response(await run_in_threadpool(_batch, request, actor, bundle, work))
    result = await run_in_threadpool(work)
    return fhir_response(result)


def _entry_failure(exc: FhirError, index: int) -> dict[str, Any]:
    """A failed batch entry; its own one-entry transaction called it entry 0."""
    where = f"Bundle.entry[{index}]"
    diagnostics = exc.diagnostics.replace("Bundle.entry[0]", where)
    expression = tuple(e.replace("Bundle.entry[0]", where) for e in exc.expression)
    outcome = operation_outcome(diagnostics, code=exc.code, expression=expression)
    return {"response": {"status": f"{exc.status} {HTTPStatus(exc.status).phrase}", "outcome": outcome}}


def _batch_read(request: Request, actor: Actor, url: str) -> dict[str, Any]:
    """A GET entry of a batch: ``Type/id`` (read) or ``Type?params`` (search)."""
    path, _, query_text = url.lstrip("/").partition("?")
    rtype, _, rid = path.partition("/")
    handler = HANDLERS.get(rtype)
    if handler is None or "/" in rid:
        raise FhirError(404, f"No FHIR interaction at {url!r}.", code="not-found")
    base = _base(request)
    if rid:
        resource = _run(request, actor, lambda ctx: handler.read(ctx, rid), f"FHIR {rtype} read (batch)")
        version = version_of(resource)
        response: dict[str, Any] = {"status": "200 OK"}
        if version is not None:
            response["etag"] = etag(version)
        if (resource.get("meta") or {}).get("lastUpdated"):
            response["lastModified"] = resource["meta"]["lastUpdated"]
        return {"fullUrl": f"{base}/{rtype}/{rid}", "resource": resource, "response": response}
    strict = strict_handling(request.headers.get("prefer"))
    query = parse_query(
        parse_qsl(query_text, keep_blank_values=True),
        handler.params,
        strict=strict,
        rtype=rtype,
        params_of=params_of,
    )
    page = _run(
        request, actor, lambda ctx: search_page(ctx, rtype, handler, query), f"FHIR {rtype} search (batch)"
    )
    return {"resource": searchset(base, rtype, page, query), "response": {"status": "200 OK"}}


def _batch(
    request: Request, actor: Actor, bundle: dict[str, Any], write: Callable[[dict[str, Any]], dict[str, Any]]
) -> dict[str, Any]:
    """A batch Bundle: each entry on its own (a write is a one-entry transaction: its own unit of work),
    each answered with its status; one entry's failure does not stop the others."""
    raw = bundle.get("entry")
    if not isinstance(raw, list) or not raw:
        raise FhirError(
            400, "The batch Bundle has no entries.", code="required", expression=("Bundle.entry",)
        )
    out: list[dict[str, Any]] = []
    for index, entry in enumerate(raw):
        where = f"Bundle.entry[{index}]"
        try:
            if not isinstance(entry, dict) or not isinstance(entry.get("request"), dict):
                raise FhirError(400, f"{where}: an entry needs a request.", expression=(f"{where}.request",))
            method = str(entry["request"].get("method", "")).upper()
            url = str(entry["request"].get("url", ""))
            if method == "GET":
                out.append(_batch_read(request, actor, url))
                continue
            if method not in ("POST", "PUT"):
                raise FhirError(
                    405,
                    f"{where}: {method or 'no method'} is not supported in a batch (GET, POST, PUT).",
                    code="not-supported",
                )
            result = write({"resourceType": "Bundle", "type": "transaction", "entry": [entry]})
            out.append({k: v for k, v in result["entry"][0].items()})
        except FhirError as exc:
            out.append(_entry_failure(exc, index))
    return {"resourceType": "Bundle", "type": "batch-response", "entry": out}


async def _kickoff(request: Request, level: str, group_id: str | None = None) -> Response:
    """Bulk Data kick-off (GET with query parameters, POST with a Parameters resource) → 202 and the status
    URL in ``Content-Location``; the job runs in the background (``canrehab.fhir.export``)."""
    actor = await run_in_threadpool(authenticate, request)  # argon2 and the account lookup block
    items = list(request.query_params.multi_items())
    if request.method == "POST":
        items += bulk.parameters_items(await _body(request))
    req = bulk.parse_kickoff(items, request.headers.get("prefer"), level, group_id)
    job_id = await run_in_threadpool(_run, request, actor, lambda ctx: bulk.start(ctx, req, str(request.url)))
    bulk.launch(_services(request), job_id)
    status_url = f"{_base(request)}/$export-status/{job_id}"
    body = operation_outcome(
        f"Bulk export {job_id} accepted; poll {status_url}.", code="informational", severity="information"
    )
    return fhir_response(body, 202, {"Content-Location": status_url})


_KICKOFF: dict[int | str, dict[str, Any]] = {
    202: {"description": "accepted; Content-Location: the status URL"}
}


def _kickoff_route(path: str, summary: str) -> Callable[[Any], Any]:
    """A kick-off serves GET and POST (the IG): one route per method, so that each has its own OpenAPI
    operation id (``<function>_get``, ``<function>_post``; one route for both would repeat the id)."""

    def register(endpoint: Any) -> Any:
        for method in ("GET", "POST"):
            router.add_api_route(
                path,
                endpoint,
                methods=[method],
                summary=summary,
                response_class=Response,
                responses=_KICKOFF,
                operation_id=f"{endpoint.__name__}_{method.lower()}",
            )
        return endpoint

    return register


@_kickoff_route("/$export", "Bulk Data export, system level")
async def export_system(request: Request) -> Response:
    return await _kickoff(request, "system")


@_kickoff_route("/Patient/$export", "Bulk Data export, all patients")
async def export_patients(request: Request) -> Response:
    return await _kickoff(request, "patient")


@_kickoff_route(
    "/Group/{gid}/$export",
    "Bulk Data export of a Group (a care unit: id = its HSA-id; members: its pathways' patients)",
)
async def export_group(request: Request, gid: str) -> Response:
    return await _kickoff(request, "group", gid)


@router.get(
    "/$export-status/{job_id}",
    summary="Bulk Data export status: 202 while running (X-Progress, Retry-After), 200 with the manifest",
    response_class=Response,
    responses={
        200: {"description": "manifest", "content": {"application/json": {"schema": {"type": "object"}}}}
    },
)
async def export_status(request: Request, job_id: str) -> Response:
    actor = await run_in_threadpool(authenticate, request)  # argon2 and the account lookup block
    job = await run_in_threadpool(_run, request, actor, lambda ctx: bulk.job_of(ctx, job_id))
    if job["status"] in ("accepted", "running"):
        headers = {"X-Progress": bulk.progress(job), "Retry-After": str(bulk.RETRY_AFTER)}
        return Response(status_code=202, headers=headers)
    if job["status"] == "failed":
        raise FhirError(500, job["failure"] or "The export failed.", code="exception")
    body = json.dumps(bulk.manifest(job, _base(request)), ensure_ascii=False)
    return Response(body, media_type="application/json")


@router.delete("/$export-status/{job_id}", summary="Cancel a bulk export (its files are removed)")
async def export_cancel(request: Request, job_id: str) -> Response:
    actor = await run_in_threadpool(authenticate, request)  # argon2 and the account lookup block
    services = _services(request)
    await run_in_threadpool(_run, request, actor, lambda ctx: bulk.cancel(ctx, services, job_id))
    body = operation_outcome(f"Bulk export {job_id} cancelled.", code="informational", severity="information")
    return fhir_response(body, 202)


@router.get(
    "/$export-file/{job_id}/{name}",
    summary="One NDJSON file of a completed bulk export (the kick-off's caller only)",
    response_class=Response,
    responses={200: {"description": "NDJSON", "content": {NDJSON: {"schema": {"type": "string"}}}}},
)
async def export_file(request: Request, job_id: str, name: str) -> Response:
    actor = await run_in_threadpool(authenticate, request)  # argon2 and the account lookup block
    services = _services(request)
    path, _ = await run_in_threadpool(
        _run, request, actor, lambda ctx: bulk.download(ctx, services, job_id, name)
    )
    return FileResponse(path, media_type=NDJSON)


NDJSON_PATHS = frozenset({"/fhir/$export-file/{job_id}/{name}"})


def _search_route(rtype: str, handler: Handler) -> Callable[..., Any]:
    async def search(request: Request) -> Response:
        actor = await run_in_threadpool(authenticate, request)  # argon2 and the account lookup block
        strict = strict_handling(request.headers.get("prefer"))
        query = parse_query(
            request.query_params.multi_items(),
            handler.params,
            strict=strict,
            rtype=rtype,
            params_of=params_of,
        )
        page = await run_in_threadpool(
            _run, request, actor, lambda ctx: search_page(ctx, rtype, handler, query)
        )
        return fhir_response(searchset(_base(request), rtype, page, query))

    return search


def _read_route(handler: Handler) -> Callable[..., Any]:
    async def read(request: Request, rid: str) -> Response:
        actor = await run_in_threadpool(authenticate, request)  # argon2 and the account lookup block
        resource = await run_in_threadpool(_run, request, actor, lambda ctx: handler.read(ctx, rid))
        return _conditional_read(request, resource)

    return read


def _conditional_read(request: Request, resource: dict[str, Any]) -> Response:
    """A read's answer with ETag and Last-Modified, or 304 when ``If-None-Match`` names the version or (when
    there is no If-None-Match, RFC 9110) ``If-Modified-Since`` is not before its last change."""
    headers = _resource_headers(resource, request, location=False)
    if_none_match = request.headers.get("if-none-match")
    if if_none_match:
        unchanged = etag_matches(if_none_match, version_of(resource))
    else:
        unchanged = not_modified_since(request.headers.get("if-modified-since"), resource)
    if unchanged:
        return Response(status_code=304, headers=headers)
    return fhir_response(resource, headers=headers)


def _vread_route(handler: Handler) -> Callable[..., Any]:
    async def vread(request: Request, rid: str, vid: str) -> Response:
        actor = await run_in_threadpool(authenticate, request)  # argon2 and the account lookup block
        reader = handler.vread
        assert reader is not None
        resource = await run_in_threadpool(_run, request, actor, lambda ctx: reader(ctx, rid, vid))
        headers = _resource_headers(resource, request, location=False)
        headers["ETag"] = f'W/"{vid}"'
        return fhir_response(resource, headers=headers)

    return vread


def _history_route(rtype: str, handler: Handler) -> Callable[..., Any]:
    async def history(request: Request, rid: str) -> Response:
        actor = await run_in_threadpool(authenticate, request)  # argon2 and the account lookup block
        lister = handler.history
        assert lister is not None
        versions = await run_in_threadpool(_run, request, actor, lambda ctx: lister(ctx, rid))
        return fhir_response(history_bundle(_base(request), rtype, rid, versions))

    return history


def history_bundle(base: str, rtype: str, rid: str, versions: list[dict[str, Any]]) -> dict[str, Any]:
    """A history Bundle, newest first; each entry with the request that made it (version 1 a create)."""
    entries = []
    for resource in versions:
        vid = str((resource.get("meta") or {}).get("versionId"))
        entries.append(
            {
                "fullUrl": f"{base}/{rtype}/{rid}",
                "resource": resource,
                "request": {"method": "POST" if vid == "1" else "PUT", "url": f"{rtype}/{rid}"},
                "response": {
                    "status": "201 Created" if vid == "1" else "200 OK",
                    "etag": f'W/"{vid}"',
                    "location": f"{rtype}/{rid}/_history/{vid}",
                    **(
                        {"lastModified": resource["meta"]["lastUpdated"]}
                        if (resource.get("meta") or {}).get("lastUpdated")
                        else {}
                    ),
                },
            }
        )
    return {
        "resourceType": "Bundle",
        "type": "history",
        "total": len(entries),
        "link": [{"relation": "self", "url": f"{base}/{rtype}/{rid}/_history"}],
        "entry": entries,
    }


def _create_route(rtype: str, handler: Handler) -> Callable[..., Any]:
    async def create(request: Request) -> Response:
        actor = await run_in_threadpool(authenticate, request)  # argon2 and the account lookup block
        data = await _body(request)
        _check_body_type(data, rtype)
        _validated(data)
        data = {**data, "id": new_id()}
        if rtype == "Organization":
            data["id"] = next(
                (str(i["value"]) for i in data.get("identifier", []) if i.get("value")), data["id"]
            )
        creator = handler.create
        assert creator is not None
        criteria = request.headers.get("if-none-exist")

        def work(ctx: Ctx) -> tuple[dict[str, Any], int]:
            found = existing(ctx, rtype, criteria) if criteria else None  # conditional create
            return (found, 200) if found is not None else (creator(ctx, data), 201)

        stored, status = await run_in_threadpool(_run, request, actor, work)
        return _written(request, stored, status)

    return create


def _update_route(rtype: str, handler: Handler) -> Callable[..., Any]:
    async def update(request: Request, rid: str) -> Response:
        actor = await run_in_threadpool(authenticate, request)  # argon2 and the account lookup block
        data = await _body(request)
        _check_body_type(data, rtype)
        if data.get("id") not in (None, rid):
            raise FhirError(
                400, f"The resource id {data.get('id')!r} does not match the URL id.", expression=("id",)
            )
        _validated({**data, "id": rid})
        if_match = request.headers.get("if-match")
        if if_match:
            expected = parse_etag(if_match)
            body_version = version_of(data)
            if body_version is not None and body_version != expected:
                raise FhirError(400, "If-Match and meta.versionId disagree.", expression=("meta.versionId",))
        else:
            body_version = version_of(data)
            if body_version is None:
                raise FhirError(
                    428, 'An update needs If-Match: W/"<version>" (or meta.versionId).', code="required"
                )
            expected = body_version
        updater = handler.update
        assert updater is not None
        stored = await run_in_threadpool(
            _run, request, actor, lambda ctx: updater(ctx, rid, {**data, "id": rid}, expected)
        )
        return _written(request, stored, 200)

    return update


def _validate_route(rtype: str) -> Callable[..., Any]:
    async def validate(request: Request) -> Response:
        """``$validate``: the resource checked as a create would check it; nothing is stored. The answer is an
        OperationOutcome (200): information when valid, the errors otherwise."""
        await run_in_threadpool(authenticate, request)  # argon2 and the account lookup block
        data = await _body(request)
        if data.get("resourceType") == "Parameters":
            given = [
                p.get("resource") for p in data.get("parameter", []) or [] if p.get("name") == "resource"
            ]
            data = given[0] if given and isinstance(given[0], dict) else {}
        try:
            _check_body_type(data, rtype)
            _validated(data)
        except FhirError as exc:
            body = operation_outcome(exc.diagnostics, code=exc.code, expression=exc.expression)
            return fhir_response(body)
        return fhir_response(
            operation_outcome(
                f"The {rtype} is valid for canrehab.", code="informational", severity="information"
            )
        )

    return validate


def _everything(ctx: Ctx, rid: str) -> Page:
    """The patient and every record that refers to them, with the care units and staff those refer to."""
    patient = HANDLERS["Patient"].read(ctx, rid)
    found: list[dict[str, Any]] = []
    for rtype, handler in HANDLERS.items():
        param = handler.params.get("patient")
        if rtype in ("Patient", "AuditEvent") or param is None or param.values is None:
            continue
        offset, total = 0, 1
        while offset < total:
            query = SearchQuery(
                filters=((param, (ReferenceValue("Patient", rid),)),), count=MAX_COUNT, offset=offset
            )
            page = handler.search(ctx, query)
            found += page.resources
            total, offset = page.total, offset + MAX_COUNT
    seen = {(r["resourceType"], r["id"]) for r in [patient, *found]}
    referred: list[dict[str, Any]] = []
    for resource in found:
        for param in HANDLERS[resource["resourceType"]].params.values():
            if param.type != "reference" or param.values is None or param.name == "patient":
                continue
            for reference in param.values(resource):
                rtype, _, target = str(reference).rpartition("/")
                rtype = rtype.rsplit("/", 1)[-1]
                if (
                    rtype in ("Organization", "PractitionerRole", "Practitioner")
                    and (rtype, target) not in seen
                ):
                    seen.add((rtype, target))
                    try:
                        referred.append(HANDLERS[rtype].read(ctx, target))
                    except FhirError as exc:
                        if exc.status != 404:
                            raise
    everything = [patient, *found, *referred]
    return Page(len(everything), everything)


@router.get(
    "/Patient/{rid}/$everything",
    summary="Patient/$everything: the patient's whole record",
    responses=api_doc.ok("searchset Bundle", "Bundle"),
)
async def patient_everything(request: Request, rid: str) -> Response:
    actor = await run_in_threadpool(authenticate, request)  # argon2 and the account lookup block
    if request.query_params:
        names = ", ".join(sorted(set(request.query_params)))
        raise FhirError(400, f"$everything takes no parameters here (got {names}).", code="not-supported")
    page = await run_in_threadpool(_run, request, actor, lambda ctx: _everything(ctx, rid))
    bundle = searchset(_base(request), "Patient", page, SearchQuery(count=len(page.resources)))
    bundle["link"] = [{"relation": "self", "url": f"{_base(request)}/Patient/{rid}/$everything"}]
    return fhir_response(bundle)


def _register(rtype: str, handler: Handler) -> None:
    """The routes of one resource type, each described in the OpenAPI schema with its own parameters."""
    add = router.add_api_route
    add(
        f"/{rtype}",
        _search_route(rtype, handler),
        methods=["GET"],
        summary=f"Search {rtype}",
        name=f"search_{rtype}",
        responses=api_doc.ok("searchset Bundle", "Bundle"),
        openapi_extra=api_doc.search_parameters(handler.params),
    )
    if handler.create is not None:
        add(
            f"/{rtype}",
            _create_route(rtype, handler),
            methods=["POST"],
            status_code=201,
            summary=f"Create {rtype} (the server assigns the id)",
            name=f"create_{rtype}",
            responses=api_doc.ok("the stored resource", rtype, status=201),
            openapi_extra=api_doc.request_body(rtype),
        )
    add(
        f"/{rtype}/$validate",
        _validate_route(rtype),
        methods=["POST"],
        summary=f"$validate a {rtype} (nothing is stored)",
        name=f"validate_{rtype}",
        responses=api_doc.ok("OperationOutcome", "OperationOutcome"),
        openapi_extra=api_doc.request_body(rtype),
    )
    add(
        f"/{rtype}/{{rid}}",
        _read_route(handler),
        methods=["GET"],
        summary=f"Read {rtype}",
        name=f"read_{rtype}",
        responses=api_doc.ok(rtype, rtype),
    )
    if handler.update is not None:
        add(
            f"/{rtype}/{{rid}}",
            _update_route(rtype, handler),
            methods=["PUT"],
            summary=f"Update {rtype} (If-Match)",
            name=f"update_{rtype}",
            responses=api_doc.ok("the stored resource", rtype),
            openapi_extra=api_doc.merged(api_doc.request_body(rtype), api_doc.IF_MATCH),
        )
    if handler.history is not None:
        add(
            f"/{rtype}/{{rid}}/_history",
            _history_route(rtype, handler),
            methods=["GET"],
            summary=f"History of a {rtype}",
            name=f"history_{rtype}",
            responses=api_doc.ok("history Bundle", "Bundle"),
        )
    if handler.vread is not None:
        add(
            f"/{rtype}/{{rid}}/_history/{{vid}}",
            _vread_route(handler),
            methods=["GET"],
            summary=f"Read a kept version of a {rtype} (the versions: _history)",
            name=f"vread_{rtype}",
            responses=api_doc.ok(rtype, rtype),
        )


for _type, _h in HANDLERS.items():
    _register(_type, _h)


def _conformance_search(request: Request, rtype: str, resources: Iterable[dict[str, Any]]) -> Response:
    """A searchset of canrehab's conformance resources of ``rtype`` (public, like /metadata). Parameters:
    ``_id``, ``url`` and, for a StructureDefinition, ``type`` (exact, comma-separated values ORed); any
    other is refused (400) unless Prefer: handling=lenient."""
    allowed = {"_id": "id", "url": "url", **({"type": "type"} if rtype == "StructureDefinition" else {})}
    unknown = sorted(set(request.query_params) - set(allowed))
    if unknown and strict_handling(request.headers.get("prefer")):
        supported = ", ".join(allowed)
        raise FhirError(400, f"Unsupported parameter(s): {', '.join(unknown)} (supported: {supported}).")
    found = [
        r
        for r in resources
        if all(str(r[allowed[k]]) in v.split(",") for k, v in request.query_params.items() if k in allowed)
    ]
    page = Page(len(found), found)
    return fhir_response(searchset(_base(request), rtype, page, SearchQuery(count=len(found))))


@router.get(
    "/StructureDefinition",
    summary="canrehab's profile set (searchset of StructureDefinitions)",
    responses=api_doc.ok("searchset Bundle", "Bundle"),
)
async def structure_definitions(request: Request) -> Response:
    """Public, like /metadata. Parameters: ``_id``, ``url``, ``type`` (exact); nothing else is accepted."""
    return _conformance_search(request, "StructureDefinition", profiles.structure_definitions().values())


@router.get(
    "/StructureDefinition/{sid}",
    summary="One StructureDefinition of canrehab's profile set",
    responses=api_doc.ok("StructureDefinition", "StructureDefinition"),
)
async def structure_definition(sid: str) -> Response:
    sd = profiles.structure_definitions().get(sid)
    if sd is None:
        raise FhirError(
            404, f"No StructureDefinition {sid!r} (see /fhir/StructureDefinition).", code="not-found"
        )
    return fhir_response(sd)


@router.get(
    "/CodeSystem",
    summary="canrehab's own CodeSystems a sender needs (searchset)",
    responses=api_doc.ok("searchset Bundle", "Bundle"),
)
async def code_system_search(request: Request) -> Response:
    """Public, like /metadata. Parameters: ``_id``, ``url`` (exact); nothing else is accepted."""
    return _conformance_search(request, "CodeSystem", code_systems().values())


@router.get(
    "/CodeSystem/{cid}",
    summary="One of canrehab's CodeSystems",
    responses=api_doc.ok("CodeSystem", "CodeSystem"),
)
async def code_system(cid: str) -> Response:
    found = code_systems().get(cid)
    if found is None:
        raise FhirError(404, f"No CodeSystem {cid!r} (see /fhir/CodeSystem).", code="not-found")
    return fhir_response(found)


@router.api_route(
    "/{path:path}",
    methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"],
    include_in_schema=False,
)
async def unsupported(request: Request, path: str) -> Response:
    """Anything no FHIR route serves (other methods, deeper paths): an OperationOutcome, not a bare 404."""
    if request.method in ("GET", "HEAD"):
        raise FhirError(404, f"No FHIR interaction at /fhir/{path}.", code="not-found")
    raise FhirError(405, f"{request.method} /fhir/{path} is not supported.", code="not-supported")
