"""How long the pending migrations take on a copy of a large database (e.g. migration 0019 on a copy of the
200 000-patient template ``canrehab_tpl200k``, which is at 0017). Prints the revisions before and after, the
time, the pathways and how many of them have no confirmed diagnosis, and the machine.

    psql -h /tmp/canrehab-pg -p 54329 -U postgres \
        -c "create database canrehab_bench_svf4 template canrehab_tpl200k owner canrehab"
    flock /work/bench.lock .venv/bin/python benchmarks/migration.py --db-url postgresql+psycopg://canrehab:canrehab@127.0.0.1:54329/canrehab_bench_svf4
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa

from benchmarks.core import machine
from canrehab.store.db import current_revision, make_engine, migrate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db-url", required=True, help="a throw-away copy: it is migrated to head")
    url = parser.parse_args().db_url
    engine = make_engine(url)
    before = current_revision(engine)
    started = time.perf_counter()
    migrate(url)
    seconds = time.perf_counter() - started
    with engine.connect() as conn:
        pathways = conn.execute(sa.text("select count(*) from pathway")).scalar()
        unconfirmed = conn.execute(
            sa.text("select count(*) from pathway where diagnosed_on is null")
        ).scalar()
    print(f"migrate {before} -> {current_revision(engine)}: {seconds:.2f} s")
    print(f"pathways {pathways}, without a confirmed diagnosis {unconfirmed}")
    print(machine())
    engine.dispose()


if __name__ == "__main__":
    main()
