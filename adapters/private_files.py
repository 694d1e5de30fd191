"""The data dir is private to the service user: folders 0700, files 0600 (issue 15 #4).

`make_private` sets the process umask to 077, so everything this process and its children
(weed mini, the local Prefect server, the intake, workers) create afterwards is private from
creation on: the SQLite database with its WAL and SHM files, logs, the outbox, `var/s3/*`.
Files made before (an older install) are tightened once by a walk of the data dir.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077


def make_private(data_dir: Path, *extra_files: Path) -> Path:
    """Create `data_dir` (0700) if needed, set the umask, tighten what is already there;
    `extra_files` (e.g. a SQLite database kept elsewhere) get 0600 too if they exist."""
    os.umask(PRIVATE_UMASK)
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    tighten(data_dir)
    for path in extra_files:
        _tighten_one(path)
    _traversable_for_embedded_postgres(data_dir)
    return data_dir


def _traversable_for_embedded_postgres(data_dir: Path) -> None:
    """The embedded PostgreSQL runs as its own system user (when serve runs as root) and owns
    `<data_dir>/postgres`: it must traverse the data dir to reach it. 0701 lets it pass without
    listing anything; every file here stays 0600 and every other folder 0700."""
    cluster = data_dir / "postgres"
    try:
        foreign = cluster.is_dir() and cluster.stat().st_uid != os.geteuid()
    except OSError:
        return
    if foreign:
        os.chmod(data_dir, 0o701)


def tighten(root: Path) -> None:
    """Remove group and other permissions under `root` (symlinks are not followed)."""
    _tighten_one(root)
    for folder, dirs, files in os.walk(root):
        for name in (*dirs, *files):
            _tighten_one(Path(folder) / name)


def _tighten_one(path: Path) -> None:
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    if stat.S_ISLNK(mode) or not (mode & 0o077):
        return
    if path.lstat().st_uid != os.geteuid():
        return  # not ours (e.g. a database server's own folder): leave it to its owner
    os.chmod(path, stat.S_IMODE(mode) & 0o700)
