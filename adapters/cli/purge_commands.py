"""`sopflow purge`: delete personal data of closed cases past their retention (UU 27/2022).

The object store is SOPFLOW_S3_ENDPOINT (+ keys) when set; otherwise the local S3 server of a
running `sopflow serve` (credentials in `<data_dir>/s3/credentials.json`, port SOPFLOW_S3_PORT,
default 8333). Without either, only cases without files can be purged (or use `--dry-run`).
"""

from __future__ import annotations

import getpass
import json
import os
from datetime import UTC, datetime

import typer

from adapters.cli.existing_db import existing_engine
from adapters.retention.errors import PurgeError
from adapters.retention.older_than import parse_age
from adapters.retention.purge import purge as run_purge
from adapters.settings import Settings, get_settings
from adapters.storage.protocol import ObjectStore
from process_definitions.units import format_duration


def store_from_settings(settings: Settings) -> ObjectStore | None:
    from adapters.storage.minio_store import MinioObjectStore

    if settings.s3_endpoint:
        return MinioObjectStore(
            settings.s3_endpoint,
            settings.s3_access_key,
            settings.s3_secret_key,
            settings.s3_bucket,
            secure=settings.s3_secure,
        )
    credentials = settings.data_dir / "s3" / "credentials.json"
    if not credentials.exists():
        return None
    data = json.loads(credentials.read_text())
    port = os.environ.get("SOPFLOW_S3_PORT", "8333")
    return MinioObjectStore(
        f"127.0.0.1:{port}", str(data["access_key"]), str(data["secret_key"]), settings.s3_bucket
    )


def parse_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not an ISO date-time", param_hint="--as-of"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def purge(
    older_than: str | None = typer.Option(
        None,
        "--older-than",
        help="Purge cases closed longer ago than this: a number and an explicit unit, e.g. "
        "90d, 12w, 6mo/6months, 1y, 30min (a bare `m` is refused: minutes or months?); "
        "default: each definition's `retention`.",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="List what would go; change nothing."),
    actor: str | None = typer.Option(None, help="Who runs it, for the audit log; default OS user."),
    as_of: str | None = typer.Option(None, "--as-of", help="Reference time (ISO); default now."),
) -> None:
    """Delete form data and KTP files of closed cases past retention; keep the anonymised
    step records and audit entries; record each purge in the audit log."""
    try:
        period = parse_age(older_than) if older_than else None
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--older-than") from None
    now = parse_moment(as_of) if as_of else datetime.now(UTC)
    settings = get_settings()
    engine = existing_engine(settings.database_url)
    try:
        result = run_purge(
            engine,
            store=None if dry_run else store_from_settings(settings),
            now=now,
            actor=actor or getpass.getuser(),
            older_than=period,
            dry_run=dry_run,
        )
    except PurgeError as error:
        typer.echo(f"purge stopped: {error}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    if dry_run:
        for c in result.candidates:
            typer.echo(
                f"would purge {c.reference} (closed {c.closed_at:%Y-%m-%d}, retention "
                f"{format_duration(c.retention)}, {len(c.object_keys)} file(s))"
            )
        typer.echo(f"dry run: {len(result.candidates)} case(s) would be purged")
        return
    typer.echo(
        f"purged {len(result.purged)} case(s): {result.values_removed} personal value(s), "
        f"{result.objects_deleted} file(s)"
    )
