"""The gap analysis pages on a real (SQLite) demo database: the process leader starts an analysis, adds a gap
linked to an indicator, records a decision and an action, downloads the workbook; a bad priority re-renders
with a Swedish message and writes nothing; a nurse is refused; in Chromium at desktop and phone width."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.domain.model import CareLevel
from canrehab.services import gap_analysis
from canrehab.services.context import Services
from canrehab.services.organisation import care_units
from canrehab.synth.demo import build_demo
from canrehab.web.app import create_app
from tests.web.browser import assert_fits_phone, chromium, screenshot
from tests.web.conftest import login_page
from tests.web.live_server import serve
from tests.web.login import logged_in

LEADER = Actor(role="admin", staff_id=None, username="processledare")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, Services]]:
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("gap")), secret_key="gap-secret")
    build_demo(settings, patients=20, seed=4, analytics_persons=100)
    services = Services.open(settings)
    yield create_app(settings), services
    services.engine.dispose()


def _start(client: object) -> str:
    answer = client.post(  # type: ignore[attr-defined]
        "/gapanalys",
        data={
            "title": "Region Test 2026",
            "knowledge_support": "Nationellt vårdprogram för cancerrehabilitering",
            "held_on": "2026-01-15",
            "participants": "Johanna G; Ordförande/AT; Onk mott\nEva N; Patientrepresentant; Livsgnistan",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    return str(answer.headers["location"]).rsplit("/", 1)[1]


def test_the_process_leader_runs_an_analysis_and_exports_it(world: tuple[object, Services]) -> None:
    app, _services = world
    client = logged_in(app, "processledare")
    analysis_id = _start(client)
    steps = [
        (
            "gap",
            {
                "version": "1",
                "gap_id": "hsk",
                "area": "Identifierade gap",
                "text": "Hälsoskattning för alla",
                "priority": "1",
                "indicator_ids": "strukturerad_behovsbedomning_vard",
            },
        ),
        ("beslut", {"version": "2", "gap_id": "hsk", "care_level": "specialised", "decision": "ja"}),
        (
            "atgard",
            {
                "version": "3",
                "gap_id": "hsk",
                "text": "Utbilda",
                "responsible": "Processledaren",
                "due_on": "2026-09-30",
            },
        ),
    ]
    for step, data in steps:
        assert (
            client.post(f"/gapanalys/{analysis_id}/{step}", data=data, follow_redirects=False).status_code
            == 303
        )
    page = client.get(f"/gapanalys/{analysis_id}").text
    assert "Hälsoskattning för alla" in page and "(prio 1)" in page and "Utbilda" in page
    export = client.get(f"/gapanalys/{analysis_id}/export.xlsx")
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.content))["Sammanfattning"].iter_rows(values_only=True))
    assert (None, "Specialiserad vård", "X", None, None) in [r[:5] for r in rows]


def test_a_bad_priority_re_renders_with_a_swedish_message_and_writes_nothing(
    world: tuple[object, Services],
) -> None:
    app, services = world
    client = logged_in(app, "processledare")
    analysis_id = _start(client)
    answer = client.post(
        f"/gapanalys/{analysis_id}/gap",
        data={"version": "1", "area": "Samverkan", "text": "Vårdnivåöverenskommelse", "priority": "7"},
    )
    assert answer.status_code == 400 and "Prioritet ska vara 1–4" in answer.text
    assert len(gap_analysis.history(services, LEADER, analysis_id)) == 1


def test_a_nurse_has_no_gap_analysis(world: tuple[object, Services]) -> None:
    app, _services = world
    assert logged_in(app, "ssk").get("/gapanalys").status_code == 403


def test_the_pages_in_chromium_at_desktop_and_phone_width(world: tuple[object, Services]) -> None:
    app, _services = world
    analysis_id = _start(logged_in(app, "processledare"))
    client = logged_in(app, "processledare")
    client.post(
        f"/gapanalys/{analysis_id}/gap",
        data={
            "version": "1",
            "gap_id": "team",
            "area": "Identifierade gap",
            "text": "Team behöver förtydligas för särskilda och avancerade insatser",
            "priority": "2",
        },
    )
    client.post(
        f"/gapanalys/{analysis_id}/beslut",
        data={
            "version": "2",
            "gap_id": "team",
            "care_level": "municipal",
            "decision": "avvakta",
            "comment": "Oklar ansvarsfördelning",
        },
    )
    with serve(app) as base, chromium() as browser:
        for width in (1366, 390):
            page = login_page(browser, base, "processledare", width=width)
            page.goto(f"{base}/gapanalys/{analysis_id}")
            assert page.get_by_text("Oklar ansvarsfördelning").is_visible()
            screenshot(page, f"gap-analysis-{width}")
            assert_fits_phone(page, "gap-analysis")
            if width == 390:  # each gap and decision a block, the decision in words, nothing scrolled away
                scroller = page.locator(".table-scroll").first
                assert scroller.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
                mark = page.locator("table.gap td.mark:not(:empty)").first
                assert mark.is_visible() and mark.inner_text() == "Avvakta"
                box = page.get_by_text("Oklar ansvarsfördelning").bounding_box()
                assert box is not None and box["x"] + box["width"] <= 391
            page.context.close()


def test_a_decision_is_made_for_a_unit_chosen_by_name_and_a_refused_one_keeps_the_choice(
    world: tuple[object, Services],
) -> None:
    """The unit is chosen by its name (grouped by care level), not typed as an HSA-id; the page and the
    workbook name it; a unit at another care level is refused with the form as it was filled in."""
    app, services = world
    client = logged_in(app, "processledare")
    analysis_id = _start(client)
    client.post(
        f"/gapanalys/{analysis_id}/gap",
        data={
            "version": "1",
            "gap_id": "vno",
            "area": "Samverkan",
            "text": "Vårdnivåöverenskommelse",
            "priority": "1",
        },
    )
    units = care_units(services)
    primary = next(u for u in units if u.level is CareLevel.REGIONAL_PRIMARY)
    page = client.get(f"/gapanalys/{analysis_id}").text
    assert f'<option value="{primary.hsa_id}">{primary.name}</option>' in page
    assert '<optgroup label="Regional primärvård">' in page
    refused = client.post(
        f"/gapanalys/{analysis_id}/beslut",
        data={
            "version": "2",
            "gap_id": "vno",
            "care_level": "municipal",
            "unit_hsa_id": primary.hsa_id,
            "decision": "avvakta",
            "comment": "Resurser saknas",
        },
    )
    assert refused.status_code == 400
    assert f"{primary.name} hör till regional primärvård, inte kommunal hälso- och sjukvård." in refused.text
    assert 'value="Resurser saknas"' in refused.text
    assert f'<option value="{primary.hsa_id}" selected>' in refused.text
    assert '<option value="avvakta" selected>' in refused.text
    decided = client.post(
        f"/gapanalys/{analysis_id}/beslut",
        data={
            "version": "2",
            "gap_id": "vno",
            "care_level": "regional_primary",
            "unit_hsa_id": primary.hsa_id,
            "decision": "avvakta",
            "comment": "Resurser saknas",
        },
        follow_redirects=False,
    )
    assert decided.status_code == 303
    assert f"Regional primärvård, {primary.name}" in client.get(f"/gapanalys/{analysis_id}").text
    export = client.get(f"/gapanalys/{analysis_id}/export.xlsx")
    assert 'filename="gapanalys-2026-01-15-region-test-2026.xlsx"' in export.headers["content-disposition"]
    texts = [
        r[1] for r in load_workbook(io.BytesIO(export.content))["Sammanfattning"].iter_rows(values_only=True)
    ]
    assert f"Regional primärvård, {primary.name}" in texts


def test_a_refused_start_keeps_what_was_written_and_reads_a_care_level_per_participant(
    world: tuple[object, Services],
) -> None:
    app, services = world
    client = logged_in(app, "processledare")
    people = (
        "Johanna G; Ordförande/AT; Onk mott; specialiserad vård\nAnnelie W; MAR; Lindesbergs kommun; kommun"
    )
    refused = client.post(
        "/gapanalys",
        data={
            "title": "Region Test",
            "knowledge_support": "NVP",
            "held_on": "2026-01-15",
            "participants": people,
        },
    )
    assert refused.status_code == 400 and "Rad 2: okänd vårdnivå ”kommun”" in refused.text
    assert (
        'value="Region Test"' in refused.text
        and "Annelie W; MAR; Lindesbergs kommun; kommun</textarea>" in refused.text
    )
    started = client.post(
        "/gapanalys",
        data={
            "title": "Region Test",
            "knowledge_support": "NVP",
            "held_on": "2026-01-15",
            "participants": people.replace("; kommun", "; kommunal hälso- och sjukvård"),
        },
        follow_redirects=False,
    )
    analysis_id = str(started.headers["location"]).rsplit("/", 1)[1]
    analysis = gap_analysis.history(services, LEADER, analysis_id)[0][0]
    assert [p.care_level for p in analysis.participants] == [CareLevel.SPECIALISED, CareLevel.MUNICIPAL]


def test_the_demo_region_has_004s_gap_analysis_for_the_process_leader(world: tuple[object, Services]) -> None:
    """The demo's process leader finds 004's analysis at /gapanalys (not an empty list): its areas in
    004's order, seven gaps, the decisions per care level, the oncology clinic's own Avvakta, an action."""
    app, services = world
    demo = next(
        a
        for a in gap_analysis.list_analyses(services, LEADER)
        if a.title == "Cancerrehabilitering, Region Östergötland"
    )
    assert list(dict.fromkeys(g.area for g in demo.gaps)) == [
        "Identifierade gap",
        "Samverkan",
        "Dokumentation",
        "Riktlinjer, rutiner och informationsmaterial",
    ]
    assert len(demo.gaps) == 7 and demo.gaps[2].priority_sv == "prio 2-4"
    assert [d.care_level for d in demo.gaps[1].decisions] == list(CareLevel)
    waiting = [d for g in demo.gaps for d in g.decisions if d.unit_hsa_id]
    assert [d.decision.value for d in waiting] == ["avvakta"] and waiting[0].comment
    assert waiting[0].approved_by == "chef"  # the unit's own manager; the levels' by the process leader
    assert {d.approved_by for g in demo.gaps for d in g.decisions if not d.unit_hsa_id} == {"processledare"}
    assert demo.gaps[0].actions
    client = logged_in(app, "processledare")
    assert demo.title in client.get("/gapanalys").text
    page = client.get(f"/gapanalys/{demo.id}").text
    assert "Onkologiska kliniken" in page and "Avvakta" in page
    # each linked indicator one click away: the care indicator's trend, the register's on Statistik
    trend = "/uppfoljning/mal/trend?indicator=strukturerad_behovsbedomning_vard"
    assert f'<a href="{trend}">Strukturerad behovsbedömning genomförd</a>' in page
    assert '<a href="/statistik/indikatorer">KVÅ-koder för rehabiliteringsplan används</a>' in page
    assert client.get(trend).status_code == 200
    export = client.get(f"/gapanalys/{demo.id}/export.xlsx").headers["content-disposition"]
    assert (
        f'filename="gapanalys-{demo.held_on.isoformat()}-cancerrehabilitering-region-ostergotland.xlsx"'
        in export
    )
