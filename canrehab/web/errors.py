"""The web pages' own refusals, answered by the app's exception handlers: ``LoginRequired`` redirects to the
login page, ``Forbidden`` is an audited 403 page."""

from __future__ import annotations


class LoginRequired(Exception):
    pass


class Forbidden(Exception):
    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message
