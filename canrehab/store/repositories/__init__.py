"""Repositories: one per aggregate, used through ``canrehab.store.uow.UnitOfWork``."""

from canrehab.store.repositories.accounts import Account, AccountRepository
from canrehab.store.repositories.base import IntegrityViolation, NotFound, PatientChildRepository, Repository
from canrehab.store.repositories.care import (
    AssessmentRepository,
    HandoverRepository,
    KvaRepository,
    PathwayRepository,
    PatientRepository,
    PlanRepository,
    ReferralRepository,
)
from canrehab.store.repositories.links import LinkRepository
from canrehab.store.repositories.org import StaffRepository, UnitRepository
from canrehab.store.repositories.worklist import (
    FLAGS,
    WorklistEntry,
    WorklistRepository,
    WorklistStatusRow,
)

__all__ = [
    "FLAGS",
    "Account",
    "AccountRepository",
    "AssessmentRepository",
    "HandoverRepository",
    "IntegrityViolation",
    "KvaRepository",
    "LinkRepository",
    "NotFound",
    "PathwayRepository",
    "PatientChildRepository",
    "PatientRepository",
    "PlanRepository",
    "ReferralRepository",
    "Repository",
    "StaffRepository",
    "UnitRepository",
    "WorklistEntry",
    "WorklistRepository",
    "WorklistStatusRow",
]
