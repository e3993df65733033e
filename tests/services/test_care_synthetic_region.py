"""The synthetic region exercises the new care paths (issue 12 "Done when"): relatives with consent and
their coded support (GB010, QT011, DU055, DU057), MDK-rehab cases received by the coordinator and
concluded with XS008/XS007, advanced levels left without a team for the worklist flag; and loading it
writes the new tables."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select

from canrehab.domain.mdk_rehab import MdkRehabStatus, team_missing
from canrehab.services.context import Catalog, Services
from canrehab.store.orm import TABLES
from canrehab.synth.load import load_region
from canrehab.synth.region import RegionGenerator, SynthConfig

CONFIG = SynthConfig(patients=1500, seed=3, today=date(2026, 6, 1))


def test_the_synthetic_region_has_relatives_their_coded_support_and_mdk_rehab() -> None:
    codes: Counter[str] = Counter()
    cases: Counter[MdkRehabStatus] = Counter()
    without_team = 0
    for bundle in RegionGenerator(CONFIG, Catalog.load()):
        paths = bundle.care_paths
        codes.update(r.code for r in bundle.kva if r.source.startswith(("relative:", "mdk_rehab:")))
        cases.update(c.status for c in paths.mdk_rehab_cases)
        without_team += team_missing(bundle.pathway, bundle.referrals, paths.mdk_rehab_cases)
        for support in paths.supports:
            assert support.kva_record_id in {r.id for r in bundle.kva}
    assert {"GB010", "QT011", "DU055", "DU057"} <= set(codes)
    assert (
        cases[MdkRehabStatus.CONCLUDED] > 0
        and codes["XS008"] + codes["XS007"] == cases[MdkRehabStatus.CONCLUDED]
    )
    assert without_team > 0


def test_loading_the_synthetic_region_writes_relatives_and_mdk_rehab_cases(services: Services) -> None:
    load_region(services, SynthConfig(patients=300, seed=3, today=date(2026, 6, 1)))
    with services.engine.connect() as conn:
        counted = {
            name: conn.execute(select(func.count()).select_from(TABLES[name])).scalar_one()
            for name in ("relative", "relative_support", "mdk_rehab_case")
        }
    assert counted["relative"] > 0 and counted["relative_support"] >= counted["relative"]
