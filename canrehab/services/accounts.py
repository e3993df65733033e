"""Local user accounts (argon2 password hashes) and the demo logins."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from argon2 import PasswordHasher

from canrehab.domain.errors import DomainError
from canrehab.domain.permissions import ACCOUNT_ROLES
from canrehab.services.context import SYSTEM

if TYPE_CHECKING:
    from canrehab.services.context import Services

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


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
    if len(password) < 10:
        raise DomainError("account.password", "Lösenordet måste ha minst 10 tecken.", "password too short")
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
