"""Web-only settings (environment variables prefixed ``CANREHAB_WEB_``), next to the shared ``Settings``."""

from __future__ import annotations

from datetime import timedelta

from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CANREHAB_WEB_", env_file=".env", extra="ignore")

    # Sessions: absolute lifetime and idle timeout, in seconds.
    session_max_age: int = 8 * 3600
    session_idle_timeout: int = 30 * 60
    # Set when always served over https: adds Secure to the cookies and HSTS on every response. Behind the
    # region's reverse proxy, list its addresses in trusted_proxies instead: a request is then over TLS when
    # the proxy says so (X-Forwarded-Proto: https), and its client is the one in X-Forwarded-For.
    https: bool = False
    trusted_proxies: list[str] = []  # addresses or networks, e.g. ["10.1.2.3", "10.1.0.0/24"]
    # Origins besides the app's own from which state-changing requests are accepted (normally none).
    allowed_origins: list[str] = []
    # Failed logins are slowed by exponential back-off per (account, address), per account and per address
    # (canrehab.domain.login_backoff.BACKOFF, counted in the database for every worker process); no
    # account is locked out for long.
    # Patient assessment links.
    assessment_link_days: int = 14
    # Re-read a template when its file changes (development); off, every render skips a stat per template.
    template_reload: bool = False
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
