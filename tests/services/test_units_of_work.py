"""Units of work join: use cases called inside an open unit of work share its transaction, the outermost
commits once (or rolls everything back), and each touched pathway's worklist is recomputed once, just
before that commit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from canrehab.domain.errors import DomainError
from canrehab.domain.model import HandoverContent, Profession
from canrehab.services import handovers, worklist
from canrehab.services.context import SYSTEM, Services
from tests.services.test_care_flow import NURSE, OTHER_NURSE, _patient_with_pathway

REH = "SE2321000016-REH"


@contextmanager
def counted(services: Services, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Counts commits on the services' sessions and the pathways each worklist refresh recomputes."""
    seen: dict[str, Any] = {"commits": 0, "refreshed": []}
    real_refresh = worklist.refresh_many

    def refresh_many(svc: Any, uow: Any, pathway_ids: Any, today: Any = None) -> None:
        seen["refreshed"].append(list(pathway_ids))
        real_refresh(svc, uow, pathway_ids, today)

    def on_commit(_session: Any) -> None:
        seen["commits"] += 1

    monkeypatch.setattr(worklist, "refresh_many", refresh_many)
    event.listen(services.sessions, "after_commit", on_commit)
    try:
        yield seen
    finally:
        event.remove(services.sessions, "after_commit", on_commit)


def _send(services: Services, patient_id: str, pathway_id: str, needs: str, actor: Any = NURSE) -> Any:
    return handovers.send(
        services,
        actor,
        patient_id=patient_id,
        pathway_id=pathway_id,
        to_unit_hsa_id=REH,
        to_profession=Profession.PHYSIOTHERAPIST,
        content=HandoverContent(needs=needs),
        patient_informed=True,
    )


def test_nested_use_cases_commit_once_and_refresh_each_pathway_s_worklist_once(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    patient_id, pathway_id = _patient_with_pathway(services)
    with counted(services, monkeypatch) as seen:
        with services.uow(NURSE) as outer:
            first = _send(services, patient_id, pathway_id, "Träning")
            second = _send(services, patient_id, pathway_id, "Kost")
            assert seen["commits"] == 0 and seen["refreshed"] == []  # nothing until the outermost ends
            assert outer.pending_worklist == (pathway_id,)
        assert seen["commits"] == 1
        assert seen["refreshed"] == [[pathway_id]]
    with services.uow(SYSTEM, log_reads=False) as uow:
        assert {h.id for h in uow.handovers.for_patient(patient_id)} == {first.id, second.id}
        assert uow.worklist.for_pathway(pathway_id)[REH].handovers_in_awaiting == 2


def test_a_failure_after_a_nested_use_case_rolls_the_use_case_back_too(services: Services) -> None:
    patient_id, pathway_id = _patient_with_pathway(services)
    with pytest.raises(DomainError), services.uow(NURSE):
        _send(services, patient_id, pathway_id, "Träning")
        _send(services, patient_id, "no-such-pathway", "Kost")
    with services.uow(SYSTEM, log_reads=False) as uow:
        assert list(uow.handovers.for_patient(patient_id)) == []


def test_a_unit_of_work_open_for_one_actor_cannot_be_joined_by_another(services: Services) -> None:
    with pytest.raises(RuntimeError), services.uow(NURSE), services.uow(SYSTEM):
        pass


def test_a_refusal_inside_a_joined_unit_of_work_is_audited_after_the_rollback(services: Services) -> None:
    patient_id, pathway_id = _patient_with_pathway(services)
    with pytest.raises(DomainError), services.uow(OTHER_NURSE):
        _send(services, patient_id, pathway_id, "Träning", actor=OTHER_NURSE)
    with services.uow(SYSTEM, log_reads=False) as uow:
        denied = [e for e in uow.audit.query(limit=100) if e.action == "denied"]
    assert [e.actor_username for e in denied] == [OTHER_NURSE.username]
