"""The demo region's oncology unit looks like a living unit: a worklist with a few overdue items (days or
weeks old, not months) and work for today, this week and later."""

from __future__ import annotations

import statistics
from datetime import date
from pathlib import Path

from sqlalchemy import text

from canrehab.config import get_settings
from canrehab.domain.worklist import date_group
from canrehab.services.context import Services
from canrehab.store.orm_worklist import DEFAULT_GRACE_DAYS
from canrehab.synth.load import load_region
from canrehab.synth.region import SynthConfig

TODAY = date(2026, 12, 3)


def test_demo_unit_worklist_is_a_living_units(tmp_path: Path) -> None:
    settings = get_settings().model_copy(update={"data_dir": tmp_path, "database_url": ""})
    services = Services.open(settings, migrate=True)
    config = SynthConfig(patients=3000, seed=1, today=TODAY, pseudonym_key=settings.pseudonym_secret())
    generator = load_region(services, config)
    demo_unit = next(u for u in generator.org.units if u.hsa_id.endswith("-ONK")).hsa_id  # as synth.demo
    with services.engine.connect() as conn:
        dates = [
            date.fromisoformat(str(on))
            for (on,) in conn.execute(
                text(
                    "select next_action_on from worklist_status"
                    " where unit_hsa_id = :u and next_action_on is not null"
                ),
                {"u": demo_unit},
            )
        ]
    services.engine.dispose()
    groups: dict[str, list[date]] = {"overdue": [], "today": [], "week": [], "later": []}
    for on in dates:
        groups[date_group(on, TODAY, DEFAULT_GRACE_DAYS)].append(on)
    ages = [(TODAY - on).days for on in groups["overdue"]]
    assert len(dates) >= 20
    assert all(groups.values()), {k: len(v) for k, v in groups.items()}
    assert len(ages) / len(dates) < 0.25, (len(ages), len(dates))
    assert statistics.median(ages) < 28, sorted(ages)  # days or weeks old, not months (issue 13)
