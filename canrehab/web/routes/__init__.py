"""Page routes. Every route reads and writes patient data through the use cases in ``canrehab.services``,
with the services and the user from ``canrehab.web.deps``."""

from __future__ import annotations

from fastapi import APIRouter

from canrehab.web.routes import (
    assessments,
    audit,
    care_process,
    dashboards,
    gap_analysis,
    goals,
    handovers,
    home,
    min_vardplan_steps,
    offers,
    pathway_start,
    patients,
    plans,
    portal,
    referrals,
    send_link,
    staff_admin,
    statistics,
    structure,
    svf,
    worklist,
)

ROUTERS: tuple[APIRouter, ...] = (
    home.router,
    worklist.router,
    patients.router,
    pathway_start.router,
    care_process.router,
    assessments.router,
    plans.router,
    handovers.router,
    referrals.router,
    portal.router,
    dashboards.router,
    audit.router,
    statistics.router,
    structure.router,
    svf.router,
    gap_analysis.router,
    goals.router,
    offers.router,
    send_link.router,
    min_vardplan_steps.router,
    staff_admin.router,
)
