"""Signed, expiring links to a case file, for operators (the link sits in the Prefect form).

The token carries the case id, the operator step it was made for and an expiry time, signed
with the instance secret (itsdangerous). The case-file route also refuses a link once the case
has left that step, so a link kept in Prefect's database dies with the decision. Its lifetime
follows the step's budget (`link_ttl_for`). Time is passed in, never read here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "sopflow.case-file"
MIN_LINK_TTL = timedelta(minutes=15)
BUDGET_FACTOR = 2


def link_ttl_for(budget: timedelta | None, *, fallback: timedelta) -> timedelta:
    """Budget x 2, at least 15 minutes; `fallback` for a step without a budget."""
    if budget is None:
        return max(fallback, MIN_LINK_TTL)
    return max(budget * BUDGET_FACTOR, MIN_LINK_TTL)


@dataclass(frozen=True)
class CaseLink:
    case_id: str
    step_id: str


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

    def token(self, case_id: str, *, step_id: str, now: datetime, ttl: timedelta) -> str:
        expires = int((now + ttl).astimezone(UTC).timestamp())
        return str(self._serializer.dumps({"c": case_id, "s": step_id, "e": expires}))

    def url(self, case_id: str, *, step_id: str, now: datetime, ttl: timedelta) -> str:
        token = self.token(case_id, step_id=step_id, now=now, ttl=ttl)
        return f"{self._base_url}/berkas/{token}"

    def expires_at(self, token: str) -> datetime | None:
        """When a token this signer made expires; None for one it did not make."""
        try:
            payload = self._serializer.loads(token)
        except BadSignature:
            return None
        expires = payload.get("e") if isinstance(payload, dict) else None
        return datetime.fromtimestamp(expires, UTC) if isinstance(expires, int) else None

    def verify(self, token: str, *, now: datetime) -> CaseLink:
        """The case and step of a valid token; CaseLinkError otherwise."""
        try:
            payload = self._serializer.loads(token)
        except BadSignature:
            raise CaseLinkError("tautan berkas tidak sah") from None
        if not isinstance(payload, dict) or not all(
            isinstance(payload.get(k), str) for k in ("c", "s")
        ):
            raise CaseLinkError("tautan berkas tidak sah")
        if now.astimezone(UTC).timestamp() > float(payload.get("e", 0)):
            raise CaseLinkExpiredError("tautan berkas sudah kedaluwarsa")
        return CaseLink(case_id=str(payload["c"]), step_id=str(payload["s"]))


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
