"""MinioObjectStore: the ObjectStore Protocol over any S3 server, through the `minio` SDK.

Server-side encryption: SSE-S3 (`x-amz-server-side-encryption: AES256`), chosen by experiment
against `weed mini` (SeaweedFS 4.48) through minio 7.2.20:

- SSE-S3 works end to end: the PUT is answered with `AES256`, the object's bytes are not in the
  server's volume files in clear (a control object without SSE is), GET and HEAD need no extra
  headers, objects survive a server restart, and a presigned GET works in a plain browser request
  with our `response-content-disposition` / `response-content-type` overrides. (weed mini keeps
  its key-encryption key in its data directory, `.mini_sse_kek`: this protects copies of the
  volume files, not a stolen data directory; production uses MinIO with a KMS.)
- SSE-C also works, but the customer key must be sent as headers on every GET: a presigned GET
  without them is refused (400 InvalidArgument), so an operator's browser could never open the
  link. It would also make us keep the key beside the data. Rejected.

So every `put` asks for SSE-S3, a new bucket gets SSE-S3 as its default encryption, and a `put`
whose answer does not confirm the encryption is deleted again and raises
EncryptionNotAppliedError. MinIO in production supports SSE-S3 only with a KMS configured
(`MINIO_KMS_SECRET_KEY` or KES); `sse="none"` exists for stores that cannot, and says so on stat.

Connection failures, timeouts and 5xx answers raise StorageUnavailableError (retries are few and
short so that a submit fails fast); refused credentials raise StorageAccessDeniedError.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import urlsplit

import certifi
import urllib3
from minio import Minio
from minio.error import InvalidResponseError, MinioException, S3Error, ServerError
from minio.helpers import check_bucket_name
from minio.sse import SseS3
from minio.sseconfig import Rule, SSEConfig
from urllib3.exceptions import HTTPError as Urllib3HTTPError

from adapters.storage.errors import (
    EncryptionNotAppliedError,
    ObjectNotFoundError,
    StorageAccessDeniedError,
    StorageError,
    StorageUnavailableError,
)
from adapters.storage.naming import (
    attachment_disposition,
    check_presign_expiry,
    new_object_key,
)
from adapters.storage.protocol import StoredObject

SseMode = Literal["s3", "none"]

_SHA256_META = "sha256"
_NOT_FOUND = {"NoSuchKey", "NoSuchObject", "NoSuchBucket", "ResourceNotFound"}
_DENIED = {
    "AccessDenied",
    "SignatureDoesNotMatch",
    "InvalidAccessKeyId",
    "RequestTimeTooSkewed",
    "ExpiredToken",
}


def _host_port(endpoint: str) -> tuple[str, bool | None]:
    """Accept `host:port` or `http(s)://host:port`; return host:port and the scheme's TLS flag."""
    if "://" not in endpoint:
        return endpoint, None
    parts = urlsplit(endpoint)
    return parts.netloc, parts.scheme == "https"


def _http_client(
    secure: bool, *, connect_timeout: float, read_timeout: float
) -> urllib3.PoolManager:
    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
        maxsize=10,
        cert_reqs="CERT_REQUIRED" if secure else "CERT_NONE",
        ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
        retries=urllib3.Retry(total=2, backoff_factor=0.1, status_forcelist=[500, 502, 503, 504]),
    )


