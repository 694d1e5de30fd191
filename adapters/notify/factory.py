"""Builds the notifier from settings: the channels file if set, else the outbox:// default."""

from __future__ import annotations

from pathlib import Path

from adapters.notify.apprise_notifier import AppriseNotifier
from adapters.notify.channels import load_channel_config
from adapters.settings import Settings


def outbox_dir(settings: Settings) -> Path:
    return settings.data_dir / "outbox"


def build_notifier(settings: Settings) -> AppriseNotifier:
    return AppriseNotifier(
        load_channel_config(settings.channels_file), outbox_dir=outbox_dir(settings)
    )
