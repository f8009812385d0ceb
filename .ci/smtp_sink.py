"""A real SMTP server for the test suites (aiosmtpd), writing each accepted message to
DIR/<recipient>-<uuid>.eml.

Recipients steer it, so parallel tests do not interfere:
  refuse-perm…@…          550 at RCPT (permanent)
  refuse-temp…@…          451 at RCPT (transient)
  any address with a file DIR/block-<address>   451 while the file exists
  any address with a file DIR/slow-<address>    RCPT answered only after 5 s

usage: python smtp_sink.py HOST PORT DIR
"""

import asyncio
import os
import signal
import sys
import uuid

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if os.path.exists(os.path.join(self.directory, "slow-" + address)):
            await asyncio.sleep(5)
        local = address.split("@", 1)[0]
        if local.startswith("refuse-perm"):
            return "550 5.1.1 mailbox unavailable"
        blocked = os.path.exists(os.path.join(self.directory, "block-" + address))
        if local.startswith("refuse-temp") or blocked:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for recipient in envelope.rcpt_tos:
            path = os.path.join(self.directory, f"{recipient}-{uuid.uuid4().hex}.eml")
            with open(path + ".tmp", "wb") as message:
                message.write(envelope.original_content or envelope.content)
            os.rename(path + ".tmp", path)
        return "250 Message accepted"


def main():
    host, port, directory = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.makedirs(directory, exist_ok=True)
    controller = Controller(Sink(directory), hostname=host, port=port)
    controller.start()
    try:
        signal.sigwait({signal.SIGTERM, signal.SIGINT})
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
