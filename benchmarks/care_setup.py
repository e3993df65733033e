"""The setup the care benchmarks share (``care_engine.py``, ``publish.py``, ``dashboard.py``): services on a
copy of an existing database (nothing migrated; a throw-away data directory), the clock pinned to the day
measured, and the load average printed beside every figure (the machine is shared)."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from canrehab.config import Settings
from canrehab.services.context import Services
from canrehab.store.orm import TABLES


def open_services(db_url: str, secret_key: str, today: date, prefix: str) -> Services:
    settings = Settings(
        data_dir=Path(tempfile.mkdtemp(prefix=prefix)), database_url=db_url, secret_key=secret_key
    )
    services = Services.open(settings, migrate=False)
    services.clock = lambda: today
    return services


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}".replace(".", ",") for x in os.getloadavg())


def largest_unit(services: Services) -> tuple[str, int]:
    """The unit with the most pathways, and how many."""
    pw = TABLES["pathway"].c
    count = sa.func.count()
    stmt = sa.select(pw.unit_hsa_id, count).group_by(pw.unit_hsa_id).order_by(count.desc()).limit(1)
    with services.engine.connect() as conn:
        unit, n = conn.execute(stmt).one()
    return str(unit), int(n)
