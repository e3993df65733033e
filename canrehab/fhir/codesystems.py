"""canrehab's own CodeSystems that a sending system must know to write a value: served at
``/fhir/CodeSystem`` (public, like the profiles), each built from the one definition of its codes.

* ``svf-pathway``: the SVF pathways of ``codes/svf.yaml`` (the file ``services.svf.record`` checks
  against), display ``name_sv`` — the ``pathway`` of the EpisodeOfCare extension ``svf``.
* ``svf-first-treatment``: ``canrehab.domain.svf.FirstTreatment`` with ``FIRST_TREATMENT_SV`` — its
  ``firstTreatment``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from canrehab.domain.svf import FIRST_TREATMENT_SV
from canrehab.fhir import systems
from canrehab.fhir.mapping.svf import definitions

Json = dict[str, Any]


def _code_system(url: str, name: str, title: str, description: str, concepts: list[tuple[str, str]]) -> Json:
    return {
        "resourceType": "CodeSystem",
        "id": url.rsplit("/", 1)[1],
        "url": url,
        "version": "0.1.0",
        "name": name,
        "title": title,
        "status": "draft",
        "publisher": "canrehab",
        "description": description,
        "caseSensitive": True,
        "content": "complete",
        "count": len(concepts),
        "concept": [{"code": code, "display": display} for code, display in concepts],
    }


def _svf_pathway() -> Json:
    return _code_system(
        systems.CS_SVF_PATHWAY,
        "CanrehabSvfPathway",
        "Standardiserade vårdförlopp (SVF)",
        "The SVF pathways canrehab records (codes/svf.yaml, each with its published lead time and source): "
        "the pathway of the EpisodeOfCare extension svf.",
        [(p.id, p.name_sv) for p in definitions().pathways],
    )


def _svf_first_treatment() -> Json:
    return _code_system(
        systems.CS_SVF_FIRST_TREATMENT,
        "CanrehabSvfFirstTreatment",
        "Typ av första behandling (SVF)",
        "The kinds of first treatment the SVF documents give a lead time for (Ledtider för nationell "
        "uppföljning): the firstTreatment of the EpisodeOfCare extension svf.",
        [(kind.value, name) for kind, name in FIRST_TREATMENT_SV.items()],
    )


BUILDERS: tuple[Callable[[], Json], ...] = (_svf_pathway, _svf_first_treatment)


@cache
def code_systems() -> dict[str, Json]:
    """id -> CodeSystem."""
    return {cs["id"]: cs for cs in (build() for build in BUILDERS)}
