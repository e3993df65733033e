"""Disclosure control: cells hidden and cells recoverable, before and after, and the audit's runtime.

Tables: the county/RCC table of the four region codes (AW020, AW024, XV019, XV020 and the population) built
from Socialstyrelsen's Tabell 6 (``definitions/par_2022_reference.yaml``: "<4" given as 2; persons without a
county = the population minus the counties) and, with ``--extract``, from a synthetic national extract.
"Before" is the previous smallest-cell heuristic (``--baseline-ref``, read from git) and primary-only;
"after" the least-cost suppression of ``canrehab.followup.suppression``. Every pattern is audited by the same
integer-LP audit (``canrehab.followup.disclosure_audit``).

    .venv/bin/python benchmarks/sdc.py [--extract DIR_OR_FILE --year 2024] [--baseline-ref 5612124]
        [--policy suppress|round|both]

``--policy round`` (OpenSAFELY: counts up to 7 suppressed, the rest rounded to 5) audits with every published
count known only to its rounding interval; the smallest-cell heuristic is a suppression-only baseline.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
import types
from collections.abc import Hashable

from canrehab.followup import suppression as sup
from canrehab.followup.disclosure_audit import audit
from canrehab.followup.synth_par import load_reference
from canrehab.followup.tables import GeoCounts, geo_tables

CODES = ("AW020", "AW024", "XV019", "XV020")


def tabell6() -> GeoCounts:
    ref = load_reference()
    cells = {(lan, c): int(v[c]) for lan, v in ref.counties.items() for c in CODES}
    totals: dict[str | None, int] = {lan: int(v["total"]) for lan, v in ref.counties.items()}
    totals[None] = ref.population - sum(totals.values())
    return GeoCounts(CODES, cells, totals)  # type: ignore[arg-type]


def from_extract(path: str, year: int) -> GeoCounts:
    from canrehab.followup import population, tables
    from canrehab.followup.sources import contacts_table

    with contacts_table(path, "duckdb") as (_, contacts):
        model = population.build(contacts, [year], list(CODES), population.DEFAULT_AGE_BANDS, cache=False)
        try:
            return tables.geo_counts(model, list(CODES), year=year)
        finally:
            model.release()


def old_module(ref: str) -> types.ModuleType:
    src = subprocess.run(
        ["git", "show", f"{ref}:canrehab/followup/suppression.py"], capture_output=True, text=True, check=True
    ).stdout
    mod = types.ModuleType("old_suppression")
    sys.modules["old_suppression"] = mod  # dataclasses look their module up
    exec(compile(src, "old_suppression.py", "exec"), mod.__dict__)
    return mod


def row(name: str, counts: GeoCounts, state: dict[Hashable, str], policy: sup.Policy = sup.SUPPRESS) -> None:
    t = geo_tables(counts, policy.threshold, complementary=False, policy=policy)["county"]
    system = t.system
    assert system is not None
    shown = {k: v for k, v in state.items() if k[0] != "unknown"}  # type: ignore[index]
    start = time.perf_counter()
    res = audit(system, state, policy)
    secs = time.perf_counter() - start
    exact = sum(f.exact for f in res.recoverable)
    primary = sum(v == sup.PRIMARY for v in shown.values())
    print(
        f"| {name} | {primary} | {len(shown) - primary} | {len(res.recoverable)} ({exact} exact) | "
        f"{secs * 1000:.0f} ms |"
    )


def compare(label: str, counts: GeoCounts, baseline_ref: str, policy: sup.Policy = sup.SUPPRESS) -> None:
    t = geo_tables(counts, policy.threshold, complementary=False, policy=policy)["county"]
    system = t.system
    assert system is not None and t.state is not None
    groups = system.groups
    small = f"<{policy.threshold}"
    name = f"rounding to {policy.rounding}" if policy.rounding > 1 else "suppression"
    print(f"\n{label}, policy {name} ({small}): {len(system.values)} cells, {len(groups)} relations")
    print(f"| suppression | {small} shown | X (complementary) | recoverable by the audit | audit time |")
    print("|---|---|---|---|---|")
    row("primary only (--no-complementary)", counts, sup.protect(system, policy, complementary=False), policy)
    if policy.rounding <= 1:
        old = old_module(baseline_ref)
        row(f"smallest-cell heuristic ({baseline_ref})", counts, old.suppress(system.values, groups, 4))
    start = time.perf_counter()
    new = sup.protect(system, policy)
    print(f"<!-- least-cost suppression incl. its own audits: {time.perf_counter() - start:.2f} s -->")
    row("least-cost, audited (now)", counts, new, policy)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--extract")
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--baseline-ref", default="5612124")
    ap.add_argument("--policy", choices=["suppress", "round", "both"], default="both")
    a = ap.parse_args()
    policies = [sup.SUPPRESS, sup.ROUND] if a.policy == "both" else [sup.POLICIES[a.policy]]
    cpu = platform.processor() or platform.machine()
    print(f"machine: {platform.platform()}, {cpu}, {os.cpu_count()} CPUs")
    extract = from_extract(a.extract, a.year) if a.extract else None
    for policy in policies:
        compare("Tabell 6 (2022, 211 649 persons)", tabell6(), a.baseline_ref, policy)
        if extract is not None:
            compare(f"synthetic extract {a.extract} ({a.year})", extract, a.baseline_ref, policy)


if __name__ == "__main__":
    main()
