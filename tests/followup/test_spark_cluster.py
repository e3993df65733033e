"""The national reports on a real Spark standalone cluster, not only ``local[2]``: a master and two workers
from PySpark's own distribution (``bin/spark-class`` ...Master / ...Worker), every address on loopback
(``SPARK_LOCAL_IP=127.0.0.1``), started once per session; the county table and the indicator report over
the Parquet dataset are identical to DuckDB's.

Any local SparkSession of the session is stopped first (one SparkContext per process) and the cluster's
session is stopped after, so the ``spark`` fixture can start a local one again.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from canrehab.followup import api
from canrehab.followup.render.csvout import to_csv_text

CODES = ["AW020", "AW024", "XV019", "XV020", "DV131"]
WORKERS = 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _alive_workers(ui_port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{ui_port}/json/", timeout=2) as answer:
            state = json.load(answer)
    except OSError:
        return 0
    return sum(1 for w in state.get("workers", ()) if w.get("state") == "ALIVE")


def _stop_spark() -> None:
    from pyspark.sql import SparkSession

    from canrehab.followup.backends import spark_session

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()
    spark_session.cache_clear()


@pytest.fixture(scope="session")
def spark_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``spark://127.0.0.1:<port>`` of a standalone master with two workers (1 core, 1 GB each)."""
    import pyspark

    home = Path(pyspark.__file__).parent
    spark_class = str(home / "bin" / "spark-class")
    logs = tmp_path_factory.mktemp("spark-cluster")
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1", "SPARK_NO_DAEMONIZE": "1"}
    port, ui_port = _free_port(), _free_port()
    url = f"spark://127.0.0.1:{port}"
    processes: list[subprocess.Popen[bytes]] = []

    def launch(name: str, *args: str) -> None:
        out = (logs / f"{name}.log").open("wb")
        processes.append(
            subprocess.Popen([spark_class, *args], env=env, stdout=out, stderr=subprocess.STDOUT)
        )

    try:
        launch(
            "master",
            "org.apache.spark.deploy.master.Master",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--webui-port",
            str(ui_port),
        )
        for i in range(WORKERS):
            launch(
                f"worker{i}",
                "org.apache.spark.deploy.worker.Worker",
                "--host",
                "127.0.0.1",
                "--cores",
                "1",
                "--memory",
                "1g",
                "--webui-port",
                str(_free_port()),
                "--work-dir",
                str(logs / f"work{i}"),
                url,
            )
        # Three JVMs start in a few seconds on an idle machine; on a shared, loaded one (load 13 on two cores
        # was seen) the start alone took over a minute, so the deadline is generous.
        deadline = time.monotonic() + 180
        while _alive_workers(ui_port) < WORKERS:
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                pytest.fail(f"the Spark cluster did not start; logs in {logs}")
            time.sleep(0.5)
        yield url
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def cluster_session(spark_cluster: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from canrehab.followup.backends import spark_session

    _stop_spark()
    monkeypatch.setenv("CANREHAB_SPARK_MASTER", spark_cluster)
    monkeypatch.setenv("SPARK_LOCAL_IP", "127.0.0.1")
    monkeypatch.setenv("CANREHAB_SPARK_DRIVER_MEMORY", "1g")
    session = spark_session()
    yield session
    _stop_spark()


@pytest.mark.spark
def test_the_reports_on_a_standalone_cluster_are_identical_to_duckdb(
    small_dataset: Path, cluster_session: Any
) -> None:
    conf = cluster_session.sparkContext.getConf()
    assert conf.get("spark.master").startswith("spark://127.0.0.1:")
    assert conf.get("spark.driver.host") in ("127.0.0.1", "localhost")
    duck = to_csv_text(api.region_table(small_dataset, 2022, CODES, level="county", backend="duckdb"))
    sparked = to_csv_text(api.region_table(small_dataset, 2022, CODES, level="county", backend="pyspark"))
    assert duck == sparked and duck.count("\n") == (21 + 1) * len(CODES) + 1
    ids = ["min_vardplan", "rehabplan_slutenvard"]
    duck_ind = api.indicator_results(small_dataset, [2021, 2022], ids, backend="duckdb")
    spark_ind = api.indicator_results(small_dataset, [2021, 2022], ids, backend="pyspark")
    assert to_csv_text(duck_ind) == to_csv_text(spark_ind)
    executors = cluster_session.sparkContext._jsc.sc().getExecutorMemoryStatus().size()
    assert executors == WORKERS + 1  # the two workers' executors and the driver
