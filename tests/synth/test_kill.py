"""``canrehab synth`` is all or nothing (issue 14 item 7): killed with SIGKILL after it has generated and
written batches, it leaves no row behind, and a rerun into the same database succeeds."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from canrehab.store.db import make_engine, migrate
from canrehab.store.orm import TABLES
from tests.killing import kill_at, run


def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                name: int(conn.execute(select(func.count()).select_from(TABLES[name])).scalar_one())
                for name in ("care_unit", "staff", "patient", "pathway", "assessment", "worklist_status")
            }
    finally:
        engine.dispose()


def test_a_killed_synth_leaves_an_empty_database_and_a_rerun_succeeds(
    empty_db_url: str, tmp_path: Path
) -> None:
    migrate(empty_db_url)
    env = {"CANREHAB_DATABASE_URL": empty_db_url, "CANREHAB_DATA_DIR": str(tmp_path), "COLUMNS": "120"}
    # The marker: the first batch of 2 000 patients has been written into the (uncommitted) transaction.
    kill_at(
        ["synth", "--patients", "6000", "--seed", "5"],
        env,
        lambda lines: any(x.startswith("2000 av 6000") for x in lines),
    )
    assert set(_counts(empty_db_url).values()) == {0}
    rerun = run(["synth", "--patients", "100", "--seed", "5"], env)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    counts = _counts(empty_db_url)
    assert counts["patient"] == counts["pathway"] == 100
    assert counts["care_unit"] > 0 and counts["worklist_status"] > 0
