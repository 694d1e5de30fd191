"""Channel configuration: each channel is an Apprise URL template.

A YAML file (path in `SOPFLOW_CHANNELS_FILE`) or the embedded default maps channel names to URLs:

    channels:
      email:
        url: "mailtos://user:${SMTP_PASSWORD}@kanwil.example.go.id/?smtp=smtp.example.go.id&to={recipient}"
        recipient: email      # email | whatsapp | plain (default: by channel name)
        format: html          # html sends the HTML part (Apprise adds the text alternative)
      whatsapp: "evolution://${EVOLUTION_KEY}@wa.example.go.id/kanwil/{recipient}"

Placeholders filled per message: `{recipient}` (URL-quoted), `{message_id}` (the outbox key),
`{outbox_dir}`. `${NAME}` is read from the environment when the file is loaded, so secrets stay out
of the file. The embedded default sends every channel to `outbox://` (files under data_dir/outbox).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from adapters.notify.errors import ChannelConfigError, UnknownChannelError
from adapters.notify.recipients import RecipientKind, normalise_recipient

_ENV_REF = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")
_CHANNEL_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")

# Characters a provider's own limit allows in one text message.
DEFAULT_MAX_LENGTH: dict[str, int] = {"whatsapp": 4096}


class ChannelDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(min_length=4)
    recipient: RecipientKind = "plain"
    format: Literal["text", "html"] = "text"
    max_length: int | None = Field(default=None, gt=0)

    @field_validator("url")
    @classmethod
    def _has_schema(cls, value: str) -> str:
        if "://" not in value:
            raise ValueError("not an Apprise URL (schema://...)")
        return value

    def build_url(self, *, recipient: str, message_id: str, outbox_dir: Path) -> str:
        return (
            self.url.replace("{recipient}", quote(recipient, safe="@"))
            .replace("{message_id}", quote(message_id, safe=""))
            .replace("{outbox_dir}", quote(str(outbox_dir), safe="/"))
        )

    @property
    def schema_name(self) -> str:
        return self.url.split("://", 1)[0].lower()


class ChannelConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    channels: dict[str, ChannelDefinition]

    @field_validator("channels")
    @classmethod
    def _names(cls, value: dict[str, ChannelDefinition]) -> dict[str, ChannelDefinition]:
        for name in value:
            if not _CHANNEL_NAME.match(name):
                raise ValueError(f"channel name '{name}' must match {_CHANNEL_NAME.pattern}")
        return value

    def get(self, channel: str) -> ChannelDefinition:
        try:
            return self.channels[channel]
        except KeyError:
            raise UnknownChannelError(channel, sorted(self.channels)) from None

    def normalise_recipient(self, channel: str, raw: str) -> str:
        """Raises InvalidRecipientError (e.g. no valid WhatsApp number: skip that channel)."""
        return normalise_recipient(self.get(channel).recipient, raw)

    def max_length(self, channel: str) -> int | None:
        definition = self.get(channel)
        return definition.max_length or DEFAULT_MAX_LENGTH.get(channel)


def _default_kind(name: str) -> RecipientKind:
    return "email" if name == "email" else "whatsapp" if name == "whatsapp" else "plain"


def _outbox_url(name: str) -> str:
    return f"outbox://{name}/?to={{recipient}}&id={{message_id}}&dir={{outbox_dir}}"


def default_channel_config() -> ChannelConfig:
    """Every channel writes files under the outbox directory: a fresh install sends nothing."""
    return ChannelConfig(
        channels={
            name: ChannelDefinition(url=_outbox_url(name), recipient=_default_kind(name))
            for name in ("email", "whatsapp", "supervisor")
        }
    )


def _expand_env(value: str, where: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise ChannelConfigError(f"{where}: environment variable {name} is not set")
        return os.environ[name]

    return _ENV_REF.sub(replace, value)


def parse_channel_config(data: Any, source: str = "channels") -> ChannelConfig:
    if not isinstance(data, dict) or not isinstance(data.get("channels"), dict):
        raise ChannelConfigError(f"{source}: expected a mapping with a 'channels' mapping")
    channels: dict[str, Any] = {}
    for name, entry in data["channels"].items():
        spec = {"url": entry} if isinstance(entry, str) else entry
        if not isinstance(spec, dict) or not isinstance(spec.get("url"), str):
            raise ChannelConfigError(f"{source}: channel '{name}' needs a url")
        spec = {**spec, "url": _expand_env(spec["url"], f"{source}: channel '{name}'")}
        spec.setdefault("recipient", _default_kind(str(name)))
        channels[str(name)] = spec
    try:
        return ChannelConfig.model_validate({"channels": channels})
    except ValidationError as exc:
        first = exc.errors()[0]
        location = ".".join(str(part) for part in first["loc"])
        raise ChannelConfigError(f"{source}: {location}: {first['msg']}") from None


def load_channel_config(path: Path | None) -> ChannelConfig:
    """The YAML file at `path`, or the embedded default when `path` is None."""
    if path is None:
        return default_channel_config()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ChannelConfigError(f"{path}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise ChannelConfigError(f"{path}: not valid YAML ({exc})") from None
    return parse_channel_config(data, str(path))
