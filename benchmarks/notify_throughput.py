"""Messages per second from the outbox to a local SMTP server and a local WhatsApp gateway.

    .venv/bin/python benchmarks/notify_throughput.py [--messages 200] [--database-url URL]

Everything stays on 127.0.0.1: an aiosmtpd server and a stdlib HTTP gateway started here, the
outbox in a throw-away SQLite file unless --database-url is given. Each run enqueues N messages
for N cases, then times `deliver_pending` over them (claim, Apprise send, record: three
transactions and one send per message).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.db.engine import make_engine, session_scope
from adapters.db.migrate import upgrade
from adapters.notify.apprise_notifier import AppriseNotifier
from adapters.notify.channels import parse_channel_config
from adapters.notify.message import RenderedMessage
from adapters.notify.outbox import deliver_pending, enqueue
from tests.support.gateway_server import LocalGateway
from tests.support.smtp_server import LocalSmtpServer

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EMAIL = RenderedMessage(
    subject="[LII-2026-000001] Pelayanan Informasi Integrasi",
    text="Yth. Bapak/Ibu,\n\nLayanan ini tidak dipungut biaya.\n" * 20,
    html="<p>Yth. Bapak/Ibu,</p><p>Layanan ini <strong>tidak dipungut biaya</strong>.</p>" * 20,
)
WHATSAPP = RenderedMessage(
    text="*Pelayanan Informasi Integrasi*\nLayanan ini tidak dipungut biaya.\n" * 10
)


def run(
    engine_url: str, notifier: AppriseNotifier, channel: str, recipient: str, count: int
) -> float:
    engine = make_engine(engine_url)
    message = EMAIL if channel == "email" else WHATSAPP
    run_id = uuid.uuid4().hex[:8]
    cases = [f"bench-{run_id}-{i}" for i in range(count)]
    with session_scope(engine) as session:
        for case in cases:
            enqueue(
                session,
                case_id=case,
                step_id="berikan_informasi",
                channel=channel,
                recipient=recipient,
                message=message,
                now=NOW,
            )
    started = time.perf_counter()
    sent = 0
    for case in cases:
        sent += deliver_pending(engine, notifier, case_id=case, now=NOW).sent_now
    elapsed = time.perf_counter() - started
    engine.dispose()
    if sent != count:
        raise SystemExit(f"{channel}: only {sent} of {count} messages were sent")
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200, help="messages per channel (max 5000)")
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    args = parser.parse_args()
    count = max(1, min(args.messages, 5000))

    with tempfile.TemporaryDirectory() as tmp, LocalSmtpServer() as smtp, LocalGateway() as gateway:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        config = parse_channel_config(
            {
                "channels": {
                    "email": {"url": smtp.mailto_url(), "format": "html"},
                    "whatsapp": gateway.waha_url(),
                    "evolution": {"url": gateway.evolution_url(), "recipient": "whatsapp"},
                    "outbox": {
                        "url": "outbox://bench/?to={recipient}&id={message_id}&dir={outbox_dir}"
                    },
                }
            }
        )
        notifier = AppriseNotifier(config, outbox_dir=Path(tmp) / "outbox")
        dialect = url.split(":", 1)[0]
        print(f"notify throughput, {count} messages per channel, outbox on {dialect}")
        for label, channel, recipient in [
            ("SMTP (mailto://, HTML+text)", "email", "penerima@example.com"),
            ("gateway WAHA (json://)", "whatsapp", "6281234567890"),
            ("gateway Evolution (evolution://)", "evolution", "6281234567890"),
            ("outbox:// files", "outbox", "ops"),
        ]:
            rate = run(url, notifier, channel, recipient, count)
            print(f"  {label:<34} {rate:8.1f} messages/s")
        print(
            f"  SMTP server received {len(smtp.messages)}, gateway received {len(gateway.requests)}"
        )


if __name__ == "__main__":
    main()
