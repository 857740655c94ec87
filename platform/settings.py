"""Settings read from ``RAPPORT_*`` environment variables (one place, typed, validated)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SECRET = "dev-insecure-secret-change-me"  # noqa: S105 - refused in production below


class SettingsError(RuntimeError):
    """A setting is missing or unsafe; the message names the variable."""


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from exc


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from exc


def _env_set(name: str) -> frozenset[str]:
    """A comma-separated list variable."""
    return frozenset(p.strip() for p in os.environ.get(name, "").split(",") if p.strip())


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    secret_key: str = DEFAULT_SECRET
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = field(default_factory=lambda: Path("var"))
    # Owner URL (runs migrations). Unset: the embedded PostgreSQL under data_dir.
    database_url: str | None = None
    # Application-role URL; derived from database_url when unset.
    app_database_url: str | None = None
    app_db_password: str = "rapport_app"  # noqa: S105 - only used over the embedded unix socket
    base_url: str = "http://127.0.0.1:8000"
    access_token_ttl: int = 3600
    invitation_ttl: int = 7 * 24 * 3600
    max_body_bytes: int = 1024 * 1024
    login_window_seconds: int = 15 * 60
    login_slowdown_after: int = 3
    login_slowdown_seconds: float = 1.0
    login_lockout_after: int = 5
    login_address_lockout_after: int = 50
    log_json: bool | None = None
    # Peers whose X-Forwarded-For we believe (the load balancer); others' headers are ignored.
    trusted_proxies: frozenset[str] = frozenset()
    # Plugins the operator refuses to load, whatever is installed.
    blocked_plugins: frozenset[str] = frozenset()
    # Outgoing e-mail (invitations, password reset, address verification). Unset: messages
    # are logged and written to ``data_dir/mail-outbox`` instead of being sent.
    smtp_url: str | None = None
    mail_from: str = "Rapport <no-reply@rapport.invalid>"
    password_reset_ttl: int = 3600
    email_verification_ttl: int = 3 * 24 * 3600

    @property
    def production(self) -> bool:
        return self.env == "production"

    def check(self) -> None:
        """Refuse to run production with a default or missing secret."""
        if self.production and (not self.secret_key or self.secret_key == DEFAULT_SECRET):
            raise SettingsError(
                "RAPPORT_SECRET_KEY must be set to a private value when RAPPORT_ENV=production"
            )
        if self.production and len(self.secret_key) < 32:
            raise SettingsError("RAPPORT_SECRET_KEY must be at least 32 characters in production")

    @classmethod
    def from_env(cls) -> Settings:
        host = os.environ.get("RAPPORT_HOST", "127.0.0.1")
        port = _env_int("RAPPORT_PORT", 8000)
        log_json_raw = os.environ.get("RAPPORT_LOG_JSON")
        return cls(
            env=os.environ.get("RAPPORT_ENV", "development"),
            secret_key=os.environ.get("RAPPORT_SECRET_KEY", DEFAULT_SECRET),
            host=host,
            port=port,
            data_dir=Path(os.environ.get("RAPPORT_DATA_DIR", "var")),
            database_url=os.environ.get("RAPPORT_DATABASE_URL") or None,
            app_database_url=os.environ.get("RAPPORT_APP_DATABASE_URL") or None,
            app_db_password=os.environ.get("RAPPORT_APP_DB_PASSWORD", "rapport_app"),
            base_url=os.environ.get("RAPPORT_BASE_URL", f"http://{host}:{port}"),
            access_token_ttl=_env_int("RAPPORT_ACCESS_TOKEN_TTL", 3600),
            max_body_bytes=_env_int("RAPPORT_MAX_BODY_BYTES", 1024 * 1024),
            login_slowdown_seconds=_env_float("RAPPORT_LOGIN_SLOWDOWN_SECONDS", 1.0),
            log_json=None if log_json_raw is None else log_json_raw.lower() in ("1", "true", "yes"),
            blocked_plugins=_env_set("RAPPORT_BLOCKED_PLUGINS"),
            trusted_proxies=_env_set("RAPPORT_TRUSTED_PROXIES"),
            smtp_url=os.environ.get("RAPPORT_SMTP_URL") or None,
            mail_from=os.environ.get("RAPPORT_MAIL_FROM", "Rapport <no-reply@rapport.invalid>"),
        )
