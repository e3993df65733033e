"""The SVF record of a pathway through its EpisodeOfCare (extension ``svf``): read with
``services.svf.find`` and written with ``services.svf.record``, the use cases the web page calls, in the
interaction's unit of work (so a refused SVF part rolls back the pathway change of the same update).

Versions: the record keeps its own (the sub-extension ``version``), apart from the pathway's
(``meta.versionId``). A change names the version it read; stale or missing, it is 412 naming
``version``, as a stale ``If-Match`` is. A sent record equal to the stored one changes nothing (whatever
its version). A create writes a new record (version 1), so the version it carries is not checked, as a
create's ``meta.versionId`` is not.
"""

from __future__ import annotations

from canrehab.domain.errors import ConflictError, DomainError
from canrehab.domain.model import Pathway
from canrehab.fhir.context import Ctx
from canrehab.fhir.mapping.svf import PATH, SvfState, part_path, refused_part
from canrehab.fhir.outcome import FhirError
from canrehab.services import svf as svf_service

VERSION = part_path("version")


def stored_svf(ctx: Ctx, pathway: Pathway) -> SvfState | None:
    """The pathway's SVF record and its version (None: not an SVF pathway); the read is audited."""
    found = svf_service.find(ctx.services, ctx.actor, pathway.patient_id, pathway.id)
    return None if found is None else SvfState(*found)


def _stale(pathway: Pathway, stored: int, sent: int | None) -> FhirError:
    based = "names no version" if sent is None else f"was based on version {sent}"
    return FhirError(
        412,
        f"{VERSION}: the SVF record of EpisodeOfCare/{pathway.id} has version {stored}, the change {based}: "
        "read it again and send its version.",
        code="conflict",
        expression=(VERSION,),
    )


def record_sent(
    ctx: Ctx, pathway: Pathway, sent: SvfState | None, stored: SvfState | None, *, creating: bool = False
) -> SvfState | None:
    """The SVF record after the write: ``sent`` recorded when it differs from ``stored``. No extension sent
    where a record is kept is refused (the record cannot be removed); a refusal of the record's rules is
    422 naming the sub-extension."""
    if sent is None:
        if stored is not None:
            raise FhirError(
                422,
                f"{PATH}: the pathway has an SVF record (version {stored.version}); an SVF record cannot be "
                "removed: send the extension as read, changed where the record changes.",
                code="required",
                expression=(PATH,),
            )
        return None
    if stored is not None and sent.record == stored.record:
        return stored
    actual = 0 if stored is None else (stored.version or 0)
    expected = 0 if creating else sent.version
    if expected is None and stored is None:
        expected = 0  # a new record: there is no version to name
    if expected != actual:
        raise _stale(pathway, actual, expected)
    assert expected is not None
    try:
        version = svf_service.record(
            ctx.services,
            ctx.actor,
            pathway.patient_id,
            pathway.id,
            sent.record,
            expected_version=expected,
            with_new_pathway=creating,
        )
    except ConflictError as exc:  # another writer between the read and the write
        raise _stale(pathway, exc.actual_version, expected) from exc
    except DomainError as exc:
        where = refused_part(exc.code, sent.record, ctx.services.today())
        if where is None:
            raise
        raise FhirError(
            422, f"{where}: {exc.message_sv} ({exc.code})", code="business-rule", expression=(where,)
        ) from exc
    return SvfState(sent.record, version)
