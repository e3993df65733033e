"""Gap analyses (004), every version kept as a document; a save names the version it replaces (the primary
key makes two concurrent saves of one version collide). Organisation data: saves audited without a patient."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from canrehab.domain.errors import ConflictError
from canrehab.domain.gap_analysis import ActionItem, Decision, Gap, GapAnalysis, GapDecision, Participant
from canrehab.domain.model import CareLevel
from canrehab.store.audit import AuditLog
from canrehab.store.orm_structure import GapAnalysisRow

TABLE = GapAnalysisRow.metadata.tables["gap_analysis_version"]


def to_document(analysis: GapAnalysis) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(json.dumps(asdict(analysis), default=str))
    return document


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def from_document(doc: dict[str, Any]) -> GapAnalysis:
    def participant(p: dict[str, Any]) -> Participant:
        level = CareLevel(p["care_level"]) if p.get("care_level") else None
        return Participant(p["name"], p["role"], p["unit"], level)

    def decision(d: dict[str, Any]) -> GapDecision:
        return GapDecision(
            CareLevel(d["care_level"]),
            Decision(d["decision"]),
            d["approved_by"],
            date.fromisoformat(d["approved_on"]),
            d.get("unit_hsa_id"),
            d.get("comment", ""),
        )

    def action(a: dict[str, Any]) -> ActionItem:
        return ActionItem(
            a["text"], a["responsible"], date.fromisoformat(a["due_on"]), _day(a.get("done_on"))
        )

    def gap(g: dict[str, Any]) -> Gap:
        return Gap(
            g["id"],
            g["area"],
            g["text"],
            g["priority"],
            g.get("priority_to"),
            tuple(g.get("indicator_ids", ())),
            tuple(decision(d) for d in g.get("decisions", ())),
            tuple(action(a) for a in g.get("actions", ())),
        )

    return GapAnalysis(
        id=doc["id"],
        title=doc["title"],
        knowledge_support=doc["knowledge_support"],
        held_on=date.fromisoformat(doc["held_on"]),
        participants=tuple(participant(p) for p in doc.get("participants", ())),
        gaps=tuple(gap(g) for g in doc.get("gaps", ())),
        version=doc["version"],
    )


class GapAnalysisRepository:
    def __init__(self, session: Session, audit: AuditLog) -> None:
        self.session = session
        self.audit = audit

    def history(self, analysis_id: str) -> list[tuple[GapAnalysis, datetime, str]]:
        """Every version with when and by whom it was saved, newest first."""
        stmt = select(TABLE).where(TABLE.c.analysis_id == analysis_id).order_by(TABLE.c.version.desc())
        return [(from_document(r.document), r.saved_at, r.saved_by) for r in self.session.execute(stmt)]

    def current(self, analysis_id: str) -> GapAnalysis | None:
        found = self.history(analysis_id)
        return found[0][0] if found else None

    def list_current(self) -> list[GapAnalysis]:
        newest = (
            select(TABLE.c.analysis_id, func.max(TABLE.c.version).label("version"))
            .group_by(TABLE.c.analysis_id)
            .subquery()
        )
        stmt = select(TABLE.c.document).join(
            newest, (TABLE.c.analysis_id == newest.c.analysis_id) & (TABLE.c.version == newest.c.version)
        )
        analyses = [from_document(r.document) for r in self.session.execute(stmt)]
        return sorted(analyses, key=lambda a: (a.held_on, a.id), reverse=True)

    def save(self, analysis: GapAnalysis, *, by: str, detail: str) -> GapAnalysis:
        row = {
            "analysis_id": analysis.id,
            "version": analysis.version,
            "saved_at": datetime.now(UTC),
            "saved_by": by,
            "document": to_document(analysis),
        }
        try:
            with self.session.begin_nested():
                self.session.execute(TABLE.insert(), [row])
        except IntegrityError:
            raise ConflictError("gapanalysen", analysis.version - 1, analysis.version) from None
        action = "create" if analysis.version == 1 else "update"
        self.audit.record(action, "gap_analysis", analysis.id, None, f"version {analysis.version}: {detail}")
        return analysis
