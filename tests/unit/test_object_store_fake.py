"""InMemoryObjectStore (the fake others inject) and the storage helpers it shares with MinIO."""

from __future__ import annotations

import hashlib
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from adapters.storage.errors import LocalS3Error, ObjectNotFoundError, StorageUnavailableError
from adapters.storage.fake_store import InMemoryObjectStore
from adapters.storage.local_s3 import LocalS3Server, free_ports
from adapters.storage.minio_store import MinioObjectStore
from adapters.storage.naming import attachment_disposition, check_presign_expiry, new_object_key
from adapters.storage.protocol import ObjectStore


def as_protocol(store: ObjectStore) -> ObjectStore:
    return store  # mypy checks that the argument satisfies the Protocol


def test_put_get_stat_delete() -> None:
    store = as_protocol(InMemoryObjectStore())
    stored = store.put(b"%PDF-1.7 x", content_type="application/pdf")

    assert store.get(stored.key) == b"%PDF-1.7 x"
    assert store.stat(stored.key) == stored
    assert stored.sha256 == hashlib.sha256(b"%PDF-1.7 x").hexdigest()
    assert stored.encrypted
    store.delete(stored.key)
    store.delete(stored.key)
    with pytest.raises(ObjectNotFoundError):
        store.get(stored.key)


def test_keys_are_random_and_prefixed() -> None:
    store = InMemoryObjectStore()
    keys = {store.put(b"x", content_type="image/jpeg").key for _ in range(50)}
    assert len(keys) == 50
    assert all(k.startswith("ktp/") for k in keys)
    assert sorted(keys) == store.keys()


def test_unavailable_store_raises_like_a_down_server() -> None:
    store = InMemoryObjectStore(available=False)
    with pytest.raises(StorageUnavailableError):
        store.put(b"x", content_type="image/jpeg")
    assert store.keys() == []


def test_fake_presign_carries_attachment_type_and_expiry() -> None:
    store = InMemoryObjectStore()
    stored = store.put(b"x", content_type="image/jpeg")
    issued = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

    url = store.presigned_get(
        stored.key, expires=timedelta(minutes=5), filename="ktp.jpg", issued_at=issued
    )

    query = parse_qs(urlsplit(url).query)
    assert query["response-content-disposition"] == ['attachment; filename="ktp.jpg"']
    assert query["response-content-type"] == ["image/jpeg"]
    assert query["expires"] == ["2026-01-02T03:09:05+00:00"]


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("ktp.jpg", 'attachment; filename="ktp.jpg"'),
        ('a"; filename=evil.html', 'attachment; filename="a_filename_evil.html"'),
        ("../../etc/passwd", 'attachment; filename="etc_passwd"'),
        ("KTP Siti Aisyah.pdf", 'attachment; filename="KTP_Siti_Aisyah.pdf"'),
        ("", 'attachment; filename="berkas"'),
    ],
)
def test_attachment_disposition_is_safe(name: str, header: str) -> None:
    assert attachment_disposition(name) == header


@pytest.mark.parametrize("seconds", [0, 3601, -5])
def test_presign_expiry_must_be_short(seconds: int) -> None:
    with pytest.raises(ValueError, match="expiry"):
        check_presign_expiry(timedelta(seconds=seconds))


def test_new_object_key_has_128_random_bits() -> None:
    key = new_object_key()
    assert len(key) == 32 and int(key, 16) >= 0


def test_invalid_bucket_name_fails_at_construction() -> None:
    with pytest.raises(ValueError, match="bucket"):
        MinioObjectStore("127.0.0.1:9", "a", "b", "B!")


def test_missing_weed_binary_is_a_clear_error(tmp_path: Path) -> None:
    server = LocalS3Server(tmp_path / "s3", binary=tmp_path / "no-weed")
    with pytest.raises(LocalS3Error, match="not found"):
        server.start()


def test_free_ports_are_distinct_and_bindable() -> None:
    ports = free_ports(5)
    assert len(set(ports)) == 5
    for port in ports:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))
