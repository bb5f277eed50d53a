"""``python -m services.notifications.devservers``: both servers as one process (see the package's docs)."""

import argparse
import asyncio
import signal
import sys

from services.notifications.devservers import __doc__ as CONTRACT
from services.notifications.devservers.sms_gateway import SmsGateway
from services.notifications.devservers.smtp_sink import SmtpSink


async def serve(smtp_port: int, sms_port: int, webhook_url: str | None, stall_s: float = 0.0) -> None:
    """The standalone process (see the module's docs): both servers until SIGTERM/SIGINT."""
    sink = await SmtpSink(port=smtp_port, keep_messages=False, stall_s=stall_s).serve()
    gateway = SmsGateway(port=sms_port, webhook_url=webhook_url, sink=sink)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    try:
        async with gateway.running():
            print(f"devservers ready smtp={smtp_port} sms={sms_port}", flush=True)
            await stop.wait()
    finally:
        await sink.aclose()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m services.notifications.devservers", description=CONTRACT.split("\n")[0])
    p.add_argument("--smtp-port", type=int, required=True)
    p.add_argument("--sms-port", type=int, required=True)
    p.add_argument("--webhook-url", default=None, help="the service's POST /v1/sms/receipts (receipts are sent when given)")
    p.add_argument("--smtp-stall-s", type=float, default=0.0, help="wait this long before answering each DATA")
    a = p.parse_args(argv)
    asyncio.run(serve(a.smtp_port, a.sms_port, a.webhook_url, a.smtp_stall_s))


if __name__ == "__main__":
    sys.exit(main())
