"""Synthetic national PAR extract: county sizes and code frequencies of the order of Socialstyrelsen's 2022
analysis (``definitions/par_2022_reference.yaml``, ``codes/kva_rehab.yaml``), about 14 contacts per person.

Vectorised (numpy/pyarrow), generated and written in chunks of persons, deterministic for a given seed. What
it contains on purpose, so that the population rule is exercised at scale: non-cancer contacts carrying rehab
codes, the same code registered on several contacts, persons with only non-cancer contacts (outside the
population), inpatient stays admitted in the previous year, persons who move between counties during the year,
and persons with an unknown county (empty ``lan``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import yaml
from pydantic import BaseModel, ConfigDict

from canrehab.codes.kva import rehab_codes

REFERENCE_FILE = Path(__file__).parent / "definitions" / "par_2022_reference.yaml"
REGION_CODES = ("AW020", "AW024", "XV019", "XV020")
NON_CANCER_DIAGNOSES = ("I109", "E119", "Z511", "J189", "K590", "R509", "M545", "N390", "I489", "Z031")
CANCER_DIAGNOSES = (
    "C509",
    "C619",
    "C189",
    "C341",
    "C443",
    "C679",
    "C169",
    "C259",
    "C710",
    "C910",
    "C800",
    "C20",
)
# Frequent procedure codes that are not rehab-relevant (noise on contacts, as in the real register).
OTHER_CODES = (
    "DT016",
    "DT033",
    "AF037",
    "AF016",
    "XF001",
    "TJF10",
    "ZXA10",
    "UJD02",
    "TNX30",
    "SN005",
    "AQ014",
    "DT026",
    "ZV051",
    "GD002",
    "XS100",
)
CHUNK_PERSONS = 50_000
NONPOPULATION_SHARE = 0.08  # extra persons with only non-cancer contacts
MOVER_SHARE = 0.01
OUTPATIENT_EXTRA_VISITS = 12.8  # Poisson mean of outpatient contacts beyond the first


class CountyRef(BaseModel):
    model_config = ConfigDict(extra="allow")
    total: int


class Reference(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: int
    population: int
    women: int
    men: int
    children: int
    inpatient: int
    outpatient: int
    counties: dict[str, dict[str, int]]
    inpatient_codes: dict[str, int]
    children_codes: dict[str, int]
    introduced: dict[str, int]  # code -> first year it can be registered
    new_code_persons: dict[str, int]  # assumed persons a year for codes without a 2022 figure


def load_reference(path: Path | None = None) -> Reference:
    with (path or REFERENCE_FILE).open(encoding="utf-8") as fh:
        return Reference.model_validate(yaml.safe_load(fh))


@dataclass(frozen=True)
class _Model:
    codes: tuple[str, ...]
    p_adult: np.ndarray  # per code: probability that an adult in the population has it
    p_child: np.ndarray
    share_inpatient: np.ndarray  # per code: probability that a registration is on an inpatient contact
    county_codes: tuple[str, ...]  # "" = unknown
    county_p: np.ndarray
    region_p: np.ndarray  # county x REGION_CODES probabilities
    p_women: float
    p_child_person: float
    p_sluten_only: float
    p_both: float


def _model(year: int, ref: Reference) -> _Model:
    kva = rehab_codes()
    n = ref.population
    codes = tuple(c.code for c in kva.codes)
    p_adult = np.zeros(len(codes))
    p_child = np.zeros(len(codes))
    share = np.zeros(len(codes))
    for i, c in enumerate(kva.codes):
        if year < ref.introduced.get(c.code, 0):
            continue  # the code did not exist yet
        persons = c.persons_2022 if c.persons_2022 is not None else 50  # tabell 2: under 100
        if c.code in ref.new_code_persons:
            persons = ref.new_code_persons[c.code]
        p_adult[i] = persons / n
        p_child[i] = ref.children_codes.get(c.code, persons * 0.3 * ref.children / n) / ref.children
        inpatient = ref.inpatient_codes.get(c.code)
        share[i] = min(1.0, inpatient / persons) if inpatient else 0.12
        if c.code == "AW030":
            share[i] = 1.0
    known = sorted(ref.counties)
    totals = np.array([ref.counties[k]["total"] for k in known], dtype=float)
    unknown = max(0, ref.population - int(totals.sum()))
    county_codes = (*known, "")
    county_p = np.append(totals, unknown) / ref.population
    region_p = np.array(
        [[ref.counties[k].get(code, 0) / ref.counties[k]["total"] for code in REGION_CODES] for k in known]
        + [[0.02, 0.003, 0.025, 0.009]]
    )
    both = ref.inpatient + ref.outpatient - ref.population
    return _Model(
        codes=codes,
        p_adult=p_adult,
        p_child=p_child,
        share_inpatient=share,
        county_codes=county_codes,
        county_p=county_p,
        region_p=region_p,
        p_women=ref.women / ref.population,
        p_child_person=ref.children / ref.population,
        p_sluten_only=(ref.inpatient - both) / ref.population,
        p_both=both / ref.population,
    )


def generate(
    persons: int = 211_649,
    year: int = 2022,
    seed: int = 1,
    chunk_persons: int = CHUNK_PERSONS,
    person_offset: int = 0,
) -> Iterator[pa.Table]:
    """Yield the extract in chunks (tables with the PAR columns, typed)."""
    ref = load_reference()
    model = _model(year, ref)
    total_persons = persons + round(persons * NONPOPULATION_SHARE)
    for chunk, start in enumerate(range(0, total_persons, chunk_persons)):
        n = min(chunk_persons, total_persons - start)
        rng = np.random.default_rng([seed, year, chunk])
        yield _chunk(rng, model, year, start, n, persons, person_offset)


def _chunk(
    rng: np.random.Generator, m: _Model, year: int, start: int, n: int, population: int, person_offset: int
) -> pa.Table:
    ids = np.arange(start, start + n)
    in_pop = ids < population
    county = rng.choice(len(m.county_codes), size=n, p=m.county_p)
    women = rng.random(n) < m.p_women
    child = rng.random(n) < m.p_child_person
    age = np.where(child, rng.integers(0, 18, n), np.clip(rng.normal(68, 12, n).round(), 18, 100)).astype(
        np.int16
    )
    cat = rng.random(n)
    has_sluten = in_pop & (cat < m.p_sluten_only + m.p_both)
    has_oppen = in_pop & (cat >= m.p_sluten_only)
    n_sluten = np.where(has_sluten, 1 + rng.poisson(0.8, n), rng.poisson(0.15, n))
    n_oppen = np.where(has_oppen, 1 + rng.poisson(OUTPATIENT_EXTRA_VISITS, n), rng.poisson(1.5, n))
    n_oppen = np.where(~in_pop & (n_sluten + n_oppen == 0), 1, n_oppen)
    n_contacts = n_sluten + n_oppen
    offsets = np.concatenate([[0], np.cumsum(n_contacts)])
    total = int(offsets[-1])

    person = np.repeat(np.arange(n), n_contacts)
    pos = np.arange(total) - offsets[person]
    sluten = pos < n_sluten[person]
    first_of_type = (pos == 0) | (pos == n_sluten[person])
    may_cancer = np.where(sluten, has_sluten[person], has_oppen[person])
    cancer = may_cancer & (first_of_type | (rng.random(total) < 0.8))

    # Dates: contact (discharge) date in the year; inpatient stays may be admitted in the previous year.
    day0 = date(year, 1, 1).toordinal()
    ndays = date(year + 1, 1, 1).toordinal() - day0
    contact_day = rng.integers(0, ndays, total)
    los = np.where(sluten, rng.geometric(0.2, total) - 1, 0)
    epoch = date(1970, 1, 1).toordinal()
    out_date = contact_day + day0 - epoch
    in_date = out_date - los

    # County per contact; movers carry another county on contacts after their moving day.
    lan_idx = county[person].copy()
    mover = rng.random(n) < MOVER_SHARE
    move_day = rng.integers(0, ndays, n)
    new_county = rng.integers(0, len(m.county_codes) - 1, n)
    moved = mover[person] & (contact_day > move_day[person]) & (county[person] != len(m.county_codes) - 1)
    lan_idx = np.where(moved, new_county[person], lan_idx)

    # Diagnoses.
    hdia_idx = np.where(
        cancer,
        rng.integers(0, len(CANCER_DIAGNOSES), total),
        len(CANCER_DIAGNOSES) + rng.integers(0, len(NON_CANCER_DIAGNOSES), total),
    )

    # Rehab codes: per person and code, then on one or more of the person's contacts.
    reg_person, reg_code = _person_codes(rng, m, in_pop, child, county)
    repeats = 1 + rng.poisson(0.4, len(reg_person))
    reg_person = np.repeat(reg_person, repeats)
    reg_code = np.repeat(reg_code, repeats)
    ns, no = n_sluten[reg_person], n_oppen[reg_person]
    want_sluten = (ns > 0) & ((no == 0) | (rng.random(len(reg_person)) < m.share_inpatient[reg_code]))
    pick = np.where(want_sluten, rng.integers(0, np.maximum(ns, 1)), ns + rng.integers(0, np.maximum(no, 1)))
    reg_contact = offsets[reg_person] + pick
    # Noise: other procedure codes.
    n_other = rng.poisson(0.5, total)
    other_contact = np.repeat(np.arange(total), n_other)
    other_code = len(m.codes) + rng.integers(0, len(OTHER_CODES), len(other_contact))

    contact_ix = np.concatenate([reg_contact, other_contact])
    code_ix = np.concatenate([reg_code, other_code]).astype(np.int32)
    key = np.unique(contact_ix.astype(np.int64) * 1024 + code_ix)
    contact_ix, code_ix = key // 1024, (key % 1024).astype(np.int32)
    counts = np.bincount(contact_ix, minlength=total)
    list_offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    vocabulary = pa.array([*m.codes, *OTHER_CODES], pa.string())
    op = pc.binary_join(
        pa.ListArray.from_arrays(pa.array(list_offsets), vocabulary.take(pa.array(code_ix))), " "
    )

    lan_vocab = pa.array([c if c else None for c in m.county_codes], pa.string())
    hdia_vocab = pa.array([*CANCER_DIAGNOSES, *NON_CANCER_DIAGNOSES], pa.string())
    lopnr = pc.cast(pa.array(ids[person] + person_offset + 10_000_001, pa.int64()), pa.string())
    table = pa.table(
        {
            "lopnr": lopnr,
            "kon": pa.array(np.where(women, 2, 1)[person].astype(np.int8)),
            "alder": pa.array(age[person]),
            "lan": lan_vocab.take(pa.array(lan_idx)),
            "vardform": pa.array(np.where(sluten, "sluten", "oppen")),
            "indatum": pa.array(in_date.astype("int32"), pa.int32()).cast(pa.date32()),
            "utdatum": pc.if_else(
                pa.array(sluten),
                pa.array(out_date.astype("int32"), pa.int32()).cast(pa.date32()),
                pa.scalar(None, pa.date32()),
            ),
            "hdia": hdia_vocab.take(pa.array(hdia_idx)),
            "op": op,
        }
    )
    # Contacts in date order, as a register extract would be sorted.
    return table.take(pc.sort_indices(table, [("indatum", "ascending"), ("lopnr", "ascending")]))


def _person_codes(
    rng: np.random.Generator, m: _Model, in_pop: np.ndarray, child: np.ndarray, county: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (person, code) drawn with the reference probabilities (county-specific for the region codes)."""
    n = len(in_pop)
    persons_out: list[np.ndarray] = []
    codes_out: list[np.ndarray] = []
    region_ix = {c: i for i, c in enumerate(REGION_CODES)}
    for ci, code in enumerate(m.codes):
        if m.p_adult[ci] == 0 and m.p_child[ci] == 0:
            continue  # not introduced in this year
        if code in region_ix:
            p = np.where(child, m.p_child[ci], m.region_p[county, region_ix[code]])
        else:
            p = np.where(child, m.p_child[ci], m.p_adult[ci])
        p = np.where(in_pop, p, m.p_adult[ci] * 0.2)  # non-population persons get a few codes too
        expected = float(p.sum())
        if expected <= 0:
            continue
        k = min(n, rng.poisson(expected))
        if k == 0:
            continue
        chosen = rng.choice(n, size=k, replace=False, p=p / expected)
        persons_out.append(chosen)
        codes_out.append(np.full(k, ci, dtype=np.int32))
    if not persons_out:
        return np.zeros(0, np.int64), np.zeros(0, np.int32)
    return np.concatenate(persons_out), np.concatenate(codes_out)


def write_extract(
    output: Path,
    persons: int = 211_649,
    year: int = 2022,
    seed: int = 1,
    years: int = 1,
    chunk_persons: int = CHUNK_PERSONS,
) -> int:
    """Write ``years`` years ending with ``year`` to ``output`` (.parquet or .csv); return rows written."""
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    rows = 0
    csv_mode = output.suffix.lower() == ".csv"
    writer: pq.ParquetWriter | pacsv.CSVWriter | None = None
    try:
        for y in range(year - years + 1, year + 1):
            # Half of each year's persons come back the next year.
            offset = (y - (year - years + 1)) * (persons // 2)
            for table in generate(persons, y, seed, chunk_persons, person_offset=offset):
                if writer is None:
                    writer = (
                        pacsv.CSVWriter(tmp, table.schema)
                        if csv_mode
                        else pq.ParquetWriter(tmp, table.schema, compression="zstd")
                    )
                writer.write_table(table)
                rows += table.num_rows
    finally:
        if writer is not None:
            writer.close()
    tmp.replace(output)
    return rows
