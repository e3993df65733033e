"""Publish the care process's own data to the analytics store: the production path from the operational
database to the follow-up engine.

The KVÅ records of a period are written as the pseudonymised PAR-like extract of ``export-par`` (one row per
contact; the person named by the keyed pseudonym only), validated strictly by the follow-up importer and
swapped in atomically as the dataset ``<analytics_dir>/par/egen-verksamhet``, which the statistics pages and
the reports read like any imported register extract. A publication replaces the dataset: it holds exactly
the period last published. The publication is written to the audit log.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from canrehab.domain.access import Actor
from canrehab.domain.errors import DomainError
from canrehab.domain.permissions import Action
from canrehab.followup.importer import dataset_root, import_par
from canrehab.services.export import write_par_extract
from canrehab.services.guard import require_action

if TYPE_CHECKING:
    from canrehab.services.context import Services

OWN_DATASET = "egen-verksamhet"
YEARS_BACK = 2  # the default period: the two previous calendar years and this year to date


@dataclass(frozen=True)
class Publication:
    dataset: Path
    start: date
    end: date
    persons: int
    contacts: int
    contacts_per_year: dict[int, int]


def default_period(today: date) -> tuple[date, date]:
    """1 January ``YEARS_BACK`` years ago to ``today``: enough years for the indicators' trends."""
    return date(today.year - YEARS_BACK, 1, 1), today


def own_dataset(services: Services) -> Path:
    return dataset_root(services.settings.analytics_dir) / OWN_DATASET


def publish(
    services: Services,
    actor: Actor,
    *,
    start: date,
    end: date,
    progress: Callable[[int, int], None] | None = None,
) -> Publication:
    """Publish the contacts with KVÅ codes performed in [start, end] as the dataset ``OWN_DATASET``."""
    # Publishing is exporting the PAR-like extract, to the analytics store instead of a file.
    require_action(actor, Action.EXPORT_PAR, services, "publish")
    if end < start:
        raise DomainError("publish.period", "Slutdatum ligger före startdatum.", "end before start")
    target = own_dataset(services)
    target.parent.mkdir(parents=True, exist_ok=True)
    # The extract never leaves the analytics store's directory; the dot keeps it out of dataset discovery.
    with tempfile.TemporaryDirectory(prefix=".publicering-", dir=target.parent) as tmp:
        extract = Path(tmp) / f"{OWN_DATASET}.csv"
        with services.uow(actor, log_reads=False) as uow:
            persons, contacts = write_par_extract(uow, extract, start=start, end=end, progress=progress)
            result = import_par(extract, target, strict=True, replace=True, report_path=Path(tmp) / "fel.csv")
            if not result.ok:
                # The care process's own records always form valid rows; a failure is a bug, not user input.
                raise DomainError(
                    "publish.invalid",
                    f"De egna uppgifterna kunde inte publiceras: {result.rejected} felaktiga rader.",
                    f"own extract rejected: {result.rejected} invalid rows, first {result.first_errors[:3]}",
                )
            uow.audit.record(
                "export",
                "analytics_dataset",
                OWN_DATASET,
                None,
                f"publicerat {start.isoformat()}..{end.isoformat()}: {persons} personer, "
                f"{contacts} kontakter (pseudonymiserat)",
            )
    return Publication(target, start, end, persons, contacts, dict(result.years))
