"""Web-only settings (environment variables prefixed ``CANREHAB_WEB_``), next to the shared ``Settings``."""

from __future__ import annotations

from datetime import timedelta

from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CANREHAB_WEB_", env_file=".env", extra="ignore")

    # Sessions: absolute lifetime and idle timeout, in seconds.
    session_max_age: int = 8 * 3600
    session_idle_timeout: int = 30 * 60
    # Set when served over https (behind the region's reverse proxy): adds Secure to the cookie and HSTS.
    https: bool = False
    # Per-account lockout after this many consecutive failed logins, for lockout_minutes.
    max_failed_logins: int = 5
    lockout_minutes: int = 15
    # Per-address throttle of failed logins in a sliding window.
    throttle_failures: int = 20
    throttle_window_seconds: int = 300
    # Patient assessment links.
    assessment_link_days: int = 14
    # OIDC (the region's IdP). Enabled when issuer metadata URL and client id are set.
    oidc_metadata_url: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scope: str = "openid profile"
    # The claim whose value is matched against user_account.username.
    oidc_username_claim: str = "preferred_username"

    @property
    def assessment_link_validity(self) -> timedelta:
        """How long a patient's assessment link is valid."""
        return timedelta(days=self.assessment_link_days)

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_metadata_url and self.oidc_client_id)
