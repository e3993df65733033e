"""Property test of the row validator against a plain-Python oracle of the rules."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from canrehab.codes.geography import default_counties
from canrehab.followup import schema as s
from canrehab.followup.validate import validate_batch

COUNTIES = default_counties().by_code

VALUES = {
    "lopnr": ["1", "P123", "", "  ", "x" * 65, " 42 "],
    "kon": ["1", "2", "0", "3", "", "m"],
    "alder": ["0", "17", "125", "126", "-1", "", "4.5", "ab"],
    "lan": ["01", "25", "", "99", "1", "001"],
    "vardform": ["sluten", "oppen", "", "Sluten", "primarvard"],
    "indatum": ["2022-03-01", "2022-02-29", "2024-02-29", "2022-13-01", "", "01/03/2022"],
    "utdatum": ["", "2022-03-05", "2022-02-01", "2022-02-30"],
    "hdia": ["C509", "C61", "C910A", "I109", "C50.9", "", "c509", "5099"],
    "op": ["", "AW020", "AW020 XV019", "  AW020   NGB49 ", "AW20", "AW020,XV019", "aw020", "AW0201"],
}


def _date(text: str) -> date | None:
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def oracle(row: dict[str, str]) -> bool:
    r = {k: v.strip() for k, v in row.items()}
    ind, utd = _date(r["indatum"]), _date(r["utdatum"])
    checks = [
        r["lopnr"] != "" and len(r["lopnr"]) <= s.MAX_LOPNR_LENGTH,
        r["kon"] in ("1", "2"),
        bool(re.fullmatch(r"[0-9]{1,3}", r["alder"])) and int(r["alder"] or 0) <= s.MAX_AGE,
        r["lan"] == "" or r["lan"] in COUNTIES,
        r["vardform"] in ("sluten", "oppen"),
        ind is not None,
        (r["vardform"] != "sluten" or (utd is not None and (ind is None or utd >= ind))),
        (r["vardform"] != "oppen" or r["utdatum"] == ""),
        r["utdatum"] == "" or utd is not None,
        bool(re.fullmatch(s.ICD10_PATTERN, r["hdia"])),
        all(re.fullmatch(s.KVA_PATTERN, tok) for tok in r["op"].split()),
    ]
    return all(checks)


row_strategy = st.fixed_dictionaries({k: st.sampled_from(v) for k, v in VALUES.items()})


@settings(max_examples=150, deadline=None)
@given(st.lists(row_strategy, min_size=1, max_size=40))
def test_validator_accepts_exactly_the_rows_the_rules_allow(rows: list[dict[str, str]]) -> None:
    batch = pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in s.COLUMNS})
    lines = np.arange(2, 2 + len(rows))
    res = validate_batch(batch, lines, COUNTIES)
    expected = [oracle(r) for r in rows]
    rejected = res.rejected_mask.to_pylist()
    assert [not x for x in rejected] == expected
    assert res.valid.num_rows + sum(rejected) == len(rows)
    bad_lines = {e["line"] for e in res.errors.to_pylist()}
    assert bad_lines == {int(lines[i]) for i, ok in enumerate(expected) if not ok}
    assert all((reason != "") == bad for reason, bad in zip(res.reasons.to_pylist(), rejected, strict=True))
