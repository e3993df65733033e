"""The access log without identities: one line per HTTP request with the method, the route *template*
(``/patient/{patient_id}``, ``/fhir/Patient``), the status and the duration.

Never the query string (a FHIR search by ``identifier`` carries a personnummer there), never the path as asked
(page addresses carry patient ids), never the client address or a user name. The web server's own access
log (uvicorn's, which prints the full request line) is turned off wherever canrehab starts one
(:data:`UVICORN_OPTIONS`, ``canrehab serve``, the benchmarks and the test servers).

A request that matched no route is logged as ``-`` (its path could be anything a client typed).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOGGER_NAME = "canrehab.access"
log = logging.getLogger(LOGGER_NAME)
UNMATCHED = "-"

UVICORN_OPTIONS: dict[str, Any] = {"access_log": False}
"""What every uvicorn that serves canrehab is started with: its access log (the raw request line) off."""

LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    # the pid: with ``canrehab serve --workers N`` it tells which worker process wrote the line
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"level": "INFO"},
        "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        "canrehab": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}
"""The logging configuration of ``canrehab serve`` (uvicorn's ``log_config``): uvicorn's messages and
canrehab's, uvicorn's access logger silenced even if something turns it on."""


def route_template(scope: Scope) -> str:
    """The template of the route that answered (set on the scope by the router), or ``-``."""
    route = scope.get("route")
    path = getattr(route, "path", None) or getattr(route, "path_format", None)
    if isinstance(path, str) and path:
        return path
    return UNMATCHED


class AccessLogMiddleware:
    """Logs ``METHOD /route/{template} STATUS 12.3ms`` at INFO on ``canrehab.access`` for every request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the application fails before it answers

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            log.info("%s %s %d %.1fms", scope["method"], route_template(scope), status, elapsed_ms)
