"""The study population and person-level facts, as Ibis expressions (written once, run on any backend).

Rules (as in Socialstyrelsen's analysis; docs/followup.md says the same in Swedish):

* Contact year: the year of ``utdatum`` for inpatient stays and of ``indatum`` for outpatient visits
  (``schema.CONTACT_YEAR_RULE``).
* Study population of a year: distinct persons with at least one contact in the year whose main diagnosis
  (``hdia``) is C00–C97, in inpatient (``sluten``) or specialised outpatient (``oppen``) care.
* A person has a KVÅ code if it is registered on any of the person's contacts in the year, whatever the main
  diagnosis of that contact; persons are counted, not registrations.
* Care type: a person belongs to the inpatient (outpatient) population if they had a cancer contact of that
  type, and has a code there if it is registered on one of their contacts of that type.
* County of residence: the ``lan`` of the person's latest contact in the year that carries a county (latest by
  contact date; on the same date the highest county code wins, so the result is deterministic). A person whose
  contacts carry no county has an unknown county and counts in the national total only.
* Sex: ``kon`` of the latest contact; age: the highest ``alder`` in the year (age at the latest contact),
  grouped by configurable bands (default 0–17, 18+).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

import ibis
from ibis import _

from canrehab.followup import schema as s

DEFAULT_AGE_BANDS: tuple[tuple[int, int | None], ...] = ((0, 17), (18, None))
PREFILTER_MAX_CODES = 12


Bands = Sequence[tuple[int, int | None]]


def parse_bands(text: str) -> tuple[tuple[int, int | None], ...]:
    """``"0-17,18-64,65+"`` -> ((0, 17), (18, 64), (65, None)). Bands must start at 0, follow each other
    without gaps and end open (``N+``), so that every person falls in exactly one."""
    bands: list[tuple[int, int | None]] = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        if part.endswith("+"):
            bands.append((int(part[:-1]), None))
        else:
            first, _, last = part.partition("-")
            bands.append((int(first), int(last)))
    expected = 0
    for i, (lo, hi) in enumerate(bands):
        if lo != expected or (hi is None) != (i == len(bands) - 1) or (hi is not None and hi < lo):
            raise ValueError(
                f"åldersgrupperna {text!r} ska börja på 0, följa varandra utan luckor och sluta med N+"
            )
        expected = (hi or 0) + 1
    if not bands:
        raise ValueError("inga åldersgrupper")
    return tuple(bands)


def band_label(lo: int, hi: int | None) -> str:
    return f"{lo}-{hi}" if hi is not None else f"{lo}+"


def contact_year(t: ibis.Table) -> ibis.Value:
    return (t.vardform == "sluten").ifelse(t.utdatum.year(), t.indatum.year())


def contact_date(t: ibis.Table) -> ibis.Value:
    return (t.vardform == "sluten").ifelse(t.utdatum, t.indatum)


def months_covered(contacts: ibis.Table, years: Sequence[int]) -> dict[int, int]:
    """Per year, the number of calendar months in which the extract has any contact (by contact date)."""
    d = contact_date(contacts)
    t = contacts.select(y=d.year(), m=d.month()).filter(lambda t: t.y.isin(list(years)))
    df = t.distinct().group_by("y").aggregate(n=ibis._.count()).to_pandas()
    return {int(y): 0 for y in years} | {int(r["y"]): int(r["n"]) for r in df.to_dict("records")}


def is_cancer(t: ibis.Table) -> ibis.Value:
    return t.hdia.substr(0, 3).between(s.CANCER_FIRST, s.CANCER_LAST) & t.vardform.isin(s.VARDFORMER)


def year_contacts(contacts: ibis.Table, years: Sequence[int]) -> ibis.Table:
    t = contacts
    if "year" in t.columns:  # partition column of an imported dataset: prunes files
        t = t.filter(t.year.isin(list(years)))
    t = t.mutate(cyear=contact_year(t).cast("int32"))
    return t.filter(t.cyear.isin(list(years)))


def age_group(alder: ibis.Value, bands: Sequence[tuple[int, int | None]] = DEFAULT_AGE_BANDS) -> ibis.Value:
    cases = []
    for lo, hi in bands:
        cond = alder >= lo if hi is None else alder.between(lo, hi)
        cases.append((cond, band_label(lo, hi)))
    return ibis.cases(*cases, else_=None)


def _ymd(d: ibis.Value) -> ibis.Value:
    """A date as the integer YYYYMMDD (cheap to compare and to combine into ordering keys)."""
    return d.year().cast("int64") * 10000 + d.month().cast("int64") * 100 + d.day().cast("int64")


def _latest_lan_key(yc: ibis.Table) -> ibis.Value:
    """max() of this key gives the county of the latest contact with a county; ties: the highest code."""
    return yc.lan.notnull().ifelse(_ymd(contact_date(yc)) * 100 + yc.lan.cast("int64"), ibis.null("int64"))


def _lan_of(key: ibis.Value) -> ibis.Value:
    return (key % 100).cast("string").lpad(2, "0")


def persons(yc: ibis.Table, bands: Sequence[tuple[int, int | None]] = DEFAULT_AGE_BANDS) -> ibis.Table:
    """One row per person and year in the study population: lopnr, cyear, lan (null: unknown), kon, alder,
    age_group, sluten, oppen (had a cancer contact of that care type)."""
    cancer = is_cancer(yc)
    agg = yc.group_by(["lopnr", "cyear"]).aggregate(
        sluten=(cancer & (yc.vardform == "sluten")).any(),
        oppen=(cancer & (yc.vardform == "oppen")).any(),
        lan_key=_latest_lan_key(yc).max(),
        kon_key=(_ymd(contact_date(yc)) * 10 + yc.kon.cast("int64")).max(),
        alder=yc.alder.max(),
    )
    agg = agg.filter(agg.sluten | agg.oppen)
    return agg.select(
        "lopnr",
        "cyear",
        lan=_lan_of(agg.lan_key),
        kon=(agg.kon_key % 10).cast("int8"),
        alder=agg.alder,
        age_group=age_group(agg.alder, bands),
        sluten=agg.sluten,
        oppen=agg.oppen,
    )


def persons_lean(yc: ibis.Table) -> ibis.Table:
    """The population with only what a plain region table needs: lopnr, cyear, lan."""
    agg = yc.group_by(["lopnr", "cyear"]).aggregate(
        cancer=is_cancer(yc).any(), lan_key=_latest_lan_key(yc).max()
    )
    agg = agg.filter(agg.cancer)
    return agg.select("lopnr", "cyear", lan=_lan_of(agg.lan_key))


def person_codes(yc: ibis.Table, codes: Sequence[str] | None) -> ibis.Table:
    """Distinct (lopnr, cyear, code) with the care types of the contacts the code was registered on; all
    contacts count, whatever their main diagnosis. ``codes`` None: every code."""
    ex = yc.select("lopnr", "cyear", "vardform", code=yc["op"].split(" ").unnest())
    ex = ex.filter(ex.code.isin(list(codes))) if codes is not None else ex.filter(ex.code != "")
    return ex.group_by(["lopnr", "cyear", "code"]).aggregate(
        on_sluten=(ex.vardform == "sluten").any(),
        on_oppen=(ex.vardform == "oppen").any(),
    )


@dataclass(frozen=True)
class YearModel:
    """Person-level tables for a set of years; reuse for every table of a report."""

    persons: ibis.Table
    codes: ibis.Table  # person_codes joined to the population (only population persons)
    cached: bool = False

    def release(self) -> None:
        """Drop the backend's cached tables (no-op if not cached)."""
        if self.cached:
            for t in (self.codes, self.persons):
                with contextlib.suppress(Exception):
                    t.release()


