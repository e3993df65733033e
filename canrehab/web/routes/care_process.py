"""The patient page's care-process forms: relatives with consent and the support given to them (QT011,
QQ001, GB010, DU055-DU057), MDK-rehab (referral; the coordinator receives it, records the recommendation
and a proposed plan, or rejects it), and the children's rules (konsultsjuksköterska, the handover from the
barncancercentrum to the home region's hospital, the transition to adult care at 18). A refused form is
shown again on the patient page with its error and the input kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.domain.errors import ConflictError, DomainError
from canrehab.domain.model import CareType, HandoverContent, Profession
from canrehab.domain.relatives import SUPPORT_CODES, ConsentStatus, RelationKind, SupportKind
from canrehab.services import children, mdk_rehab, relatives
from canrehab.web import forms
from canrehab.web.deps import ServicesDep, UnitWorker
from canrehab.web.pages import flash
from canrehab.web.routes.patients import overview_page

router = APIRouter()


def _choice(enum: type[Any], value: str, message_sv: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        raise DomainError("form.choice", message_sv, f"unknown {enum.__name__} {value!r}") from None


def _required_date(form: Any, name: str, what_sv: str) -> Any:
    on = forms.opt_date(form, name)
    if on is None:
        raise DomainError("form.date", f"Ange {what_sv} som ÅÅÅÅ-MM-DD.", f"{name} missing or invalid")
    return on


async def _act(
    request: Request,
    services: ServicesDep,
    user: UnitWorker,
    patient_id: str,
    form_id: str,
    action: Callable[[Any], str],
) -> Response:
    """Run ``action(form)`` (it returns the flash text); on a refusal show the page again with the form's
    error and input (a conflict keeps its own page)."""
    form = await request.form()
    try:
        message = action(form)
    except ConflictError:
        raise
    except DomainError as refused:
        values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
        return overview_page(
            request, services, user, patient_id, refused=(form_id, refused.message_sv, values)
        )
    flash(request, message)
    return RedirectResponse(f"/patient/{patient_id}#{form_id}", status_code=303)


@router.post("/patient/{patient_id}/narstaende")
async def add_relative(
    request: Request, patient_id: str, services: ServicesDep, user: UnitWorker
) -> Response:
    def action(form: Any) -> str:
        relative = relatives.add(
            services,
            user.actor,
            patient_id=patient_id,
            name=forms.text(form, "name", 201),
            relation=_choice(RelationKind, forms.text(form, "relation", 40), "Välj relation till patienten."),
            consent=_choice(ConsentStatus, forms.text(form, "consent", 40), "Välj patientens medgivande."),
            phone=forms.text(form, "phone", 41),
            birth_date=forms.opt_date(form, "birth_date"),
        )
        return f"Närstående {relative.name} är registrerad ({relative.consent.label_sv})."

    return await _act(request, services, user, patient_id, "narstaende", action)


@router.post("/patient/{patient_id}/narstaende/stod")
async def give_support(
    request: Request, patient_id: str, services: ServicesDep, user: UnitWorker
) -> Response:
    def action(form: Any) -> str:
        relative_id = forms.text(form, "relative_id", 64)
        if not relative_id:
            raise DomainError("relative.required", "Välj den närstående som fick stödet.", "no relative")
        support = relatives.give_support(
            services,
            user.actor,
            patient_id=patient_id,
            pathway_id=forms.text(form, "pathway_id", 64),
            relative_id=relative_id,
            kind=_choice(SupportKind, forms.text(form, "kind", 40), "Välj vilket stöd som gavs."),
            on=_required_date(form, "on", "datum för stödet"),
            care_type=_choice(
                CareType, forms.text(form, "care_type", 20) or CareType.OUTPATIENT.value, "Välj vårdform."
            ),
            note=forms.text(form, "note", 201),
        )
        return f"Stödet är registrerat (KVÅ {SUPPORT_CODES[support.kind]})."

    return await _act(request, services, user, patient_id, "narstaende-stod", action)


@router.post("/patient/{patient_id}/mdk-rehab")
async def refer_mdk_rehab(
    request: Request, patient_id: str, services: ServicesDep, user: UnitWorker
) -> Response:
    def action(form: Any) -> str:
        mdk_rehab.refer(
            services,
            user.actor,
            patient_id=patient_id,
            pathway_id=forms.text(form, "pathway_id", 64),
            reason=forms.text(form, "reason", 4001),
        )
        return "Remissen till MDK-rehab är skickad till den sjukvårdsregionala koordinatorn."

    return await _act(request, services, user, patient_id, "mdk-rehab", action)


@router.post("/patient/{patient_id}/mdk-rehab/{case_id}")
async def mdk_rehab_step(
    request: Request, patient_id: str, case_id: str, services: ServicesDep, user: UnitWorker
) -> Response:
    def action(form: Any) -> str:
        step, version = forms.text(form, "step", 20), forms.int_field(form, "version")
        if step == "receive":
            mdk_rehab.receive(services, user.actor, case_id, version)
            return "MDK-rehab-remissen är mottagen."
        if step == "reject":
            mdk_rehab.reject(services, user.actor, case_id, forms.text(form, "reject_reason", 4001), version)
            return "MDK-rehab-remissen är avvisad."
        if step == "conclude":
            professions = [
                p for v in form.getlist("professions") if (p := forms.opt_profession({"p": v}, "p"))
            ]
            mdk_rehab.conclude(
                services,
                user.actor,
                case_id,
                on=_required_date(form, "on", "datum för konferensen"),
                recommendation=forms.text(form, "recommendation", 4001),
                proposed_plan=forms.text(form, "proposed_plan", 4001),
                professions=professions,
                with_patient=form.get("with_patient") == "1",
                version=version,
            )
            return "Konferensens rekommendation och förslag till rehabiliteringsplan är registrerade."
        raise DomainError("mdk_rehab.unknown_step", "Okänd åtgärd.", f"unknown step {step!r}")

    return await _act(request, services, user, patient_id, f"mdk-{case_id}", action)


@router.post("/patient/{patient_id}/konsultsjukskoterska")
async def consulting_nurse(
    request: Request, patient_id: str, services: ServicesDep, user: UnitWorker
) -> Response:
    def action(form: Any) -> str:
        staff_id = forms.text(form, "staff_id", 64)
        if not staff_id:
            raise DomainError("children.nurse_required", "Välj konsultsjuksköterska.", "no nurse")
        children.assign_consulting_nurse(
            services,
            user.actor,
            forms.text(form, "pathway_id", 64),
            staff_id,
            forms.int_field(form, "version"),
            from_date=forms.opt_date(form, "from_date"),
        )
        return "Konsultsjuksköterskan är utsedd."

    return await _act(request, services, user, patient_id, "konsultsjukskoterska", action)


def _content(form: Any) -> HandoverContent:
    return HandoverContent(
        needs=forms.text(form, "needs"),
        disease=forms.text(form, "disease"),
        treatment=forms.text(form, "treatment"),
        ongoing_actions=forms.text(form, "ongoing_actions"),
    )


def _to_unit(form: Any) -> str:
    unit = forms.text(form, "to_unit", 64)
    if not unit:
        raise DomainError("handover.to_unit_required", "Välj den enhet som ska ta emot patienten.", "no unit")
    return unit


@router.post("/patient/{patient_id}/overlamning-hemort")
async def home_region_handover(
    request: Request, patient_id: str, services: ServicesDep, user: UnitWorker
) -> Response:
    def action(form: Any) -> str:
        children.hand_over_to_home_region(
            services,
            user.actor,
            patient_id=patient_id,
            pathway_id=forms.text(form, "pathway_id", 64),
            to_unit_hsa_id=_to_unit(form),
            content=_content(form),
            patient_informed=form.get("patient_informed") == "1",
        )
        return "Överlämningen till hemortssjukhuset är skickad; ni ansvarar tills mottagaren bekräftat."

    return await _act(request, services, user, patient_id, "overlamning-hemort", action)


@router.post("/patient/{patient_id}/overgang-vuxenvard")
async def transition_handover(
    request: Request, patient_id: str, services: ServicesDep, user: UnitWorker
) -> Response:
    def action(form: Any) -> str:
        profession = forms.opt_profession(form, "to_profession")
        children.hand_over_to_adult_care(
            services,
            user.actor,
            patient_id=patient_id,
            pathway_id=forms.text(form, "pathway_id", 64),
            to_unit_hsa_id=_to_unit(form),
            to_profession=profession if profession is not Profession.REHAB_TEAM else None,
            content=_content(form),
            patient_informed=form.get("patient_informed") == "1",
        )
        return "Överlämningen till vuxenvården är skickad till rehabiliteringspersonalen."

    return await _act(request, services, user, patient_id, "overgang-vuxenvard", action)
