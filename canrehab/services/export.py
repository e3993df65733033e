"""Export of the care process's own KVÅ records as a patient-register-like extract (PAR columns), so that the
follow-up engine computes the same indicators from the system's own data as from the national register.

Persons are identified by their pseudonym only; the export itself is written to the audit log.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from canrehab.domain.access import Actor
from canrehab.domain.kva import PAR_COLUMNS, to_par_rows
from canrehab.domain.model import KvaRecord
from canrehab.domain.permissions import Action
from canrehab.services.guard import require_action

if TYPE_CHECKING:
    from canrehab.services.context import Services
    from canrehab.store.uow import UnitOfWork


def export_par(
    services: Services,
    actor: Actor,
    out: Path,
    *,
    start: date,
    end: date,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the contacts with KVÅ codes performed in [start, end] to ``out`` (CSV); returns the row count.
    ``progress(done, total)`` is called as persons are written (``total``: the persons in the period)."""
    require_action(actor, Action.EXPORT_PAR, services, "export")
    with services.uow(actor, log_reads=False) as uow:
        persons, written = write_par_extract(uow, out, start=start, end=end, progress=progress)
        uow.audit.record(
            "export",
            "par_extract",
            f"{start.isoformat()}..{end.isoformat()}",
            None,
            f"{persons} personer, {written} kontakter (pseudonymiserat)",
        )
    return written


def write_par_extract(
    uow: UnitOfWork,
    out: Path,
    *,
    start: date,
    end: date,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, int]:
    """Write the PAR-like extract of [start, end] to ``out`` (CSV, replaced atomically) within an open unit
    of work; returns (persons, contacts). A person is named by the pseudonym only (``Patient.pseudonym``, the
    keyed hash made with ``PSEUDONYM_KEY`` at registration): no personnummer, name or internal id."""
    out.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    by_patient: dict[str, list[KvaRecord]] = defaultdict(list)
    for record in uow.kva.iter_between(start, end):
        by_patient[record.patient_id].append(record)
    tmp = out.with_suffix(out.suffix + ".part")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(PAR_COLUMNS)
        for done, (patient_id, records) in enumerate(sorted(by_patient.items()), start=1):
            patient = uow.patients.get(patient_id)
            pathways = uow.pathways.for_patient(patient_id)
            for row in to_par_rows(patient, pathways, records):
                writer.writerow([getattr(row, c) if getattr(row, c) is not None else "" for c in PAR_COLUMNS])
                written += 1
            if progress is not None and (done % 1000 == 0 or done == len(by_patient)):
                progress(done, len(by_patient))
    tmp.replace(out)
    return len(by_patient), written
