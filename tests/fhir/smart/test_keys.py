"""Keys: the generated development key is kept and reused; a remote JWK Set (a real local HTTP server) is
cached and re-fetched when a token names a kid it lacks (the IdP rotated its key)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from canrehab.fhir.smart.keys import KeyProblem, RemoteKeySets, public_jwks, server_key
from tests.fhir.smart_kit import jwks_of, jwks_server, new_key


def test_the_development_key_is_generated_once_private_to_the_owner_and_reused(tmp_path: Path) -> None:
    key = server_key(None, tmp_path)
    path = tmp_path / "fhir-token-key.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert server_key(None, tmp_path).kid == key.kid
    published = public_jwks(key)["keys"][0]
    assert published["alg"] == "ES384" and "d" not in published


def test_a_configured_key_must_be_private(tmp_path: Path) -> None:
    path = tmp_path / "key.json"
    path.write_text(json.dumps(new_key("RS384").as_dict(private=False)))
    with pytest.raises(KeyProblem, match="must be private"):
        server_key(path, tmp_path)
    path.write_text(json.dumps(new_key("RS384").as_dict(private=True)))
    assert server_key(path, tmp_path).key_type == "RSA"


def test_a_remote_jwks_is_cached_and_refetched_for_an_unknown_kid() -> None:
    old, new = new_key("RS256"), new_key("ES256")
    documents = {"/jwks": jwks_of(old)}
    cache = RemoteKeySets(min_refresh_seconds=0)
    with jwks_server(documents) as url:
        assert [k.kid for k in cache.get(f"{url}/jwks", old.kid)] == [old.kid]
        documents["/jwks"] = jwks_of(new)
        assert [k.kid for k in cache.get(f"{url}/jwks", old.kid)] == [old.kid]  # known kid: cached
        assert [k.kid for k in cache.get(f"{url}/jwks", new.kid)] == [new.kid]  # rotated: fetched again
        with pytest.raises(KeyProblem, match="could not be fetched"):
            cache.get(f"{url}/missing")
