"""The gap analysis workbook against the region's own report (004): 004's summary table rebuilt from its text
(areas, gaps with their priorities, decisions per care level), exported and read back with openpyxl — the
header texts and their order, the numbered area rows, "(prio 2-4)", the X under the decision, the participant
table's columns — and what a process leader needs of a workbook: dates and priorities as numbers, human sheet
names, a frozen header, column widths and an A4 landscape print setup."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from openpyxl import load_workbook

from canrehab.domain.gap_analysis import ActionItem, Decision, Gap, GapAnalysis, GapDecision, Participant
from canrehab.domain.model import CareLevel
from canrehab.services.gap_workbook import write_workbook

SPEC, PRIMARY, MUNICIPAL = CareLevel.SPECIALISED, CareLevel.REGIONAL_PRIMARY, CareLevel.MUNICIPAL
DECIDED = date(2026, 6, 12)  # 004: "260612: RMKS beslutar att tillstyrka verksamheternas beslut"


def _yes(level: CareLevel, comment: str = "", unit: str | None = None) -> GapDecision:
    return GapDecision(level, Decision.YES, "RMKS", DECIDED, unit, comment)


# 004, "Sammanfattning gapanalys inklusive samtliga verksamheters beslut", in its order
GAPS_004 = (
    Gap(
        "hsk",
        "Identifierade gap",
        "Alla patienter som genomgår en cancerutredning och behandling ska få sitt rehabiliteringsbehov "
        "bedömt regelbundet och strukturerat via instrumentet Hälsoskattning med handbok",
        1,
        indicator_ids=("strukturerad_behovsbedomning_vard",),
        decisions=(_yes(SPEC),),
        actions=(
            ActionItem(
                "Utbilda kontaktsjuksköterskor i Hälsoskattning", "LAG Cancerrehab", date(2026, 9, 30)
            ),
        ),
    ),
    Gap(
        "team",
        "Identifierade gap",
        "Team behöver förtydligas för att möta särskilda och avancerade rehabiliteringsinsatser",
        2,
        decisions=(_yes(MUNICIPAL), _yes(SPEC), _yes(PRIMARY)),
    ),
    Gap(
        "prehab",
        "Identifierade gap",
        "Implementering samt göra digitaliserad Prehabilitering för cancerpatienter känd",
        2,
        priority_to=4,
        decisions=(_yes(SPEC),),
    ),
    Gap(
        "levnadsvanor",
        "Identifierade gap",
        "Implementera arbetssätt för att följa länsgemensam riktlinje Prevention och behandling vid "
        "ohälsosamma levnadsvanor",
        2,
        decisions=(_yes(MUNICIPAL),),
    ),
    Gap(
        "vno",
        "Samverkan",
        "Framtagande av vårdnivåöverenskommelse och remissrutiner för cancerrehabilitering",
        1,
        decisions=(
            _yes(SPEC, "Oklar ansvarsfördelning och hur konsultationer bör genomföras."),
            GapDecision(PRIMARY, Decision.WAIT, "RMKS", DECIDED, "SE-VC-1", "Resurser saknas till hösten"),
        ),
    ),
    Gap(
        "kva",
        "Dokumentation",
        "Implementering av KVÅ-åtgärder i uppföljande syfte",
        1,
        decisions=(_yes(SPEC),),
    ),
    Gap(
        "rutiner",
        "Riktlinjer, rutiner och informationsmaterial",
        "Översyn av befintliga riktlinjer och rutiner vad gäller cancerrehabilitering",
        2,
        decisions=(_yes(SPEC),),
    ),
)
ANALYSIS_004 = GapAnalysis(
    "a004",
    "Region Örebro län",
    "Nationellt vårdprogram för cancerrehabilitering",
    date(2026, 5, 20),
    (
        Participant("Johanna Grönqvist", "Ordförande/AT", "Onk mott", SPEC),
        Participant("Eva Norman", "Patientrepresentant", "Livsgnistan"),
        Participant("Annelie Wase (adjungerad)", "MAR", "Lindesbergs kommun", MUNICIPAL),
    ),
    GAPS_004,
    version=9,
)


def _export(tmp_path: Path) -> Path:
    first = GapAnalysis("a004", "Region Örebro län", "Nationellt vårdprogram", date(2026, 5, 20))
    history = [
        (ANALYSIS_004, datetime(2026, 6, 12, 9, 30, tzinfo=UTC), "processledare"),
        (first, datetime(2026, 5, 20, 14, 0, tzinfo=UTC), "processledare"),
    ]
    return write_workbook(
        ANALYSIS_004,
        tmp_path / "gapanalys.xlsx",
        unit_names={"SE-VC-1": "Skebäcks vårdcentral"},
        indicator_names={"strukturerad_behovsbedomning_vard": "Strukturerad behovsbedömning genomförd"},
        history=history,
        today=date(2026, 10, 1),
    )


def test_the_summary_has_004s_columns_areas_priorities_and_decision_rows(tmp_path: Path) -> None:
    sheet = load_workbook(_export(tmp_path))["Sammanfattning"]
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Sammanfattning gapanalys inklusive samtliga verksamheters beslut"
    # 004's table header: Identifierade gap · Beslut over Ja / Avvakta / Nej · Kommentar, in that order
    assert rows[4][:6] == ("Nr", "Identifierade gap", "Beslut", None, None, "Kommentar")
    assert rows[5][2:5] == ("Ja", "Avvakta", "Nej")
    assert "C5:E5" in {str(r) for r in sheet.merged_cells.ranges}
    areas = [(r[0], r[1]) for r in rows if r[0] and str(r[0]).endswith(".")]
    assert areas == [
        ("1.", "Identifierade gap"),
        ("2.", "Samverkan"),
        ("3.", "Dokumentation"),
        ("4.", "Riktlinjer, rutiner och informationsmaterial"),
    ]
    texts = [r[1] for r in rows]
    first = texts.index(f"{GAPS_004[0].text} (prio 1)")
    assert texts[first - 1] == "Identifierade gap" and rows[first - 1][2:5] == ("Ja", "Avvakta", "Nej")
    assert rows[first + 1][1:5] == ("Specialiserad vård", "X", None, None)
    assert rows[first][8] == "Strukturerad behovsbedömning genomförd"
    assert f"{GAPS_004[2].text} (prio 2-4)" in texts
    team = texts.index(f"{GAPS_004[1].text} (prio 2)")
    # 004's order of the care levels, whatever order the decisions were made in
    assert texts[team + 1 : team + 4] == [
        "Specialiserad vård",
        "Regional primärvård",
        "Kommunal hälso- och sjukvård",
    ]
    wait = texts.index("Regional primärvård, Skebäcks vårdcentral")
    assert rows[wait][2:8] == (None, "X", None, "Resurser saknas till hösten", "RMKS", datetime(2026, 6, 12))
    assert sheet.cell(wait + 1, 8).number_format == "yyyy-mm-dd"


def test_actions_participants_and_the_full_appendix_are_tables_with_numbers_and_dates(tmp_path: Path) -> None:
    workbook = load_workbook(_export(tmp_path))
    assert workbook.sheetnames == [
        "Sammanfattning",
        "Åtgärder",
        "Deltagare",
        "Bilaga 1 Fullständig",
        "Versioner",
    ]
    people = list(workbook["Deltagare"].iter_rows(values_only=True))
    assert people[0] == ("Deltagare", "Profession/funktion", "Verksamhet/enhet", "Vårdnivå")
    assert people[3] == (
        "Annelie Wase (adjungerad)",
        "MAR",
        "Lindesbergs kommun",
        "Kommunal hälso- och sjukvård",
    )
    actions = list(workbook["Åtgärder"].iter_rows(values_only=True))
    assert actions[0] == ("Nr", "Gap", "Prioritet", "Åtgärd", "Ansvarig", "Klart senast", "Klart", "Status")
    assert actions[1][0] == "1.1" and actions[1][2] == 1 and actions[1][5] == datetime(2026, 9, 30)
    assert actions[1][7] == "Försenad"  # due 30 September, open on 1 October
    full = list(workbook["Bilaga 1 Fullständig"].iter_rows(values_only=True))
    assert full[0][:5] == ("Nr", "Område", "Gap", "Prioritet", "Prioritet till")
    prehab = next(r for r in full if r[0] == "1.3")
    assert prehab[3:5] == (2, 4) and prehab[7] == "Ja"
    versions = list(workbook["Versioner"].iter_rows(values_only=True))
    assert versions[1] == (9, datetime(2026, 6, 12, 11, 30), "processledare")  # Swedish summer time


def test_every_sheet_has_a_frozen_header_widths_and_an_a4_landscape_print_setup(tmp_path: Path) -> None:
    workbook = load_workbook(_export(tmp_path))
    assert workbook["Sammanfattning"].freeze_panes == "C7"
    assert workbook["Sammanfattning"].print_title_rows == "$5:$6"
    for sheet in workbook.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == (
            "landscape",
            9,
            1,
            0,
        )
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert "Sida &P av &N" in sheet.oddFooter.right.text
        assert sheet.column_dimensions["B"].width >= 16
        if sheet.title != "Sammanfattning":
            assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
