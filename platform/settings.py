"""Settings read from ``RAPPORT_*`` environment variables (one place, typed, validated)."""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

# Shipped as the development default until an attack run minted owner tokens with it
# (issue 9). It is public, so no mode accepts it, whatever the source of the key.
PUBLISHED_DEV_SECRET = "dev-insecure-secret-change-me"  # noqa: S105 - refused by check()
MIN_SECRET_LENGTH = 32
# A file name under RAPPORT_DATA_DIR, used when RAPPORT_SECRET_KEY is unset.
SECRET_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


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


def local_secret_key(data_dir: Path) -> str:
    """The development key kept in ``data_dir/secret_key``: made on first run, then reused,
    so tokens survive restarts without anyone choosing (or publishing) a key.

    The key is written to a private temporary file and hard-linked into place: the link
    either creates the whole file or fails because another process got there first, so
    two processes starting at once read the same key and never a half-written one.
    """
    path = data_dir / SECRET_FILE
    try:
        return _keep_secret_file(path)
    except OSError as exc:
        raise SettingsError(
            f"cannot keep the secret key in {path} ({exc.strerror}); "
            "set RAPPORT_SECRET_KEY or RAPPORT_DATA_DIR"
        ) from exc


def _keep_secret_file(path: Path) -> str:
    data_dir = path.parent
    data_dir.mkdir(parents=True, exist_ok=True)
    if not os.path.lexists(path):
        key = secrets.token_urlsafe(48)
        scratch = data_dir / f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(scratch, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        try:
            with os.fdopen(fd, "w") as out:
                out.write(key + "\n")
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(scratch, path)
                return key
            except FileExistsError:
                pass  # another process won the race: use its key, read below
        finally:
            scratch.unlink(missing_ok=True)
    return _read_secret_file(path)


def _read_secret_file(path: Path) -> str:
    # A key others could read may already be copied: refuse rather than quietly tighten
    # the mode, so the operator decides between chmod (trusted) and deleting it (rotate).
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        raise SettingsError(f"{path} must be a regular file holding the secret key")
    if info.st_mode & 0o077:
        raise SettingsError(
            f"{path} is open to other users (mode {stat.S_IMODE(info.st_mode):o}); "
            f"run `chmod 600 {path}` if it never left this machine, or delete it to "
            "generate a new key (existing tokens then stop working)"
        )
    key = path.read_text().strip()
    if len(key) < MIN_SECRET_LENGTH:
        raise SettingsError(
            f"{path} holds no usable key (fewer than {MIN_SECRET_LENGTH} characters); "
            "delete it to generate a new one, or set RAPPORT_SECRET_KEY"
        )
    return key


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    # No usable default: from_env() resolves the key (variable, or the data folder's file
    # outside production) and check() refuses an empty one.
    secret_key: str = ""
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
    # API clients' access tokens (client credentials): short-lived, so a leaked one is
    # worth little even before its client is rotated or revoked.
    client_token_ttl: int = 15 * 60
    invitation_ttl: int = 7 * 24 * 3600
    max_body_bytes: int = 1024 * 1024
    # Throttling of login and other public doors; the rules: docs/auth-throttling.md.
    login_window_seconds: int = 15 * 60
    # Per (account, address) pair: slow down after this many failures, refuse at the limit.
    login_slowdown_after: int = 3
    login_slowdown_seconds: float = 1.0
    login_lockout_after: int = 5
    # Per address, across accounts (password spraying).
    login_address_lockout_after: int = 50
    # Per account: this many distinct failing addresses is a distributed attack; addresses
    # that already failed against the account are then refused (clean ones never are).
    login_distributed_after: int = 10
    # Per address and action, for sign-up, password-reset requests, invitation acceptance.
    public_action_limit: int = 20
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
    # GET /metrics answers only this bearer token when set (docs/deploy.md).
    metrics_token: str | None = None
    email_verification_ttl: int = 3 * 24 * 3600

    @property
    def production(self) -> bool:
        return self.env == "production"

    def check(self) -> None:
        """Refuse a missing or published secret in every mode, and a short one in production."""
        if not self.secret_key:
            raise SettingsError(
                "RAPPORT_SECRET_KEY must be set to a private value when RAPPORT_ENV=production"
                if self.production
                else "RAPPORT_SECRET_KEY is empty: set it, or unset it to use the key kept in "
                f"{self.data_dir / SECRET_FILE}"
            )
        if self.secret_key == PUBLISHED_DEV_SECRET:
            raise SettingsError(
                "RAPPORT_SECRET_KEY is the published development default, which anyone can "
                "sign tokens with; set a private value (or unset it outside production)"
            )
        if self.production and len(self.secret_key) < MIN_SECRET_LENGTH:
            raise SettingsError(
                f"RAPPORT_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters in production"
            )

    @classmethod
    def from_env(cls) -> Settings:
        host = os.environ.get("RAPPORT_HOST", "127.0.0.1")
        port = _env_int("RAPPORT_PORT", 8000)
        log_json_raw = os.environ.get("RAPPORT_LOG_JSON")
        env = os.environ.get("RAPPORT_ENV", "development")
        data_dir = Path(os.environ.get("RAPPORT_DATA_DIR", "var"))
        # Production must be given its key (replicas share it; check() refuses it empty);
        # elsewhere an unset variable means the key generated once into the data folder.
        secret_key = os.environ.get("RAPPORT_SECRET_KEY") or (
            "" if env == "production" else local_secret_key(data_dir)
        )
        return cls(
            env=env,
            secret_key=secret_key,
            host=host,
            port=port,
            data_dir=data_dir,
            database_url=os.environ.get("RAPPORT_DATABASE_URL") or None,
            app_database_url=os.environ.get("RAPPORT_APP_DATABASE_URL") or None,
            app_db_password=os.environ.get("RAPPORT_APP_DB_PASSWORD", "rapport_app"),
            base_url=os.environ.get("RAPPORT_BASE_URL", f"http://{host}:{port}"),
            access_token_ttl=_env_int("RAPPORT_ACCESS_TOKEN_TTL", 3600),
            client_token_ttl=_env_int("RAPPORT_CLIENT_TOKEN_TTL", 15 * 60),
            max_body_bytes=_env_int("RAPPORT_MAX_BODY_BYTES", 1024 * 1024),
            login_window_seconds=_env_int("RAPPORT_LOGIN_WINDOW_SECONDS", 15 * 60),
            login_slowdown_after=_env_int("RAPPORT_LOGIN_SLOWDOWN_AFTER", 3),
            login_slowdown_seconds=_env_float("RAPPORT_LOGIN_SLOWDOWN_SECONDS", 1.0),
            login_lockout_after=_env_int("RAPPORT_LOGIN_LOCKOUT_AFTER", 5),
            login_address_lockout_after=_env_int("RAPPORT_LOGIN_ADDRESS_LOCKOUT_AFTER", 50),
            login_distributed_after=_env_int("RAPPORT_LOGIN_DISTRIBUTED_AFTER", 10),
            public_action_limit=_env_int("RAPPORT_PUBLIC_ACTION_LIMIT", 20),
            log_json=None if log_json_raw is None else log_json_raw.lower() in ("1", "true", "yes"),
            blocked_plugins=_env_set("RAPPORT_BLOCKED_PLUGINS"),
            trusted_proxies=_env_set("RAPPORT_TRUSTED_PROXIES"),
            smtp_url=os.environ.get("RAPPORT_SMTP_URL") or None,
            mail_from=os.environ.get("RAPPORT_MAIL_FROM", "Rapport <no-reply@rapport.invalid>"),
            metrics_token=os.environ.get("RAPPORT_METRICS_TOKEN") or None,
        )
