"""Publish the care process's own data to the analytics store: the production path from the operational
database to the follow-up engine.

The KVÅ records of a period are written as the pseudonymised PAR-like extract of ``export-par`` (one row per
contact; the person named by the keyed pseudonym only), validated strictly by the follow-up importer and
swapped in atomically as the dataset ``<analytics_dir>/par/egen-verksamhet``, which the statistics pages and
the reports read like any imported register extract. A publication replaces the dataset: it holds exactly
the period last published. The publication is written to the audit log.

The care process's dataset (``followup.care``: pathways, assessments, plans, handovers as of the day of
publication) is published beside it as ``<analytics_dir>/care``, pseudonymised (pathway ids keyed-hashed, no
personnummer, no names, no operational ids), swapped in atomically the same way; the care indicators read it.
Its four tables are read set-based and streamed (``store.care_extract``), not as domain objects: at 200 000
patients that is about 20 s and 0,5 GiB instead of minutes and 5 GiB (``benchmarks/publish.py``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa

from canrehab.domain.access import Actor
from canrehab.domain.errors import DomainError
from canrehab.domain.permissions import Action
from canrehab.followup import care
from canrehab.followup.importer import _swap_in, _work_name, dataset_root, import_par, remove_stale_work_dirs
from canrehab.services.export import write_par_extract
from canrehab.services.guard import require_action
from canrehab.services.process_indicators import prem_instrument_ids, svf_definitions
from canrehab.store.care_extract import care_tables

if TYPE_CHECKING:
    from canrehab.services.context import Services

OWN_DATASET = "egen-verksamhet"
CARE_DATASET = "care"
CARE_MANIFEST = "_publication.json"
EARLIEST = date(1900, 1, 1)  # indicator_facts's start for "every pathway diagnosed by the publication day"
YEARS_BACK = 2  # the default period: the two previous calendar years and this year to date


@dataclass(frozen=True)
class Publication:
    dataset: Path
    start: date
    end: date
    persons: int
    contacts: int
    contacts_per_year: dict[int, int]
    care: CarePublication | None = field(default=None)


@dataclass(frozen=True)
class CarePublication:
    dataset: Path
    as_of: date
    rows: dict[str, int]
    seconds: float


def default_period(today: date) -> tuple[date, date]:
    """1 January ``YEARS_BACK`` years ago to ``today``: enough years for the indicators' trends."""
    return date(today.year - YEARS_BACK, 1, 1), today


def own_dataset(services: Services) -> Path:
    return dataset_root(services.settings.analytics_dir) / OWN_DATASET


def care_dataset(services: Services) -> Path:
    return services.settings.analytics_dir / CARE_DATASET


def care_key(services: Services) -> bytes:
    """The key of the care dataset's pathway pseudonyms (derived from the installation's secret)."""
    return hashlib.sha256(
        b"canrehab care dataset\0" + services.settings.installation_secret().encode()
    ).digest()


def publish_care(services: Services, actor: Actor, *, as_of: date | None = None) -> CarePublication:
    """Publish the care dataset of every unit as of ``as_of`` (default: today) to ``care_dataset``."""
    require_action(actor, Action.EXPORT_PAR, services, "publish_care")
    began = time.perf_counter()
    day = as_of or services.clock()
    target = care_dataset(services)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_work_dirs(target.parent)
    with services.uow(actor, log_reads=False) as uow:
        # One set-based read per table in the unit of work's transaction (one snapshot), streamed in chunks:
        # the same tables as care.care_frames over readmodel.indicator_facts (tests/store/test_care_extract).
        tables = care_tables(
            uow.session.connection(),
            as_of=day,
            svf_definitions=svf_definitions(),
            prem_instruments=prem_instrument_ids(),
        )
        frames = care.pseudonymised(_frames(tables), care_key(services))
        del tables
        work = _work_name(target, "tmp")
        try:
            care.write_dataset(frames, work)
            rows = {name: len(frames[name]) for name in care.TABLES}
            manifest = {
                "dataset": CARE_DATASET,
                "as_of": day.isoformat(),
                "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "rows": rows,
                "pseudonymised": True,
            }
            (work / CARE_MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
            _swap_in(work, target)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        uow.audit.record(
            "export",
            "analytics_dataset",
            CARE_DATASET,
            None,
            f"vårdens uppgifter per {day.isoformat()}: {rows['pathways']} vårdförlopp (pseudonymiserat)",
        )
    return CarePublication(target, day, rows, time.perf_counter() - began)


_PANDAS_TYPES = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}


def _frames(tables: Mapping[str, pa.Table]) -> dict[str, pd.DataFrame]:
    """The extract as the frames ``care.pseudonymised`` and ``care.write_dataset`` take (the dtypes of
    ``care.care_frames``: nullable integers and booleans, dates as ``datetime64[us]``, ids as objects)."""
    return {name: tables[name].to_pandas(types_mapper=_PANDAS_TYPES.get) for name in care.TABLES}


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
    own = publish_care(services, actor, as_of=end)
    return Publication(target, start, end, persons, contacts, dict(result.years), own)
