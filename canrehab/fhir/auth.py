"""HTTP Basic authentication of FHIR clients against the local accounts (``user_account``). No cookies."""

from __future__ import annotations

import base64
import binascii

from starlette.requests import Request

from canrehab.domain.access import Actor
from canrehab.fhir.context import services_of
from canrehab.fhir.outcome import FhirError
from canrehab.services.accounts import login_account
from canrehab.services.passwords import burn_verification, verify_password

REALM = 'Basic realm="canrehab FHIR", charset="UTF-8"'


def _unauthorised(message: str) -> FhirError:
    return FhirError(401, message, code="login", headers={"WWW-Authenticate": REALM})


def _credentials(request: Request) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic" or not token:
        raise _unauthorised("Authentication required (HTTP Basic).")
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise _unauthorised("Malformed Basic credentials.") from exc
    username, sep, password = decoded.partition(":")
    if not sep or not username:
        raise _unauthorised("Malformed Basic credentials.")
    return username, password


def authenticate(request: Request) -> Actor:
    """The actor behind the request's Basic credentials; 401 (with WWW-Authenticate) when missing or wrong."""
    username, password = _credentials(request)
    client = request.client.host if request.client else "-"
    throttle = getattr(request.app.state, "throttle", None)
    if throttle is not None and throttle.blocked(f"fhir-ip:{client}", f"fhir-user:{username}"):
        raise FhirError(429, "Too many failed logins; try again later.", code="throttled")
    account = login_account(services_of(request), username)
    if account is None:
        burn_verification(password)
        ok = False
    else:
        ok = (
            not account.locked
            and bool(account.password_hash)
            and verify_password(account.password_hash, password)
        )
    if not ok or account is None:
        if throttle is not None:
            throttle.fail(f"fhir-ip:{client}", f"fhir-user:{username}")
        raise _unauthorised("Wrong user name or password, or the account is locked.")
    return Actor(
        role=account.role,
        staff_id=account.staff_id,
        unit_hsa_ids=frozenset(account.unit_hsa_ids),
        patient_id=account.patient_id,
        username=account.username,
    )
