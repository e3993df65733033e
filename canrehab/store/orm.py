"""Typed SQLAlchemy 2 models: one table per entity of ``canrehab.domain.model``.

Every scalar field of an entity is a column of the same name; nested value objects (phases, contact nurses,
Min vårdplan, answers, suggestion, plan content/versions/events, handover content) are JSON columns (JSONB on
PostgreSQL). Columns that queries filter, join or sort on are indexed. ``version`` is the optimistic-locking
counter: an update names the version it read (``UPDATE ... WHERE id = :id AND version = :read``).

The table and column names are a contract: the web layer reads ``user_account`` by column name.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.expression import false as sa_false

Json = JSON().with_variant(JSONB(), "postgresql")
# SQLite autoincrements only an INTEGER PRIMARY KEY (its rowid).
AuditId = BigInteger().with_variant(Integer(), "sqlite")

ID = 64  # uuid4 hex (32) or a readable test id
HSA = 64

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def updated_at_column() -> Any:
    """When the row was last written: kept by the repositories (``store.repositories.base``), not a field of
    the entity; served as FHIR ``meta.lastUpdated`` (migration 0013). Rows written without it (bulk loads)
    get the database's clock."""
    return mapped_column(DateTime(timezone=True), server_default=func.now())


# ---------------------------------------------------------------------------------------------- organisation


class CareUnitRow(Base):
    __tablename__ = "care_unit"
    hsa_id: Mapped[str] = mapped_column(String(HSA), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    county_code: Mapped[str] = mapped_column(String(2), index=True)
    level: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = updated_at_column()


ASSIGNMENT_HSA_INDEX = "ux_staff_assignment_hsa_id"


class StaffRow(Base):
    __tablename__ = "staff"
    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    hsa_id: Mapped[str] = mapped_column(String(HSA), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    profession: Mapped[str] = mapped_column(String(40))
    unit_hsa_id: Mapped[str] = mapped_column(ForeignKey("care_unit.hsa_id"), index=True)
    # the HSA-id of the assignment (medarbetaruppdrag) at the unit, when known (migration 0013); unique where
    # set (migration 0018)
    assignment_hsa_id: Mapped[str | None] = mapped_column(String(HSA))
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        Index(
            ASSIGNMENT_HSA_INDEX,
            "assignment_hsa_id",
            unique=True,
            postgresql_where=text("assignment_hsa_id IS NOT NULL"),
            sqlite_where=text("assignment_hsa_id IS NOT NULL"),
        ),
    )


# ---------------------------------------------------------------------------------------------- patient


class PatientRow(Base):
    __tablename__ = "patient"
    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    personnummer: Mapped[str] = mapped_column(String(12), unique=True)
    pseudonym: Mapped[str] = mapped_column(String(64), unique=True)
    is_coordination_number: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(200), index=True)
    sex: Mapped[str] = mapped_column(String(8))
    birth_date: Mapped[date] = mapped_column(Date)
    county_code: Mapped[str | None] = mapped_column(String(2))
    deceased_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    updated_at: Mapped[datetime] = updated_at_column()


class PathwayRow(Base):
    __tablename__ = "pathway"
    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), index=True)
    unit_hsa_id: Mapped[str] = mapped_column(ForeignKey("care_unit.hsa_id"), index=True)
    # NULL on a pathway started at välgrundad misstanke until its diagnosis is confirmed (migration 0019): a
    # query over diagnosis dates leaves the unconfirmed and the dismissed suspicions out by itself.
    icd10: Mapped[str | None] = mapped_column(String(8), nullable=True)
    diagnosed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    process: Mapped[str] = mapped_column(String(40), index=True)
    phases: Mapped[list[Any]] = mapped_column(Json)
    contact_nurses: Mapped[list[Any]] = mapped_column(Json)
    min_vardplan: Mapped[dict[str, Any]] = mapped_column(Json)
    confirmed_level: Mapped[int | None] = mapped_column(Integer)
    confirmed_level_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    suspicion_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = updated_at_column()


# ---------------------------------------------------------------------------------------------- care process


class AssessmentRow(Base):
    __tablename__ = "assessment"
    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), index=True)
    pathway_id: Mapped[str] = mapped_column(ForeignKey("pathway.id"), index=True)
    unit_hsa_id: Mapped[str] = mapped_column(String(HSA))
    instrument_id: Mapped[str] = mapped_column(String(64))
    instrument_version: Mapped[str] = mapped_column(String(32))
    key_moment: Mapped[str] = mapped_column(String(32))
    respondent: Mapped[str] = mapped_column(String(32))
    started_on: Mapped[date] = mapped_column(Date)
    submitted_on: Mapped[date | None] = mapped_column(Date)
    answers: Mapped[dict[str, Any]] = mapped_column(Json)
    status: Mapped[str] = mapped_column(String(16))
    suggestion: Mapped[dict[str, Any] | None] = mapped_column(Json)
    confirmed_level: Mapped[int | None] = mapped_column(Integer)
    level_overridden: Mapped[bool] = mapped_column(Boolean)
    override_reason: Mapped[str] = mapped_column(Text)
    confirmed_by: Mapped[str | None] = mapped_column(String(ID))
    confirmed_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = updated_at_column()


