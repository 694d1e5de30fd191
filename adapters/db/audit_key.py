"""The audit log's HMAC key, kept outside the database.

Resolution, first match wins: a key entered with `using_audit_key` (tests, tools), the
`SOPFLOW_AUDIT_KEY` setting (several hosts share one log: give them all the same key), else
`audit.key` in the data dir, created on first use with mode 0600. Whoever can read the key can
re-chain the log: keep it away from the database's backups and credentials.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

KEY_FILE = "audit.key"
MIN_KEY_CHARS = 32

_override: ContextVar[bytes | None] = ContextVar("sopflow_audit_key", default=None)
_loaded: dict[Path, bytes] = {}
_lock = threading.Lock()


class AuditKeyError(Exception):
    """The audit key is missing, too short or unreadable."""


@contextmanager
def using_audit_key(key: bytes) -> Iterator[None]:
    token = _override.set(key)
    try:
        yield
    finally:
        _override.reset(token)


def audit_key() -> bytes:
    key = _override.get()
    if key is not None:
        return key
    from adapters.settings import get_settings  # settings are read at call time, not import

    settings = get_settings()
    if settings.audit_key:
        if len(settings.audit_key) < MIN_KEY_CHARS:
            raise AuditKeyError(f"SOPFLOW_AUDIT_KEY: at least {MIN_KEY_CHARS} characters")
        return settings.audit_key.encode("utf-8")
    path = (settings.data_dir / KEY_FILE).resolve()
    cached = _loaded.get(path)  # every append asks: no data-dir walk after the first
    if cached is not None:
        return cached
    settings.ensure_data_dir()
    return key_from_file(path)


def key_from_file(path: Path) -> bytes:
    """Read the key file, or create it (0600, exclusive: two processes agree on one key)."""
    path = path.resolve()
    with _lock:
        if path in _loaded:
            return _loaded[path]
        if not path.exists():
            _create(path)
        key = path.read_text(encoding="ascii").strip().encode("ascii")
        if len(key) < MIN_KEY_CHARS:
            raise AuditKeyError(f"{path}: the audit key is empty or too short")
        _loaded[path] = key
        return key


def _create(path: Path) -> None:
    """Write a new key beside `path`, then link it into place: a racing process either links
    first (we read its key) or finds ours complete."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
