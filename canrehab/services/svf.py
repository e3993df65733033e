"""SVF: the definitions as data (``codes/svf.yaml`` or the region's file, validated by its schema) and a
pathway's SVF record — recorded by the treating unit's clinicians, read by those who may read the record."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from canrehab.codes.svf import SHIPPED, load_definitions
from canrehab.domain.access import Actor
from canrehab.domain.svf import (
    SVF_COLUMNS,
    SvfDefinitions,
    SvfRecord,
    check_record,
    require_suspicion_is_start,
    svf_columns,
)
from canrehab.services.guard import pathway_of, require_read, require_write
from canrehab.store.repositories.svf import SvfRepository, records_of

__all__ = [
    "ANALYTICS_COLUMNS",
    "SHIPPED",
    "analytics_rows",
    "find",
    "for_export",
    "load_definitions",
    "record",
]

if TYPE_CHECKING:
    from canrehab.services.context import Services


def record(
    services: Services,
    actor: Actor,
    patient_id: str,
    pathway_id: str,
    svf: SvfRecord,
    *,
    expected_version: int,
    definitions: SvfDefinitions | None = None,
    with_new_pathway: bool = False,
) -> int:
    """Record (or correct) the pathway's SVF dates; returns the new version. Wrong dates are refused with a
    Swedish message and nothing is written. The pathway's own version moves with it: the SVF record is part
    of the pathway as other systems see it (FHIR's EpisodeOfCare, its ETag and ``_history``), so a reader
    holding the pathway's version knows it changed; except ``with_new_pathway``, the record of a pathway
    created in the same unit of work (its first version already includes the record, as when the web page
    starts a pathway at välgrundad misstanke)."""
    checked = check_record(svf, definitions or load_definitions(), today=services.today())
    with services.uow(actor) as uow:
        pathway = pathway_of(uow, pathway_id, patient_id)
        require_suspicion_is_start(pathway, checked)
        require_write(services, uow, actor, patient_id, "svf_record", pathway_id)
        repository = SvfRepository(uow.session, uow.audit)
        by = actor.username or actor.role
        version = repository.save(pathway_id, patient_id, checked, expected_version=expected_version, by=by)
        if not with_new_pathway:
            uow.pathways.update(pathway, expected_version=pathway.version)
        uow.refresh_worklist(pathway_id)  # the SVF flags of the worklist (waiting for MDK / treatment)
        return version


def find(services: Services, actor: Actor, patient_id: str, pathway_id: str) -> tuple[SvfRecord, int] | None:
    """The pathway's SVF record and its version (None: not an SVF pathway)."""
    with services.uow(actor) as uow:
        pathway_of(uow, pathway_id, patient_id)
        require_read(services, uow, actor, patient_id, "svf_record", pathway_id)
        return SvfRepository(uow.session, uow.audit).find(pathway_id, patient_id)


def for_export(session: Any, pathway_ids: Sequence[str]) -> dict[str, tuple[SvfRecord, int]]:
    """The SVF records and versions of these pathways by pathway id, read in the caller's session: a bulk
    export's batch, in its snapshot (the export has checked its scope and audits one read per exported
    patient)."""
    return records_of(session, pathway_ids)


ANALYTICS_COLUMNS = ("pseudonym", "unit_hsa_id", *SVF_COLUMNS)
"""The SVF rows for the analytics dataset: one per SVF pathway, the person by the keyed pseudonym only."""


def analytics_rows(services: Services, definitions: SvfDefinitions | None = None) -> list[dict[str, Any]]:
    """Every SVF pathway as a pseudonymised row with ``ANALYTICS_COLUMNS`` (for the publisher to join to the
    care-process dataset by pseudonym and unit; a pathway without a row is not an SVF)."""
    from canrehab.services.context import SYSTEM

    defs = definitions or load_definitions()
    with services.uow(SYSTEM, log_reads=False) as uow:
        found = SvfRepository(uow.session, uow.audit).all_for_publication()
    return [
        {"pseudonym": pseudonym, "unit_hsa_id": unit, **svf_columns(record, defs)}
        for pseudonym, _pathway_id, unit, record in found
    ]
