"""The gap analysis as an Excel workbook laid out like the region's own report (004).

``Sammanfattning`` is 004's table "Sammanfattning gapanalys inklusive samtliga verksamheters beslut": the
columns Nr · Identifierade gap · Beslut (Ja, Avvakta, Nej) · Kommentar, then who approved and when and the
indicators that show whether the gap closed; per area a numbered heading row ("1. Identifierade gap",
"2. Samverkan" …) with Ja/Avvakta/Nej repeated, each gap with its priority as 004 writes it ("(prio 2-4)"),
then one row per decision (the care level, and the unit) with an X under the decision.
``Åtgärder`` lists the action proposals with responsible person, due date and status, ``Deltagare`` 004's
participant table (Deltagare, Profession/funktion, Verksamhet/enhet, and the care level 004 gives in its
fourth column), ``Bilaga 1 Fullständig`` one row per gap and decision to filter and sort (004: "För
fullständig gapanalys, se bilaga 1"), and ``Versioner`` the analysis over time.

Dates are date cells (``ÅÅÅÅ-MM-DD``, the Swedish standard, in every reader's Excel), priorities numbers;
every sheet has a frozen header, widths for its texts and a print setup (A4 landscape, one page wide, the
header repeated on every page, "Sida 1 av 3" in the footer).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from canrehab.domain.gap_analysis import Decision, Gap, GapAnalysis, GapDecision
from canrehab.domain.model import CareLevel
from canrehab.services.notify import sv_date_long

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
SUMMARY_HEADER = (
    "Nr",
    "Identifierade gap",
    "Beslut",
    None,
    None,
    "Kommentar",
    "Beslutat av",
    "Beslutsdatum",
    "Indikatorer som visar om gapet stängts",
)
DECISION_HEADER = (None, None, "Ja", "Avvakta", "Nej", None, None, None, None)
ACTIONS_HEADER = ("Nr", "Gap", "Prioritet", "Åtgärd", "Ansvarig", "Klart senast", "Klart", "Status")
PEOPLE_HEADER = ("Deltagare", "Profession/funktion", "Verksamhet/enhet", "Vårdnivå")
FULL_HEADER = (
    "Nr",
    "Område",
    "Gap",
    "Prioritet",
    "Prioritet till",
    "Vårdnivå",
    "Enhet",
    "Beslut",
    "Kommentar",
    "Beslutat av",
    "Beslutsdatum",
    "Indikatorer",
)
VERSIONS_HEADER = ("Version", "Sparad", "Av")
SHEETS = ("Sammanfattning", "Åtgärder", "Deltagare", "Bilaga 1 Fullständig", "Versioner")

HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
AREA_FILL = PatternFill("solid", fgColor="F2F5F8")
THIN = Side(style="thin", color="9AA5B1")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTRE = Alignment(horizontal="center", vertical="top")
LEVEL_ORDER = {level: i for i, level in enumerate(CareLevel)}


def _local(at: datetime) -> datetime:
    """A saved time as Swedish local time, naive (Excel has no time zones)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(STOCKHOLM).replace(tzinfo=None)


def ordered_decisions(decisions: Iterable[GapDecision], names: dict[str, str]) -> list[GapDecision]:
    """004's order: specialised, regional primary, municipal care; the whole level before its units."""
    return sorted(
        decisions,
        key=lambda d: (
            LEVEL_ORDER[d.care_level],
            d.unit_hsa_id is not None,
            names.get(d.unit_hsa_id or "", ""),
        ),
    )


def _who(d: GapDecision, names: dict[str, str]) -> str:
    level = d.care_level.label_sv.capitalize()
    return f"{level}, {names.get(d.unit_hsa_id, d.unit_hsa_id)}" if d.unit_hsa_id else level


def _areas(analysis: GapAnalysis) -> list[tuple[str, list[Gap]]]:
    areas: dict[str, list[Gap]] = {}
    for gap in analysis.gaps:
        areas.setdefault(gap.area, []).append(gap)
    return list(areas.items())


