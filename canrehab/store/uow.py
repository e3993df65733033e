"""The unit of work: one transaction over all repositories, with the actor recorded in the audit log.

    with UnitOfWork(session_factory, actor) as uow:
        plan = uow.plans.get(plan_id)
        uow.plans.update(changed, expected_version=plan.version)

Commits on normal exit (after writing the collected audit rows), rolls back on an exception: no partial write.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy.orm import Session

from canrehab.store.audit import AuditActor, AuditLog
from canrehab.store.repositories import (
    AccountRepository,
    AssessmentRepository,
    HandoverRepository,
    KvaRepository,
    LinkRepository,
    PathwayRepository,
    PatientRepository,
    PlanRepository,
    ReferralRepository,
    StaffRepository,
    UnitRepository,
    WorklistRepository,
)

__all__ = ["AuditActor", "UnitOfWork"]


class UnitOfWork:
    session: Session
    audit: AuditLog
    units: UnitRepository
    staff: StaffRepository
    patients: PatientRepository
    pathways: PathwayRepository
    assessments: AssessmentRepository
    plans: PlanRepository
    handovers: HandoverRepository
    referrals: ReferralRepository
    kva: KvaRepository
    accounts: AccountRepository
    links: LinkRepository
    worklist: WorklistRepository

    def __init__(self, sessions: Callable[[], Session], actor: AuditActor, *, log_reads: bool = True) -> None:
        self._sessions = sessions
        self.actor = actor
        self.log_reads = log_reads
        self._open = False

    def __enter__(self) -> UnitOfWork:
        if self._open:
            raise RuntimeError("this unit of work is already open")
        self.session = self._sessions()
        self._open = True
        audit = self.audit = AuditLog(self.session, self.actor, log_reads=self.log_reads)
        session = self.session
        self.units = UnitRepository(session, audit)
        self.staff = StaffRepository(session, audit)
        self.patients = PatientRepository(session, audit)
        self.pathways = PathwayRepository(session, audit)
        self.assessments = AssessmentRepository(session, audit)
        self.plans = PlanRepository(session, audit)
        self.handovers = HandoverRepository(session, audit)
        self.referrals = ReferralRepository(session, audit)
        self.kva = KvaRepository(session, audit)
        self.accounts = AccountRepository(session, audit)
        self.links = LinkRepository(session, audit)
        self.worklist = WorklistRepository(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                self.audit.flush()
                self.session.commit()
            else:
                self.session.rollback()
        except BaseException:
            self.session.rollback()
            raise
        finally:
            self.session.close()
            self._open = False

    def flush(self) -> None:
        """Send pending statements (and audit rows) to the database without committing."""
        self.audit.flush()
        self.session.flush()