class RehabPlanRow(Base):
    __tablename__ = "rehab_plan"
    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), index=True)
    pathway_id: Mapped[str] = mapped_column(ForeignKey("pathway.id"), index=True)
    unit_hsa_id: Mapped[str] = mapped_column(String(HSA))
    status: Mapped[str] = mapped_column(String(16))
    content: Mapped[dict[str, Any]] = mapped_column(Json)
    versions: Mapped[list[Any]] = mapped_column(Json)
    events: Mapped[list[Any]] = mapped_column(Json)
    close_reason: Mapped[str | None] = mapped_column(String(32))
    closed_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = updated_at_column()


class HandoverRow(Base):
    __tablename__ = "handover"
    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), index=True)
    pathway_id: Mapped[str] = mapped_column(ForeignKey("pathway.id"), index=True)
    from_unit_hsa_id: Mapped[str] = mapped_column(String(HSA))
    to_unit_hsa_id: Mapped[str] = mapped_column(String(HSA))
    from_staff_id: Mapped[str] = mapped_column(String(ID))
    from_profession: Mapped[str | None] = mapped_column(String(40))
    to_profession: Mapped[str | None] = mapped_column(String(40))
    to_staff_id: Mapped[str | None] = mapped_column(String(ID))
    content: Mapped[dict[str, Any]] = mapped_column(Json)
    status: Mapped[str] = mapped_column(String(24))
    sent_on: Mapped[date] = mapped_column(Date)
    received_on: Mapped[date | None] = mapped_column(Date)
    patient_contacted_on: Mapped[date | None] = mapped_column(Date)
    patient_contact_method: Mapped[str | None] = mapped_column(String(24))
    from_care_level: Mapped[str | None] = mapped_column(String(24))
    to_care_level: Mapped[str | None] = mapped_column(String(24))
    completed_on: Mapped[date | None] = mapped_column(Date)
    rejected_on: Mapped[date | None] = mapped_column(Date)
    reject_reason: Mapped[str] = mapped_column(Text)
    patient_informed: Mapped[bool] = mapped_column(Boolean)
    patient_informed_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = updated_at_column()
    __table_args__ = (
        Index("ix_handover_to_unit_status", "to_unit_hsa_id", "status"),
        Index("ix_handover_from_unit_status", "from_unit_hsa_id", "status"),
    )


class ReferralRow(Base):
    __tablename__ = "referral"
    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), index=True)
    pathway_id: Mapped[str] = mapped_column(ForeignKey("pathway.id"), index=True)
    from_unit_hsa_id: Mapped[str] = mapped_column(String(HSA))
    from_staff_id: Mapped[str] = mapped_column(String(ID))
    to_profession: Mapped[str] = mapped_column(String(40))
    to_unit_hsa_id: Mapped[str | None] = mapped_column(String(HSA))
    is_mdk_rehab: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    sent_on: Mapped[date] = mapped_column(Date)
    answered_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    reject_reason: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = updated_at_column()
    __table_args__ = (Index("ix_referral_to_unit_status", "to_unit_hsa_id", "status"),)


class KvaRecordRow(Base):
    __tablename__ = "kva_record"
    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), index=True)
    pathway_id: Mapped[str] = mapped_column(String(ID))
    code: Mapped[str] = mapped_column(String(8), index=True)
    performed_on: Mapped[date] = mapped_column(Date, index=True)
    unit_hsa_id: Mapped[str] = mapped_column(String(HSA))
    performer_id: Mapped[str | None] = mapped_column(String(ID))
    profession_code: Mapped[str | None] = mapped_column(String(8))
    care_type: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = updated_at_column()


# ------------------------------------------------------------------------------------------ audit, accounts


