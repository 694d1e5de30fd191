"""Pure helpers shared by the object stores: keys, download names, presign limits."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

# Presigned links are handed to operators' browsers; keep them short-lived.
MAX_PRESIGN_EXPIRY = timedelta(hours=1)

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def new_object_key(prefix: str = "") -> str:
    """A random key (128 bits), optionally under a prefix such as `ktp/`."""
    return f"{prefix}{secrets.token_hex(16)}"


def attachment_disposition(filename: str) -> str:
    """`attachment; filename="..."` with the name reduced to safe ASCII characters."""
    safe = _UNSAFE.sub("_", filename).strip("._") or "berkas"
    return f'attachment; filename="{safe[:100]}"'


def check_presign_expiry(expires: timedelta) -> None:
    """Raise ValueError unless 1 s <= expires <= MAX_PRESIGN_EXPIRY."""
    if not timedelta(seconds=1) <= expires <= MAX_PRESIGN_EXPIRY:
        raise ValueError(f"presign expiry must be between 1 s and {MAX_PRESIGN_EXPIRY}")
