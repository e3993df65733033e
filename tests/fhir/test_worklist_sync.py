"""Writes through FHIR keep the clinicians' worklist current, exactly as writes through the web app do."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from canrehab.services.context import SYSTEM
from tests.fhir.harness import ONK, Fhir
from tests.fhir.test_api import locations


def _rows(app: FastAPI, pathway_id: str) -> dict[str, Any]:
    services = app.state.fhir_services
    with services.uow(SYSTEM, log_reads=False) as uow:
        return uow.worklist.for_pathway(pathway_id)


def test_imported_pathway_appears_on_the_worklist_and_follows_task_updates(
    fhir_app: FastAPI, client: TestClient, imported: dict[str, Any]
) -> None:
    ids = locations(imported)
    pathway_id = ids["EpisodeOfCare"]
    rows = _rows(fhir_app, pathway_id)
    assert ONK in rows, "a Bundle import creates the pathway's worklist row"
    assert rows[ONK].handovers_out_unconfirmed == 1  # the example Task is sent, not yet confirmed
    receiver = next(unit for unit in rows if unit != ONK)
    assert rows[receiver].handovers_in_awaiting == 1  # ... and awaits the receiving unit's confirmation

    per = Fhir(client, "per")  # staff at the receiving rehabilitation unit
    for status, business in (("accepted", "received"), ("in-progress", "patient_contacted")):
        current = per.get(f"Task/{ids['Task']}")
        task = current.json()
        task["status"] = status
        task["businessStatus"]["coding"][0]["code"] = business
        r = per.put(f"Task/{ids['Task']}", task, {"If-Match": current.headers["etag"]})
        assert r.status_code == 200, r.text
    rows = _rows(fhir_app, pathway_id)
    assert rows[receiver].handovers_in_awaiting == 0
    assert all(row.handovers_out_unconfirmed == 0 for row in rows.values())


def test_a_pathway_bundle_recomputes_the_pathway_s_worklist_once_at_its_commit(
    client: TestClient, example_bundle: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every entry's use case registers the pathway; the joined unit of work refreshes it once."""
    from canrehab.services import worklist

    refreshed: list[list[str]] = []
    real = worklist.refresh_many

    def counting(services: Any, uow: Any, pathway_ids: Any, today: Any = None) -> None:
        refreshed.append(list(pathway_ids))
        real(services, uow, pathway_ids, today)

    monkeypatch.setattr(worklist, "refresh_many", counting)
    response = Fhir(client, "admin").post("", example_bundle)
    assert response.status_code == 200, response.text
    assert refreshed == [[locations(response.json())["EpisodeOfCare"]]]