def build(
    contacts: ibis.Table,
    years: Sequence[int],
    codes: Sequence[str] | None,
    bands: Sequence[tuple[int, int | None]] = DEFAULT_AGE_BANDS,
    cache: bool = False,
    lean: bool = False,
) -> YearModel:
    """Person-level tables. ``lean``: only lopnr, cyear, lan and code (enough for a region table without
    care-type, sex or age filters; the same rule, less work)."""
    yc = year_contacts(contacts, years)
    if lean:
        lp = persons_lean(yc)
        src = yc
        if codes is not None and len(codes) <= PREFILTER_MAX_CODES:
            # A code can only be in a contact whose op text contains it: skip splitting the others.
            src = yc.filter(ibis.or_(*[yc["op"].contains(c) for c in codes]))
        ex = src.select("lopnr", "cyear", code=src["op"].split(" ").unnest())
        ex = ex.filter(ex.code.isin(list(codes))) if codes is not None else ex.filter(ex.code != "")
        lc = ex.distinct().join(lp, ["lopnr", "cyear"]).select("lopnr", "cyear", "code", "lan")
        return YearModel(persons=lp, codes=lc)
    p = persons(yc, bands)
    pc = person_codes(yc, codes)
    joined = pc.join(p, ["lopnr", "cyear"]).select(
        "lopnr", "cyear", "code", "on_sluten", "on_oppen", "lan", "kon", "age_group", "sluten", "oppen"
    )
    if cache:
        p = p.cache()
        joined = joined.cache()
    return YearModel(persons=p, codes=joined, cached=cache)


def care_filter(t: ibis.Table, care_type: str | None, *, on_code: bool) -> ibis.Table:
    """Restrict to a care type's population (and, for code rows, to codes registered in that care type)."""
    if care_type is None:
        return t
    if care_type not in s.VARDFORMER:
        raise ValueError(f"unknown care type {care_type!r}")
    cond = t[care_type]
    if on_code:
        cond = cond & t[f"on_{care_type}"]
    return t.filter(cond)


__all__ = [
    "DEFAULT_AGE_BANDS",
    "YearModel",
    "_",
    "age_group",
    "build",
    "care_filter",
    "person_codes",
    "persons",
]
