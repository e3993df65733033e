"""Publishing the care dataset to the analytics store (``services.publish.publish_care``) at the size of the
shared 200 000-patient template (issue 11 item 1, speed: goal < 60 s, bounded memory).

One path per process, so the peak RSS is that path's own:

- ``--path extract`` (what ``publish_care`` does): ``store.care_extract.care_tables`` (set-based SQL,
  streamed in chunks) -> ``care.pseudonymised`` -> Parquet, swapped in, audited; then, for the unit with
  the most pathways, ``care_tables(unit_ids=[unit])`` (the live unit dashboard's read, ibis4) median and
  max over ``--runs``;
- ``--path domain`` (the same-run baseline, ``publish_care`` before pub4): ``readmodel.indicator_facts``
  (every pathway as pydantic domain objects) -> ``care.care_frames`` -> ``care.pseudonymised`` -> Parquet;
  then the same unit through ``indicator_facts`` + ``care_frames``.

Each prints wall and CPU seconds, peak RSS and the load average. Run them serialised (``flock``) on a copy
of ``canrehab_tpl200k`` (nothing is written to the database but one audit row)::

    psql -h /tmp/canrehab-pg -p 54329 -U postgres \\
        -c "create database canrehab_bench_pub4 template canrehab_tpl200k owner canrehab"
    URL=postgresql+psycopg://canrehab:canrehab@127.0.0.1:54329/canrehab_bench_pub4
    flock /work/bench.lock .venv/bin/python benchmarks/publish.py --db-url $URL --path domain
    flock /work/bench.lock .venv/bin/python benchmarks/publish.py --db-url $URL --path extract
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from benchmarks.care_setup import largest_unit, load, open_services
from benchmarks.core import machine
from canrehab.domain.access import Actor
from canrehab.followup import care
from canrehab.services import publish, readmodel
from canrehab.services.context import Services
from canrehab.services.process_indicators import is_prem, prem_instrument_ids, svf_definitions
from canrehab.store.care_extract import care_tables

ADMIN = Actor(role="admin", staff_id=None, unit_hsa_ids=frozenset(), username="processledare")


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def publish_by_domain_objects(services: Services, day: date) -> dict[str, int]:
    """``publish_care`` as it was before pub4 (the domain-object read), without the swap-in and audit."""
    with services.uow(ADMIN, log_reads=False) as uow:
        unit_ids = [u.hsa_id for u in uow.units.list_all()]
        facts, handovers = readmodel.indicator_facts(uow, unit_ids, None, publish.EARLIEST, day)
        frames = care.pseudonymised(
            care.care_frames(facts, handovers, svf_definitions(), is_prem), publish.care_key(services)
        )
    care.write_dataset(frames, publish.care_dataset(services))
    return {name: len(frames[name]) for name in care.TABLES}


def one_unit(services: Services, path: str, unit: str, day: date) -> int:
    if path == "extract":
        tables = care_tables(
            services.engine,
            as_of=day,
            svf_definitions=svf_definitions(),
            prem_instruments=prem_instrument_ids(),
            unit_ids=[unit],
        )
        return int(tables["pathways"].num_rows)
    with services.uow(ADMIN, log_reads=False) as uow:
        facts, handovers = readmodel.indicator_facts(uow, [unit], None, publish.EARLIEST, day)
    return len(care.care_frames(facts, handovers, svf_definitions(), is_prem)["pathways"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db-url", required=True)
    ap.add_argument("--secret-key", default="bench-secret")
    ap.add_argument("--today", default=date.today().isoformat())
    ap.add_argument("--path", choices=("extract", "domain"), required=True)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    day = date.fromisoformat(args.today)
    print(f"machine: {machine()}")
    services = open_services(args.db_url, args.secret_key, day, "canrehab-publish-bench-")
    print(f"before: {load()}")

    wall, cpu0 = time.perf_counter(), cpu()
    if args.path == "extract":
        rows = publish.publish_care(services, ADMIN, as_of=day).rows
    else:
        rows = publish_by_domain_objects(services, day)
    wall, spent = time.perf_counter() - wall, cpu() - cpu0
    print(
        f"publish_care [{args.path}]: {wall:.1f} s wall, {spent:.1f} s CPU (this process), "
        f"peak RSS {peak_rss_mib():.0f} MiB, rows {rows}; after: {load()}"
    )

    unit, count = largest_unit(services)
    seconds = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        got = one_unit(services, args.path, unit, day)
        seconds.append(time.perf_counter() - t0)
    median = statistics.median(seconds)
    print(
        f"one unit [{args.path}] ({count} pathways, {got} as of {day}): median {median:.2f} s, "
        f"max {max(seconds):.2f} s over {args.runs}; {load()}"
    )


if __name__ == "__main__":
    main()
