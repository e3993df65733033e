from __future__ import annotations

import pytest

from canrehab.domain.access import (
    Actor,
    may_read_patient,
    may_write_patient,
    require_read,
    require_write,
    sees_identities,
)
from canrehab.domain.errors import DomainError


def actor(role: str, units: set[str] | None = None, patient_id: str | None = None) -> Actor:
    return Actor(
        role=role,
        staff_id="s" if patient_id is None else None,
        unit_hsa_ids=frozenset(units or ()),
        patient_id=patient_id,
        username=role,
    )


@pytest.mark.parametrize("role", ["nurse", "doctor", "rehab_professional"])
def test_staff_read_and_write_only_related_patients(role: str) -> None:
    a = actor(role, {"U1", "U2"})
    assert may_read_patient(a, "p", {"U2", "U9"}) and may_write_patient(a, "p", {"U2"})
    assert not may_read_patient(a, "p", {"U9"}) and not may_write_patient(a, "p", {"U9"})
    assert not may_read_patient(a, "p", set())
    assert sees_identities(a)


def test_unit_manager_reads_only() -> None:
    a = actor("unit_manager", {"U1"})
    assert may_read_patient(a, "p", {"U1"})
    assert not may_write_patient(a, "p", {"U1"})
    with pytest.raises(DomainError) as err:
        require_write(a, "p", {"U1"})
    assert err.value.code == "access.denied" and "ändra" in err.value.message_sv


def test_analyst_never_sees_records() -> None:
    a = actor("regional_analyst", {"U1"})
    assert not may_read_patient(a, "p", {"U1"}) and not may_write_patient(a, "p", {"U1"})
    assert not sees_identities(a)
    with pytest.raises(DomainError, match=r"access\.denied"):
        require_read(a, "p", {"U1"})


def test_patient_sees_only_self() -> None:
    a = actor("patient", patient_id="p1")
    assert may_read_patient(a, "p1", set()) and not may_read_patient(a, "p2", set())
    assert not may_write_patient(a, "p1", set())
    assert sees_identities(a)


def test_admin_and_unknown_roles() -> None:
    assert may_read_patient(actor("admin"), "p", set()) and may_write_patient(actor("admin"), "p", set())
    assert not may_read_patient(actor("hacker", {"U1"}), "p", {"U1"})
    require_read(actor("nurse", {"U1"}), "p", {"U1"})
