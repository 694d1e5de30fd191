"""The ObjectStore Protocol: where KTP files live, addressed by random keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol


@dataclass(frozen=True)
class StoredObject:
    """What the store knows about one object; holds no contents."""

    key: str
    size: int
    content_type: str
    sha256: str
    encrypted: bool


class ObjectStore(Protocol):
    """Object storage for uploaded files.

    `put` chooses a random key; callers keep the key (e.g. on the case row). `content_type` must be
    the type sniffed from the contents (see `adapters.intake.upload_checks`), never the client's.
    """

    def put(self, data: bytes, *, content_type: str) -> StoredObject:
        """Store `data` under a new random key with server-side encryption."""
        ...

    def get(self, key: str) -> bytes:
        """Return the object's bytes; ObjectNotFoundError if there is none."""
        ...

    def stat(self, key: str) -> StoredObject:
        """Return the object's metadata; ObjectNotFoundError if there is none."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object; deleting a missing key is not an error."""
        ...

    def presigned_get(self, key: str, *, expires: timedelta, filename: str) -> str:
        """A short-lived URL that downloads the object as an attachment named `filename`.

        The response carries `Content-Disposition: attachment` and the stored content type.
        ObjectNotFoundError if there is no such object.
        """
        ...
