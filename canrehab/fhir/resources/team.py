"""CareTeam (the patient's team on a pathway: named contact or konsult nurse, rehab professionals): read and
search by patient; a view of the pathway and its KVÅ records, so it is not written through FHIR."""

from __future__ import annotations

from canrehab.domain.model import Pathway, Profession
from canrehab.fhir.context import Ctx
from canrehab.fhir.mapping.team import TEAM_SUFFIX, care_team_json, rehab_members
from canrehab.fhir.outcome import FhirError
from canrehab.fhir.resources.common import Handler, Json, instant, with_instant
from canrehab.fhir.resources.pathway import pathway_read, pathways_of
from canrehab.fhir.search import Page, Query, page_of


def team_json(ctx: Ctx, pathway: Pathway) -> Json:
    """The pathway's CareTeam; the rehab professionals from its KVÅ records (read with the pathway: the
    patient's record was access-checked by the caller)."""
    kva = [r for r in ctx.uow.kva.for_patient(pathway.patient_id) if r.pathway_id == pathway.id]
    performers = {r.performer_id for r in kva if r.performer_id}
    found = (ctx.uow.staff.find(sid) for sid in sorted(performers))
    staff = {s.id: s.profession for s in found if s is not None}

    def profession_of(staff_id: str) -> Profession | None:
        return staff.get(staff_id)

    team = care_team_json(pathway, rehab_members(pathway.id, kva, profession_of))
    # last updated when the pathway or one of its KVÅ records was (a new member is a new record)
    stamps = [ctx.uow.pathways.last_updated(pathway.id), *(ctx.uow.kva.last_updated(r.id) for r in kva)]
    known = [s for s in stamps if s is not None]
    return with_instant(team, instant(max(known))) if known else team


def team_read(ctx: Ctx, rid: str) -> Json:
    if not rid.endswith(TEAM_SUFFIX):
        raise FhirError(404, f"CareTeam/{rid} not found.", code="not-found")
    return team_json(ctx, pathway_read(ctx, rid.removesuffix(TEAM_SUFFIX), "CareTeam"))


def team_search(ctx: Ctx, query: Query) -> Page:
    return page_of((team_json(ctx, p) for p in pathways_of(ctx, query, "CareTeam")), query)


HANDLER = Handler("CareTeam", team_read, team_search)
