"""The `outbox://` Apprise channel: one JSON file per message, so a fresh install shows what
would have been sent.

URL: `outbox://<channel>/?to=<recipient>&id=<message_id>&dir=<directory>`. The file is
`<directory>/<message_id>.json`, written atomically; the same message id overwrites the same
file, so the channel is idempotent.
Registered with Apprise's documented custom notification decorator when this module is imported.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import uuid
from pathlib import Path
from typing import Any

from apprise.decorators import notify

SCHEMA = "outbox"
_SAFE_ID = re.compile(r"[^A-Za-z0-9_.-]")


def _qsd(meta: dict[str, Any], key: str) -> str:
    value = meta.get("qsd", {}).get(key, "")
    return str(value) if value is not None else ""


def write_outbox_file(
    directory: Path, *, channel: str, recipient: str, message_id: str, record: dict[str, Any]
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    name = _SAFE_ID.sub("_", message_id) or uuid.uuid4().hex
    target = directory / f"{name}.json"
    payload = {"channel": channel, "to": recipient, "message_id": message_id, **record}
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


@notify(on=SCHEMA, name="sopflow outbox")  # type: ignore[untyped-decorator, no-untyped-call]
def _send_to_outbox(
    body: str, title: str, notify_type: str, *args: Any, meta: dict[str, Any], **kwargs: Any
) -> bool:
    directory = _qsd(meta, "dir")
    if not directory:
        return False
    body_format = kwargs.get("body_format")
    write_outbox_file(
        Path(directory),
        channel=str(meta.get("host") or "outbox"),
        recipient=_qsd(meta, "to"),
        message_id=_qsd(meta, "id"),
        record={
            "subject": title or None,
            "format": str(getattr(body_format, "value", body_format) or "text"),
            "body": body,
        },
    )
    return True
