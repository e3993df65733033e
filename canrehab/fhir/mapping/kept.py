"""Which elements of an incoming resource canrehab keeps: one table, one check for every resource type.

An element is kept when the mapping reads it (``READ``). Any other element is accepted only when it is
what canrehab itself serves for the record (derived or fixed elements, such as ``Task.description``, that a
client sends back as it read them); otherwise the write is refused naming the element, never answered 2xx
and dropped. Extensions are checked by URL in the same way. ``meta`` (the version is the ETag; profiles and
timestamps are the server's) and ``text`` (the narrative is generated) are never data.
"""

from __future__ import annotations

from typing import Any

from canrehab.fhir import systems

Json = dict[str, Any]

NEVER_DATA = frozenset({"resourceType", "id", "meta", "text"})
READ: dict[str, frozenset[str]] = {
    "Patient": frozenset(
        {"identifier", "name", "gender", "birthDate", "deceasedDateTime", "address", "extension"}
    ),
    "Organization": frozenset({"identifier", "name", "type", "address", "extension"}),
    "PractitionerRole": frozenset({"identifier", "code", "practitioner", "organization", "extension"}),
    "EpisodeOfCare": frozenset(
        {
            "status",
            "patient",
            "managingOrganization",
            "period",
            "careManager",
            "diagnosis",
            "contained",
            "extension",
        }
    ),
    "QuestionnaireResponse": frozenset(
        {"questionnaire", "status", "subject", "authored", "item", "source", "extension"}
    ),
    "CarePlan": frozenset(
        {"status", "subject", "author", "period", "contained", "replaces", "category", "goal", "extension"}
    ),
    "ServiceRequest": frozenset(
        {
            "status",
            "performer",
            "category",
            "reasonCode",
            "subject",
            "requester",
            "performerType",
            "authoredOn",
            "extension",
        }
    ),
    "Task": frozenset(
        {
            "status",
            "businessStatus",
            "statusReason",
            "input",
            "owner",
            "performerType",
            "for",
            "focus",
            "requester",
            "authoredOn",
            "extension",
        }
    ),
    "Procedure": frozenset({"status", "code", "subject", "performer", "performedDateTime", "extension"}),
    # Stored as part of another resource: the EpisodeOfCare's diagnosis, the CarePlan's goals, the
    # PractitionerRole's name (contained, or separate entries of a transaction Bundle).
    "Condition": frozenset({"code", "subject", "recordedDate", "onsetDateTime", "extension"}),
    "Goal": frozenset({"description", "target", "extension"}),
    "Practitioner": frozenset({"name"}),
}
# Served from another record's state, so any value is restated rather than kept: a goal's lifecycle is its
# plan's status (a draft's goals are proposed, an established plan's active).
FOLLOWS: dict[str, frozenset[str]] = {"Goal": frozenset({"lifecycleStatus"})}


def _extension_urls(resource: Json) -> set[str]:
    return {str(e.get("url")) for e in resource.get("extension", []) or [] if isinstance(e, dict)}


# Restated from the code or reference they accompany, never data of their own.
RESTATED = frozenset({"display"})
# Extensions read in full by their mapping although the resource does not serve all of it: the advice codes
# given when a needs level is confirmed are read (and checked) on the confirming update, not served.
READ_WHOLE = frozenset({systems.EXT_CONFIRMED_LEVEL})


def _covers(served: Any, sent: Any) -> bool:
    """Whether ``served`` has every element ``sent`` has, at any depth (values may be normalised: a
    personnummer's OID system served as the URI, an ICD-10 code with its dot)."""
    if isinstance(sent, dict):
        return isinstance(served, dict) and not _uncovered(served, sent, "")
    if isinstance(sent, list):
        return isinstance(served, list) and not _unmatched(served, sent)
    return True


def _unmatched(served: list[Any], sent: list[Any]) -> list[int]:
    """The indexes of ``sent`` items no distinct ``served`` item covers (each served item covers one: a
    second coding where canrehab serves one is not kept)."""
    free = list(range(len(served)))
    missing = []
    for i, item in enumerate(sent):
        url = item.get("url") if isinstance(item, dict) else None
        match = next(
            (
                j
                for j in free
                if (url is None or (isinstance(served[j], dict) and served[j].get("url") == url))
                and _covers(served[j], item)
            ),
            None,
        )
        if match is None:
            missing.append(i)
        else:
            free.remove(match)
    return missing


def _uncovered(served: Json, sent: Json, path: str) -> list[str]:
    """The paths below ``path`` of the elements of ``sent`` that ``served`` lacks; a list item is covered
    by any served item that has all its elements (an extension by the one with its url)."""
    out: list[str] = []
    for name, value in sent.items():
        if name in RESTATED or value in (None, [], {}, ""):
            continue
        here = f"{path}.{name}"
        if name not in served:
            out.append(here)
            continue
        mine = served[name]
        if isinstance(value, dict):
            out += _uncovered(mine, value, here) if isinstance(mine, dict) else [here]
        elif isinstance(value, list):
            if not isinstance(mine, list):
                out.append(here)
                continue
            for i in _unmatched(mine, value):
                item = value[i]
                same = [s for s in mine if isinstance(s, dict) and isinstance(item, dict)]
                if isinstance(item, dict) and "url" in item:
                    same = [s for s in same if s.get("url") == item["url"]]
                if len(same) == 1 and len(value) == 1:  # name the part the one counterpart lacks
                    out += _uncovered(same[0], item, f"{here}[{i}]") or [f"{here}[{i}]"]
                else:
                    out.append(f"{here}[{i}]")
    return out


def unkept_elements(data: Json, stored_form: Json) -> list[str]:
    """The elements of ``data`` (FHIRPath-like, e.g. ``Procedure.note``, ``Procedure.code.text``) that
    canrehab would not keep: at the top, those neither read by the mapping nor equal to ``stored_form``
    (the resource canrehab serves for what it keeps of ``data``); inside an element the mapping reads, any
    part that ``stored_form`` does not have (so a sub-element the mapping skips is refused, not dropped)."""
    rtype = str(data.get("resourceType", ""))
    read = READ.get(rtype, frozenset()) | FOLLOWS.get(rtype, frozenset())
    unkept = [
        f"{rtype}.{name}"
        for name, value in data.items()
        if name not in NEVER_DATA and name not in read and value != stored_form.get(name)
    ]
    if "extension" in read:
        served = _extension_urls(stored_form)
        unkept += [f"{rtype}.extension('{url}')" for url in sorted(_extension_urls(data) - served)]
    for name in sorted(read & set(data) - {"contained"}):
        if name not in stored_form or name in FOLLOWS.get(rtype, frozenset()):
            continue
        sent = data[name]
        if name == "extension" and isinstance(sent, list):  # an unknown url is named above
            known = _extension_urls(stored_form)
            sent = [e for e in sent if isinstance(e, dict) and str(e.get("url")) in known - READ_WHOLE]
        unkept += _uncovered({name: stored_form[name]}, {name: sent}, rtype)
    return unkept
