"""An SMTP server that accepts and discards, in its own process: ``python -m benchmarks.null_smtp PORT``."""

from __future__ import annotations

import signal
import sys
import time

from aiosmtpd.controller import Controller


class _Discard:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def main() -> None:
    port = int(sys.argv[1])
    controller = Controller(_Discard(), hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    print("ready", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (controller.stop(), sys.exit(0)))
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
