"""Definitions pinned to cases (`case.definition_snapshot`), versioned like SpiffWorkflow's
serializer (`version_migration.py`): each snapshot carries a `format`; older formats are upgraded
step by step through MIGRATIONS before the model reads them.

The content hash is checked on the snapshot as it was stored, before any migration, so a case
keeps its original hash when the model gains a field with a default or a migration rewrites it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from process_definitions import model as m
from process_definitions.loader import (
    DefinitionError,
    DefinitionErrors,
    LoadedDefinition,
    canonical_hash,
    check_loaded,
)

SNAPSHOT_FORMAT = 1

Snapshot = dict[str, Any]


def _v0_to_v1(snapshot: Snapshot) -> Snapshot:
    """Format 0 (before 2026-12) had no `format` key; its content is unchanged."""
    return {**snapshot, "format": 1}


# format N -> the function upgrading a format-N snapshot to format N + 1.
MIGRATIONS: dict[int, Callable[[Snapshot], Snapshot]] = {0: _v0_to_v1}


def to_snapshot(loaded: LoadedDefinition) -> Snapshot:
    """Everything a case needs to run exactly the definition it started with."""
    return {
        "format": SNAPSHOT_FORMAT,
        "source": loaded.source,
        "hash": loaded.content_hash,
        "definition": loaded.definition.model_dump(mode="json"),
        "templates": dict(loaded.templates),
    }


def migrate_snapshot(snapshot: Snapshot) -> Snapshot:
    """The snapshot upgraded to SNAPSHOT_FORMAT (a new dict; the stored one is untouched)."""
    version = int(snapshot.get("format", 0))
    if version > SNAPSHOT_FORMAT:
        raise _error(
            snapshot, f"snapshot format {version} is newer than this software's {SNAPSHOT_FORMAT}"
        )
    while version < SNAPSHOT_FORMAT:
        snapshot = MIGRATIONS[version](snapshot)
        version = int(snapshot["format"])
    return snapshot


_CACHE: dict[str, LoadedDefinition] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_MAX = 64


def from_snapshot(snapshot: Snapshot) -> LoadedDefinition:
    """Rebuild a pinned definition, once per process and content hash (cases of one version
    share it); refuses a snapshot whose stored content no longer matches its hash."""
    digest = str(snapshot.get("hash"))
    with _CACHE_LOCK:  # also serialises ast.parse, which is not thread-safe on 3.11
        cached = _CACHE.get(digest)
        if cached is None:
            cached = _rebuild(snapshot)
            if len(_CACHE) >= _CACHE_MAX:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[digest] = cached
        return cached


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()


def _source(snapshot: Snapshot) -> str:
    return f"{snapshot.get('source', '<snapshot>')} (snapshot)"


def _error(snapshot: Snapshot, message: str) -> DefinitionErrors:
    return DefinitionErrors([DefinitionError(_source(snapshot), 1, 1, None, message)])


def _rebuild(stored: Snapshot) -> LoadedDefinition:
    digest = canonical_hash(stored.get("definition"), stored.get("templates", {}))
    if digest != stored.get("hash"):
        raise _error(stored, "snapshot content does not match its hash")
    snapshot = migrate_snapshot(stored)
    source = _source(snapshot)
    definition = m.ProcessDefinition.model_validate(snapshot["definition"])
    conditions = check_loaded(definition, source, snapshot["definition"])
    return LoadedDefinition(
        definition=definition,
        source=source,
        content_hash=digest,
        conditions=conditions,
        templates=dict(snapshot.get("templates", {})),
    )
