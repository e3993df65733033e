"""The Bulk export of the first N patients (by id) of an existing database, in this one process: for comparing
two trees' output byte for byte (``cmp``) and their CPU time, and for profiling, without building a database
of that size (a copy of ``canrehab_tpl200k`` serves every N).

It runs the job's own steps (``canrehab.fhir.export``: the kick-off's job row, the snapshot, the batches of
the id range with the mappers, pseudonymisation, the per-patient read audit, the referenced Organizations and
staff) for the patients up to the N-th in scope. Prints wall, CPU, peak RSS and the load average.

    PYTHONPATH=$TREE .venv/bin/python $TREE/benchmarks/bulk_slice.py $URL /tmp/out-$NAME 20000
    for f in /tmp/out-a/files/*; do cmp $f /tmp/out-b/files/$(basename $f); done
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.core import machine


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("database_url")
    ap.add_argument("out", type=Path, help="a new directory: the files land in OUT/files")
    ap.add_argument("patients", type=int)
    ap.add_argument("--role", default="regional_analyst", help="the caller (regional_analyst: pseudonymised)")
    args = ap.parse_args()

    from canrehab.config import Settings
    from canrehab.domain.access import Actor
    from canrehab.fhir import export as bulk
    from canrehab.fhir.context import Ctx
    from canrehab.services.context import Services

    settings = Settings(
        data_dir=args.out, database_url=args.database_url, secret_key="bench", pseudonym_key="bench"
    )
    services = Services.open(settings, migrate=False)
    actor = Actor(role=args.role, staff_id=None, unit_hsa_ids=frozenset(), username="bench")
    request = bulk.parse_kickoff([], "respond-async", "system")
    with services.uow(actor) as uow:
        job_id = bulk.start(Ctx(services, uow, actor), request, "http://bench/fhir/$export")
    with services.independent_uow(actor, log_reads=False) as uow:
        job = uow.bulk_jobs.get(job_id)
    assert job is not None
    plan = bulk._plan_of(job)
    writer = bulk._Writer(args.out / "files")
    update = bulk._updater(services, job_id)
    load0 = os.getloadavg()[0]
    t0, cpu0 = time.monotonic(), time.process_time()
    with services.independent_uow(actor, log_reads=False, read_only=True) as uow:
        reader = uow.export_reader
        reader.snapshot()
        high = reader.nth_patient(plan.units, args.patients)  # None: the region has fewer
        bulk._export_range(services, job, plan, reader, ("", high), writer, update)
        for rtype, found in bulk._support_resources(reader, plan, writer):
            writer.write(rtype, bulk.dumps(found))
    writer.close()
    wall, cpu = time.monotonic() - t0, time.process_time() - cpu0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine: {machine()}")
    print(
        f"first {writer.counts.get('Patient', 0)} patients: wall {wall:.1f} s, CPU {cpu:.1f} s, peak RSS "
        f"{peak:.0f} MiB, load average {load0:.1f} → {os.getloadavg()[0]:.1f}"
    )
    print("per type: " + ", ".join(f"{t} {n}" for t, n in writer.counts.items()))
    services.engine.dispose()


if __name__ == "__main__":
    main()
