"""The care process through the services layer, on SQLite and PostgreSQL: every step's KVÅ code, access by
care unit with refusals audited, optimistic locking, and illegal transitions that change nothing."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pytest

from canrehab.domain.access import Actor
from canrehab.domain.errors import ConflictError, DomainError
from canrehab.domain.model import (
    Goal,
    HandoverContent,
    KeyMoment,
    NeedsLevel,
    PlanCloseReason,
    PlanContent,
    Profession,
    Respondent,
)
from canrehab.services import assessments, handovers, plans, worklist
from canrehab.services import patients as patient_service
from canrehab.services.context import SYSTEM, Services
from canrehab.services.export import export_par
from tests.services.conftest import NURSE, TODAY, patient_with_pathway

PHYSIO = Actor(
    role="rehab_professional",
    staff_id="pt-1",
    unit_hsa_ids=frozenset({"SE2321000016-REH"}),
    patient_id=None,
    username="per",
)
OTHER_NURSE = Actor(
    role="nurse",
    staff_id="nurse-2",
    unit_hsa_ids=frozenset({"SE2321000016-KIR"}),
    patient_id=None,
    username="eva",
)


def _patient_with_pathway(services: Services) -> tuple[str, str]:
    return patient_with_pathway(services, days_ago=3)


def _troubled_answers(services: Services) -> dict[str, object]:
    instrument = services.catalog.instruments["halsoskattning"]
    answers: dict[str, object] = {}
    for item in instrument.items:
        if item.kind == "boolean":
            answers[item.link_id] = False
        elif item.options:
            answers[item.link_id] = item.options[0].value
        elif item.kind == "integer":
            answers[item.link_id] = item.min_value or 0
    choice_items = [i for i in instrument.items if i.kind == "choice" and len(i.options) >= 4]
    for item in choice_items[:3]:
        answers[item.link_id] = item.options[-1].value
    return answers


def _codes(services: Services, patient_id: str) -> list[str]:
    with services.uow(SYSTEM, log_reads=False) as uow:
        return sorted(k.code for k in uow.kva.for_patient(patient_id))


def test_full_flow_leaves_the_right_kva_codes(services: Services, tmp_path: Path) -> None:
    patient_id, pathway_id = _patient_with_pathway(services)
    with services.uow(SYSTEM, log_reads=False) as uow:
        version = uow.pathways.get(pathway_id).version
    pathway = patient_service.assign_contact_nurse(services, NURSE, pathway_id, "nurse-1", version)
    pathway = patient_service.min_vardplan_step(services, NURSE, pathway_id, "establish", pathway.version)
    assert _codes(services, patient_id) == ["XV019"]

    a = assessments.start(
        services,
        NURSE,
        patient_id=patient_id,
        pathway_id=pathway_id,
        key_moment=KeyMoment.DIAGNOSIS,
        respondent=Respondent.PATIENT,
    )
    token, _ = assessments.create_link(services, NURSE, a.id, validity=timedelta(days=14))
    found = assessments.for_link(services, token)
    assert found is not None and found[0].id == a.id
    answers = _troubled_answers(services)
    first_key = next(iter(answers))
    partial = assessments.save_by_link(
        services, token, {first_key: answers[first_key]}, a.version, submit=False
    )
    submitted = assessments.save_by_link(services, token, answers, partial.version, submit=True)
    assert submitted.suggestion is not None and submitted.suggestion.level >= NeedsLevel.SPECIAL
    assert assessments.for_link(services, token) is None  # a submitted form can no longer be changed by link
    with pytest.raises(DomainError) as refused:  # not even by replaying the form's POST
        assessments.save_by_link(services, token, {first_key: answers[first_key]}, submitted.version, True)
    assert refused.value.code in ("link.invalid", "link.used")

    confirmed = assessments.confirm(
        services, NURSE, a.id, level=NeedsLevel.SPECIAL, reason="Samtal bekräftar.", version=submitted.version
    )
    assert confirmed.confirmed_level == NeedsLevel.SPECIAL
    # 004: the confirmed Hälsoskattning is AU010 whatever the level (was AW019 at särskild level); AW019 is
    # the rehab professional's own assessment (test_care_by_the_sources).
    assert "AU010" in _codes(services, patient_id)

    rows = worklist.unit_worklist(services, NURSE).rows
    assert any(r.patient_id == patient_id and r.plan_missing for r in rows)

    content = PlanContent(
        summary="Trötthet", goals=(Goal(text="Promenera 30 min"),), follow_up_on=TODAY + timedelta(days=60)
    )
    plan = plans.act(
        services,
        NURSE,
        patient_id=patient_id,
        pathway_id=pathway_id,
        op="establish",
        content=content,
        version=0,
    )
    plan = plans.act(
        services,
        NURSE,
        patient_id=patient_id,
        pathway_id=pathway_id,
        op="follow_up",
        content=plan.content,
        version=plan.version,
    )
    revised = content.model_copy(update={"summary": "Trötthet och oro"})
    plan = plans.act(
        services,
        NURSE,
        patient_id=patient_id,
        pathway_id=pathway_id,
        op="revise",
        content=revised,
        version=plan.version,
    )
    assert [v.number for v in plan.versions] == [1, 2]
    plan = plans.close(services, NURSE, plan.id, PlanCloseReason.GOALS_REACHED, plan.version)

    h = handovers.send(
        services,
        NURSE,
        patient_id=patient_id,
        pathway_id=pathway_id,
        to_unit_hsa_id="SE2321000016-REH",
        to_profession=Profession.PHYSIOTHERAPIST,
        content=HandoverContent(needs="Träning"),
        patient_informed=True,
    )
    inbox, _ = handovers.boxes(services, PHYSIO)
    assert [v.handover.id for v in inbox] == [h.id]
    assert inbox[0].sender_responsible
    h = handovers.step(services, PHYSIO, h.id, "mottagen", h.version)
    h = handovers.step(services, PHYSIO, h.id, "patientkontakt", h.version)
    assert not handovers.detail(services, NURSE, h.id).sender_responsible

    assert _codes(services, patient_id) == ["AU010", "AW020", "AW024", "AW027", "AW035", "XV019"]

    out = tmp_path / "par.csv"
    rows_written = export_par(services, SYSTEM, out, start=TODAY - timedelta(days=30), end=TODAY)
    with out.open(encoding="utf-8") as fh:
        exported = list(csv.DictReader(fh))
    assert len(exported) == rows_written >= 1
    assert set(exported[0]) == {
        "lopnr",
        "kon",
        "alder",
        "lan",
        "vardform",
        "indatum",
        "utdatum",
        "hdia",
        "op",
    }
    all_codes = " ".join(r["op"] for r in exported).split()
    # One contact (same day and unit): each code once, with the nurse's profession add-on code XS919.
    assert sorted(all_codes) == ["AU010", "AW020", "AW024", "AW027", "AW035", "XS919", "XV019"]
    assert all(r["hdia"] == "C509" and r["kon"] == "1" and r["lan"] == "01" for r in exported)
    assert "191212121212" not in out.read_text(encoding="utf-8")


def test_another_units_nurse_is_refused_and_the_refusal_is_audited(services: Services) -> None:
    patient_id, _ = _patient_with_pathway(services)
    with pytest.raises(DomainError) as err:
        patient_service.patient_record(services, OTHER_NURSE, patient_id)
    assert err.value.code == "access.denied"
    with services.uow(SYSTEM, log_reads=False) as uow:
        denied = [e for e in uow.audit.query(patient_id=patient_id) if e.action == "denied"]
    assert [e.actor_username for e in denied] == ["eva"]


def test_reads_are_audited(services: Services) -> None:
    patient_id, _ = _patient_with_pathway(services)
    patient_service.patient_record(services, NURSE, patient_id)
    with services.uow(SYSTEM, log_reads=False) as uow:
        reads = [e for e in uow.audit.query(patient_id=patient_id, actor="karin") if e.action == "read"]
    assert reads


def test_concurrent_plan_edits_conflict_instead_of_losing_an_update(services: Services) -> None:
    patient_id, pathway_id = _patient_with_pathway(services)
    content = PlanContent(summary="A", goals=(Goal(text="Mål"),), follow_up_on=TODAY + timedelta(days=30))
    draft = plans.act(
        services, NURSE, patient_id=patient_id, pathway_id=pathway_id, op="save", content=content, version=0
    )
    first = plans.act(
        services,
        NURSE,
        patient_id=patient_id,
        pathway_id=pathway_id,
        op="save",
        content=content.model_copy(update={"summary": "B"}),
        version=draft.version,
    )
    with pytest.raises(ConflictError):
        plans.act(
            services,
            NURSE,
            patient_id=patient_id,
            pathway_id=pathway_id,
            op="save",
            content=content.model_copy(update={"summary": "C"}),
            version=draft.version,
        )
    assert plans.current(services, NURSE, pathway_id).content.summary == "B"  # type: ignore[union-attr]
    assert first.version == draft.version + 1


def test_illegal_transition_changes_nothing(services: Services) -> None:
    patient_id, pathway_id = _patient_with_pathway(services)
    content = PlanContent(summary="A", goals=(Goal(text="Mål"),), follow_up_on=TODAY + timedelta(days=30))
    draft = plans.act(
        services, NURSE, patient_id=patient_id, pathway_id=pathway_id, op="save", content=content, version=0
    )
    with pytest.raises(DomainError) as err:
        plans.act(
            services,
            NURSE,
            patient_id=patient_id,
            pathway_id=pathway_id,
            op="follow_up",
            content=content,
            version=draft.version,
        )
    assert err.value.code == "plan.illegal_transition"
    assert plans.current(services, NURSE, pathway_id) == draft
    assert _codes(services, patient_id) == []


def test_invalid_personnummer_writes_nothing(services: Services) -> None:
    with pytest.raises(DomainError) as err:
        patient_service.register_patient(
            services, NURSE, personnummer="19121212-1213", name="X", county_code="01"
        )
    assert err.value.code == "personnummer.invalid"
    assert "1213" not in err.value.message_sv
    with services.uow(SYSTEM, log_reads=False) as uow:
        assert uow.patients.get_by_personnummer("191212121213") is None
