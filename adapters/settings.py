"""Settings from SOPFLOW_* environment variables or `.env`, with embedded defaults.

The defaults make a fresh machine work with nothing configured: everything lives under `./var/`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, PrivateAttr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOPFLOW_", env_file=".env", extra="ignore")
    _database_url_set: bool = PrivateAttr(default=False)

    data_dir: Path = Field(default=Path("var"), description="Databases, outbox, local data.")
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL of the case database; empty = the embedded PostgreSQL that "
        "`sopflow serve` runs in data_dir (before a first serve: SQLite in data_dir).",
    )
    postgres_port: int = Field(
        default=0,
        ge=0,
        lt=65536,
        description="Port of the embedded PostgreSQL on 127.0.0.1; 0 = a free one, kept.",
    )
    postgres_shared_buffers_mb: int = Field(
        default=0,
        ge=0,
        le=65536,
        description="Buffer pool of the embedded PostgreSQL in MB; 0 = a quarter of the memory, "
        "128 to 1024.",
    )
    prefect_api_workers: int = Field(
        default=1,
        ge=1,
        description="API processes of the local Prefect server; more than 1 needs redis_url.",
    )
    redis_url: str = Field(
        default="",
        description="Redis for the local Prefect server's messaging (prefect-redis), "
        "e.g. redis://127.0.0.1:6379/0; empty = in-memory (one API process).",
    )
    definitions_dir: Path = Field(
        default=Path(__file__).resolve().parent.parent / "process_definitions",
        description="Where process definition YAML files live.",
    )
    channels_file: Path | None = Field(
        default=None,
        description="YAML file of notification channels (Apprise URLs); default: outbox:// files.",
    )
    secret_key: str = Field(
        default="", description="Signs case-file links; default a random key kept in data_dir."
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Base URL of the intake app as people reach it (links, QR poster).",
    )
    case_link_ttl_minutes: int = Field(
        default=60,
        gt=0,
        description="Case-file link lifetime for an operator step without a budget "
        "(with a budget: budget x 2, at least 15 minutes).",
    )
    decision_grace_seconds: float = Field(
        default=3.0,
        ge=0,
        le=60,
        description="How long a case waiting for an operator stays in its runner before it "
        "suspends: an answer given meanwhile continues at once (0: suspend at once).",
    )
    notify_retry_base_seconds: float = Field(
        default=30, gt=0, description="First wait before retrying a transient delivery failure."
    )
    roster_file: Path | None = Field(
        default=None,
        description="YAML roster of operators (NIP per lane); default: the demo roster.",
    )
    office_file: Path | None = Field(
        default=None,
        description="YAML of the office's contacts (complaint_channel, phone, email); default: "
        "office.yaml in definitions_dir, else DEMO placeholders (serve warns).",
    )
    s3_endpoint: str = Field(
        default="", description="S3 host:port for KTP files; empty = start a local weed mini."
    )
    s3_access_key: str = Field(default="", description="S3 access key (empty with local S3).")
    s3_secret_key: str = Field(default="", description="S3 secret key (empty with local S3).")
    s3_bucket: str = Field(default="sopflow-ktp", description="Bucket for KTP files.")
    s3_secure: bool = Field(default=False, description="Use HTTPS to reach s3_endpoint.")
    intake_services: str = Field(
        default="",
        description="Comma-separated definition ids the public intake serves; "
        "empty = every definition in definitions_dir.",
    )
    intake_submit_per_10min: int = Field(
        default=20, gt=0, description="Form submissions allowed per client IP per 10 minutes."
    )
    intake_status_per_10min: int = Field(
        default=10, gt=0, description="Status look-ups allowed per client IP per 10 minutes."
    )
    audit_key: str = Field(
        default="",
        description="HMAC key of the audit chain (>= 32 characters), the same on every host "
        "writing one log; empty = a random key in data_dir/audit.key (0600).",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Comma-separated addresses of reverse proxies whose X-Forwarded-For the "
        "intake believes (rate limits are per client address); the proxy's IP when it runs on "
        "another host. Never '*' where the public can reach the intake directly.",
    )
    intake_header_timeout_seconds: float = Field(
        default=10, gt=0, description="A request's headers must arrive within this time."
    )
    intake_body_timeout_seconds: float = Field(
        default=120, gt=0, description="A request's body must arrive within this time."
    )
    intake_max_connections: int = Field(
        default=300, gt=0, description="Open connections the intake serves; more get 503."
    )
    intake_timezone: str = Field(
        default="Asia/Jakarta", description="Time zone of times shown to the public (WIB)."
    )
    survey_ttl_days: int = Field(
        default=14, gt=0, le=365, description="Days a case's satisfaction-survey link stays valid."
    )
    office_hours: str = Field(
        default="Mon-Fri 08:00-16:00",
        description="When operators work, in intake_timezone (staffing forecast), e.g. "
        "'Mon-Fri 08:00-16:00' or 'Mon-Thu 08:00-16:00, Fri 08:00-11:30'.",
    )

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if self.prefect_api_workers > 1 and not self.redis_url:
            raise ValueError("SOPFLOW_PREFECT_API_WORKERS above 1 needs SOPFLOW_REDIS_URL")
        self._database_url_set = bool(self.database_url)
        if not self.database_url:
            # serve's embedded PostgreSQL once it exists; before that, the older SQLite default
            # (tools used before a first serve; serve itself then starts the embedded one)
            self.database_url = embedded_database_url(self.data_dir) or self.sqlite_fallback_url
        return self

    @property
    def database_url_set(self) -> bool:
        """SOPFLOW_DATABASE_URL was given (not a default)."""
        return self._database_url_set

    @property
    def sqlite_fallback_url(self) -> str:
        return f"sqlite:///{self.data_dir.resolve() / 'sopflow.db'}"

    @property
    def uses_embedded_database(self) -> bool:
        return self.database_url == embedded_database_url(self.data_dir) != ""

    def ensure_data_dir(self) -> Path:
        """The data dir, private to the service user (0700/0600, umask 077 from now on)."""
        from adapters.private_files import make_private

        return make_private(self.data_dir, *self._sqlite_files())

    def _sqlite_files(self) -> list[Path]:
        if not self.database_url.startswith("sqlite:///"):
            return []
        db = Path(self.database_url.removeprefix("sqlite:///"))
        return [db, Path(f"{db}-wal"), Path(f"{db}-shm")]


def embedded_database_url(data_dir: Path) -> str:
    """The case database of the embedded PostgreSQL recorded in data_dir, or "" if none yet.

    Reads `<data_dir>/postgres.json` (written when `sopflow serve` first creates the cluster);
    creates nothing.
    """
    from adapters.embedded_postgres import read_record

    record = read_record(data_dir.resolve())
    return record.url("sopflow") if record else ""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def describe_settings_error(error: ValidationError) -> str:
    """One line naming each bad environment variable (values are not repeated)."""
    parts = [
        f"SOPFLOW_{'_'.join(str(p) for p in item['loc']).upper()}: {item['msg']}"
        if item["loc"]
        else str(item["msg"])
        for item in error.errors()
    ]
    return "invalid settings: " + "; ".join(parts)
