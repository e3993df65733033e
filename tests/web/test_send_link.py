"""Skicka länk on the patient page: the link wraps inside its card with a copy button and a QR code, and the
nurse sends it by e-mail through a real (local) SMTP server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.web.live_server import free_port
from tests.web.login import CSRF_RE, logged_in
from tests.web.test_routes_access import World, world

__all__ = ["world"]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    found = Inbox()
    port = free_port()
    controller = Controller(found, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("CANREHAB_SMTP_HOST", "127.0.0.1")  # configuration, not a stand-in: a real server
    monkeypatch.setenv("CANREHAB_SMTP_PORT", str(port))
    try:
        yield found
    finally:
        controller.stop()


def test_the_nurse_sends_the_link_by_email_and_the_patient_receives_it(world: World, inbox: Inbox) -> None:
    nurse = logged_in(world.app, "ssk")
    page = nurse.get(f"/patient/{world.own_patient}").text
    csrf = CSRF_RE.search(page).group(1)  # type: ignore[union-attr]
    r = nurse.post(
        f"/patient/{world.own_patient}/bedomning",
        data={"csrf_token": csrf, "pathway_id": world.own_pathway, "key_moment": "follow_up", "mode": "link"},
    )
    assert r.status_code == 200
    url = re.search(r'id="patient-link" href="([^"]+)"', r.text).group(1)  # type: ignore[union-attr]
    assert 'data-copy="patient-link"' in r.text and "<svg" in r.text and "QR-kod" in r.text
    assert 'class="break-all"' in r.text
    assert "Skicka med e-post" in r.text

    bad = nurse.post(
        f"/patient/{world.own_patient}/skicka-lank", data={"csrf_token": csrf, "channel": "email", "to": "x"}
    )
    assert "giltig e-postadress" in bad.text and inbox.messages == []

    sent = nurse.post(
        f"/patient/{world.own_patient}/skicka-lank",
        data={"csrf_token": csrf, "channel": "email", "to": "patient@exempel.se"},
    )
    assert "Länken är skickad med e-post." in sent.text
    (message,) = inbox.messages
    assert message["To"] == "patient@exempel.se"
    assert url in message.get_payload(decode=True).decode("utf-8")