def _header(ws: Worksheet, row: int) -> None:
    for cell in ws[row]:
        if cell.value is not None or cell.coordinate in ws.merged_cells:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.border = BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="center")


def _widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for column, width in zip("ABCDEFGHIJKLMNOP", widths, strict=False):
        ws.column_dimensions[column].width = width


def _fit_rows(ws: Worksheet, first_row: int) -> None:
    """Row heights for the wrapped texts (Excel and LibreOffice do not grow a row written without a height
    when the file opens): the longest cell's line count at its column's width, 15 points a line."""
    for row in ws.iter_rows(min_row=first_row):
        lines = 1
        for cell in row:
            if isinstance(cell.value, str) and cell.value:
                width = ws.column_dimensions[cell.column_letter].width or 10
                per_line = max(int(width * (1.0 if cell.font.bold else 1.15)), 1)
                wrapped = sum(max(math.ceil(len(part) / per_line), 1) for part in cell.value.split("\n"))
                lines = max(lines, wrapped)
        ws.row_dimensions[row[0].row].height = 15 * lines


def _print_setup(ws: Worksheet, title: str, header_rows: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = header_rows
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.oddHeader.center.text = title
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = "Sida &P av &N"


def _table(
    ws: Worksheet, header: Sequence[str], rows: Iterable[Sequence[object]], date_columns: set[int]
) -> None:
    """A plain table: header row 1 (frozen, filterable), dates as date cells, every cell wrapped, framed."""
    ws.append(list(header))
    _header(ws, 1)
    for values in rows:
        ws.append(list(values))
        for index, cell in enumerate(ws[ws.max_row]):
            cell.border = BORDER
            cell.alignment = WRAP
            if index in date_columns and cell.value is not None:
                cell.number_format = DATE_FORMAT
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def _summary(ws: Worksheet, analysis: GapAnalysis, names: dict[str, str], indicators: dict[str, str]) -> None:
    ws.append(["Sammanfattning gapanalys inklusive samtliga verksamheters beslut"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"{analysis.title} – gapanalys med åtgärdsförslag mot {analysis.knowledge_support}"])
    ws["A2"].font = Font(bold=True)
    ws.append(
        [
            f"Genomförd {sv_date_long(analysis.held_on)} · version {analysis.version} · "
            f"{len(analysis.participants)} deltagare (bladet Deltagare) · "
            "för fullständig gapanalys, se bladet Bilaga 1 Fullständig"
        ]
    )
    ws.append([])
    ws.append(list(SUMMARY_HEADER))
    ws.append(list(DECISION_HEADER))
    for column in "ABFGHI":
        ws.merge_cells(f"{column}5:{column}6")
    ws.merge_cells("C5:E5")
    _header(ws, 5)
    _header(ws, 6)
    for cell in ws[5][2:5] + ws[6][2:5]:
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for number, (area, gaps) in enumerate(_areas(analysis), start=1):
        ws.append([f"{number}.", area, "Ja", "Avvakta", "Nej", None, None, None, None])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
            cell.fill = AREA_FILL
        for gap in gaps:
            linked = "\n".join(indicators.get(i, i) for i in gap.indicator_ids)
            ws.append([None, f"{gap.text} ({gap.priority_sv})", None, None, None, None, None, None, linked])
            ws.cell(ws.max_row, 2).font = Font(bold=True)
            for d in ordered_decisions(gap.decisions, names):
                marks = ["X" if d.decision is value else None for value in Decision]
                ws.append(
                    [None, _who(d, names), *marks, d.comment or None, d.approved_by, d.approved_on, None]
                )
                ws.cell(ws.max_row, 8).number_format = DATE_FORMAT
    for row in ws.iter_rows(min_row=7):
        for cell in row:
            cell.border = BORDER
            cell.alignment = CENTRE if cell.column in (3, 4, 5, 8) else WRAP
    _widths(ws, (5, 62, 6, 9, 6, 40, 16, 13, 34))
    _fit_rows(ws, 7)
    ws.freeze_panes = "C7"
    _print_setup(ws, f"{analysis.title} – gapanalys", "5:6")


def write_workbook(
    analysis: GapAnalysis,
    output: Path,
    *,
    unit_names: dict[str, str] | None = None,
    indicator_names: dict[str, str] | None = None,
    history: Sequence[tuple[GapAnalysis, datetime, str]] = (),
    today: date | None = None,
) -> Path:
    """Writes the workbook (module docstring) to ``output``. ``unit_names``/``indicator_names`` turn HSA-ids
    and indicator ids into names; ``today`` decides which open actions are overdue."""
    names = unit_names or {}
    indicators = indicator_names or {}
    wb = Workbook()
    wb.properties.title = f"{analysis.title} – gapanalys"
    wb.properties.creator = "canrehab"
    summary = wb.active
    assert summary is not None  # a new workbook has one sheet
    summary.title = SHEETS[0]
    _summary(summary, analysis, names, indicators)

    numbered = [
        (f"{n}.{m}", gap)
        for n, (_area, gaps) in enumerate(_areas(analysis), 1)
        for m, gap in enumerate(gaps, 1)
    ]

    def status(due_on: date, done_on: date | None) -> str:
        if done_on is not None:
            return "Klar"
        return "Försenad" if today is not None and due_on < today else "Pågår"

    actions = wb.create_sheet(SHEETS[1])
    _table(
        actions,
        ACTIONS_HEADER,
        (
            (
                nr,
                gap.text,
                gap.priority,
                a.text,
                a.responsible,
                a.due_on,
                a.done_on,
                status(a.due_on, a.done_on),
            )
            for nr, gap in numbered
            for a in sorted(gap.actions, key=lambda a: a.due_on)
        ),
        {5, 6},
    )
    _widths(actions, (6, 50, 10, 50, 22, 13, 13, 11))
    _fit_rows(actions, 2)
    _print_setup(actions, f"{analysis.title} – åtgärder", "1:1")

    people = wb.create_sheet(SHEETS[2])
    _table(
        people,
        PEOPLE_HEADER,
        (
            (p.name, p.role, p.unit, p.care_level.label_sv.capitalize() if p.care_level else None)
            for p in analysis.participants
        ),
        set(),
    )
    _widths(people, (34, 34, 34, 28))
    _fit_rows(people, 2)
    _print_setup(people, f"{analysis.title} – deltagare", "1:1")

    full = wb.create_sheet(SHEETS[3])

    def full_rows() -> Iterable[Sequence[object]]:
        for nr, gap in numbered:
            linked = ", ".join(indicators.get(i, i) for i in gap.indicator_ids) or None
            first = (nr, gap.area, gap.text, gap.priority, gap.priority_to)
            decisions = ordered_decisions(gap.decisions, names)
            if not decisions:
                yield (*first, None, None, None, None, None, None, linked)
            for d in decisions:
                unit = names.get(d.unit_hsa_id, d.unit_hsa_id) if d.unit_hsa_id else None
                level = d.care_level.label_sv.capitalize()
                yield (
                    *first,
                    level,
                    unit,
                    d.decision.label_sv,
                    d.comment or None,
                    d.approved_by,
                    d.approved_on,
                    linked,
                )

    _table(full, FULL_HEADER, full_rows(), {10})
    _widths(full, (6, 22, 50, 10, 10, 22, 28, 10, 36, 16, 13, 34))
    _fit_rows(full, 2)
    _print_setup(full, f"{analysis.title} – bilaga 1, fullständig gapanalys", "1:1")

    versions = wb.create_sheet(SHEETS[4])
    _table(versions, VERSIONS_HEADER, ((v.version, _local(at), by) for v, at, by in history), set())
    for (cell,) in versions.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.number_format = TIME_FORMAT
    _widths(versions, (10, 18, 24))
    _print_setup(versions, f"{analysis.title} – versioner", "1:1")
    wb.save(output)
    return output