class MinioObjectStore:
    """KTP files in one bucket, under random keys, encrypted by the server."""

    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        secure: bool = False,
        sse: SseMode = "s3",
        *,
        key_prefix: str = "ktp/",
        region: str = "us-east-1",
        public_endpoint: str | None = None,
        connect_timeout: float = 3.0,
        read_timeout: float = 30.0,
    ) -> None:
        """`endpoint` is `host:port` (or a URL). `public_endpoint`, if given, is the address
        that presigned links name (the one browsers reach); presigning needs no request."""
        check_bucket_name(bucket)  # ValueError now rather than at the first upload
        host, url_secure = _host_port(endpoint)
        secure = secure if url_secure is None else url_secure
        self._bucket = bucket
        self._sse: SseMode = sse
        self._prefix = key_prefix
        self._bucket_ready = False
        self._client = Minio(
            host,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,  # a fixed region spares the GetBucketLocation round trip
            http_client=_http_client(
                secure, connect_timeout=connect_timeout, read_timeout=read_timeout
            ),
        )
        if public_endpoint:
            pub_host, pub_secure = _host_port(public_endpoint)
            self._presigner = Minio(
                pub_host,
                access_key=access_key,
                secret_key=secret_key,
                secure=secure if pub_secure is None else pub_secure,
                region=region,
            )
        else:
            self._presigner = self._client

    @property
    def bucket(self) -> str:
        return self._bucket

    def ensure_bucket(self) -> None:
        """Create the bucket if missing (with default SSE-S3 encryption when sse="s3")."""
        if self._bucket_ready:
            return
        with _mapped_errors():
            if not self._client.bucket_exists(self._bucket):
                self._client.make_bucket(self._bucket)
                if self._sse == "s3":
                    self._client.set_bucket_encryption(
                        self._bucket, SSEConfig(Rule.new_sse_s3_rule())
                    )
        self._bucket_ready = True

    def put(self, data: bytes, *, content_type: str) -> StoredObject:
        self.ensure_bucket()
        key = new_object_key(self._prefix)
        digest = hashlib.sha256(data).hexdigest()
        with _mapped_errors(key):
            result = self._client.put_object(
                self._bucket,
                key,
                io.BytesIO(data),
                len(data),
                content_type=content_type,
                metadata={_SHA256_META: digest},
                sse=SseS3() if self._sse == "s3" else None,
            )
        encrypted = _sse_header(result.http_headers) is not None
        if self._sse == "s3" and not encrypted:
            self.delete(key)
            raise EncryptionNotAppliedError(
                f"the S3 server stored {key!r} without server-side encryption; object removed"
            )
        return StoredObject(
            key=key, size=len(data), content_type=content_type, sha256=digest, encrypted=encrypted
        )

    def get(self, key: str) -> bytes:
        with _mapped_errors(key):
            response = self._client.get_object(self._bucket, key)
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()

    def stat(self, key: str) -> StoredObject:
        with _mapped_errors(key):
            info = self._client.stat_object(self._bucket, key)
        meta = info.metadata or {}
        return StoredObject(
            key=key,
            size=info.size or 0,
            content_type=info.content_type or "application/octet-stream",
            sha256=str(meta.get(f"x-amz-meta-{_SHA256_META}", "")),
            encrypted=_sse_header(meta) is not None,
        )

    def delete(self, key: str) -> None:
        with _mapped_errors(key):
            self._client.remove_object(self._bucket, key)

    def presigned_get(
        self,
        key: str,
        *,
        expires: timedelta,
        filename: str,
        issued_at: datetime | None = None,
    ) -> str:
        """Presigned GET; `issued_at` (default now) is when the link's validity starts."""
        check_presign_expiry(expires)
        stored = self.stat(key)  # the stored, sniffed type; and ObjectNotFoundError early
        with _mapped_errors(key):
            return self._presigner.presigned_get_object(
                self._bucket,
                key,
                expires=expires,
                request_date=issued_at,
                response_headers={
                    "response-content-disposition": attachment_disposition(filename),
                    "response-content-type": stored.content_type,
                },
            )


def _sse_header(headers: object) -> str | None:
    getter: Callable[[str], object] | None = getattr(headers, "get", None)
    if getter is None:
        return None
    value = getter("x-amz-server-side-encryption") or getter("X-Amz-Server-Side-Encryption")
    return str(value) if value else None


@contextmanager
def _mapped_errors(key: str | None = None) -> Iterator[None]:
    """Translate minio/urllib3 exceptions into adapters.storage errors (no contents in them)."""
    try:
        yield
    except S3Error as exc:
        if exc.code in _NOT_FOUND:
            raise ObjectNotFoundError(key or "?") from exc
        if exc.code in _DENIED:
            raise StorageAccessDeniedError(f"S3 refused the request: {exc.code}") from exc
        raise StorageError(f"S3 error {exc.code}") from exc
    except ServerError as exc:
        raise StorageUnavailableError(f"S3 server error (HTTP {exc.status_code})") from exc
    except (Urllib3HTTPError, ConnectionError, TimeoutError) as exc:
        raise StorageUnavailableError(f"S3 server unreachable: {type(exc).__name__}") from exc
    except InvalidResponseError as exc:
        raise StorageUnavailableError("S3 server gave an invalid response") from exc
    except MinioException as exc:
        raise StorageError(f"S3 client error: {type(exc).__name__}") from exc
