"""Runtime settings, from environment variables prefixed ``CANREHAB_`` (or a ``.env`` file).

Embedded defaults: a SQLite file and a DuckDB/Parquet analytics store under the data directory.
Production: set ``CANREHAB_DATABASE_URL=postgresql+psycopg://...``.
"""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CANREHAB_", env_file=".env", extra="ignore")

    data_dir: Path = Path.home() / ".local" / "share" / "canrehab"
    database_url: str = ""  # empty: sqlite file <data_dir>/canrehab.db
    secret_key: str = ""  # empty: generated once and stored in <data_dir>/secret.key
    # Days after sending an active handover before an unconfirmed one is overdue for the sender.
    handover_overdue_days: int = 14
    # Days before a planned follow-up of a rehab plan that it shows as due.
    plan_follow_up_window_days: int = 7
    # Small-count disclosure control: counts 1..(threshold-1) are suppressed.
    suppression_threshold: int = 4
    # Key of the HMAC that turns a personnummer into the stable analytical pseudonym. Set it explicitly
    # (and keep it secret and stable) in production; empty: derived from the installation secret.
    pseudonym_key: str = ""
    # Local time (HH:MM) at which the web app publishes the care data to the analytics store every day
    # (services.publish, the default period); empty: only on demand (canrehab publish).
    publish_daily_at: str = Field(default="", pattern=r"^$|^([01][0-9]|2[0-3]):[0-5][0-9]$")
    host: str = "127.0.0.1"
    port: int = 8000
    # Worker processes of ``canrehab serve`` (0: automatic, min(CPUs, 4) on PostgreSQL and 1 on SQLite).
    workers: int = Field(default=0, ge=0)
    # How often each worker looks whether it holds the scheduler lock, or may take it (services.scheduler).
    scheduler_retry_seconds: float = Field(default=15.0, gt=0)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'canrehab.db'}"

    @property
    def analytics_dir(self) -> Path:
        return self.data_dir / "analytics"

    def installation_secret(self) -> str:
        """The configured secret key, or one generated once and kept in ``<data_dir>/secret.key``."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret.key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key

    def pseudonym_secret(self) -> bytes:
        return (self.pseudonym_key or "canrehab-pseudonym:" + self.installation_secret()).encode()


@cache
def get_settings() -> Settings:
    return Settings()
