"""Generate a synthetic region and load it into a migrated database in batches (a system load: no audit).

All or nothing: every batch goes into one transaction, committed when the whole region is written, so a
``synth`` that is killed (``kill -9``, a crash, Ctrl-C) leaves the database as empty as it found it and a
rerun starts afresh (issue 14 item 7)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from canrehab.synth.region import PatientBundle, RegionGenerator, SynthConfig

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from canrehab.services.context import Services

BATCH = 2000


def load_region(
    services: Services, config: SynthConfig, *, progress: Callable[[int], None] | None = None
) -> RegionGenerator:
    """Generate ``config.patients`` patients with their care process and write them; returns the generator
    (its ``org`` holds the units and staff, e.g. for demo logins). One transaction: all or nothing."""
    generator = RegionGenerator(config, services.catalog)
    with services.engine.begin() as conn:
        _load(services, config, generator, conn, progress)
    know_the_childrens_cancer_centre(services, generator)
    return generator


def know_the_childrens_cancer_centre(services: Services, generator: RegionGenerator) -> None:
    """The synthetic barncancercentrum is configured the way a region configures its own: listed in
    ``childrens_cancer_centres`` of the installation's ``children.yaml``, here the data directory's own copy
    (``<data_dir>/definitions/children.yaml``), so the shipped file stays free of synthetic ids. The
    running services read the copy at once; a new start reads it through ``Catalog.load``."""
    from canrehab.codes.mdk_rehab import load_children, write_children_override

    centre = generator.org.bcc
    if centre is None or centre in services.catalog.children.childrens_cancer_centres:
        return
    data_dir = services.settings.data_dir
    write_children_override(data_dir, (centre,))
    services.catalog.children = load_children(data_dir=data_dir)


def _load(
    services: Services,
    config: SynthConfig,
    generator: RegionGenerator,
    conn: Connection,
    progress: Callable[[int], None] | None,
) -> None:
    from canrehab.services.worklist import rows_from_aggregates
    from canrehab.store.bulk import bulk_load

    bulk_load(conn, units=generator.org.units, staff=generator.org.staff)
    batch: list[PatientBundle] = []

    def flush() -> None:
        if not batch:
            return
        worklist: list[Any] = [
            row
            for b in batch
            for row in rows_from_aggregates(
                services,
                b.patient,
                b.pathway,
                b.assessments,
                b.plans,
                b.handovers,
                b.referrals,
                config.today,
                mdk_rehab_cases=b.care_paths.mdk_rehab_cases if b.care_paths is not None else (),
                svf=b.svf,
            )
        ]
        bulk_load(
            conn,
            patients=[b.patient for b in batch],
            pathways=[b.pathway for b in batch],
            assessments=[a for b in batch for a in b.assessments],
            plans=[p for b in batch for p in b.plans],
            handovers=[h for b in batch for h in b.handovers],
            referrals=[r for b in batch for r in b.referrals],
            kva=[k for b in batch for k in b.kva],
            worklist=worklist,
        )
        load_care_paths(conn, batch)
        load_svf_records(conn, batch)
        if progress is not None:
            progress(len(batch))
        batch.clear()

    for bundle in generator:
        batch.append(bundle)
        if len(batch) >= BATCH:
            flush()
    flush()


def load_care_paths(conn: Connection, batch: list[PatientBundle]) -> None:
    """Insert the bundles' relatives, relative support and MDK-rehab cases (``synth.care_paths``) in the
    connection's open transaction."""
    from sqlalchemy import insert

    from canrehab.store.repositories.care import MDK_REHAB_CASE, RELATIVE, RELATIVE_SUPPORT

    paths = [b.care_paths for b in batch if b.care_paths is not None]
    for entity_map, rows in (
        (RELATIVE, [r for p in paths for r in p.relatives]),
        (RELATIVE_SUPPORT, [s for p in paths for s in p.supports]),
        (MDK_REHAB_CASE, [c for p in paths for c in p.mdk_rehab_cases]),
    ):
        if rows:
            conn.execute(insert(entity_map.table), [entity_map.to_row(r) for r in rows])


def load_svf_records(conn: Connection, batch: list[PatientBundle]) -> None:
    """Insert the bundles' SVF records (``synth.svf_paths``) in the connection's open transaction."""
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from canrehab.store.repositories.svf import TABLE, row_values

    now = datetime.now(UTC)
    rows = [
        {
            "pathway_id": b.pathway.id,
            "patient_id": b.patient.id,
            "version": 1,
            "recorded_by": "synth",
            "recorded_at": now,
            **row_values(b.svf),
        }
        for b in batch
        if b.svf is not None
    ]
    if rows:
        conn.execute(insert(TABLE), rows)
