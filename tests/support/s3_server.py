"""A throw-away S3 server for tests: `weed mini` on 127.0.0.1, free ports, its own data dir."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from adapters.storage.local_s3 import LocalS3, running_local_s3, weed_binary


def weed_available() -> bool:
    return weed_binary().is_file()


@contextmanager
def temporary_s3_server(data_dir: Path) -> Iterator[LocalS3]:
    """Start `weed mini` with random credentials; stop it (and keep nothing running) afterwards."""
    with running_local_s3(data_dir) as s3:
        yield s3