class AuditLogRow(Base):
    """Append-only: triggers installed by the migrations reject UPDATE and DELETE (and TRUNCATE on
    PostgreSQL)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(AuditId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor_username: Mapped[str] = mapped_column(String(100), index=True)
    actor_role: Mapped[str] = mapped_column(String(40))
    actor_units: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(16))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(Text)
    patient_id: Mapped[str | None] = mapped_column(String(ID), index=True)
    detail: Mapped[str] = mapped_column(Text)
    before: Mapped[Any | None] = mapped_column(Json)
    after: Mapped[Any | None] = mapped_column(Json)


class UserAccountRow(Base):
    __tablename__ = "user_account"
    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(40))
    display_name: Mapped[str] = mapped_column(String(200))
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    patient_id: Mapped[str | None] = mapped_column(ForeignKey("patient.id"))
    unit_hsa_ids: Mapped[list[str]] = mapped_column(Json)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebSessionRow(Base):
    """A logged-in web session (migration 0006). The cookie carries a random token; only its sha256 is stored,
    so a copied database does not yield usable sessions. Logout deletes the row (a copied cookie stops
    working), and the web app refuses a row whose idle or absolute expiry has passed. Deleting the account
    deletes its sessions."""

    __tablename__ = "web_session"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("user_account.username", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class AssessmentLinkRow(Base):
    """A patient's link to fill in an assessment. Only the sha256 of the token is stored."""

    __tablename__ = "assessment_link"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessment.id"), index=True)
    patient_id: Mapped[str] = mapped_column(String(ID))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


# ---------------------------------------------------------------------------------------------- worklist


WORKLIST_INDEX_COLUMNS = (
    "unit_hsa_id",
    "next_action_on",
    "process",
    "phase",
    "level",
    "no_contact_nurse",
    "no_min_vardplan",
    "assessment_due",
    "assessment_overdue",
    "assessments_to_confirm",
    "plan_missing",
    "plan_follow_up_due",
    "referrals_waiting",
    "handovers_in_awaiting",
    "handovers_out_unconfirmed",
    "handovers_out_overdue",
    "team_missing",  # migration 0017: without it the counts read the heap
    "svf_mdk_due",  # migration 0020, likewise
    "svf_treatment_due",
    "sort_name",
    "pathway_id",
)


class WorklistStatusTable(Base):
    """Denormalised worklist flags per pathway and unit (the responsible unit, and each unit with an open
    handover or referral of the pathway, from its side), refreshed by the services after every write to the
    pathway and when ``refresh_on`` has come. ``next_action_on`` is NULL exactly when nothing is due, so a
    unit's list is a range scan of one index."""

    __tablename__ = "worklist_status"
    pathway_id: Mapped[str] = mapped_column(ForeignKey("pathway.id"), primary_key=True)
    unit_hsa_id: Mapped[str] = mapped_column(String(HSA), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), index=True)
    process: Mapped[str] = mapped_column(String(40))
    phase: Mapped[str | None] = mapped_column(String(32))
    level: Mapped[int | None] = mapped_column(Integer)
    no_contact_nurse: Mapped[bool] = mapped_column(Boolean)
    no_min_vardplan: Mapped[bool] = mapped_column(Boolean)
    assessment_due: Mapped[date | None] = mapped_column(Date)
    assessment_overdue: Mapped[bool] = mapped_column(Boolean)
    # submitted assessments waiting for a clinician to confirm the level (migration 0002)
    assessments_to_confirm: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    plan_missing: Mapped[bool] = mapped_column(Boolean)
    plan_follow_up_due: Mapped[date | None] = mapped_column(Date)
    referrals_waiting: Mapped[int] = mapped_column(Integer)
    handovers_in_awaiting: Mapped[int] = mapped_column(Integer)
    handovers_out_unconfirmed: Mapped[int] = mapped_column(Integer)
    handovers_out_overdue: Mapped[int] = mapped_column(Integer)
    next_action_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # the patient's name as a sort key, kept by the store (upsert, bulk load, patient update); shown names
    # are always joined from patient (migration 0003)
    sort_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # the first date on which the date-driven flags change; NULL: never (migration 0005)
    refresh_on: Mapped[date | None] = mapped_column(Date, index=True)
    # the pathway's current contact nurse, for "Mina patienter" (migration 0009; index in orm_worklist)
    contact_nurse_id: Mapped[str | None] = mapped_column(String(ID))
    # a confirmed level of avancerad or higher with neither a rehab-team referral nor an MDK-rehab case
    # (migration 0016; domain.mdk_rehab.team_missing)
    team_missing: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    # an SVF pathway waiting for its MDK / its first treatment, by the due date of the SVF's maximum lead
    # time (migration 0020; domain.worklist.svf_waiting)
    svf_mdk_due: Mapped[date | None] = mapped_column(Date)
    svf_treatment_due: Mapped[date | None] = mapped_column(Date)
    # (unit, next action) first; the other columns make the counts and the sorted page index-only scans
    __table_args__ = (Index("ix_worklist_status_unit_next", *WORKLIST_INDEX_COLUMNS),)


TABLES = Base.metadata.tables
