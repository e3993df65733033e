"""Errors raised by the pure domain core."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the care process was broken; nothing has been changed.

    ``code`` is a stable machine-readable key (e.g. ``plan.closed``), ``message_sv`` is shown to users and
    ``message_en`` is for developers and logs. Neither message may contain patient identifiers.
    """

    def __init__(self, code: str, message_sv: str, message_en: str) -> None:
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message_sv = message_sv
        self.message_en = message_en


class ConflictError(DomainError):
    """Optimistic-locking conflict: somebody else changed the record since it was read."""

    def __init__(self, entity: str, expected_version: int, actual_version: int) -> None:
        super().__init__(
            "conflict",
            f"Posten ({entity}) har ändrats av någon annan sedan du öppnade den "
            f"(version {expected_version}, nu {actual_version}). Ladda om och försök igen.",
            f"{entity} was changed concurrently (expected version {expected_version}, now {actual_version}).",
        )
        self.entity = entity
        self.expected_version = expected_version
        self.actual_version = actual_version
