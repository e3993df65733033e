"""What the SMART tests share: client keys (RS384, ES384), signed client assertions, a clients file, and a
real local HTTP server that serves JWK Sets (a client's jwks_url, the test identity provider's JWKS)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml
from joserfc import jwt
from joserfc.jwk import ECKey, Key, RSAKey

from tests.fhir.harness import KIR, ONK

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def new_key(alg: str) -> RSAKey | ECKey:
    """A private signing key for ``alg`` with a kid."""
    if alg.startswith("RS"):
        return RSAKey.generate_key(2048, private=True, auto_kid=True)
    return ECKey.generate_key({"ES256": "P-256", "ES384": "P-384"}[alg], private=True, auto_kid=True)


def jwks_of(*keys: Key) -> dict[str, Any]:
    return {"keys": [k.as_dict(private=False) for k in keys]}


def signed(key: Key, alg: str, claims: dict[str, Any], kid: str | None = None) -> str:
    header = {"alg": alg, "typ": "JWT", "kid": kid or key.kid}
    return jwt.encode(header, claims, key, algorithms=[alg])


def assertion(
    key: Key, alg: str, client_id: str, aud: str, *, exp_in: int = 240, jti: str | None = None, **more: Any
) -> str:
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": aud,
        "exp": now + exp_in,
        "jti": jti or str(uuid.uuid4()),
    }
    return signed(key, alg, {**claims, **more})


def token_form(client_assertion: str, scope: str, **more: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client_assertion,
        "scope": scope,
        **more,
    }


@dataclass
class Registered:
    """A client as the tests register it, with its private key."""

    client_id: str
    alg: str
    scopes: list[str]
    role: str = "nurse"
    units: list[str] = field(default_factory=lambda: [ONK])
    jwks_url: str | None = None
    key: RSAKey | ECKey = field(init=False)

    def __post_init__(self) -> None:
        self.key = new_key(self.alg)

    def entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "client_id": self.client_id,
            "name": f"Testklient {self.client_id}",
            "scopes": self.scopes,
            "role": self.role,
            "units": self.units,
        }
        if self.jwks_url:
            entry["jwks_url"] = self.jwks_url
        else:
            entry["jwks"] = jwks_of(self.key)
        return entry


def write_registry(path: Path, clients: list[Registered]) -> Path:
    header = (
        "# Registered SMART Backend Services clients. Schema: canrehab.fhir.smart.clients.ClientRegistry\n"
    )
    path.write_text(header + yaml.safe_dump({"clients": [c.entry() for c in clients]}), encoding="utf-8")
    return path


def standard_clients() -> dict[str, Registered]:
    clients = [
        Registered("journal-rs384", "RS384", ["system/*.cruds"]),
        Registered("journal-es384", "ES384", ["system/*.cruds"]),
        Registered("patients-only", "ES384", ["system/Patient.rs"]),
        Registered("kirurgen", "RS384", ["system/*.rs"], units=[KIR]),
    ]
    return {c.client_id: c for c in clients}


@contextmanager
def jwks_server(documents: dict[str, Any]) -> Iterator[str]:
    """A real HTTP server on a loopback port serving ``documents`` (path -> JSON, mutable while it runs);
    yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            document = documents.get(self.path)
            body = json.dumps(document).encode() if document is not None else b"{}"
            self.send_response(200 if document is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
