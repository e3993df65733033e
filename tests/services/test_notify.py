"""Sending the link through real channels: a local SMTP server (aiosmtpd) receives the e-mail, a local HTTP
server plays the SMS gateway; the message carries the link and no identity; bad addresses and numbers are
refused in Swedish with nothing sent; a failing gateway is a Swedish refusal, never a crash."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from canrehab.domain.errors import DomainError
from canrehab.services.notify import NotifySettings, send_email, send_sms, swedish_mobile
from tests.web.live_server import free_port

EXPIRES = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
URL = "http://127.0.0.1:8000/skattning/abc123"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[NotifySettings, Inbox]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield NotifySettings(smtp_host="127.0.0.1", smtp_port=port, smtp_from="vard@region.se"), inbox
    finally:
        controller.stop()


@pytest.fixture
def gateway() -> Iterator[tuple[NotifySettings, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append({"body": body, "auth": self.headers.get("Authorization")})
            status = 503 if body["text"].startswith("FAIL") else 202
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps({"id": f"m{len(received)}"}).encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sms"
        yield (
            NotifySettings(sms_gateway_url=url, sms_gateway_token="hemlig", sms_sender="Onkologen"),
            received,
        )
    finally:
        server.shutdown()


def test_the_email_arrives_with_the_link_and_no_identity(smtp: tuple[NotifySettings, Inbox]) -> None:
    from canrehab.services.notify import message_text

    settings, inbox = smtp
    send_email(
        settings, "patient@exempel.se", "Hälsoskattning – din personliga länk", message_text(URL, EXPIRES)
    )
    ((rcpt, message),) = inbox.messages
    assert rcpt == ["patient@exempel.se"]
    assert message["From"] == "vard@region.se"
    body = message.get_payload(decode=True).decode("utf-8")
    assert URL in body and "5 december 2026" in body and "1177" in body


def test_a_bad_address_is_refused_in_swedish_and_nothing_is_sent(smtp: tuple[NotifySettings, Inbox]) -> None:
    settings, inbox = smtp
    with pytest.raises(DomainError) as refused:
        send_email(settings, "inte en adress", "x", "y")
    assert "e-postadress" in refused.value.message_sv
    assert inbox.messages == []


def test_the_sms_reaches_the_gateway_in_its_contract(gateway: tuple[NotifySettings, list[Any]]) -> None:
    settings, received = gateway
    assert send_sms(settings, "070-123 45 67", f"Länk: {URL}") == "m1"
    (call,) = received
    assert call["body"] == {"to": "+46701234567", "from": "Onkologen", "text": f"Länk: {URL}"}
    assert call["auth"] == "Bearer hemlig"


def test_a_failing_gateway_is_a_swedish_refusal(gateway: tuple[NotifySettings, list[Any]]) -> None:
    settings, _received = gateway
    with pytest.raises(DomainError) as refused:
        send_sms(settings, "+46701234567", "FAIL")
    assert refused.value.code == "notify.unavailable" and "SMS" in refused.value.message_sv


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("070-123 45 67", "+46701234567"),
        ("+46 70 123 45 67", "+46701234567"),
        ("0046701234567", "+46701234567"),
        ("08-123 456 78", None),  # a landline takes no SMS
        ("12345", None),
    ],
)
def test_swedish_mobile_numbers(given: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(DomainError):
            swedish_mobile(given)
    else:
        assert swedish_mobile(given) == expected


def test_only_configured_channels_are_offered() -> None:
    assert NotifySettings().available() == ()
    assert NotifySettings(smtp_host="x", sms_gateway_url="http://y").available() == ("email", "sms")
