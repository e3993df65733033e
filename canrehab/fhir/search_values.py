"""Values of FHIR search parameters (R4 §3.1.1): tokens ``[system]|[code]``, dates with prefixes as ranges,
references and strings; comma-separated alternatives with ``\\`` escapes.

Dates are ranges: ``2026`` is the whole year, ``2026-03`` the month, ``2026-03-05`` the day, a dateTime the
second (or the minute). Dates without a time zone are taken as UTC days, for the search value and for the
resource's value alike. A prefix compares the search range S with the resource's range T as the
specification says: ``eq`` S contains T, ``ne`` it does not, ``gt``/``lt`` the range above/below S overlaps
T, ``ge``/``le`` T reaches into S or above / S or below (so an open-ended period starting on day D is ``le``
D), ``sa``/``eb`` T lies wholly after/before S.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from canrehab.fhir.outcome import FhirError

Range = tuple[datetime | None, datetime | None]  # [lo, hi), None: unbounded
Coding = tuple[str | None, str]  # (system, code) of a resource element
PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb")
UNSUPPORTED_PREFIXES = ("ap",)
DATE_SHAPE = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?P<f>\.\d{1,9})?)?"
    r"(?P<tz>Z|[+\- ]\d{2}:\d{2})?)?)?)?$"
)


def split_values(raw: str) -> list[str]:
    """The comma-separated alternatives of a parameter value (``\\,`` is a literal comma)."""
    return [unescape(v) for v in _split(raw, ",")]


def _split(raw: str, sep: str) -> list[str]:
    parts, current, escaped = [], [], False
    for ch in raw:
        if escaped:
            current.append("\\" + ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    if escaped:
        current.append("\\")
    parts.append("".join(current))
    return parts


def unescape(value: str) -> str:
    return re.sub(r"\\([\\,|$])", r"\1", value)


# ---------------------------------------------------------------------------------------------- dates


def _bad_date(name: str, raw: str, why: str = "") -> FhirError:
    return FhirError(
        400,
        f"{name}: {raw!r} is not a FHIR date search value ([eq|ne|gt|lt|ge|le|sa|eb]YYYY[-MM[-DD"
        f"[Thh:mm[:ss][Z|+hh:mm]]]]){': ' + why if why else ''}.",
        code="value",
        expression=(name,),
    )


def date_range(text: str) -> Range | None:
    """The range a FHIR date/dateTime/instant value stands for; None when it is not one."""
    match = DATE_SHAPE.match(text.strip())
    if match is None:
        return None
    g = match.groupdict()
    try:
        year = int(g["y"])
        if g["m"] is None:
            return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
        month = int(g["m"])
        if g["d"] is None:
            start = datetime(year, month, 1, tzinfo=UTC)
            return start, datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
        day = date(year, month, int(g["d"]))
        if g["H"] is None:
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return start, start + timedelta(days=1)
        tz = _zone(g["tz"])
        fraction = g["f"] or ""
        micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
        start = datetime(
            day.year, day.month, day.day, int(g["H"]), int(g["M"]), int(g["S"] or 0), micro, tzinfo=tz
        ).astimezone(UTC)
        if fraction:
            step = timedelta(microseconds=1)
        elif g["S"] is not None:
            step = timedelta(seconds=1)
        else:
            step = timedelta(minutes=1)
        return start, start + step
    except (ValueError, OverflowError):
        return None


def _zone(text: str | None) -> timezone:
    if not text or text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1  # a '+' arrives as a space when a client forgot to encode it
    hours, minutes = int(text[1:3]), int(text[4:6])
    if hours > 14 or minutes > 59:
        raise ValueError("time zone offset out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def instant_range(value: datetime) -> Range:
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return moment, moment + timedelta(microseconds=1)


def period_range(start: str | None, end: str | None) -> Range | None:
    """A Period's range (an open end is unbounded); None when neither end is a date."""
    lo = date_range(start) if start else None
    hi = date_range(end) if end else None
    if lo is None and hi is None:
        return None
    return (lo[0] if lo else None), (hi[1] if hi else None)


