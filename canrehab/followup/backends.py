"""Analytics backends behind Ibis: DuckDB (embedded default) and PySpark (local mode here, a cluster in
production). Every expression in ``population``/``indicators`` runs unchanged on both."""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
from ibis.backends import BaseBackend

from canrehab.domain.errors import DomainError
from canrehab.followup import duckdb_settings
from canrehab.followup.fast_import import ARROW_FILE

BACKENDS = ("duckdb", "pyspark")
_ARROW_NAMES = itertools.count(1)


def connect(backend: str = "duckdb", *, threads: int | None = None) -> BaseBackend:
    if backend == "duckdb":
        con = ibis.duckdb.connect()
        duckdb_settings.configure(con.raw_sql, threads=threads)
        return con
    if backend in ("pyspark", "spark"):
        return ibis.pyspark.connect(spark_session())
    raise DomainError(
        "followup.unknown_backend",
        f"Okänd beräkningsmotor: {backend} (duckdb eller pyspark)",
        f"Unknown backend: {backend} (duckdb or pyspark)",
    )


@cache
def spark_session() -> Any:
    """One local SparkSession per process: two cores, no UI, few shuffle partitions (small local data)."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    master = os.environ.get("CANREHAB_SPARK_MASTER", "local[2]")
    builder = (
        SparkSession.builder.master(master)
        .appName("canrehab-followup")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", os.environ.get("CANREHAB_SPARK_SHUFFLE_PARTITIONS", "4"))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", os.environ.get("CANREHAB_SPARK_DRIVER_MEMORY", "2g"))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    local_ip = os.environ.get("SPARK_LOCAL_IP")
    if local_ip:  # the driver's address for a cluster's executors, also when the JVM was started before
        builder = builder.config("spark.driver.host", local_ip).config("spark.driver.bindAddress", local_ip)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def read_contacts(con: BaseBackend, dataset: Path) -> ibis.Table:
    """The contacts of an imported dataset directory (or one Parquet file) as an Ibis table. A dataset of
    one Arrow IPC file (``fast_import.ARROW_FILE``, the extract cache's format) is memory-mapped and scanned
    in place by DuckDB: nothing is decoded or copied before the query."""
    arrow_file = dataset / ARROW_FILE
    if dataset.is_dir() and arrow_file.is_file():
        return _read_arrow(con, dataset, arrow_file)
    if dataset.is_dir() and not any(dataset.rglob("*.parquet")):
        raise DomainError(
            "followup.empty_dataset",
            f"Datamängden {dataset} innehåller inga kontakter.",
            f"The dataset {dataset} holds no contacts.",
        )
    if dataset.is_dir():
        if con.name == "duckdb":
            return con.read_parquet(str(dataset / "**" / "*.parquet"), hive_partitioning=True)  # type: ignore[attr-defined]
        return con.read_parquet(str(dataset))  # type: ignore[attr-defined]
    return con.read_parquet(str(dataset))  # type: ignore[attr-defined]


def _read_arrow(con: BaseBackend, dataset: Path, path: Path) -> ibis.Table:
    if con.name != "duckdb":
        raise DomainError(
            "followup.arrow_dataset",
            f"Datamängden {dataset} är en Arrow-fil som bara DuckDB läser: ange extraktfilen som --input "
            "(den sparas då även som Parquet) eller använd --backend duckdb.",
            f"The dataset {dataset} is an Arrow file only DuckDB reads: give the extract file as --input.",
        )
    table = pa.ipc.open_file(pa.memory_map(str(path))).read_all()  # zero-copy: the pages of the file
    name = f"contacts_{next(_ARROW_NAMES)}"
    con.con.register(name, table)  # type: ignore[attr-defined]
    return con.table(name)


def dialect(con: BaseBackend) -> str:
    """The SQL dialect of ``con`` for ``ibis.to_sql`` (the backend's name: ``duckdb`` or ``pyspark``)."""
    return str(con.name)


_SPARK_TYPES = {"string": "string", "timestamp[us]": "timestamp", "bool": "boolean", "int64": "bigint"}


def register(con: BaseBackend, tables: Mapping[str, pa.Table]) -> None:
    """Make each Arrow table queryable under its name on ``con`` (DuckDB: without copying; PySpark: a
    temporary view), replacing one of the same name."""
    if con.name == "duckdb":
        raw = con.con  # type: ignore[attr-defined]
        for name, table in tables.items():
            raw.register(name, table)
        return
    session = con._session  # type: ignore[attr-defined]
    for name, table in tables.items():
        ddl = ", ".join(f"`{f.name}` {_SPARK_TYPES[str(f.type)]}" for f in table.schema)
        session.createDataFrame(table.to_pandas(), schema=ddl).createOrReplaceTempView(name)


def run_sql(
    con: BaseBackend,
    sql: str,
    tables: Mapping[str, pa.Table],
    values: Mapping[str, Any] | None = None,
) -> list[tuple[Any, ...]]:
    """The rows of a compiled query (``ibis.to_sql`` in ``dialect(con)``) after registering its small
    parameter tables (``register``), with its named parameters (DuckDB's ``$name``) bound to ``values``:
    a cached query runs without building or compiling an expression."""
    register(con, tables)
    if con.name == "duckdb":
        return [tuple(r) for r in con.con.execute(sql, dict(values or {})).fetchall()]  # type: ignore[attr-defined]
    return [tuple(r) for r in con._session.sql(sql).collect()]  # type: ignore[attr-defined]
