"""The logged-in user of the web pages, as the pages and the services see them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from canrehab.domain.access import Actor
from canrehab.domain.permissions import Action, allowed

if TYPE_CHECKING:
    from canrehab.store.repositories.accounts import Account


@dataclass(frozen=True)
class WebUser:
    username: str
    role: str
    display_name: str
    staff_id: str | None = None
    patient_id: str | None = None
    unit_hsa_ids: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_account(cls, account: Account) -> WebUser:
        return cls(
            username=account.username,
            role=account.role,
            display_name=account.display_name or account.username,
            staff_id=account.staff_id,
            patient_id=account.patient_id,
            unit_hsa_ids=tuple(account.unit_hsa_ids),
        )

    @property
    def actor(self) -> Actor:
        """The user as the services' actor (role, staff member, units, own patient record)."""
        return Actor(
            role=self.role,
            staff_id=self.staff_id,
            unit_hsa_ids=frozenset(self.unit_hsa_ids),
            patient_id=self.patient_id,
            username=self.username,
        )

    def may(self, action: Action) -> bool:
        """Whether the user's role may take ``action`` (the permission table)."""
        return allowed(self.role, action)

    @property
    def is_staff(self) -> bool:
        return self.may(Action.UNIT_WORK)
