"""The routes' typed dependencies: the services, the logged-in user, and access by the permission table.

    @router.get("/arbetslista")
    def worklist_page(request: Request, services: ServicesDep, user: UnitWorker) -> Response: ...

``require(action)`` refuses a user whose role may not take ``action`` (``canrehab.domain.permissions``)
with ``Forbidden``, which the app answers with an audited 403 page.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request

from canrehab.domain.permissions import Action, Role
from canrehab.services import accounts as account_service
from canrehab.services.context import Services
from canrehab.web.errors import Forbidden, LoginRequired
from canrehab.web.sessions import SESSION_KEY, session_store
from canrehab.web.settings import WebSettings
from canrehab.web.user import WebUser


def app_services(app: FastAPI) -> Services:
    """The app's one ``Services`` (made by ``create_app``)."""
    found: Services = app.state.services
    return found


async def get_services(request: Request) -> Services:
    return app_services(request.app)


ServicesDep = Annotated[Services, Depends(get_services)]


def _logged_out(request: Request, message: str | None) -> LoginRequired:
    request.session.clear()
    if message:
        request.session["flashes"] = [{"text": message, "kind": "info"}]
    return LoginRequired()


def current_user(request: Request, services: ServicesDep) -> WebUser:
    """The logged-in user, or a redirect to the login page.

    The session must exist on the server (not ended by logout), be within its idle timeout and absolute
    lifetime, and belong to an account that exists and is not locked; the account is re-read on every
    request so that a locked or changed account takes effect at once.
    """
    cached = getattr(request.state, "user", None)
    if isinstance(cached, WebUser):
        return cached
    token = request.session.get(SESSION_KEY)
    if not token:
        raise LoginRequired()
    store = session_store(request)
    found = account_service.session_account(services, str(token))  # session and account: one query
    if found is None:  # logged out, or the row was removed: a replayed cookie ends here
        raise _logged_out(request, None)
    session, account = found
    web: WebSettings = request.app.state.web_settings
    now = datetime.now(UTC)
    if session.expired(now, timedelta(seconds=web.session_idle_timeout)):
        store.end(str(token))
        raise _logged_out(request, "Du har loggats ut eftersom sessionen gick ut.")
    if account is None or account.locked_at(now):
        store.end_all(session.username)
        raise _logged_out(request, None)
    store.touch(session, now)
    user = WebUser.from_account(account)
    request.state.user = user
    return user


CurrentUser = Annotated[WebUser, Depends(current_user)]


def require(action: Action) -> Any:
    """A dependency: the logged-in user, refused (audited 403) unless their role may take ``action``."""

    async def dependency(user: CurrentUser) -> WebUser:
        if not user.may(action):
            raise Forbidden("Din roll har inte tillgång till den här sidan.")
        return user

    return Depends(dependency)


async def patient_self(user: CurrentUser) -> WebUser:
    """A dependency: the logged-in patient (their own pages only); anyone else is refused."""
    if user.role != Role.PATIENT:
        raise Forbidden("Din roll har inte tillgång till den här sidan.")
    return user


RecordReader = Annotated[WebUser, require(Action.READ_RECORD)]
"""Reads a patient's record (overview, assessment, plan, handover, PDF)."""
Clinician = Annotated[WebUser, require(Action.CHANGE_RECORD)]
"""Changes a record: the clinical, KVÅ-coded actions."""
UnitWorker = Annotated[WebUser, require(Action.UNIT_WORK)]
"""The unit's own work: work list, inboxes, care-action forms (the services refuse a manager's changes)."""
FollowupUser = Annotated[WebUser, require(Action.FOLLOWUP)]
"""Dashboards, indicators and statistics (aggregates)."""
AuditReader = Annotated[WebUser, require(Action.AUDIT_LOG)]
"""The audit log of one's units (region-wide for the administrator)."""
PatientSelf = Annotated[WebUser, Depends(patient_self)]
"""A patient, on their own pages."""
