"""Vectorised row validation of a PAR extract (pyarrow compute, one record batch at a time).

``validate_batch`` takes a batch whose columns are all text (as read from CSV, or converted from Parquet/SAS),
returns the valid rows converted to ``schema.STORED_SCHEMA`` plus a ``year`` column, and one error record
(line, column, value, reason) for every bad value. A row with at least one error is rejected as a whole;
nothing is dropped without an error record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from canrehab.followup import schema as s

ERROR_SCHEMA = pa.schema(
    [
        pa.field("line", pa.int64()),
        pa.field("column", pa.string()),
        pa.field("value", pa.string()),
        pa.field("reason", pa.string()),
    ]
)

_OP_PATTERN = "^(" + s.KVA_PATTERN[1:-1] + ")( " + s.KVA_PATTERN[1:-1] + ")*$"


@dataclass(frozen=True)
class BatchResult:
    valid: pa.Table  # STORED_SCHEMA + year (int16)
    errors: pa.Table  # ERROR_SCHEMA, one row per bad value
    rejected_mask: pa.BooleanArray  # per input row: True if rejected
    reasons: pa.Array  # per input row: "; "-joined "column: reason", "" if accepted


def empty_errors() -> pa.Table:
    return ERROR_SCHEMA.empty_table()


def _text(batch: pa.Table, name: str) -> pa.Array:
    col = batch.column(name).combine_chunks()
    if not pa.types.is_string(col.type):
        col = pc.cast(col, pa.string())
    return pc.utf8_trim_whitespace(pc.fill_null(col, ""))


def _parse_date(text: pa.Array) -> pa.Array:
    shaped = pc.match_substring_regex(text, s.DATE_PATTERN)
    safe = pc.if_else(shaped, text, pa.scalar(None, pa.string()))
    ts = pc.strptime(safe, format="%Y-%m-%d", unit="s", error_is_null=True)
    # strptime rolls impossible days over (2022-02-30 -> 2022-03-02): a date is valid only if it round-trips.
    roundtrip = pc.equal(pc.strftime(ts, format="%Y-%m-%d"), safe)
    return pc.cast(pc.if_else(pc.fill_null(roundtrip, False), ts, pa.scalar(None, ts.type)), pa.date32())


def validate_batch(
    batch: pa.Table, lines: np.ndarray, county_codes: Iterable[str], *, keep_unknown_county: bool = False
) -> BatchResult:
    """Validate ``batch`` (text columns ``schema.COLUMNS``); ``lines`` holds each row's line number.

    With ``keep_unknown_county`` (lenient import) a row whose only fault is an unknown county code is
    kept with the county unknown (null); its error record is still reported but the row is not rejected.
    """
    n = batch.num_rows
    lopnr = _text(batch, "lopnr")
    kon = _text(batch, "kon")
    alder = _text(batch, "alder")
    lan = _text(batch, "lan")
    vardform = _text(batch, "vardform")
    indatum_t = _text(batch, "indatum")
    utdatum_t = _text(batch, "utdatum")
    hdia = _text(batch, "hdia")
    op = pc.utf8_trim_whitespace(pc.replace_substring_regex(_text(batch, "op"), r"\s+", " "))

    county_list = pa.array(sorted(county_codes), pa.string())
    lan_unknown = pc.and_(pc.not_equal(lan, ""), pc.invert(pc.is_in(lan, county_list)))
    empty_lopnr = pc.equal(lopnr, "")
    alder_shaped = pc.match_substring_regex(alder, r"^[0-9]{1,3}$")
    alder_num = pc.cast(pc.if_else(alder_shaped, alder, pa.scalar("-1")), pa.int32())
    indatum = _parse_date(indatum_t)
    utdatum = _parse_date(utdatum_t)
    sluten = pc.equal(vardform, "sluten")
    ut_empty = pc.equal(utdatum_t, "")
    in_ok = pc.is_valid(indatum)
    ut_ok = pc.is_valid(utdatum)

    texts = {
        "lopnr": lopnr,
        "kon": kon,
        "alder": alder,
        "lan": lan,
        "vardform": vardform,
        "indatum": indatum_t,
        "utdatum": utdatum_t,
        "hdia": hdia,
        "op": op,
    }
    checks: list[tuple[str, pa.Array, pa.Array, str]] = [
        # bytes that were not UTF-8 were read as U+FFFD (readers._Utf8File)
        *((name, pc.match_substring(v, "\ufffd"), v, s.REASON_ENCODING) for name, v in texts.items()),
        ("lopnr", empty_lopnr, lopnr, s.REASON_MISSING),
        ("lopnr", pc.greater(pc.utf8_length(lopnr), s.MAX_LOPNR_LENGTH), lopnr, s.REASON_LOPNR_TOO_LONG),
        ("kon", pc.equal(kon, ""), kon, s.REASON_MISSING),
        (
            "kon",
            pc.and_(pc.not_equal(kon, ""), pc.invert(pc.is_in(kon, pa.array(s.KON_VALUES)))),
            kon,
            s.REASON_KON,
        ),
        ("alder", pc.equal(alder, ""), alder, s.REASON_MISSING),
        (
            "alder",
            pc.and_(pc.not_equal(alder, ""), pc.or_(pc.less(alder_num, 0), pc.greater(alder_num, s.MAX_AGE))),
            alder,
            s.REASON_ALDER,
        ),
        (
            "lan",
            lan_unknown,
            lan,
            s.REASON_LAN,
        ),
        ("vardform", pc.equal(vardform, ""), vardform, s.REASON_MISSING),
        (
            "vardform",
            pc.and_(pc.not_equal(vardform, ""), pc.invert(pc.is_in(vardform, pa.array(s.VARDFORMER)))),
            vardform,
            s.REASON_VARDFORM,
        ),
        ("indatum", pc.equal(indatum_t, ""), indatum_t, s.REASON_MISSING),
        ("indatum", pc.and_(pc.not_equal(indatum_t, ""), pc.invert(in_ok)), indatum_t, s.REASON_DATE),
        ("utdatum", pc.and_(pc.invert(ut_empty), pc.invert(ut_ok)), utdatum_t, s.REASON_DATE),
        ("utdatum", pc.and_(sluten, ut_empty), utdatum_t, s.REASON_UTDATUM_MISSING),
        (
            "utdatum",
            pc.and_(pc.equal(vardform, "oppen"), pc.invert(ut_empty)),
            utdatum_t,
            s.REASON_UTDATUM_OPPEN,
        ),
        ("utdatum", pc.fill_null(pc.less(utdatum, indatum), False), utdatum_t, s.REASON_UT_BEFORE_IN),
        ("hdia", pc.equal(hdia, ""), hdia, s.REASON_MISSING),
        (
            "hdia",
            pc.and_(pc.not_equal(hdia, ""), pc.invert(pc.match_substring_regex(hdia, s.ICD10_PATTERN))),
            hdia,
            s.REASON_HDIA,
        ),
        (
            "op",
            pc.and_(pc.not_equal(op, ""), pc.invert(pc.match_substring_regex(op, _OP_PATTERN))),
            op,
            s.REASON_OP,
        ),
    ]

    line_arr = pa.array(lines, pa.int64())
    error_parts: list[pa.Table] = []
    rejected = np.zeros(n, dtype=bool)
    unknown_lan = np.asarray(pc.fill_null(lan_unknown, False).to_numpy(zero_copy_only=False), dtype=bool)
    reason_lists: list[tuple[np.ndarray, str]] = []
    for column, mask, values, reason in checks:
        m = np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)
        if not m.any():
            continue
        idx = np.flatnonzero(m)
        if not (keep_unknown_county and column == "lan" and reason == s.REASON_LAN):
            rejected |= m
        reason_lists.append((idx, f"{column}: {reason}"))
        error_parts.append(
            pa.table(
                {
                    "line": line_arr.take(idx),
                    "column": pa.array([column] * len(idx), pa.string()),
                    "value": values.take(idx),
                    "reason": pa.array([reason] * len(idx), pa.string()),
                },
                schema=ERROR_SCHEMA,
            )
        )
    errors = pa.concat_tables(error_parts).sort_by("line") if error_parts else empty_errors()

    reasons = np.full(n, "", dtype=object)
    for idx, text in reason_lists:
        cur = reasons[idx]
        reasons[idx] = np.where(cur == "", text, cur + "; " + text)

    keep = pa.array(~rejected)
    contact_date = pc.if_else(sluten, utdatum, indatum)
    year = pc.cast(pc.year(contact_date), pa.int16())
    valid = pa.table(
        {
            "lopnr": lopnr,
            "kon": pc.cast(pc.if_else(pc.is_in(kon, pa.array(s.KON_VALUES)), kon, pa.scalar("0")), pa.int8()),
            "alder": pc.cast(pc.if_else(pc.greater_equal(alder_num, 0), alder_num, 0), pa.int16()),
            "lan": pc.if_else(
                pc.or_(pc.equal(lan, ""), pa.array(unknown_lan)), pa.scalar(None, pa.string()), lan
            ),
            "vardform": vardform,
            "indatum": indatum,
            "utdatum": utdatum,
            "hdia": hdia,
            "op": op,
            "year": year,
        }
    ).filter(keep)
    valid = valid.cast(stored_schema_with_year())
    return BatchResult(
        valid=valid, errors=errors, rejected_mask=pa.array(rejected), reasons=pa.array(reasons, pa.string())
    )


def stored_schema_with_year() -> pa.Schema:
    return s.STORED_SCHEMA.append(pa.field("year", pa.int16(), nullable=False))
