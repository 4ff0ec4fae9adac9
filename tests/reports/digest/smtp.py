"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, and can refuse on cue."""

import asyncio
import email
import socket
import threading
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    recipients: list[str]
    message: EmailMessage
    peer: object = None  # the client's (host, port): one per SMTP connection

    @property
    def to(self) -> str:
        return self.recipients[0]

    def header(self, name: str) -> str:
        """The header's value; a long one arrives folded onto its own line, hence the strip."""
        value = self.message[name]
        return "" if value is None else str(value).strip()

    @property
    def message_id(self) -> str:
        return self.header("Message-ID")

    def part(self, content_type: str) -> str:
        found = self.message.get_body(preferencelist=(content_type.split("/")[1],))
        return found.get_content() if found is not None and found.get_content_type() == content_type else ""

    @property
    def text(self) -> str:
        return self.part("text/plain")

    @property
    def html(self) -> str:
        return self.part("text/html")


class Mailbox:
    """The aiosmtpd handler: every accepted message, and replies to give instead of accepting.

    `refuse_rcpt[address]` answers RCPT TO with that reply (e.g. "550 5.1.1 no such user");
    `fail_data[address]` answers DATA with the reply for that many next attempts (a list of replies).
    """

    def __init__(self):
        self.delay = 0.0  # seconds before answering DATA: a slow server, to catch a worker mid-run
        self.received: list[Received] = []
        self.refuse_rcpt: dict[str, str] = {}
        self.fail_data: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        for address in envelope.rcpt_tos:
            replies = self.fail_data.get(address)
            if replies:
                return replies.pop(0)
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self._lock:
            self.received.append(Received(list(envelope.rcpt_tos), message, session.peer))
        return "250 Message accepted"

    @property
    def connections(self) -> int:
        """How many SMTP connections delivered the messages received."""
        return len({r.peer for r in self.received})

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]

    def clear(self) -> None:
        with self._lock:
            self.received.clear()


class SMTPServer:
    def __init__(self):
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
