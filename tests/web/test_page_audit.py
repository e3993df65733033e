"""One page view, one audit row per record read: a page's use cases share one unit of work, so the log says
what the user saw, once, and not how many services the page called."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from canrehab.services.context import SYSTEM
from tests.web.login import logged_in
from tests.web.test_patient_link import open_assessment
from tests.web.test_routes_access import World, world

__all__ = ["open_assessment", "world"]


def reads_since(world: World, since: datetime, actor: str) -> Counter[tuple[str, str]]:
    """The read rows ``actor`` left since ``since``, counted per (entity type, entity id)."""
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        table = sa.table(
            "audit_log",
            sa.column("at"),
            sa.column("actor_username"),
            sa.column("action"),
            sa.column("entity_type"),
            sa.column("entity_id"),
        )
        rows = uow.session.execute(
            sa.select(table.c.entity_type, table.c.entity_id).where(
                table.c.at >= since, table.c.actor_username == actor, table.c.action == "read"
            )
        ).all()
    return Counter((t, i) for t, i in rows)


def own_plan(world: World) -> tuple[str, str]:
    """A patient of the nurse's unit with a rehabilitation plan (the fullest patient page), and the plan."""
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        unit = uow.pathways.for_patient(world.own_patient)[0].unit_hsa_id
        for pathway in uow.pathways.for_unit(unit):
            plans = uow.plans.for_patient(pathway.patient_id)
            if plans:
                return pathway.patient_id, plans[0].id
    raise AssertionError("the demo has no plan at the nurse's unit")


@pytest.mark.parametrize(
    ("username", "path"),
    [
        ("ssk", "/patient/{patient}"),
        ("ssk", "/plan/{plan}/utskrift"),
        ("ssk", "/plan/{plan}/pdf"),
        ("patient", "/min-vardplan"),
        ("patient", "/min-vardplan/plan"),
        ("patient", "/min-vardplan/plan.pdf"),
    ],
)
def test_one_page_view_writes_each_read_once(
    world: World, request: pytest.FixtureRequest, username: str, path: str
) -> None:
    patient, plan = own_plan(world)
    if username == "patient":
        # an open Hälsoskattning of the patient account: its Min vårdplan then also makes the link
        request.getfixturevalue("open_assessment")
    client = logged_in(world.app, username)
    since = datetime.now(UTC)
    r = client.get(path.format(patient=patient, plan=plan))
    assert r.status_code == 200, r.text[:300]
    reads = reads_since(world, since, username)
    assert reads, f"{path}: the view left no read row"
    doubled = {key: n for key, n in reads.items() if n > 1}
    assert not doubled, f"{path}: read rows written more than once: {doubled}"
