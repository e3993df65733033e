"""The example Bundle in examples/ is what its generator writes (it follows the mapping) and is valid FHIR."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

from fhir.resources.R4B.bundle import Bundle

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("make_pathway_bundle", EXAMPLES / "make_pathway_bundle.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_bundle_is_current_and_valid() -> None:
    on_disk = json.loads((EXAMPLES / "pathway-bundle.json").read_text(encoding="utf-8"))
    assert on_disk == _generator().build(), "run .venv/bin/python examples/make_pathway_bundle.py"
    Bundle.model_validate(on_disk)
    types = sorted({e["resource"]["resourceType"] for e in on_disk["entry"]})
    assert types == sorted(
        [
            "CarePlan",
            "Condition",
            "EpisodeOfCare",
            "Goal",
            "Organization",
            "Patient",
            "Practitioner",
            "PractitionerRole",
            "Procedure",
            "QuestionnaireResponse",
            "ServiceRequest",
            "Task",
        ]
    )
    assert all(e["fullUrl"].startswith("urn:uuid:") for e in on_disk["entry"])
