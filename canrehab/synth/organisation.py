"""The synthetic region's organisation: care units in several counties and their staff."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from canrehab.codes.geography import load_counties
from canrehab.domain.model import CareLevel, CareUnit, Profession, Staff
from canrehab.synth.names import FEMALE, MALE, SURNAMES

# Specialised clinics of each county's hospital and the ICD-10 three-character codes they treat
# (everything else is treated at the oncology clinic).
CLINICS: dict[str, tuple[str, tuple[str, ...]]] = {
    "ONK": ("Onkologiska kliniken", ()),
    "KIR": ("Kirurgiska kliniken", ("C50", "C15", "C16", "C17", "C18", "C19", "C20", "C22", "C25")),
    "URO": ("Urologiska kliniken", ("C61", "C64", "C65", "C66", "C67", "C68")),
    "KK": ("Kvinnokliniken", ("C51", "C52", "C53", "C54", "C55", "C56", "C57")),
}
REHAB_TEAM = (
    Profession.PHYSIOTHERAPIST,
    Profession.PHYSIOTHERAPIST,
    Profession.OCCUPATIONAL_THERAPIST,
    Profession.OCCUPATIONAL_THERAPIST,
    Profession.COUNSELLOR,
    Profession.COUNSELLOR,
    Profession.DIETITIAN,
    Profession.PSYCHOLOGIST,
    Profession.SPEECH_THERAPIST,
    Profession.LYMPH_THERAPIST,
    Profession.SEXOLOGIST,
    Profession.URO_THERAPIST,
    Profession.STOMA_THERAPIST,
)
PRIMARY_STAFF = (Profession.NURSE, Profession.PHYSIOTHERAPIST, Profession.OCCUPATIONAL_THERAPIST)
DEFAULT_COUNTIES = ("05", "06", "08")
PATIENTS_PER_HOSPITAL = 10_000  # RCC Sydöst: Östergötland, Jönköping, Kalmar


@dataclass
class Organisation:
    units: list[CareUnit] = field(default_factory=list)
    staff: list[Staff] = field(default_factory=list)
    # (county, ICD-10 3 chars) -> the clinics (one per hospital of the county) that treat it
    clinic_for: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    oncology: dict[str, list[str]] = field(default_factory=dict)  # county -> oncology clinics
    rehab_unit: dict[str, str] = field(default_factory=dict)  # county -> rehab unit hsa id
    primary_units: dict[str, list[str]] = field(default_factory=dict)  # county -> primary care unit ids
    staff_by_unit: dict[str, list[Staff]] = field(default_factory=dict)
    bcc: str | None = None  # the healthcare region's barncancercentrum (children's cancer centre) hsa id

    def clinic(self, county: str, icd10: str, rng: random.Random) -> str:
        return rng.choice(self.clinic_for.get((county, icd10[:3])) or self.oncology[county])

    def nurses(self, unit_hsa_id: str) -> list[Staff]:
        return [s for s in self.staff_by_unit[unit_hsa_id] if s.profession == Profession.CONTACT_NURSE]

    def consulting_nurses(self) -> list[Staff]:
        """The barncancercentrum's konsultsjuksköterskor (002: "en roll som kallas konsultsjuksköterska vid
        samtliga BCC"); empty when the region has no centre."""
        if self.bcc is None:
            return []
        return [s for s in self.staff_by_unit[self.bcc] if s.profession == Profession.CONSULTING_NURSE]

    def of_profession(self, unit_hsa_id: str, profession: Profession) -> list[Staff]:
        return [s for s in self.staff_by_unit[unit_hsa_id] if s.profession == profession]


def hsa_id(county: str, suffix: str) -> str:
    """A synthetic HSA-id: ``SE`` + a county-region organisation number stand-in + ``-`` + unit code."""
    return f"SE23210000{county}-{suffix}"


def _person(rng: random.Random) -> str:
    first = rng.choice(FEMALE if rng.random() < 0.8 else MALE)
    return f"{first} {rng.choice(SURNAMES)}"


