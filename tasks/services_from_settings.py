"""Build the real CaseServices from Settings (the embedded defaults on a fresh machine)."""

from __future__ import annotations

from datetime import timedelta

from adapters.case_links import CaseLinkSigner, instance_secret
from adapters.db.engine import make_engine
from adapters.notify.channels import load_channel_config
from adapters.notify.factory import build_notifier
from adapters.roster import load_roster
from adapters.sdp.sql_directory import SqlSdpDirectory
from adapters.settings import Settings, get_settings
from tasks.services import CaseServices


def services_from_settings(settings: Settings | None = None) -> CaseServices:
    settings = settings or get_settings()
    settings.ensure_data_dir()
    engine = make_engine(settings.database_url)
    return CaseServices(
        engine=engine,
        sdp=SqlSdpDirectory(engine),
        notifier=build_notifier(settings),
        channels=load_channel_config(settings.channels_file),
        roster=load_roster(settings.roster_file),
        links=CaseLinkSigner(
            instance_secret(settings.secret_key, settings.data_dir), settings.public_base_url
        ),
        link_ttl=timedelta(minutes=settings.case_link_ttl_minutes),
        decision_grace_seconds=settings.decision_grace_seconds,
        templates_cache=settings.data_dir / "templates",
        notify_retry_base=timedelta(seconds=settings.notify_retry_base_seconds),
        public_form_url=settings.public_base_url,
    )
