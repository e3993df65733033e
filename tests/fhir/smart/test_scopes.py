"""SMART scopes as values: v2 and v1 parse alike, a grant never exceeds what is allowed nor drops what both
allow, and the 403 message names what is missing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canrehab.fhir.smart.scopes import (
    INTERACTION_PERMISSION,
    Scope,
    ScopeError,
    grant,
    missing_message,
    parse_scope,
    parse_scopes,
    permits,
)

TYPES = ("Patient", "Procedure", "CarePlan", "*")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("system/Patient.rs", Scope("system", "Patient", "rs")),
        ("system/*.cruds", Scope("system", "*", "cruds")),
        ("user/Patient.r", Scope("user", "Patient", "r")),
        ("patient/*.rs", Scope("patient", "*", "rs")),
        ("system/Patient.read", Scope("system", "Patient", "rs")),  # v1 aliases
        ("user/*.write", Scope("user", "*", "cud")),
        ("patient/Observation.*", Scope("patient", "Observation", "cruds")),
    ],
)
def test_v2_scopes_and_their_v1_aliases_parse(text: str, expected: Scope) -> None:
    assert parse_scope(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("system/Patient.sr", "not a SMART resource scope"),  # v2 letters are in the order c r u d s
        ("system/Patient.", "not a SMART resource scope"),
        ("practitioner/Patient.r", "not a SMART resource scope"),
        ("system/patient.r", "not a SMART resource scope"),
        ("system/Patient.rs?category=x", "search parameters are not supported"),
    ],
)
def test_malformed_or_unsupported_scopes_are_refused_by_name(text: str, words: str) -> None:
    with pytest.raises(ScopeError, match=words) as caught:
        parse_scope(text)
    assert text.split("?")[0] in str(caught.value)


def test_non_resource_scopes_grant_nothing_and_are_left_out() -> None:
    assert parse_scopes("openid fhirUser launch offline_access system/Patient.rs") == (
        Scope("system", "Patient", "rs"),
    )


@pytest.mark.parametrize(
    ("requested", "allowed", "granted"),
    [
        ("system/*.rs", "system/Patient.rs", "system/Patient.rs"),
        ("system/*.cruds", "system/Patient.rs system/Procedure.c", "system/Patient.rs system/Procedure.c"),
        ("system/Patient.read", "system/*.r", "system/Patient.r"),
        ("system/Procedure.rs", "system/Patient.rs", ""),
        ("user/*.rs", "system/*.rs", ""),  # contexts never mix
        ("system/Patient.r system/*.rs", "system/*.rs", "system/*.rs"),  # a covered scope goes
    ],
)
def test_the_grant_is_the_intersection_of_requested_and_allowed(
    requested: str, allowed: str, granted: str
) -> None:
    assert " ".join(s.text for s in grant(parse_scopes(requested), parse_scopes(allowed))) == granted


scopes = st.builds(
    Scope,
    st.sampled_from(("system", "user")),
    st.sampled_from(TYPES),
    st.sets(st.sampled_from("cruds"), min_size=1).map(lambda ps: "".join(p for p in "cruds" if p in ps)),
)


@given(st.lists(scopes, max_size=4), st.lists(scopes, max_size=4))
def test_a_grant_allows_exactly_what_both_requested_and_allowed_allow(
    requested: list[Scope], allowed: list[Scope]
) -> None:
    granted = grant(requested, allowed)
    for rtype in TYPES[:-1]:
        for interaction in INTERACTION_PERMISSION:
            both = permits(requested, rtype, interaction) and permits(allowed, rtype, interaction)
            # per context: a requested system/ scope met with an allowed user/ one grants nothing
            by_context = any(
                permits([r], rtype, interaction) and permits([a], rtype, interaction)
                for r in requested
                for a in allowed
                if r.context == a.context
            )
            assert permits(granted, rtype, interaction) == by_context
            assert not permits(granted, rtype, interaction) or both


def test_the_missing_scope_message_names_the_interaction_and_the_scope_needed() -> None:
    message = missing_message(parse_scopes("system/Patient.rs"), "Procedure", "create")
    assert "(system/Patient.rs)" in message and "create of Procedure" in message
    assert "system/Procedure.c" in message
