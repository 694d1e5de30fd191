"""Errors of the storage adapter.

Messages name object keys (random, not personal) and error codes only: never object contents.
"""

from __future__ import annotations


class StorageError(Exception):
    """Base class of every error raised by adapters.storage."""


class StorageUnavailableError(StorageError):
    """The object store cannot be reached or answered 5xx: trying again later may help.

    The intake shows the applicant a "try again" page and writes no case row.
    """


class StorageAccessDeniedError(StorageError):
    """The store refused our credentials or signature (wrong key, clock skew, missing rights)."""


class ObjectNotFoundError(StorageError):
    """No object under this key (never stored, deleted, or retention removed it)."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"no stored object under key {key!r}")


class EncryptionNotAppliedError(StorageError):
    """The store accepted an object but did not confirm server-side encryption."""


class LocalS3Error(StorageError):
    """The local `weed mini` server could not be started or did not become healthy."""
