from __future__ import annotations

from pathlib import Path

import pytest

from canrehab.codes.catalog import (
    DefinitionError,
    load_kva,
    load_processes,
    load_professions,
    load_routines,
    require_kva,
    routine_for,
)
from canrehab.domain.diagnosis import process_for
from canrehab.domain.errors import DomainError
from canrehab.domain.model import KeyMoment, PhaseKind, Profession


def test_every_profession_has_a_label_and_the_known_add_on_codes() -> None:
    professions = load_professions()
    assert set(professions) == set(Profession)
    assert all(p.label_sv for p in professions.values())
    expected = {
        Profession.OCCUPATIONAL_THERAPIST: "XS910",
        Profession.DIETITIAN: "XS912",
        Profession.COUNSELLOR: "XS913",
        Profession.SPEECH_THERAPIST: "XS914",
        Profession.PHYSIOTHERAPIST: "XS918",
        Profession.NURSE: "XS919",
    }
    for profession, code in expected.items():
        assert professions[profession].kva_code == code
    assert professions[Profession.SEXOLOGIST].kva_code is None
    kva = load_kva()
    for p in professions.values():
        if p.kva_code:
            assert kva[p.kva_code].add_on


def test_kva_list_has_the_care_process_codes() -> None:
    kva = load_kva()
    for code in (
        "AU010",
        "AW019",
        "AW020",
        "AW024",
        "AW027",
        "AW035",
        "XV019",
        "XV020",
        "DV111",
        "DV121",
        "DV131",
        "DV141",
        "AU124",
        "DV076",
    ):
        assert code in kva and not kva[code].add_on
    assert kva["AW020"].text_sv == "Upprättande av rehabiliteringsplan"
    assert require_kva("AW024").code == "AW024"
    with pytest.raises(DomainError) as err:
        require_kva("ZZ999")
    assert err.value.code == "kva.unknown"


@pytest.mark.parametrize(
    ("icd", "process"),
    [
        ("C50.9", "breast"),
        ("C341", "lung"),
        ("C33", "lung"),
        ("C18.7", "colorectal"),
        ("C20", "colorectal"),
        ("C61", "prostate"),
        ("C53.9", "gynaecological"),
        ("C56", "gynaecological"),
        ("C67.9", "urinary_bladder"),
        ("C64", "kidney"),
        ("C16.0", "upper_gi"),
        ("C25.1", "upper_gi"),
        ("C22", "upper_gi"),
        ("C01", "head_neck"),
        ("C32.0", "head_neck"),
        ("C71.9", "brain"),
        ("C91.1", "haematological"),
        ("C43.5", "melanoma"),
        ("C44.9", "other"),
        ("C97", "other"),
    ],
)
def test_processes_cover_the_diagnoses(icd: str, process: str) -> None:
    assert process_for(icd, load_processes()) == process


def test_process_names_are_swedish() -> None:
    names = {p.id: p.name_sv for p in load_processes()}
    assert names["breast"] == "Bröstcancer"
    assert load_processes()[-1].id == "other"


def test_routines_refer_to_known_processes_and_have_a_default() -> None:
    routines = load_routines()
    known = {p.id for p in load_processes()}
    assert "default" in routines
    assert set(routines) - {"default"} <= known
    breast = routine_for("breast", routines)
    plus_90 = [t for t in breast.triggers if t.anchor is PhaseKind.TREATMENT_END and t.offset_days == 90]
    assert plus_90 and plus_90[0].key_moment is KeyMoment.FOLLOW_UP
    assert routine_for("melanoma", routines).process == "default"


def test_a_region_can_load_its_own_routine_file(tmp_path: Path) -> None:
    path = tmp_path / "routines.yaml"
    path.write_text(
        "routines:\n"
        "  - process: default\n"
        "    triggers:\n"
        "      - {key_moment: diagnosis, anchor: diagnosis, grace_days: 5}\n"
        "  - process: lung\n"
        "    triggers:\n"
        "      - {key_moment: follow_up, anchor: treatment_end, offset_days: 30}\n",
        encoding="utf-8",
    )
    routines = load_routines(path)
    assert set(routines) == {"default", "lung"}
    assert routines["default"].triggers[0].grace_days == 5
    assert routines["lung"].triggers[0].offset_days == 30


def test_invalid_files_name_the_file_and_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "professions.yaml"
    bad.write_text("professions:\n  - {profession: nurse, label_sv: Sjuksköterska, kva_code: X1}\n")
    with pytest.raises(DefinitionError) as err:
        load_professions(bad)
    assert str(bad) in str(err.value) and "professions.0.kva_code" in str(err.value)

    incomplete = tmp_path / "p2.yaml"
    incomplete.write_text("professions:\n  - {profession: nurse, label_sv: Sjuksköterska, kva_code: XS919}\n")
    with pytest.raises(DefinitionError, match=r"professions missing: .*dietitian"):
        load_professions(incomplete)

    procs = tmp_path / "processes.yaml"
    procs.write_text("processes:\n  - {id: breast, name_sv: Bröst, icd10: [C5O]}\n")
    with pytest.raises(DefinitionError, match=r"processes\.0\.icd10"):
        load_processes(procs)

    routines = tmp_path / "routines.yaml"
    routines.write_text(
        "routines:\n  - process: lung\n    triggers:\n      - {key_moment: x, anchor: diagnosis}\n"
    )
    with pytest.raises(DefinitionError, match=r"routines\.0\.triggers\.0\.key_moment"):
        load_routines(routines)

    with pytest.raises(DefinitionError, match="file not found"):
        load_kva(tmp_path / "missing.yaml")
    broken = tmp_path / "kva.yaml"
    broken.write_text("codes: [\n")
    with pytest.raises(DefinitionError, match="not valid YAML"):
        load_kva(broken)


def test_the_region_definitions_directory_replaces_the_shipped_files_and_is_checked_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from canrehab.config import Settings
    from canrehab.services.context import Catalog, Services

    region = tmp_path / "region"
    region.mkdir()
    (region / "routines.yaml").write_text(
        "routines:\n"
        "  - process: default\n"
        "    triggers:\n"
        "      - {key_moment: diagnosis, anchor: diagnosis, grace_days: 7}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CANREHAB_DEFINITIONS_DIR", str(region))
    catalog = Catalog.load()
    assert set(catalog.routines) == {"default"} and catalog.routines["default"].triggers[0].grace_days == 7
    assert len(catalog.processes) == len(
        load_processes(Path(__file__).parents[2] / "canrehab/codes/processes.yaml")
    )

    other = tmp_path / "other-region"  # (files are read once per path and process)
    other.mkdir()
    monkeypatch.setenv("CANREHAB_DEFINITIONS_DIR", str(other))
    (other / "routines.yaml").write_text(
        "routines:\n"
        "  - process: default\n"
        "    triggers: [{key_moment: diagnosis, anchor: diagnosis}]\n"
        "  - process: melanom\n"
        "    triggers: [{key_moment: diagnosis, anchor: diagnosis}]\n",
        encoding="utf-8",
    )
    with pytest.raises(DefinitionError, match=r"unknown diagnosis processes: melanom"):
        Services.open(Settings(data_dir=tmp_path, secret_key="test"), migrate=True)

    monkeypatch.setenv("CANREHAB_DEFINITIONS_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(DefinitionError, match="definitions directory not found"):
        load_kva()
