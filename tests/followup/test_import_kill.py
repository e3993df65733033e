"""The import cleans up after itself (issue 14 item 7): killed with SIGKILL while it writes the Parquet
dataset, it leaves no dataset and no report under the real names (a dataset it was replacing is untouched);
its temporary directory is removed by the next import, which succeeds."""

from __future__ import annotations

import json
from pathlib import Path

from canrehab.followup.importer import MANIFEST, WORK_DIR, import_par
from tests.followup.conftest import contact, write_extract
from tests.killing import kill_at, run

ROWS = 120_000


def _work_entries(directory: Path) -> list[Path]:
    return [p for p in directory.iterdir() if WORK_DIR.match(p.name)]


def _writing(directory: Path) -> bool:
    """The marker: a temporary dataset directory holds a Parquet part with data in it."""
    return any(
        part.stat().st_size > 0
        for work in _work_entries(directory)
        if work.is_dir()
        for part in work.glob("year=*/part-0.parquet")
    )


def test_a_killed_import_leaves_nothing_half_written_and_the_next_import_cleans_up(tmp_path: Path) -> None:
    rows = [contact(str(i), indatum="2021-05-02" if i % 2 else "2022-03-01") for i in range(ROWS)]
    source = write_extract(tmp_path / "par.csv", rows)
    root = tmp_path / "analytics" / "par"
    dataset = root / "par"
    old = import_par(write_extract(tmp_path / "old.csv", rows[:10]), dataset)
    assert old.ok
    args = ["import-par", str(source), "--dataset", str(dataset), "--replace", "--batch-rows", "1000"]
    kill_at(args, {"CANREHAB_DATA_DIR": str(tmp_path)}, lambda _lines: _writing(root))
    # The dataset being replaced is untouched, no report appeared, and the dead import's work remains ...
    assert json.loads((dataset / MANIFEST).read_text())["read"] == 10
    assert not (root / "par.fel.csv").exists()
    stale = _work_entries(root)
    assert stale
    # ... until the next import, which removes it and succeeds.
    rerun = run(args[:-2], {"CANREHAB_DATA_DIR": str(tmp_path)})
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert json.loads((dataset / MANIFEST).read_text())["read"] == ROWS
    assert _work_entries(root) == []


def test_an_interrupted_import_removes_its_temporary_files(tmp_path: Path) -> None:
    """Ctrl-C part-way (KeyboardInterrupt, raised here from the progress callback after five batches): the
    temporary dataset directory and report are removed at once, and no dataset appears."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    import pytest

    source = tmp_path / "par.parquet"  # its reader reports progress per batch of rows
    pq.write_table(pa.Table.from_pylist([contact(str(i)) for i in range(20_000)]), source)
    root = tmp_path / "par"
    seen: list[int] = []

    def progress(total: int, unit: str):  # type: ignore[no-untyped-def]
        def advance(n: int) -> None:
            seen.append(n)
            if len(seen) == 5:
                assert _writing(root)  # it was writing when interrupted
                raise KeyboardInterrupt

        return advance

    with pytest.raises(KeyboardInterrupt):
        import_par(source, root / "par", batch_rows=1000, progress_factory=progress)
    assert sorted(p.name for p in root.iterdir()) == []
