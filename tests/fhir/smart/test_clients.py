"""The clients file: a valid registry loads, an invalid one is refused naming the file and the field, a
changed file is re-read."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from canrehab.fhir.smart.clients import ClientDefinitionError, load_registry
from tests.fhir.smart_kit import jwks_of, new_key

KEYS = jwks_of(new_key("ES384"))


def _entry(**overrides: Any) -> dict[str, Any]:
    entry = {
        "client_id": "journal",
        "name": "Journalsystemet",
        "jwks": KEYS,
        "scopes": ["system/*.rs"],
        "role": "nurse",
        "units": ["SE2321000016-ONK1"],
    }
    return {k: v for k, v in {**entry, **overrides}.items() if v is not None}


def _write(path: Path, *entries: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump({"clients": list(entries)}), encoding="utf-8")
    return path


def test_a_valid_registry_loads_and_a_changed_file_is_read_again(tmp_path: Path) -> None:
    path = _write(tmp_path / "clients.yaml", _entry())
    client = load_registry(path).get("journal")
    assert client is not None and client.allowed_scopes[0].text == "system/*.rs"
    _write(path, _entry(client_id="registret"))
    os.utime(path, ns=(1, 1))  # a different modification time, whatever the clock's resolution
    assert load_registry(path).get("journal") is None and load_registry(path).get("registret") is not None
    assert load_registry(None).clients == ()


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        (_entry(scopes=["user/*.rs"]), "system/ scopes only"),
        (_entry(scopes=["system/Patient.sr"]), "not a SMART resource scope"),
        (_entry(role="patient"), "role 'patient'"),
        (_entry(jwks_url="https://journal.example/jwks"), "exactly one of jwks"),
        (_entry(jwks={"kty": "EC"}), "JWK Set"),
        (_entry(colour="blå"), "colour"),
        (_entry(scopes=[]), "scopes"),
    ],
)
def test_an_invalid_registry_is_refused_naming_the_file_and_the_field(
    tmp_path: Path, entry: dict[str, Any], words: str
) -> None:
    path = _write(tmp_path / "clients.yaml", entry)
    with pytest.raises(ClientDefinitionError, match=words) as caught:
        load_registry(path)
    assert str(path) in str(caught.value) and "clients.0" in str(caught.value)


def test_a_client_id_registered_twice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ClientDefinitionError, match="registered twice: journal"):
        load_registry(_write(tmp_path / "clients.yaml", _entry(), _entry()))


def test_the_example_registry_in_the_docs_loads_and_its_inline_keys_import() -> None:
    from canrehab.fhir.smart.keys import key_set

    path = Path(__file__).resolve().parents[3] / "examples" / "smart-clients.yaml"
    registry = load_registry(path)
    assert [c.client_id for c in registry.clients] == ["journal-onkologi", "kvalitetsregistret"]
    for client in registry.clients:
        if client.jwks is not None:
            assert list(key_set(client.jwks, client.client_id))
