"""The synthetic region's barncancercentrum is known the way a region configures its own (issue 12 item 8,
002: "en roll som kallas konsultsjuksköterska vid samtliga BCC"): loading the region lists it in the data
directory's own ``children.yaml``, the shipped file stays free of synthetic ids, and a new start of the
app reads the copy, so the children's pages treat the centre as a barncancercentrum."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import yaml

from canrehab.codes.mdk_rehab import CHILDREN_PATH, children_override, load_children
from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.domain.model import Profession
from canrehab.services import accounts, patients
from canrehab.services.context import SYSTEM, Services
from canrehab.synth.demo import DEMO_PASSWORD, build_demo
from canrehab.web.app import create_app
from tests.services.test_care_children_and_team import personnummer
from tests.web.login import logged_in


def test_the_synthetic_barncancercentrum_is_listed_in_the_data_directorys_children_yaml_and_the_pages_know_it(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="bcc-secret")
    build_demo(settings, patients=40, seed=11, analytics_persons=200)
    shipped = yaml.safe_load(CHILDREN_PATH.read_text(encoding="utf-8"))
    assert shipped["childrens_cancer_centres"] == []  # the shipped region data carries no synthetic id
    copy = children_override(tmp_path)
    listed = load_children(data_dir=tmp_path).childrens_cancer_centres
    assert copy.is_file() and len(listed) == 1
    centre = listed[0]

    app = create_app(settings)  # a new start: the services read the data directory's copy
    services: Services = app.state.services  # type: ignore[attr-defined]
    assert services.catalog.children.childrens_cancer_centres == (centre,)
    with services.uow(SYSTEM, log_reads=False) as uow:
        konsult = [s for s in uow.staff.for_unit(centre) if s.profession is Profession.CONSULTING_NURSE]
    assert konsult
    accounts.create_user(
        services, username="konsult", role="nurse", password=DEMO_PASSWORD, staff_id=konsult[0].id
    )
    actor = Actor(role="nurse", staff_id=konsult[0].id, unit_hsa_ids=frozenset({centre}), username="konsult")
    today = services.today()
    child = patients.register_patient(
        services,
        actor,
        personnummer=personnummer(today - timedelta(days=365 * 9), serial="412"),
        name="Barn Testsson",
        county_code=None,
    )
    patients.open_pathway(
        services,
        actor,
        patient_id=child.id,
        icd10="C91.0",
        diagnosed_on=today - timedelta(days=4),
        unit_hsa_id=centre,
    )
    page = logged_in(app, "konsult").get(f"/patient/{child.id}")
    assert page.status_code == 200
    assert "Barn och ungdom (0–17 år)" in page.text
    # Only a barncancercentrum's staff name the konsultsjuksköterska and hand over to the home region.
    assert "Konsultsjuksköterska vid barncancercentrum" in page.text
    assert konsult[0].name in page.text
    assert "Aktiv överlämning till hemortssjukhuset" in page.text
