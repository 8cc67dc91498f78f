"""Settings, parsed once from the environment (and an optional `.env`).

Only this module reads `os.environ`; everything else receives a `Settings` value,
so tests and the command line can build one explicitly.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import time
from pathlib import Path

ENVIRONMENTS = ("development", "test", "production")
#: A session key shorter than this is guessable; production refuses it.
MIN_SECRET_KEY_CHARS = 32
#: Signs webhook requests when no Twilio account is configured, so the README's run
#: command works on a fresh machine. It is public (it is right here), so webhooks take
#: it from loopback only (providers/twilio/signature.py) and production refuses it.
DEV_AUTH_TOKEN = "mianhua-dev-token"


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class QuietHours:
    """A daily window, in the community's zone, when reminders and broadcasts wait."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        try:
            start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
        except ValueError as exc:
            raise SettingsError(f"QUIET_HOURS must look like 21:00-08:00, not {text!r}") from exc
        return cls(start, end)

    def contains(self, moment: time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


SMS_SENDERS = ("twilio", "aliyun", "tencent", "console")
#: What each mainland sender cannot start without.
CREDENTIALS_FOR: dict[str, tuple[str, ...]] = {
    "aliyun": ("ALIYUN_ACCESS_KEY_ID", "ALIYUN_ACCESS_KEY_SECRET"),
    "tencent": ("TENCENT_SECRET_ID", "TENCENT_SECRET_KEY", "TENCENT_SMS_SDK_APP_ID"),
}


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///var/mianhua.db"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Redis behind Sentinel (RQ does not support Redis Cluster): the sentinels to ask and
    # the name of the master they watch. REDIS_URL then gives only the database number
    # and the password; its host is not used.
    redis_sentinels: tuple[tuple[str, int], ...] = ()
    redis_sentinel_master: str | None = None
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32))
    env: str = "development"
    public_base_url: str = "http://127.0.0.1:5000"
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_from_number: str | None = None
    twilio_api_base: str | None = None
    sms_sender: str = "console"
    validate_signatures: bool = True
    send_rate_per_second: float = 1.0
    send_stuck_after_seconds: int = 300
    quiet_hours: QuietHours = field(default_factory=lambda: QuietHours.parse("21:00-08:00"))
    ivr_key_timeout_seconds: int = 8
    # Waits before each retry of a send that failed for a passing reason (timeout, 5xx, 429).
    send_retry_delays: tuple[float, ...] = (60.0, 300.0, 900.0)
    # How often a worker enqueues the periodic work (outbox sweep, due reminders, deadlines).
    housekeeping_interval_seconds: float = 15.0
    # Where a web process keeps what providers sent while the database could not take it.
    spool_dir: str = "var/spool"
    # How often a web process's background thread looks for spool files to take in (0: never;
    # then only `flask --app app spool drain` takes them in).
    spool_drain_interval_seconds: float = 2.0
    # How many reverse proxies stand in front of the web app (their X-Forwarded-* count).
    trusted_proxies: int = 0
    # The largest request body any route takes; the resident import's upload may be larger.
    max_content_length: int = 1024 * 1024
    max_import_bytes: int = 5 * 1024 * 1024
    # Mainland China SMS (SMS_SENDER=aliyun|tencent); the endpoints point the SDKs at stand-ins.
    aliyun_access_key_id: str | None = None
    aliyun_access_key_secret: str | None = None
    aliyun_sms_endpoint: str | None = None
    tencent_secret_id: str | None = None
    tencent_secret_key: str | None = None
    tencent_sms_sdk_app_id: str | None = None
    tencent_sms_endpoint: str | None = None
    # Mainland reminder calls (a community's voice provider aliyun|tencent): Aliyun voice
    # notification and Tencent VMS; the endpoints point the SDKs at stand-ins.
    aliyun_voice_endpoint: str | None = None
    aliyun_voice_show_number: str | None = None
    tencent_voice_sdk_app_id: str | None = None
    tencent_voice_endpoint: str | None = None

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def _flag(value: str, name: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be 0 or 1, not {value!r}")


def _number(value: str, name: str, kind: type[int] | type[float]) -> float | int:
    try:
        number = kind(value)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, not {value!r}") from exc
    if number < 0:
        raise SettingsError(f"{name} must not be negative")
    return number


def _sentinels(value: str | None) -> tuple[tuple[str, int], ...]:
    """REDIS_SENTINELS: `host:port` pairs parted by commas (the port defaults to 26379)."""
    if value is None:
        return ()
    found = []
    for part in value.split(","):
        host, colon, port = part.strip().rpartition(":")
        if not colon:
            host, port = part.strip(), "26379"
        host, port = host.strip().strip("[]"), port.strip()
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise SettingsError(
                f"REDIS_SENTINELS must be host:port pairs parted by commas, not {value!r}"
            )
        found.append((host, int(port)))
    return tuple(found)


def load_settings(environ: Mapping[str, str] | None = None, dotenv: Path | None = None) -> Settings:
    """Build settings from the environment; `.env` fills in what the environment lacks."""
    env: dict[str, str] = {}
    dotenv_path = dotenv if dotenv is not None else Path(".env")
    if environ is None and dotenv_path.is_file():
        from dotenv import dotenv_values

        env.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    env.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        value = env.get(name)
        return value.strip() if value is not None and value.strip() != "" else None

    mode = get("MIANHUA_ENV") or "development"
    if mode not in ENVIRONMENTS:
        raise SettingsError(f"MIANHUA_ENV must be one of {', '.join(ENVIRONMENTS)}, not {mode!r}")
    secret_key = get("SECRET_KEY")
    if secret_key is None and mode == "production":
        raise SettingsError("SECRET_KEY is required in production")
    if secret_key is not None and mode == "production" and len(secret_key) < MIN_SECRET_KEY_CHARS:
        raise SettingsError(
            f"SECRET_KEY must be at least {MIN_SECRET_KEY_CHARS} characters in production "
            "(make one with: python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    account_sid, auth_token = get("TWILIO_ACCOUNT_SID"), get("TWILIO_AUTH_TOKEN")
    if auth_token == DEV_AUTH_TOKEN and mode == "production":
        raise SettingsError("TWILIO_AUTH_TOKEN is the public development token; use your own")
    if (account_sid or auth_token) and get("MIANHUA_ENV") is None:
        # Fail closed: real credentials with no mode named would run development mode,
        # whose simulator signs with them. Say which mode is meant.
        raise SettingsError(
            "Twilio credentials are set but MIANHUA_ENV is not: set MIANHUA_ENV=production, "
            "or MIANHUA_ENV=development to run development mode with them on purpose"
        )
    sender = get("SMS_SENDER") or ("twilio" if account_sid and auth_token else "console")
    if sender not in SMS_SENDERS:
        raise SettingsError(f"SMS_SENDER must be one of {', '.join(SMS_SENDERS)}, not {sender!r}")
    if sender == "twilio" and not (account_sid and auth_token):
        raise SettingsError("SMS_SENDER=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
    for needed in CREDENTIALS_FOR.get(sender, ()):
        if get(needed) is None:
            raise SettingsError(f"SMS_SENDER={sender} needs {needed}")
    validate = _flag(get("TWILIO_VALIDATE_SIGNATURES") or "1", "TWILIO_VALIDATE_SIGNATURES")
    if not validate and mode == "production":
        raise SettingsError("TWILIO_VALIDATE_SIGNATURES=0 is refused in production")

    retry_delays = tuple(
        float(_number(part.strip(), "SEND_RETRY_DELAYS", float))
        for part in (get("SEND_RETRY_DELAYS") or "60,300,900").split(",")
        if part.strip()
    )
    sentinels = _sentinels(get("REDIS_SENTINELS"))
    if sentinels and get("REDIS_SENTINEL_MASTER") is None:
        raise SettingsError("REDIS_SENTINELS needs REDIS_SENTINEL_MASTER, the master's name")
    defaults = Settings(secret_key="unused")
    return Settings(
        database_url=get("DATABASE_URL") or defaults.database_url,
        redis_url=get("REDIS_URL") or defaults.redis_url,
        redis_sentinels=sentinels,
        redis_sentinel_master=get("REDIS_SENTINEL_MASTER") if sentinels else None,
        secret_key=secret_key or secrets.token_hex(32),
        env=mode,
        public_base_url=(get("PUBLIC_BASE_URL") or defaults.public_base_url).rstrip("/"),
        twilio_account_sid=account_sid,
        twilio_auth_token=auth_token,
        twilio_messaging_service_sid=get("TWILIO_MESSAGING_SERVICE_SID"),
        twilio_from_number=get("TWILIO_FROM_NUMBER"),
        twilio_api_base=get("TWILIO_API_BASE"),
        sms_sender=sender,
        aliyun_access_key_id=get("ALIYUN_ACCESS_KEY_ID"),
        aliyun_access_key_secret=get("ALIYUN_ACCESS_KEY_SECRET"),
        aliyun_sms_endpoint=get("ALIYUN_SMS_ENDPOINT"),
        tencent_secret_id=get("TENCENT_SECRET_ID"),
        tencent_secret_key=get("TENCENT_SECRET_KEY"),
        tencent_sms_sdk_app_id=get("TENCENT_SMS_SDK_APP_ID"),
        tencent_sms_endpoint=get("TENCENT_SMS_ENDPOINT"),
        aliyun_voice_endpoint=get("ALIYUN_VOICE_ENDPOINT") or get("ALIYUN_VMS_ENDPOINT"),
        aliyun_voice_show_number=get("ALIYUN_VOICE_SHOW_NUMBER"),
        tencent_voice_sdk_app_id=get("TENCENT_VOICE_SDK_APP_ID"),
        tencent_voice_endpoint=get("TENCENT_VOICE_ENDPOINT") or get("TENCENT_VMS_ENDPOINT"),
        validate_signatures=validate,
        send_rate_per_second=float(
            _number(get("SEND_RATE_PER_SECOND") or "1", "SEND_RATE_PER_SECOND", float)
        ),
        send_stuck_after_seconds=int(
            _number(get("SEND_STUCK_AFTER_SECONDS") or "300", "SEND_STUCK_AFTER_SECONDS", int)
        ),
        quiet_hours=QuietHours.parse(get("QUIET_HOURS") or "21:00-08:00"),
        ivr_key_timeout_seconds=int(
            _number(get("IVR_KEY_TIMEOUT_SECONDS") or "8", "IVR_KEY_TIMEOUT_SECONDS", int)
        ),
        send_retry_delays=retry_delays,
        housekeeping_interval_seconds=float(
            _number(
                get("HOUSEKEEPING_INTERVAL_SECONDS") or "15", "HOUSEKEEPING_INTERVAL_SECONDS", float
            )
        ),
        spool_dir=get("SPOOL_DIR") or defaults.spool_dir,
        spool_drain_interval_seconds=float(
            _number(
                get("SPOOL_DRAIN_INTERVAL_SECONDS") or "2",
                "SPOOL_DRAIN_INTERVAL_SECONDS",
                float,
            )
        ),
        trusted_proxies=int(_number(get("TRUSTED_PROXIES") or "0", "TRUSTED_PROXIES", int)),
        max_content_length=int(
            _number(
                get("MAX_CONTENT_LENGTH") or str(defaults.max_content_length),
                "MAX_CONTENT_LENGTH",
                int,
            )
        ),
        max_import_bytes=int(
            _number(
                get("MAX_IMPORT_BYTES") or str(defaults.max_import_bytes), "MAX_IMPORT_BYTES", int
            )
        ),
    )
