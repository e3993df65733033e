"""Structured needs assessment: start (by link or together), save and resume, submit, confirm the level."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from canrehab.domain import assessment as assessment_rules
from canrehab.domain.access import Actor
from canrehab.domain.errors import DomainError
from canrehab.domain.kva import DEFAULT_CARE_TYPE
from canrehab.domain.model import (
    Assessment,
    AssessmentStatus,
    CareType,
    KeyMoment,
    NeedsLevel,
    Patient,
    Respondent,
)
from canrehab.services import children as children_service
from canrehab.services.guard import acting_staff, pathway_of, require_read, require_write
from canrehab.services.procedures import code_list

if TYPE_CHECKING:
    from canrehab.services.context import Services

RENEW_BEFORE = timedelta(days=1)  # an own link with less validity left than this is replaced
LINK_ACTOR = Actor(
    role="patient_link", staff_id=None, unit_hsa_ids=frozenset(), patient_id=None, username="patientlänk"
)


def start(
    services: Services,
    actor: Actor,
    *,
    patient_id: str,
    pathway_id: str,
    key_moment: KeyMoment,
    respondent: Respondent,
    instrument_id: str | None = None,
) -> Assessment:
    instrument_id = instrument_id or services.default_instrument
    instrument = _instrument(services, instrument_id)
    with services.uow(actor) as uow:
        require_write(services, uow, actor, patient_id, "assessment")
        acting_staff(uow, actor)
        pathway = pathway_of(uow, pathway_id, patient_id)
        assessment = assessment_rules.start_assessment(
            pathway, instrument, key_moment=key_moment, respondent=respondent, on=services.today()
        )
        saved: Assessment = uow.assessments.add(assessment)
        return saved


def create_link(
    services: Services, actor: Actor, assessment_id: str, *, validity: timedelta
) -> tuple[str, datetime]:
    """A personal, expiring link (valid for ``validity``) for the patient to fill in the assessment on their
    own device; staff get a new one each time they ask (to send it again)."""
    with services.uow(actor) as uow:
        assessment = uow.assessments.get(assessment_id)
        require_write(services, uow, actor, assessment.patient_id, "assessment", assessment_id)
        expires = datetime.now(UTC) + validity
        token: str = uow.links.create(assessment_id, assessment.patient_id, expires)
        return token, expires


def own_link(
    services: Services, actor: Actor, assessment_id: str, *, validity: timedelta
) -> tuple[str, datetime]:
    """The link a patient logged in to Min vårdplan follows to their own unfinished self-assessment.

    Every visit gives the same link while it is valid (for at least ``RENEW_BEFORE`` more): its token is
    derived from the installation secret, the assessment and the link's creation time, so it can be
    recomputed although only its hash is stored. A new link (valid for ``validity``) is made only when there
    is no such open link."""
    if actor.role != "patient" or not actor.patient_id:
        raise DomainError(
            "access.denied", "Bara patienten själv kan öppna sin skattning här.", "patient only"
        )
    from canrehab.store.repositories.links import token_hash

    with services.uow(actor) as uow:
        assessment = uow.assessments.get(assessment_id)
        if assessment.patient_id != actor.patient_id or assessment.respondent != Respondent.PATIENT:
            raise DomainError("access.denied", "Skattningen är inte din.", "not the patient's own assessment")
        now = datetime.now(UTC).replace(microsecond=0)
        for link in uow.links.open_for_assessment(assessment_id, now + RENEW_BEFORE):
            token = _own_token(services, assessment_id, link.created_at)
            if token_hash(token) == link.token_hash:
                return token, link.expires_at
        created = now
        token = _own_token(services, assessment_id, created)
        while uow.links.known(token):  # replacing a link made this very second: the next second's token
            created += timedelta(seconds=1)
            token = _own_token(services, assessment_id, created)
        expires = created + validity
        uow.links.create(assessment_id, assessment.patient_id, expires, token=token, created_at=created)
        return token, expires


def _own_token(services: Services, assessment_id: str, created_at: datetime) -> str:
    key = hashlib.sha256(b"canrehab own assessment link\0" + services.settings.installation_secret().encode())
    message = f"{assessment_id}\0{int(created_at.timestamp())}".encode()
    digest = hmac.new(key.digest(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def get(services: Services, actor: Actor, assessment_id: str) -> tuple[Assessment, Patient]:
    with services.uow(actor) as uow:
        assessment = uow.assessments.get(assessment_id)
        require_read(services, uow, actor, assessment.patient_id, "assessment", assessment_id)
        return assessment, uow.patients.get(assessment.patient_id)


def _instrument(services: Services, instrument_id: str) -> Any:
    try:
        return services.catalog.instruments[instrument_id]
    except KeyError:
        raise DomainError(
            "instrument.unknown", f"Okänt formulär: {instrument_id}.", f"unknown instrument {instrument_id}"
        ) from None


def _save(
    services: Services,
    uow: Any,
    assessment: Assessment,
    answers: Mapping[str, Any],
    version: int,
    submit: bool,
    on: date | None = None,
) -> Assessment:
    instrument = _instrument(services, assessment.instrument_id)
    changed = assessment_rules.save_answers(
        assessment,
        instrument,
        answers,
        on=on or services.today(),
        submit=submit,
        rules=services.catalog.rules.get(assessment.instrument_id),  # None: a PREM, no decision support
        level_set=children_service.level_set_for(
            services, uow.patients.get(assessment.patient_id), on or services.today()
        ),
    )
    saved: Assessment = uow.assessments.update(changed, expected_version=version)
    if submit:
        uow.refresh_worklist(assessment.pathway_id)
    return saved


def save_answers(
    services: Services,
    actor: Actor,
    assessment_id: str,
    answers: Mapping[str, Any],
    version: int,
    submit: bool,
    *,
    on: date | None = None,
) -> Assessment:
    """Save the answers, and with ``submit`` hand the form in (the suggestion is computed), on ``on``
    (default today: another system may state the date it recorded)."""
    with services.uow(actor) as uow:
        assessment = uow.assessments.get(assessment_id)
        require_write(services, uow, actor, assessment.patient_id, "assessment", assessment_id)
        return _save(services, uow, assessment, answers, version, submit, on)


def for_link(services: Services, token: str) -> tuple[Assessment, datetime] | None:
    """The open assessment behind a patient's link, or None when the link is unknown, expired or used up."""
    with services.uow(LINK_ACTOR) as uow:
        found = uow.links.resolve(token)
        if found is None:
            return None
        assessment_id, expires = found
        assessment: Assessment = uow.assessments.get(assessment_id)
        if assessment.status != "in_progress":
            return None
        return assessment, expires


