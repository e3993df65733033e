"""Keys: the server's token-signing key (configured, or generated once for development) and the JWK Sets
of others (a client's ``jwks_url``, the identity provider's JWKS), fetched over HTTP and cached."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, Key, KeySet, RSAKey

SERVER_ALGORITHM = {"EC": "ES384", "RSA": "RS384"}
JWKS_TTL_SECONDS = 300.0  # a fetched JWKS is trusted this long ...
JWKS_MIN_REFRESH_SECONDS = 10.0  # ... and re-fetched at most this often for an unknown kid


class KeyProblem(ValueError):
    """A key or JWK Set that cannot be used; the message says why (no key material in it)."""


def _private_key(data: dict[str, Any], path: Path) -> ECKey | RSAKey:
    try:
        key = ECKey.import_key(data) if data.get("kty") == "EC" else RSAKey.import_key(data)
    except (JoseError, ValueError, TypeError) as exc:
        raise KeyProblem(f"{path}: not a private EC or RSA JWK") from exc
    if not key.is_private:
        raise KeyProblem(f"{path}: the token key must be private")
    key.ensure_kid()
    return key


_SERVER_KEYS: dict[Path, tuple[int, ECKey | RSAKey]] = {}
_SERVER_LOCK = threading.Lock()


def server_key(configured: Path | None, data_dir: Path) -> ECKey | RSAKey:
    """The key that signs access tokens: ``configured`` (a private JWK file), else
    ``<data_dir>/fhir-token-key.json``, generated (EC P-384) the first time and kept with mode 0600."""
    path = configured or data_dir / "fhir-token-key.json"
    with _SERVER_LOCK:
        if configured is None and not path.exists():
            generated = ECKey.generate_key("P-384", private=True, auto_kid=True)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(generated.as_dict(private=True)))
            path.chmod(0o600)
        try:
            stamp = path.stat().st_mtime_ns
        except OSError as exc:
            raise KeyProblem(f"{path}: cannot read the token key ({exc.strerror})") from exc
        cached = _SERVER_KEYS.get(path)
        if cached is None or cached[0] != stamp:
            cached = (stamp, _private_key(json.loads(path.read_text()), path))
            _SERVER_KEYS[path] = cached
        return cached[1]


def algorithm_of(key: Key) -> str:
    return SERVER_ALGORITHM[key.key_type]


def public_jwks(key: ECKey | RSAKey) -> dict[str, Any]:
    public = key.as_dict(private=False)
    return {"keys": [{**public, "use": "sig", "alg": algorithm_of(key)}]}


def key_set(data: Any, where: str) -> KeySet:
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise KeyProblem(f"{where}: not a JWK Set")
    usable = [k for k in data["keys"] if isinstance(k, dict) and k.get("kty") in ("EC", "RSA")]
    try:
        return KeySet.import_key_set({"keys": usable})
    except (JoseError, ValueError, TypeError) as exc:
        raise KeyProblem(f"{where}: a key of the JWK Set cannot be read") from exc


@dataclass
class _Fetched:
    keys: KeySet
    at: float


@dataclass
class RemoteKeySets:
    """JWK Sets fetched from URLs, each kept ``JWKS_TTL_SECONDS``; a kid the cached set lacks triggers one
    re-fetch (key rotation), at most every ``JWKS_MIN_REFRESH_SECONDS``."""

    timeout: float = 5.0
    ttl_seconds: float = JWKS_TTL_SECONDS
    min_refresh_seconds: float = JWKS_MIN_REFRESH_SECONDS
    _cache: dict[str, _Fetched] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, url: str, kid: str | None = None) -> KeySet:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(url)
        fresh = cached is not None and now - cached.at < self.ttl_seconds
        known = cached is not None and (kid is None or any(k.kid == kid for k in cached.keys))
        if cached is not None and fresh and (known or now - cached.at < self.min_refresh_seconds):
            return cached.keys
        try:
            response = httpx.get(url, timeout=self.timeout, follow_redirects=False)
            response.raise_for_status()
            keys = key_set(response.json(), url)
        except (httpx.HTTPError, ValueError) as exc:
            if cached is not None and fresh:
                return cached.keys
            raise KeyProblem(f"the JWK Set at {url} could not be fetched ({type(exc).__name__})") from exc
        with self._lock:
            self._cache[url] = _Fetched(keys, now)
        return keys


REMOTE_KEY_SETS = RemoteKeySets()


def candidates(keys: KeySet, kid: str | None, algorithm: str) -> list[Key]:
    """The keys of the set that may have made a signature with this header: same kid (any when the header
    names none) and the algorithm's key type."""
    kty = "RSA" if algorithm.startswith(("RS", "PS")) else "EC"
    return [k for k in keys if k.key_type == kty and (kid is None or k.kid == kid)]
