"""Notifications: Apprise channels, message templates and the outbox.

- `protocol.Notifier` (port) and `apprise_notifier.AppriseNotifier` (Apprise, raises on failure);
  `factory.build_notifier(settings)` wires it from `SOPFLOW_CHANNELS_FILE` or the outbox:// default.
- `channels`: channel name -> Apprise URL template; `recipients`: `628...` and email normalisation.
- `templates.render_message(...)`: Jinja2 templates per notify step and channel.
- `outbox`: `enqueue`, `record_skipped`, `deliver_pending`, `outbox_report`, `requeue`.
"""
