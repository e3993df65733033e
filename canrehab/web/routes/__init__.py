"""Page routes. Every route reads and writes patient data through the use cases in ``canrehab.services``,
with the services and the user from ``canrehab.web.deps``."""

from __future__ import annotations

from fastapi import APIRouter

from canrehab.web.routes import (
    assessments,
    audit,
    dashboards,
    gap_analysis,
    handovers,
    home,
    offers,
    patients,
    plans,
    portal,
    referrals,
    statistics,
    structure,
    worklist,
)

ROUTERS: tuple[APIRouter, ...] = (
    home.router,
    worklist.router,
    patients.router,
    assessments.router,
    plans.router,
    handovers.router,
    referrals.router,
    portal.router,
    dashboards.router,
    audit.router,
    statistics.router,
    structure.router,
    gap_analysis.router,
    offers.router,
)
