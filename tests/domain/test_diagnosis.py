from __future__ import annotations

import pytest

from canrehab.domain.definitions import ProcessDef
from canrehab.domain.diagnosis import is_malignant, normalise_icd10, process_for
from canrehab.domain.errors import DomainError


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("C50.9", "C509"),
        ("c509", "C509"),
        ("C50", "C50"),
        (" C34.1 ", "C341"),
        ("D05.1", "D051"),
        ("C91.0A", "C910A"),
    ],
)
def test_normalise(raw: str, normal: str) -> None:
    assert normalise_icd10(raw) == normal


@pytest.mark.parametrize("raw", ["", "C5", "50.9", "CC50", "C50..9", "C50.999", "C5O", "Ç50"])
def test_bad_shape_is_rejected(raw: str) -> None:
    with pytest.raises(DomainError) as err:
        normalise_icd10(raw)
    assert err.value.code == "icd10.invalid"
    assert "ICD-10" in err.value.message_sv


@pytest.mark.parametrize(
    ("code", "malignant"),
    [("C00", True), ("C97", True), ("C50.9", True), ("D05.1", False), ("C98", False), ("I10", False)],
)
def test_is_malignant(code: str, malignant: bool) -> None:
    assert is_malignant(code) is malignant


def test_process_for_first_match_and_other() -> None:
    processes = [
        ProcessDef(id="a", name_sv="A", icd10=("C15-C17", "C22")),
        ProcessDef(id="b", name_sv="B", icd10=("C16",)),
    ]
    assert process_for("C16.2", processes) == "a"
    assert process_for("C22.0", processes) == "a"
    assert process_for("C18", processes) == "other"


def test_process_def_rejects_bad_ranges() -> None:
    with pytest.raises(ValueError, match="ends before"):
        ProcessDef(id="a", name_sv="A", icd10=("C20-C18",))