def save_by_link(
    services: Services, token: str, answers: Mapping[str, Any], version: int, submit: bool
) -> Assessment:
    with services.uow(LINK_ACTOR) as uow:
        found = uow.links.resolve(token)
        if found is None:
            raise DomainError(
                "link.invalid", "Länken är ogiltig eller har gått ut.", "invalid or expired link"
            )
        assessment = uow.assessments.get(found[0])
        if assessment.status != AssessmentStatus.IN_PROGRESS:
            # a submitted form is the clinician's now: the link cannot change the answers behind the review
            raise DomainError(
                "link.used",
                "Formuläret är redan skickat. Kontakta din kontaktsjuksköterska om du vill ändra något.",
                "the form behind this link has already been submitted",
            )
        saved = _save(services, uow, assessment, answers, version, submit)
        if submit:
            uow.links.revoke_for_assessment(assessment.id)
        return saved


def confirm(
    services: Services,
    actor: Actor,
    assessment_id: str,
    *,
    level: NeedsLevel,
    reason: str,
    version: int,
    advice_given: Sequence[str] = (),
    care_type: CareType = DEFAULT_CARE_TYPE,
    on: date | None = None,
) -> Assessment:
    """The clinician confirms (or overrides, with a reason) the suggested level, one of the region's level
    set, on ``on`` (default today); AU010 (and the simple advice given) is recorded with the care type of
    the contact."""
    with services.uow(actor) as uow:
        assessment = uow.assessments.get(assessment_id)
        require_write(services, uow, actor, assessment.patient_id, "assessment", assessment_id)
        staff = acting_staff(uow, actor)
        pathway = uow.pathways.get(assessment.pathway_id)
        confirmed, new_pathway, records = assessment_rules.confirm_level(
            assessment,
            pathway,
            level=level,
            by=staff,
            on=on or services.today(),
            reason=reason,
            professions=services.catalog.professions,
            advice_given=advice_given,
            level_set=children_service.level_set_for(
                services, uow.patients.get(pathway.patient_id), on or services.today()
            ),
            care_type=care_type,
            codes=code_list(services),
        )
        saved: Assessment = uow.assessments.update(confirmed, expected_version=version)
        uow.pathways.update(new_pathway, expected_version=pathway.version)
        uow.kva.add_many(records)
        uow.refresh_worklist(assessment.pathway_id)
        return saved


def record(services: Services, actor: Actor, assessment: Assessment) -> Assessment:
    """Store an assessment as another system recorded it: its answers are checked against the instrument
    (as loaded by the services) and its pathway must be the patient's."""
    from canrehab.domain.instrument import validate_answers
    from canrehab.services.guard import pathway_named

    instrument = _instrument(services, assessment.instrument_id)
    answers = validate_answers(instrument, assessment.answers)
    with services.uow(actor) as uow:
        pathway_named(uow, assessment.pathway_id, assessment.patient_id)
        require_write(services, uow, actor, assessment.patient_id, "assessment", assessment.id)
        saved: Assessment = uow.assessments.add(
            assessment.model_copy(update={"answers": answers, "version": 1})
        )
        uow.refresh_worklist(saved.pathway_id)
        return saved
