"""Settings from SOPFLOW_* environment variables or `.env`, with embedded defaults.

The defaults make a fresh machine work with nothing configured: everything lives under `./var/`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOPFLOW_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("var"), description="Databases, outbox, local data.")
    database_url: str = Field(default="", description="SQLAlchemy URL; default SQLite in data_dir.")
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
    notify_retry_base_seconds: float = Field(
        default=30, gt=0, description="First wait before retrying a transient delivery failure."
    )
    roster_file: Path | None = Field(
        default=None,
        description="YAML roster of operators (NIP per lane); default: the demo roster.",
    )
    s3_endpoint: str = Field(
        default="", description="S3 host:port for KTP files; empty = start a local weed mini."
    )
    s3_access_key: str = Field(default="", description="S3 access key (empty with local S3).")
    s3_secret_key: str = Field(default="", description="S3 secret key (empty with local S3).")
    s3_bucket: str = Field(default="sopflow-ktp", description="Bucket for KTP files.")
    s3_secure: bool = Field(default=False, description="Use HTTPS to reach s3_endpoint.")
    intake_definition: str = Field(
        default="",
        description="Definition file the public form serves (in definitions_dir); "
        "empty = the only one there.",
    )
    intake_submit_per_10min: int = Field(
        default=20, gt=0, description="Form submissions allowed per client IP per 10 minutes."
    )
    intake_status_per_10min: int = Field(
        default=10, gt=0, description="Status look-ups allowed per client IP per 10 minutes."
    )
    intake_timezone: str = Field(
        default="Asia/Jakarta", description="Time zone of times shown to the public (WIB)."
    )

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir.resolve() / 'sopflow.db'}"
        return self

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def describe_settings_error(error: ValidationError) -> str:
    """One line naming each bad environment variable (values are not repeated)."""
    parts = [
        f"SOPFLOW_{'_'.join(str(p) for p in item['loc']).upper()}: {item['msg']}"
        for item in error.errors()
    ]
    return "invalid settings: " + "; ".join(parts)
