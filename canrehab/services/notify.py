"""Sending a patient their personal assessment link through real channels: e-mail over SMTP and SMS through
an HTTP gateway. The message carries the link only (no name, no personnummer); the audit log records that a
link was sent, by which channel, never the address or the number.

The SMS gateway contract (``CANREHAB_SMS_GATEWAY_URL``): ``POST`` JSON
``{"to": "+46701234567", "from": <sender>, "text": <message>}`` with ``Authorization: Bearer <token>``
when a token is configured; a 2xx answer with JSON ``{"id": ...}`` means accepted. Regions put their
provider behind this contract (most Swedish SMS providers take exactly these three fields).
"""

from __future__ import annotations

import re
import smtplib
from datetime import date, datetime
from email.message import EmailMessage
from typing import TYPE_CHECKING

import httpx
from pydantic_settings import BaseSettings, SettingsConfigDict

from canrehab.domain.access import Actor
from canrehab.domain.errors import DomainError
from canrehab.services.guard import require_write

if TYPE_CHECKING:
    from canrehab.services.context import Services

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[A-Za-z]{2,}$")
CHANNELS = ("email", "sms")


class NotifySettings(BaseSettings):
    """Where messages go out (environment variables with the prefix ``CANREHAB_``)."""

    model_config = SettingsConfigDict(env_prefix="CANREHAB_", env_file=".env", extra="ignore")

    smtp_host: str = ""  # empty: e-mail is not configured
    smtp_port: int = 25
    smtp_from: str = "canrehab@localhost"
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: str = ""
    sms_gateway_url: str = ""  # empty: SMS is not configured
    sms_gateway_token: str = ""
    sms_sender: str = "Vården"
    timeout_seconds: float = 10.0

    def available(self) -> tuple[str, ...]:
        """The channels that are configured."""
        return tuple(c for c, ok in (("email", self.smtp_host), ("sms", self.sms_gateway_url)) if ok)


def swedish_mobile(number: str) -> str:
    """A Swedish mobile number in international form (+467…), from 070-123 45 67, +46 70 …, 0046 70 …"""
    digits = re.sub(r"[\s\-()]", "", number)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("0"):
        digits = "+46" + digits[1:]
    if not re.fullmatch(r"\+467\d{8}", digits):
        raise DomainError(
            "notify.phone_invalid",
            "Ange ett svenskt mobilnummer, till exempel 070-123 45 67.",
            "not a Swedish mobile number",
        )
    return digits


MONTHS_SV = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)  # fmt: skip


def sv_date_long(day: date) -> str:
    return f"{day.day} {MONTHS_SV[day.month - 1]} {day.year}"


def message_text(url: str, expires: datetime) -> str:
    """The message: the link, its last day, where to turn for acute problems (no name, no personnummer)."""
    return (
        "Hej! Din kontaktsjuksköterska ber dig fylla i Hälsoskattning för cancerrehabilitering. "
        f"Öppna din personliga länk: {url} (gäller till {sv_date_long(expires.date())}). "
        "Vid akuta besvär: ring 1177 eller 112."
    )


def send_email(settings: NotifySettings, to: str, subject: str, body: str) -> None:
    if not EMAIL_RE.match(to.strip()):
        raise DomainError(
            "notify.email_invalid",
            "Ange en giltig e-postadress, till exempel namn@exempel.se.",
            "bad address",
        )
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to.strip()
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout_seconds) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as failed:
        raise DomainError(
            "notify.unavailable",
            "E-postservern svarar inte. Försök igen om en stund, eller kopiera länken.",
            f"smtp failed: {type(failed).__name__}",
        ) from failed


def send_sms(settings: NotifySettings, to: str, text: str) -> str:
    """Hand one SMS to the gateway; the gateway's message id."""
    number = swedish_mobile(to)
    headers = {"Authorization": f"Bearer {settings.sms_gateway_token}"} if settings.sms_gateway_token else {}
    try:
        answer = httpx.post(
            settings.sms_gateway_url,
            json={"to": number, "from": settings.sms_sender, "text": text},
            headers=headers,
            timeout=settings.timeout_seconds,
        )
        answer.raise_for_status()
        return str(answer.json().get("id", ""))
    except (httpx.HTTPError, ValueError) as failed:
        raise DomainError(
            "notify.unavailable",
            "SMS-tjänsten tog inte emot meddelandet. Försök igen om en stund, eller kopiera länken.",
            f"sms gateway failed: {type(failed).__name__}",
        ) from failed


def send_assessment_link(
    services: Services,
    actor: Actor,
    assessment_id: str,
    *,
    channel: str,
    to: str,
    url: str,
    expires: datetime,
    settings: NotifySettings | None = None,
) -> None:
    """Send the patient's personal link by e-mail or SMS (the sender must be allowed to change the record);
    audited as an export of the link, without the address."""
    settings = settings or NotifySettings()
    if channel not in settings.available():
        raise DomainError(
            "notify.channel_unavailable",
            "Den här vägen att skicka är inte inställd här. Kopiera länken eller visa QR-koden.",
            f"channel {channel} not configured",
        )
    with services.uow(actor) as uow:
        assessment = uow.assessments.get(assessment_id)
        require_write(services, uow, actor, assessment.patient_id, "assessment", assessment_id)
        text = message_text(url, expires)
        if channel == "email":
            send_email(settings, to, "Hälsoskattning – din personliga länk", text)
        else:
            send_sms(settings, to, text)
        uow.audit.record("export", "assessment_link", assessment_id, assessment.patient_id, f"sent:{channel}")
