"""Every HTML page of the app is screenshotted at 1366 and 390 px and checked with axe-core by some browser
test. ``VISITED_ELSEWHERE`` names the test that does it for a page; the browser test here visits the rest as
the role that uses them; ``NOT_HTML`` are the GET routes that are not pages (files, JSON, redirects). A new
GET route in none of the three fails ``test_every_get_route_is_a_visited_page_or_not_html``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from canrehab.domain.model import AssessmentStatus, KeyMoment, Respondent
from canrehab.services import assessments
from canrehab.services.context import SYSTEM
from canrehab.web import auth
from canrehab.web.app import create_app
from canrehab.web.routes import ROUTERS
from tests.web.browser import assert_fits_phone, chromium, screenshot
from tests.web.conftest import LoginPage
from tests.web.live_server import serve
from tests.web.test_forms_reshow import _nurse
from tests.web.test_routes_access import World, world

__all__ = ["world"]

VISITED_ELSEWHERE = {
    "/logga-in": "test_browser_login",
    "/arbetslista": "test_e2e_roles_day",
    "/patient/{patient_id}": "test_e2e_roles_day, test_forms_reshow_browser",
    "/patient/{patient_id}/overlamning": "test_forms_reshow_browser",
    "/patient/{patient_id}/remiss": "test_forms_reshow_browser",
    "/patient/{patient_id}/plan": "test_forms_reshow_browser, test_e2e_care_flow",
    "/patient/{patient_id}/svf/{pathway_id}": "test_svf_page",
    "/patient/{patient_id}/nytt-vardforlopp": "test_pathway_start",
    "/nytt-vardforlopp": "test_pathway_start",
    "/bedomning/{assessment_id}": "test_e2e_care_flow, test_child_pathway_browser",
    "/skattning/{token}": "test_patient_form_browser, test_e2e_care_flow",
    "/plan/{plan_id}/utskrift": "test_e2e_roles_day",
    "/overlamningar": "test_handovers_browser",
    "/overlamning/{handover_id}": "test_handovers_browser",
    "/remisser": "test_handovers_browser",
    "/min-vardplan": "test_min_vardplan_browser, test_e2e_roles_day",
    "/min-vardplan/plan": "test_e2e_roles_day",
    "/uppfoljning": "test_dashboard_goals, test_e2e_care_flow",
    "/logg": "test_forms_reshow_browser",
    "/statistik": "test_e2e_roles_day",
    "/struktur": "test_structure_pages",
    "/struktur/{unit_hsa_id}/{process}": "test_structure_pages",
    "/gapanalys/{analysis_id}": "test_gap_analysis_pages",
    "/uppfoljning/mal": "test_goals_page",
    "/uppfoljning/mal/trend": "test_goal_trend_page",
    "/personal": "test_staff_admin_pages",
}
VISITED_HERE = {
    "/bedomning/{assessment_id}/fyll-i",
    "/min-vardplan/skattning/{assessment_id}",
    "/uppfoljning/patienter",
    "/statistik/indikatorer",
    "/gapanalys",
}
NOT_HTML = {
    "/": "redirect to the role's start page",
    "/halsa": "JSON health check",
    "/logga-in/oidc": "redirect to the identity provider",
    "/logga-in/oidc/svar": "redirect after the identity provider",
    "/plan/{plan_id}/pdf": "PDF (test_pdf)",
    "/min-vardplan/plan.pdf": "PDF (test_pdf)",
    "/logg.csv": "CSV",
    "/statistik/tabell.csv": "CSV",
    "/statistik/indikatorer.csv": "CSV",
    "/statistik/tabell.xlsx": "Excel (test_statistics)",
    "/statistik/indikatorer.xlsx": "Excel (test_statistics)",
    "/gapanalys/{analysis_id}/export.xlsx": "Excel",
}


def get_routes() -> set[str]:
    found: set[str] = set()
    for router in (auth.router, *ROUTERS):
        for route in router.routes:
            if "GET" in (getattr(route, "methods", None) or ()):
                found.add(str(getattr(route, "path", "")))
    return found


def test_every_get_route_is_a_visited_page_or_not_html() -> None:
    routes = get_routes()
    known = set(VISITED_ELSEWHERE) | VISITED_HERE | set(NOT_HTML)
    assert not (set(VISITED_ELSEWHERE) & VISITED_HERE)
    new = routes - known
    assert not new, f"new GET routes {new}: screenshot them at both widths with axe, or list as not HTML"
    assert known - routes == set(), "listed routes that no longer exist"


def _fits(page: Any, name: str) -> None:
    screenshot(page, name)
    assert_fits_phone(page, name)


@pytest.mark.browser
def test_the_pages_no_other_browser_test_visits(world: World, logged_in_page: LoginPage) -> None:
    nurse = _nurse(world)
    started = assessments.start(
        world.services,
        nurse,
        patient_id=world.own_patient,
        pathway_id=world.own_pathway,
        key_moment=KeyMoment.OTHER,
        respondent=Respondent.STAFF_ON_BEHALF,
    )
    assessments.create_link(world.services, nurse, started.id, validity=timedelta(days=1))
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        answered = next(
            a.id
            for a in uow.assessments.for_patient(world.patient_account_patient)
            if a.status != AssessmentStatus.IN_PROGRESS
        )
    with serve(create_app(world.services.settings)) as base, chromium() as browser:
        page = logged_in_page(browser, base, "ssk")
        page.goto(f"{base}/bedomning/{started.id}/fyll-i")
        assert page.locator("section.part").count() >= 5
        _fits(page, "every-staff-form")
        page.context.close()

        page = logged_in_page(browser, base, "patient")
        page.goto(f"{base}/min-vardplan/skattning/{answered}")
        assert "Dina svar" in page.inner_text("body")
        _fits(page, "every-own-answers")
        page.context.close()

        page = logged_in_page(browser, base, "chef")
        page.goto(f"{base}/uppfoljning")
        drill = page.locator("a[href^='/uppfoljning/patienter']").first
        page.goto(f"{base}{drill.get_attribute('href')}")
        assert page.locator("h1").count() == 1
        _fits(page, "every-drilldown")
        page.context.close()

        page = logged_in_page(browser, base, "analytiker")
        page.goto(f"{base}/statistik/indikatorer")
        assert page.locator("h1").count() == 1
        _fits(page, "every-indicators")
        page.context.close()

        page = logged_in_page(browser, base, "processledare")
        page.goto(f"{base}/gapanalys")
        assert page.locator("h1").count() == 1
        _fits(page, "every-gap-list")
        page.context.close()
