"""InMemoryObjectStore: the ObjectStore Protocol in a dict, for other parts' unit tests."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

from adapters.storage.errors import ObjectNotFoundError, StorageUnavailableError
from adapters.storage.naming import attachment_disposition, check_presign_expiry, new_object_key
from adapters.storage.protocol import StoredObject


@dataclass
class _Entry:
    data: bytes
    meta: StoredObject


@dataclass
class InMemoryObjectStore:
    """Keeps objects in memory; `available = False` makes every call raise
    StorageUnavailableError, as a real store does when the server is down."""

    key_prefix: str = "ktp/"
    available: bool = True
    base_url: str = "memory://objects"
    _objects: dict[str, _Entry] = field(default_factory=dict)

    def put(self, data: bytes, *, content_type: str) -> StoredObject:
        self._check_available()
        key = new_object_key(self.key_prefix)
        meta = StoredObject(
            key=key,
            size=len(data),
            content_type=content_type,
            sha256=hashlib.sha256(data).hexdigest(),
            encrypted=True,
        )
        self._objects[key] = _Entry(bytes(data), meta)
        return meta

    def get(self, key: str) -> bytes:
        return self._entry(key).data

    def stat(self, key: str) -> StoredObject:
        return self._entry(key).meta

    def delete(self, key: str) -> None:
        self._check_available()
        self._objects.pop(key, None)

    def presigned_get(
        self,
        key: str,
        *,
        expires: timedelta,
        filename: str,
        issued_at: datetime | None = None,
    ) -> str:
        """A fake link that shows what a real one would carry (not fetchable)."""
        check_presign_expiry(expires)
        meta = self._entry(key).meta
        start = issued_at or datetime.now(UTC)
        query = urlencode(
            {
                "expires": (start + expires).isoformat(),
                "response-content-disposition": attachment_disposition(filename),
                "response-content-type": meta.content_type,
            }
        )
        return f"{self.base_url}/{quote(key)}?{query}"

    def keys(self) -> list[str]:
        """Stored keys, for assertions such as "no orphan object was left"."""
        return sorted(self._objects)

    def _entry(self, key: str) -> _Entry:
        self._check_available()
        try:
            return self._objects[key]
        except KeyError:
            raise ObjectNotFoundError(key) from None

    def _check_available(self) -> None:
        if not self.available:
            raise StorageUnavailableError("in-memory store marked unavailable")
