"""The demo's patient login shows what a patient would see today: an established plan whose follow-up and
goal dates are still ahead (issue 13: "Min vårdplan shows stale dates")."""

from __future__ import annotations

from pathlib import Path

from canrehab.config import Settings
from canrehab.domain.model import PlanStatus
from canrehab.services.context import SYSTEM, Services
from canrehab.synth.demo import build_demo


def test_the_demo_patients_plan_is_current(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="demo-patient-secret")
    build_demo(settings, patients=400, seed=3, analytics_persons=200)
    services = Services.open(settings)
    try:
        today = services.today()
        with services.uow(SYSTEM, log_reads=False) as uow:
            account = uow.accounts.get("patient")
            assert account is not None and account.patient_id is not None
            plans = uow.plans.for_patient(account.patient_id)
        plans = [p for p in plans if p.status == PlanStatus.ESTABLISHED]
        assert plans, "the demo patient has an established plan"
        dates = [p.content.follow_up_on for p in plans]
        dates += [g.target_date for p in plans for g in p.content.goals]
        assert dates and all(d is None or d >= today for d in dates), dates
    finally:
        services.engine.dispose()
