"""The gap analysis workspace (004): an analysis with participants and date, gaps with priority 1–4 linked to
indicators, decisions per care level and unit (Ja/Avvakta/Nej, comment, approver, date), action items,
every change a version, and the Excel export laid out like 004's summary table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from canrehab.domain.access import Actor
from canrehab.domain.errors import ConflictError, DomainError
from canrehab.domain.gap_analysis import ActionItem, Decision, Gap, Participant
from canrehab.domain.model import CareLevel
from canrehab.services import gap_analysis
from canrehab.services.context import SYSTEM, Services
from canrehab.services.guard import AccessRefused

ONK = "SE2321000016-ONK"
LEADER = Actor(role="admin", staff_id=None, username="processledare")
ONK_MANAGER = Actor(role="unit_manager", staff_id=None, unit_hsa_ids=frozenset({ONK}), username="chef-onk")
NURSE = Actor(role="nurse", staff_id="nurse-1", unit_hsa_ids=frozenset({ONK}), username="sjuk")
PEOPLE = (
    Participant("Johanna G", "Ordförande/AT", "Onk mott", CareLevel.SPECIALISED),
    Participant("Eva N", "Patientrepresentant", "Livsgnistan"),
)
ASSESSMENT_GAP = Gap(
    "hsk",
    "Identifierade gap",
    "Alla patienter ska få sitt rehabiliteringsbehov bedömt strukturerat via Hälsoskattning",
    1,
    indicator_ids=("strukturerad_behovsbedomning_vard",),
)


def _started(services: Services) -> str:
    analysis = gap_analysis.start(
        services,
        LEADER,
        title="Region Test",
        knowledge_support="Nationellt vårdprogram för cancerrehabilitering",
        held_on=date(2026, 2, 1),
        participants=PEOPLE,
    )
    gap_analysis.add_gap(services, LEADER, analysis.id, ASSESSMENT_GAP, expected_version=1)
    return analysis.id


def test_decisions_and_actions_are_versions_with_their_history(services: Services) -> None:
    analysis_id = _started(services)
    gap_analysis.decide(
        services,
        LEADER,
        analysis_id,
        "hsk",
        care_level=CareLevel.SPECIALISED,
        decision=Decision.YES,
        expected_version=2,
    )
    gap_analysis.decide(
        services,
        ONK_MANAGER,
        analysis_id,
        "hsk",
        care_level=CareLevel.SPECIALISED,
        unit_hsa_id=ONK,
        decision=Decision.WAIT,
        comment="Resurser saknas till hösten",
        expected_version=3,
    )
    done = gap_analysis.add_action(
        services,
        LEADER,
        analysis_id,
        "hsk",
        ActionItem("Utbilda kontaktsjuksköterskor", "Processledaren", date(2026, 9, 30)),
        expected_version=4,
    )
    gap = done.gaps[0]
    assert [(d.unit_hsa_id, d.decision, d.approved_by) for d in gap.decisions] == [
        (None, Decision.YES, "processledare"),
        (ONK, Decision.WAIT, "chef-onk"),
    ]
    assert gap.decisions[1].approved_on == date(2026, 3, 2)
    versions = gap_analysis.history(services, LEADER, analysis_id)
    assert [v.version for v, _at, _by in versions] == [5, 4, 3, 2, 1]
    assert versions[-1][0].gaps == ()  # the first version, as it was
    with services.uow(SYSTEM, log_reads=False) as uow:
        assert {e.entity_type for e in uow.audit.query()} >= {"gap_analysis"}


@pytest.mark.parametrize(
    ("gap", "code"),
    [
        (Gap("x", "Samverkan", "Text", 5), "gap_analysis.priority"),
        (Gap("x", "Samverkan", "Text", 3, priority_to=2), "gap_analysis.priority"),
        (Gap("x", "Samverkan", "Text", 1, indicator_ids=("no_such",)), "gap_analysis.unknown_indicator"),
        (Gap("hsk", "Samverkan", "Text", 1), "gap_analysis.duplicate_gap"),
        (Gap("x", "Samverkan", " ", 1), "gap_analysis.missing_text"),
    ],
)
def test_a_bad_gap_is_refused_and_nothing_is_written(services: Services, gap: Gap, code: str) -> None:
    analysis_id = _started(services)
    with pytest.raises(DomainError) as raised:
        gap_analysis.add_gap(services, LEADER, analysis_id, gap, expected_version=2)
    assert raised.value.code == code and raised.value.message_sv
    assert len(gap_analysis.history(services, LEADER, analysis_id)) == 2


def test_a_priority_range_as_004_gives_it_is_kept() -> None:
    assert Gap("p", "Identifierade gap", "Prehabilitering", 2, priority_to=4).priority_sv == "prio 2-4"


def test_wait_or_no_needs_a_comment_and_a_stale_version_conflicts(services: Services) -> None:
    analysis_id = _started(services)
    with pytest.raises(DomainError, match="missing text"):
        gap_analysis.decide(
            services,
            LEADER,
            analysis_id,
            "hsk",
            care_level=CareLevel.MUNICIPAL,
            decision=Decision.NO,
            expected_version=2,
        )
    with pytest.raises(ConflictError):
        gap_analysis.decide(
            services,
            LEADER,
            analysis_id,
            "hsk",
            care_level=CareLevel.MUNICIPAL,
            decision=Decision.YES,
            expected_version=1,
        )


def test_a_unit_manager_decides_only_for_their_own_unit_and_a_nurse_not_at_all(services: Services) -> None:
    analysis_id = _started(services)
    with pytest.raises(AccessRefused):
        gap_analysis.decide(
            services,
            ONK_MANAGER,
            analysis_id,
            "hsk",
            care_level=CareLevel.SPECIALISED,
            unit_hsa_id="SE2321000016-KIR",
            decision=Decision.YES,
            expected_version=2,
        )
    with pytest.raises(AccessRefused):
        gap_analysis.decide(
            services,
            ONK_MANAGER,
            analysis_id,
            "hsk",
            care_level=CareLevel.SPECIALISED,
            decision=Decision.YES,
            expected_version=2,
        )
    with pytest.raises(AccessRefused):
        gap_analysis.list_analyses(services, NURSE)
    assert len(gap_analysis.history(services, LEADER, analysis_id)) == 2


def test_the_excel_export_names_units_and_indicators_and_lists_the_versions(
    services: Services, tmp_path: Path
) -> None:
    """The use case: the newest version with the unit's and the indicator's names and every version (the
    layout itself is tests/services/test_gap_workbook.py's)."""
    analysis_id = _started(services)
    gap_analysis.decide(
        services,
        ONK_MANAGER,
        analysis_id,
        "hsk",
        care_level=CareLevel.SPECIALISED,
        unit_hsa_id=ONK,
        decision=Decision.YES,
        expected_version=2,
    )
    path = gap_analysis.export(services, LEADER, analysis_id, tmp_path / "gap.xlsx")
    assert path is not None
    workbook = load_workbook(path)
    texts = [row[1] for row in workbook["Sammanfattning"].iter_rows(values_only=True)]
    with services.uow(SYSTEM, log_reads=False) as uow:
        name = uow.units.get(ONK).name
    assert f"Specialiserad vård, {name}" in texts
    indicators = [row[8] for row in workbook["Sammanfattning"].iter_rows(values_only=True)]
    assert "Strukturerad behovsbedömning genomförd" in indicators
    assert [row[0] for row in workbook["Versioner"].iter_rows(min_row=2, values_only=True)] == [3, 2, 1]
    assert gap_analysis.export(services, LEADER, "no-such", tmp_path / "none.xlsx") is None
    assert [a.id for a in gap_analysis.list_analyses(services, LEADER)] == [analysis_id]


def test_a_decision_for_a_unit_at_another_care_level_is_refused(services: Services) -> None:
    analysis_id = _started(services)
    with pytest.raises(DomainError) as raised:
        gap_analysis.decide(
            services,
            LEADER,
            analysis_id,
            "hsk",
            care_level=CareLevel.MUNICIPAL,
            unit_hsa_id=ONK,
            decision=Decision.YES,
            expected_version=2,
        )
    assert raised.value.code == "gap_analysis.unit_level" and "inte kommunal" in raised.value.message_sv
    assert len(gap_analysis.history(services, LEADER, analysis_id)) == 2
