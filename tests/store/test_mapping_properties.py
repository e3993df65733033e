"""Property-based round trips of the entity <-> row mapping, with the JSON columns serialised as the database
driver does, for generated entities of every type (strategies shared with the FHIR mapping tests)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from canrehab.domain.model import Entity
from canrehab.store import mapping
from tests.fhir import strategies as s

ENTITIES = st.one_of(
    s.units,
    s.staff,
    s.patients(),
    s.pathways(),
    s.assessments(),
    s.plans(),
    s.handovers,
    s.referrals,
    s.kva_records,
)


@settings(max_examples=300, deadline=None)
@given(ENTITIES)
def test_entity_row_entity(entity: Entity) -> None:
    entity_map = mapping.BY_ENTITY[type(entity)]
    row = mapping.to_row(entity)
    assert set(row) == set(entity_map.table.columns.keys()) - mapping.STORE_KEPT  # updated_at: the store's
    for column in entity_map.json_fields:
        row[column] = json.loads(json.dumps(row[column]))
    assert mapping.from_row(type(entity), row) == entity
