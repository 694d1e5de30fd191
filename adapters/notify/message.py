"""A rendered message, ready for a channel."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class RenderedMessage(BaseModel):
    """What a notify step sends on one channel: a subject (email), a text and, for email, HTML."""

    model_config = ConfigDict(frozen=True)

    subject: str | None = None
    text: str
    html: str | None = None
