"""The unit of work: one transaction over all repositories, with the actor recorded in the audit log.

    with UnitOfWork(session_factory, actor) as uow:
        plan = uow.plans.get(plan_id)
        uow.plans.update(changed, expected_version=plan.version)

Commits on normal exit (after writing the collected audit rows, in the same transaction as the change), rolls
back on an exception: no partial write. On SQLite the transaction is begun with ``BEGIN IMMEDIATE`` (see
``store.db``): concurrent units of work wait for each other (up to the busy timeout) instead of failing with
"database is locked" when the audit rows are flushed at the end.

Work that belongs at the end of the transaction is registered on it: ``refresh_worklist(pathway_id)`` collects
the pathways whose worklist rows must be recomputed, and the ``before_commit`` callback given at construction
recomputes them once each just before the commit, however many writes touched a pathway.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType

from sqlalchemy.orm import Session

from canrehab.store.audit import AuditActor, AuditLog
from canrehab.store.db import IMMEDIATE
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
from canrehab.store.repositories.bulk_export import BulkExportJobRepository, ExportReader

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
    bulk_jobs: BulkExportJobRepository
    export_reader: ExportReader

    def __init__(
        self,
        sessions: Callable[[], Session],
        actor: AuditActor,
        *,
        log_reads: bool = True,
        before_commit: Callable[[UnitOfWork, Sequence[str]], None] | None = None,
        read_only: bool = False,
    ) -> None:
        self._sessions = sessions
        self.actor = actor
        self.log_reads = log_reads
        # read_only: on SQLite a deferred BEGIN (a long read, e.g. a bulk export's snapshot, must not hold
        # the write lock); writes in it would take the lock at their first statement.
        self.read_only = read_only
        self._before_commit = before_commit
        self._open = False
        self._pending_pathways: dict[str, None] = {}  # insertion-ordered set

    def refresh_worklist(self, pathway_id: str) -> None:
        """Recompute this pathway's worklist rows just before the commit (once, however often asked)."""
        self._pending_pathways[pathway_id] = None

    @property
    def pending_worklist(self) -> tuple[str, ...]:
        return tuple(self._pending_pathways)

    def _run_before_commit(self) -> None:
        if self._pending_pathways and self._before_commit is None:
            raise RuntimeError("worklist refreshes were registered on a unit of work that cannot run them")
        # The refresh reads what this transaction wrote; it registers nothing new, but loop in case it does.
        while self._pending_pathways and self._before_commit is not None:
            pending = list(self._pending_pathways)
            self._pending_pathways.clear()
            self._before_commit(self, pending)

    def __enter__(self) -> UnitOfWork:
        if self._open:
            raise RuntimeError("this unit of work is already open")
        self.session = self._sessions()
        bind = self.session.get_bind()
        if bind.dialect.name == "sqlite":
            # Take SQLite's write lock now (waiting for it if need be), before the first read.
            self.session.connection(execution_options={IMMEDIATE: not self.read_only})
        self._open = True
        self._pending_pathways.clear()
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
        self.bulk_jobs = BulkExportJobRepository(session)
        self.export_reader = ExportReader(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                self._run_before_commit()
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
