"""A corpus of malformed bodies sent to every writable FHIR interaction (issue 14 item 4): create and update
of every type that takes writes, the transaction/batch endpoint and ``$validate``. Zero server errors, and
every answer an OperationOutcome (a refusal for every write; ``$validate`` answers 200 with the errors)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from fhir.resources.R4B.operationoutcome import OperationOutcome

from canrehab.fhir.resources import HANDLERS
from tests.fhir.harness import auth

WRITABLE = sorted(t for t, h in HANDLERS.items() if h.create is not None or h.update is not None)


def _nested(depth: int) -> bytes:
    return b'{"resourceType": "Patient", "extension": ' + b"[" * depth + b"]" * depth + b"}"


def corpus(rtype: str) -> dict[str, bytes]:
    """Named malformed bodies for ``rtype`` (every one must be refused)."""
    head = f'{{"resourceType": "{rtype}"'.encode()
    text = json.dumps({"resourceType": rtype})
    return {
        "empty": b"",
        "whitespace": b"  \n\t ",
        "null": b"null",
        "number": b"12",
        "string": b'"Patient"',
        "array": f'[{{"resourceType": "{rtype}"}}]'.encode(),
        "empty object": b"{}",
        "truncated": head + b', "id": "abc", "meta": {"versionId": "1"',
        "truncated string": head + b', "id": "ab',
        "trailing garbage": head + b"} {}",
        "deep nesting 100": _nested(100),
        "deep nesting 5000": _nested(5000),
        "unclosed brackets": b"[" * 50_000,
        "huge integer": head + b', "id": ' + b"9" * 5000 + b"}",
        "huge exponent": head + b', "id": 1e999999}',
        "NaN": head + b', "id": NaN}',
        "Infinity": head + b', "extension": [{"url": "x", "valueDecimal": Infinity}]}',
        "-Infinity": head + b', "extension": [{"url": "x", "valueDecimal": -Infinity}]}',
        "invalid UTF-8": head + b', "id": "\xff\xfe\xfa"}',
        "overlong UTF-8": head + b', "id": "\xc0\xaf"}',
        "lone surrogate escape": head + b', "id": "\\ud800"}',
        "UTF-16 with BOM": text.encode("utf-16"),
        "UTF-16 without BOM": text.encode("utf-16-le"),
        "UTF-32": text.encode("utf-32"),
        "UTF-8 BOM and wrong type": b"\xef\xbb\xbf" + b'{"resourceType": "Observation"}',
        "NUL in a string": head + b', "id": "a\\u0000b"}',
        "raw NUL": head + b', "id": "a\x00b"}',
        "control character": head + b', "id": "a\x01b"}',
        "wrong resourceType": b'{"resourceType": "Observation", "status": "final"}',
        "resourceType a number": b'{"resourceType": 7}',
        "resourceType null": b'{"resourceType": null}',
        "resourceType an object": b'{"resourceType": {"a": 1}}',
        "no resourceType": b'{"id": "x", "status": "active"}',
        "duplicate keys": head + b', "resourceType": "Observation"}',
        "duplicate ids": head + b', "id": "a", "id": "b", "unknownElement": 1}',
        "array where an object belongs": head + b', "meta": [], "subject": [], "code": []}',
        "object where an array belongs": head + b', "identifier": {"value": "x"}, "extension": {}}',
        "string where a reference belongs": head + b', "subject": "Patient/1", "patient": 5}',
        "booleans everywhere": head + b', "status": true, "id": false, "meta": true}',
        "unknown elements": head + b', "thisIsNotFhir": {"deep": [1, 2, 3]}}',
        "choice type twice": head + b', "effectiveDateTime": "2026", "effectivePeriod": {}}',
        "bad dates": head + b', "birthDate": "2026-13-45", "performedDateTime": "ig\xc3\xa5r"}',
        "long string": head + b', "id": "' + b"x" * 300_000 + b'"}',
        "many keys": b"{" + b",".join(b'"k%d": %d' % (i, i) for i in range(20_000)) + b"}",
    }


def _entry_bundles() -> dict[str, bytes]:
    return {
        "bundle entry not a list": b'{"resourceType": "Bundle", "type": "transaction", "entry": {}}',
        "bundle entry a string": b'{"resourceType": "Bundle", "type": "transaction", "entry": ["x"]}',
        "bundle entry without request": (
            b'{"resourceType": "Bundle", "type": "transaction", "entry": [{"resource": {}}]}'
        ),
        "bundle resource an array": (
            b'{"resourceType": "Bundle", "type": "transaction", "entry": [{"resource": [],'
            b' "request": {"method": "POST", "url": "Patient"}}]}'
        ),
        "bundle unknown type": b'{"resourceType": "Bundle", "type": "searchset", "entry": []}',
        "bundle method a number": (
            b'{"resourceType": "Bundle", "type": "batch", "entry": [{"request": {"method": 5, "url": 7}}]}'
        ),
    }


@pytest.fixture(scope="module")
def fuzz_client(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Any) -> Iterator[TestClient]:
    """One app on one SQLite database for the whole corpus (every body is refused: nothing accumulates)."""
    import shutil

    from canrehab.store.db import make_engine
    from tests.fhir.harness import build_app, seed

    path = tmp_path_factory.mktemp("malformed") / "canrehab.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    app: FastAPI = build_app(engine, tmp_path_factory.mktemp("malformed-data"))
    seed(app)
    with TestClient(app) as client:
        yield client
    engine.dispose()


def _check(response: Any, what: str, *, refusal: bool = True) -> None:
    assert response.status_code < 500, (what, response.status_code, response.text[:300])
    if refusal:
        assert response.status_code >= 400, (what, response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/fhir+json"), what
    OperationOutcome.model_validate(response.json())


CONTENT_TYPE = {"Content-Type": "application/fhir+json"}


@pytest.mark.parametrize("rtype", WRITABLE)
def test_every_malformed_body_is_refused_with_an_operation_outcome(
    fuzz_client: TestClient, rtype: str
) -> None:
    handler = HANDLERS[rtype]
    headers = {**auth("admin"), **CONTENT_TYPE}
    for name, body in corpus(rtype).items():
        if handler.create is not None:
            _check(fuzz_client.post(f"/fhir/{rtype}", content=body, headers=headers), f"POST {rtype}: {name}")
        if handler.update is not None:
            put = {**headers, "If-Match": 'W/"1"'}
            _check(fuzz_client.put(f"/fhir/{rtype}/x1", content=body, headers=put), f"PUT {rtype}: {name}")
        validated = fuzz_client.post(f"/fhir/{rtype}/$validate", content=body, headers=headers)
        _check(validated, f"$validate {rtype}: {name}", refusal=False)


def test_every_malformed_bundle_is_refused_with_an_operation_outcome(fuzz_client: TestClient) -> None:
    headers = {**auth("admin"), **CONTENT_TYPE}
    for name, body in {**corpus("Bundle"), **_entry_bundles()}.items():
        response = fuzz_client.post("/fhir", content=body, headers=headers)
        if response.status_code == 200:  # a batch answers per entry: every entry must have failed
            assert response.json()["type"] == "batch-response", name
            assert all(int(e["response"]["status"][:3]) >= 400 for e in response.json()["entry"]), name
            continue
        _check(response, f"POST /fhir: {name}")


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/fhir+json; charset=utf-16", ""],
)
def test_a_body_of_another_media_type_is_refused(fuzz_client: TestClient, content_type: str) -> None:
    headers = {**auth("admin"), "Content-Type": content_type}
    body = json.dumps({"resourceType": "Patient"}).encode()
    _check(fuzz_client.post("/fhir/Patient", content=body, headers=headers), content_type)
    assert fuzz_client.get("/fhir/metadata").status_code == 200  # the connection and the app are fine
