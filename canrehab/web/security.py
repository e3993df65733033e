"""HTTP security for the web app: security headers and CSRF tokens (password hashing is
``canrehab.services.passwords``, login throttling ``canrehab.services.login_throttle``).

Everything here is independent of the database. Behind the region's reverse proxy, the proxy's word on the
scheme and the client address is taken only from the configured trusted proxy addresses
(:class:`TrustedProxyMiddleware`); HSTS and ``Secure`` cookies follow the scheme it reports.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable, Collection

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


HSTS = (b"strict-transport-security", b"max-age=31536000")


def _with_secure_cookies(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    out = []
    for name, value in headers:
        if name.lower() == b"set-cookie" and b"secure" not in value.lower():
            value += b"; Secure"
        out.append((name, value))
    return out


class SecurityHeadersMiddleware:
    """Adds the security headers (and no-store caching for pages) to every HTTP response; over TLS (the
    request's scheme is https: served so, ``https`` configured, or a trusted proxy said so) also HSTS and the
    ``Secure`` attribute on every cookie set."""

    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        tls = self.https or scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.lower().encode() not in present:
                        headers.append((name.encode(), value.encode()))
                if tls:
                    headers = _with_secure_cookies(headers)
                    if HSTS[0] not in present:
                        headers.append(HSTS)
                if not path.startswith("/static/") and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(addresses: Collection[str]) -> tuple[Network, ...]:
    """The configured trusted proxies (``10.0.0.5``, ``10.0.0.0/24``) as networks."""
    return tuple(ipaddress.ip_network(a.strip(), strict=False) for a in addresses if a.strip())


def _in(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in trusted)


class TrustedProxyMiddleware:
    """Takes the scheme (``X-Forwarded-Proto``) and the client address (``X-Forwarded-For``, the nearest
    address the trusted proxies did not add) from a request only when it came from a trusted proxy address;
    from anyone else the headers are ignored (a client could send them)."""

    def __init__(self, app: ASGIApp, *, trusted: Collection[str] = ()) -> None:
        self.app = app
        self.trusted = networks(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] != "http" or not self.trusted or not client or not _in(client[0], self.trusted):
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        scope = dict(scope)
        proto = headers.get(b"x-forwarded-proto", "").split(",")[0].strip().lower()
        if proto in ("http", "https"):
            scope["scheme"] = proto
        hops = [h.strip() for h in headers.get(b"x-forwarded-for", "").split(",") if h.strip()]
        for hop in reversed(hops):
            if not _in(hop, self.trusted):
                scope["client"] = (hop, 0)
                break
        await self.app(scope, receive, send)


# ---------------------------------------------------------------------------------------------- CSRF

CSRF_SESSION_KEY = "csrf"
CSRF_FIELD = "csrf_token"


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use (synchroniser-token pattern)."""
    token = request.session.get(CSRF_SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_SESSION_KEY] = token
    return str(token)


class CsrfError(Exception):
    pass


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.session.get(CSRF_SESSION_KEY)
    if not expected or not submitted or not hmac.compare_digest(str(expected), submitted):
        raise CsrfError()


class RejectNulMiddleware:
    """Refuses requests whose path or query holds a NUL character (percent-encoded %00) with 400: no page
    or identifier contains one, and PostgreSQL cannot compare it (it would surface as a server error)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = scope.get("query_string", b"")
            if "\x00" in scope.get("path", "") or b"%00" in query or b"\x00" in query:
                response = Response(
                    "Ogiltig adress.", status_code=400, media_type="text/plain; charset=utf-8"
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def own_origin(scope: Scope) -> str:
    """The origin the request was addressed to: its scheme (after a trusted proxy's word) and Host."""
    headers = dict(scope.get("headers", []))
    host = headers.get(b"host", b"").decode("latin-1").strip().lower()
    return f"{scope.get('scheme', 'http')}://{host}"


def cross_origin(scope: Scope, allowed: Collection[str] = ()) -> str | None:
    """Why a state-changing request is refused as cross-origin, or None. ``Sec-Fetch-Site`` (sent by every
    current browser) must say ``same-origin`` (or ``none``: typed by the user); ``Origin``, when sent, must
    be the request's own origin or one of ``allowed``. A request with neither (not a browser) is left to
    the CSRF token alone."""
    headers = dict(scope.get("headers", []))
    site = headers.get(b"sec-fetch-site", b"").decode("latin-1").strip().lower()
    if site and site not in ("same-origin", "none"):
        return f"Sec-Fetch-Site: {site}"
    origin = headers.get(b"origin", b"").decode("latin-1").strip().lower().rstrip("/")
    if origin == "null" and site in ("same-origin", "none"):
        # Chromium sends "Origin: null" for a form posted under "Referrer-Policy: no-referrer" (our own
        # header); the browser's Sec-Fetch-Site, which a page cannot forge, says it came from this origin.
        return None
    if origin and origin != own_origin(scope) and origin not in {a.lower().rstrip("/") for a in allowed}:
        return f"Origin: {origin[:100]}"
    return None


CSRF_REFUSED = (
    "Formuläret kunde inte skickas (säkerhetskontroll misslyckades). Ladda om sidan och försök igen."
)

RefusalLogger = Callable[[Request, str], None]


class CsrfMiddleware:
    """Rejects every state-changing request (POST/PUT/PATCH/DELETE) that comes from another origin
    (:func:`cross_origin`, even with a valid token) or whose form lacks the session's token.

    Paths under ``exempt_prefixes`` (the FHIR API, which uses no cookies) are not checked. The body is read
    once, checked, and replayed to the application. ``on_refusal`` writes the refusal to the audit log (the
    web app's ``denials.record_session_refusal``: for a logged-in user).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        exempt_prefixes: tuple[str, ...] = ("/fhir",),
        allowed_origins: Collection[str] = (),
        on_refusal: RefusalLogger | None = None,
    ) -> None:
        self.app = app
        self.exempt_prefixes = exempt_prefixes
        self.allowed_origins = tuple(allowed_origins)
        self.on_refusal = on_refusal

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, reason: str) -> None:
        if self.on_refusal is not None:
            await run_in_threadpool(self.on_refusal, Request(scope), reason)
        response = Response(CSRF_REFUSED, status_code=403, media_type="text/plain; charset=utf-8")
        await response(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("POST", "PUT", "PATCH", "DELETE")
            or scope["path"].startswith(self.exempt_prefixes)
        ):
            await self.app(scope, receive, send)
            return
        refused = cross_origin(scope, self.allowed_origins)
        if refused is not None:
            await self._refuse(scope, receive, send, f"annat ursprung ({refused})")
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        request = Request(scope, replay)
        submitted: str | None = request.headers.get("x-csrf-token")
        if submitted is None:
            content_type = request.headers.get("content-type", "")
            if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
                form = await request.form()
                value = form.get(CSRF_FIELD)
                submitted = value if isinstance(value, str) else None
                await form.close()
        replayed = False
        try:
            check_csrf(request, submitted)
        except CsrfError:
            await self._refuse(scope, receive, send, "CSRF-token saknas eller stämmer inte")
            return
        await self.app(scope, replay, send)


HandlerT = Callable[[Request], Awaitable[Response]]
