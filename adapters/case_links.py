"""Signed, expiring links to a case file, for operators (the link sits in the Prefect form).

The token carries the case id and an expiry time and is signed with the instance secret
(itsdangerous). Time is passed in, never read here.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "sopflow.case-file"


class CaseLinkError(ValueError):
    """The link is tampered with, malformed or expired."""


class CaseLinkExpiredError(CaseLinkError):
    pass


class CaseLinkSigner:
    def __init__(self, secret: str, base_url: str) -> None:
        if len(secret) < 16:
            raise ValueError("the secret key for case links must have at least 16 characters")
        self._serializer = URLSafeSerializer(secret, salt=SALT)
        self._base_url = base_url.rstrip("/")

    def token(self, case_id: str, *, now: datetime, ttl: timedelta) -> str:
        expires = int((now + ttl).astimezone(UTC).timestamp())
        return str(self._serializer.dumps({"c": case_id, "e": expires}))

    def url(self, case_id: str, *, now: datetime, ttl: timedelta) -> str:
        return f"{self._base_url}/berkas/{self.token(case_id, now=now, ttl=ttl)}"

    def verify(self, token: str, *, now: datetime) -> str:
        """The case id of a valid token; CaseLinkError otherwise."""
        try:
            payload = self._serializer.loads(token)
        except BadSignature:
            raise CaseLinkError("tautan berkas tidak sah") from None
        if not isinstance(payload, dict) or not isinstance(payload.get("c"), str):
            raise CaseLinkError("tautan berkas tidak sah")
        if now.astimezone(UTC).timestamp() > float(payload.get("e", 0)):
            raise CaseLinkExpiredError("tautan berkas sudah kedaluwarsa")
        return str(payload["c"])


def instance_secret(configured: str, data_dir: Path) -> str:
    """The configured secret, or a random one created once and kept in the data dir."""
    if configured:
        return configured
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    path.touch(mode=0o600)
    path.write_text(secret, encoding="utf-8")
    return secret
