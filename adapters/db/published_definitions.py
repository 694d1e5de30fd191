"""Definitions `sopflow deploy` has published: what new cases are pinned to, without a restart.

The intake asks for the newest published version of each definition when a case is submitted;
running cases keep the snapshot they were pinned to. Publishing the same content twice is a
no-op (the content hash is unique).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from sqlalchemy import JSON, Column, DateTime, Engine, Integer, String
from sqlmodel import Field, SQLModel, col, select

from adapters.db.engine import session_scope
from process_definitions.loader import LoadedDefinition, from_snapshot, to_snapshot


class PublishedDefinition(SQLModel, table=True):
    __tablename__ = "published_definition"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    definition_id: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    content_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    snapshot: dict[str, object] = Field(sa_column=Column(JSON, nullable=False))
    published_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


def publish_definitions(
    engine: Engine, definitions: list[LoadedDefinition], *, now: datetime | None = None
) -> list[LoadedDefinition]:
    """Record each definition (once per content); returns every version that may still have
    open cases, newest last, so their budget automations can be kept."""
    now = now or datetime.now(UTC)
    with session_scope(engine) as session:
        known = set(session.exec(select(PublishedDefinition.content_hash)))
        for loaded in definitions:
            if loaded.content_hash not in known:
                session.add(
                    PublishedDefinition(
                        definition_id=loaded.definition.id,
                        version=loaded.definition.version,
                        content_hash=loaded.content_hash,
                        snapshot=to_snapshot(loaded),
                        published_at=now,
                    )
                )
                known.add(loaded.content_hash)
        rows = session.exec(select(PublishedDefinition).order_by(col(PublishedDefinition.id)))
        return [from_snapshot(dict(row.snapshot)) for row in rows]


_LOADED: dict[str, LoadedDefinition] = {}


def published_versions(engine: Engine, definition_id: str) -> Iterator[LoadedDefinition]:
    """The published versions of a definition, newest first (none before the first deploy).
    Each snapshot is read and parsed once per content hash."""
    with session_scope(engine) as session:
        hashes = list(
            session.exec(
                select(PublishedDefinition.content_hash)
                .where(PublishedDefinition.definition_id == definition_id)
                .order_by(col(PublishedDefinition.id).desc())
            )
        )
    for digest in hashes:
        loaded = _LOADED.get(digest)
        if loaded is None:
            with session_scope(engine) as session:
                snapshot = session.exec(
                    select(PublishedDefinition.snapshot).where(
                        PublishedDefinition.content_hash == digest
                    )
                ).one()
            loaded = _LOADED[digest] = from_snapshot(dict(snapshot))
        yield loaded


def latest_published(engine: Engine, definition_id: str) -> LoadedDefinition | None:
    return next(published_versions(engine, definition_id), None)


def same_form(a: LoadedDefinition, b: LoadedDefinition) -> bool:
    """Whether a case filled on `a`'s form can be pinned to `b` (the same fields)."""
    return [f.model_dump() for f in a.definition.form_fields()] == [
        f.model_dump() for f in b.definition.form_fields()
    ]