@dataclass(frozen=True)
class DateValue:
    prefix: str
    lo: datetime
    hi: datetime

    def matches(self, target: Range) -> bool:
        tl, th = target
        contains = tl is not None and th is not None and self.lo <= tl and th <= self.hi
        above = th is None or th > self.hi
        below = tl is None or tl < self.lo
        overlaps = (tl is None or tl < self.hi) and (th is None or th > self.lo)
        return {
            "eq": contains,
            "ne": not contains,
            "gt": above,
            "lt": below,
            # ge/le: the target reaches into [S.lo, inf) / (-inf, S.hi) -- so an open-ended period that
            # starts on the searched day is ``le`` that day, one that ends on it ``ge`` it
            "ge": th is None or th > self.lo,
            "le": tl is None or tl < self.hi,
            "sa": not overlaps and tl is not None and tl >= self.hi,
            "eb": not overlaps and th is not None and th <= self.lo,
        }[self.prefix]

    def instant_intervals(self) -> tuple[Range, ...]:
        """Where a point in time matches (for a database query on a timestamp column): one or two ranges."""
        return {
            "eq": ((self.lo, self.hi),),
            "ne": ((None, self.lo), (self.hi, None)),
            "gt": ((self.hi, None),),
            "sa": ((self.hi, None),),
            "lt": ((None, self.lo),),
            "eb": ((None, self.lo),),
            "ge": ((self.lo, None),),
            "le": ((None, self.hi),),
        }[self.prefix]


def parse_date_value(name: str, raw: str) -> DateValue:
    text = raw.strip()
    prefix = "eq"
    if text[:2].isalpha():
        prefix, text = text[:2], text[2:]
        if prefix in UNSUPPORTED_PREFIXES:
            raise FhirError(
                400, f"{name}: the prefix 'ap' is not supported.", code="not-supported", expression=(name,)
            )
        if prefix not in PREFIXES:
            raise _bad_date(name, raw, f"unknown prefix {prefix!r}")
    found = date_range(text)
    if found is None:
        raise _bad_date(name, raw)
    lo, hi = found
    assert lo is not None and hi is not None
    return DateValue(prefix, lo, hi)


# ---------------------------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class TokenValue:
    """``code`` (any system), ``system|code``, ``|code`` (no system), ``system|`` (any code of it)."""

    system: str | None
    code: str | None
    no_system: bool = False

    def matches(self, codings: Iterable[Coding]) -> bool:
        for system, code in codings:
            if self.no_system and system:
                continue
            if self.system is not None and system != self.system:
                continue
            if self.code is not None and code != self.code:
                continue
            return True
        return False


def parse_token(name: str, raw: str) -> TokenValue:
    parts = _split(raw, "|")
    if len(parts) == 1:
        return TokenValue(None, unescape(parts[0]))
    if len(parts) > 2:
        raise FhirError(
            400, f"{name}: {raw!r} has more than one '|' (use system|code).", code="value", expression=(name,)
        )
    system, code = unescape(parts[0]), unescape(parts[1])
    if not system and not code:
        raise FhirError(400, f"{name}: '|' alone is not a token.", code="value", expression=(name,))
    if not system:
        return TokenValue(None, code, no_system=True)
    return TokenValue(system, code or None)


# ---------------------------------------------------------------------------------------------- references


@dataclass(frozen=True)
class ReferenceValue:
    type: str | None
    id: str

    def matches(self, references: Iterable[str]) -> bool:
        for reference in references:
            rtype, _, rid = reference.rpartition("/")
            if rid == self.id and (self.type is None or rtype.rsplit("/", 1)[-1] == self.type):
                return True
        return False


def parse_reference(name: str, raw: str, targets: tuple[str, ...]) -> ReferenceValue:
    """``id``, ``Type/id`` or an absolute URL ending in ``Type/id``; the type must be one of ``targets``."""
    text = raw.strip()
    parts = [p for p in text.split("/") if p]
    if len(parts) == 1 and "/" not in text:
        return ReferenceValue(targets[0] if len(targets) == 1 else None, parts[0])
    if len(parts) >= 2 and (len(parts) == 2 or text.startswith(("http://", "https://"))):
        rtype, rid = parts[-2], parts[-1]
        if rtype in targets:
            return ReferenceValue(rtype, rid)
    raise FhirError(
        400,
        f"{name} must be an id or {'/'.join(targets) or 'Type'}/<id>, got {raw!r}",
        code="value",
        expression=(name,),
    )


# ---------------------------------------------------------------------------------------------- strings


def fold(text: str) -> str:
    """Case- and accent-insensitive form (FHIR string search)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class StringValue:
    text: str

    def matches(self, values: Iterable[str]) -> bool:
        """A value equal to or starting with the search text (ignoring case and accents)."""
        wanted = fold(self.text)
        return any(fold(v).startswith(wanted) for v in values)
