"""Local user accounts (argon2 password hashes, ``canrehab.services.passwords``): creation, and the login
bookkeeping that the web login and the FHIR API's Basic authentication share (failed logins, lockout)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from canrehab.domain.errors import DomainError
from canrehab.domain.permissions import ACCOUNT_ROLES
from canrehab.services.context import SYSTEM
from canrehab.services.passwords import (
    burn_verification,
    check_password,
    hash_password,
    verify_password,
)

if TYPE_CHECKING:
    from canrehab.services.context import Services
    from canrehab.store.repositories.accounts import Account
    from canrehab.store.sessions import WebSession


def create_user(
    services: Services,
    *,
    username: str,
    role: str,
    password: str,
    display_name: str = "",
    staff_id: str | None = None,
    patient_id: str | None = None,
    unit_hsa_ids: Sequence[str] = (),
) -> None:
    if role not in ACCOUNT_ROLES:
        raise DomainError("account.role", f"Okänd roll: {role}.", f"unknown role {role}")
    check_password(password, username)
    if role == "patient" and not patient_id:
        raise DomainError(
            "account.patient", "Ett patientkonto måste kopplas till en patient.", "patient id needed"
        )
    with services.uow(SYSTEM) as uow:
        if uow.accounts.get(username) is not None:
            raise DomainError("account.exists", "Användarnamnet är upptaget.", "username taken")
        if staff_id:
            member = uow.staff.get(staff_id)
            unit_hsa_ids = tuple(unit_hsa_ids) or (member.unit_hsa_id,)
            display_name = display_name or member.name
        for unit in unit_hsa_ids:
            uow.units.get(unit)
        if patient_id:
            display_name = display_name or uow.patients.get(patient_id).name
        uow.accounts.create(
            username=username,
            password_hash=hash_password(password),
            role=role,
            display_name=display_name or username,
            staff_id=staff_id,
            patient_id=patient_id,
            unit_hsa_ids=list(unit_hsa_ids),
        )


def login_account(services: Services, username: str) -> Account | None:
    """The account a login names (exactly), or None; read without an audit entry (a login is not a read of
    a patient's record, and the web re-reads the account on every request)."""
    if not username:
        return None
    with services.uow(SYSTEM, log_reads=False) as uow:
        account: Account | None = uow.accounts.get(username)
        return account


def password_login(services: Services, username: str, password: str) -> tuple[Account | None, bool]:
    """The account a login names and whether ``password`` opens it (not locked, the right password), after
    exactly one argon2 verification whatever the answer, so that neither the answer's time nor its content
    tells an unknown or locked account from a wrong password. The web login and FHIR Basic share it."""
    account = login_account(services, username)
    if account is None or account.locked or not account.password_hash:
        burn_verification(password)
        return account, False
    return account, verify_password(account.password_hash, password)


def session_account(services: Services, token: str) -> tuple[WebSession, Account | None] | None:
    """The server-side session of a cookie's token and its account (None: the account is gone), or None when
    there is no such session: what the web checks on every request, in one query (no audit: no patient
    data)."""
    found: tuple[WebSession, Account | None] | None = services.web_sessions.get_with_account(token)
    return found


def login_succeeded(services: Services, username: str) -> None:
    """A successful login: the failure count and any lockout are cleared."""
    with services.uow(SYSTEM, log_reads=False) as uow:
        uow.accounts.login_succeeded(username)