def build_organisation(rng: random.Random, counties: tuple[str, ...], patients: int) -> Organisation:
    names = {c.code: c for c in load_counties().counties}
    org = Organisation()
    # Hospitals per county grow with the region's size (about one per 10 000 patients), so that a clinic's
    # caseload stays realistic (a few thousand pathways) also in a 200 000-patient region.
    hospitals = max(1, -(-patients // (len(counties) * PATIENTS_PER_HOSPITAL)))
    nurses_per_clinic = max(2, min(40, patients // (len(counties) * hospitals * len(CLINICS) * 150)))
    serial = 0

    def add_staff(unit: CareUnit, profession: Profession) -> None:
        nonlocal serial
        serial += 1
        member = Staff(
            id=f"staff-{serial:05d}",
            hsa_id=f"{unit.hsa_id}-P{serial:05d}",
            name=_person(rng),
            profession=profession,
            unit_hsa_id=unit.hsa_id,
        )
        org.staff.append(member)
        org.staff_by_unit.setdefault(unit.hsa_id, []).append(member)

    for county in counties:
        place = names[county].name
        for hospital in range(hospitals):
            for code, (clinic, icd_codes) in CLINICS.items():
                suffix = code if hospital == 0 else f"{code}{hospital + 1}"
                where = place if hospital == 0 else f"{place}, sjukhus {hospital + 1}"
                unit = CareUnit(hsa_id=hsa_id(county, suffix), name=f"{clinic}, {where}", county_code=county)
                org.units.append(unit)
                if code == "ONK":
                    org.oncology.setdefault(county, []).append(unit.hsa_id)
                for icd in icd_codes:
                    org.clinic_for.setdefault((county, icd), []).append(unit.hsa_id)
                for _ in range(nurses_per_clinic):
                    add_staff(unit, Profession.CONTACT_NURSE)
                for _ in range(2):
                    add_staff(unit, Profession.PHYSICIAN)
        rehab = CareUnit(
            hsa_id=hsa_id(county, "REH"), name=f"Cancerrehabilitering, {place}", county_code=county
        )
        org.units.append(rehab)
        org.rehab_unit[county] = rehab.hsa_id
        for profession in REHAB_TEAM:
            add_staff(rehab, profession)
        org.primary_units[county] = []
        for i, level in enumerate(
            (CareLevel.REGIONAL_PRIMARY, CareLevel.REGIONAL_PRIMARY, CareLevel.MUNICIPAL)
        ):
            label = "Vårdcentralen" if level == CareLevel.REGIONAL_PRIMARY else "Kommunal hälso- och sjukvård"
            unit = CareUnit(
                hsa_id=hsa_id(county, f"PV{i + 1}"),
                name=f"{label} {place} {i + 1}",
                county_code=county,
                level=level,
            )
            org.units.append(unit)
            org.primary_units[county].append(unit.hsa_id)
            for profession in PRIMARY_STAFF:
                add_staff(unit, profession)
    _add_childrens_cancer_centre(org, names[counties[0]].name, counties[0], serial)
    return org


def _add_childrens_cancer_centre(org: Organisation, place: str, county: str, serial: int) -> None:
    """One barncancercentrum for the region (002: the six BCC treat children from several counties; the
    home region's hospital takes part in the care), in the first county, with two konsultsjuksköterskor
    and a physician. Own generator for the names: the rest of the organisation stays as it was."""
    rng = random.Random(f"bcc:{county}")
    unit = CareUnit(hsa_id=hsa_id(county, "BCC"), name=f"Barncancercentrum, {place}", county_code=county)
    org.units.append(unit)
    org.bcc = unit.hsa_id
    for profession in (Profession.CONSULTING_NURSE, Profession.CONSULTING_NURSE, Profession.PHYSICIAN):
        serial += 1
        member = Staff(
            id=f"staff-{serial:05d}",
            hsa_id=f"{unit.hsa_id}-P{serial:05d}",
            name=_person(rng),
            profession=profession,
            unit_hsa_id=unit.hsa_id,
        )
        org.staff.append(member)
        org.staff_by_unit.setdefault(unit.hsa_id, []).append(member)
