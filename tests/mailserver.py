"""A real SMTP server for mail tests (aiosmtpd on 127.0.0.1), and reading its mail as a person would."""

import email
import email.policy
import re
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

from tests.servers import free_port


@dataclass
class Inbox:
    """What the server received, as parsed messages."""

    messages: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    def to(self, address):
        return [message for message in self.messages if address in message["To"]]


class SMTPServer:
    """An aiosmtpd server on a free loopback port; start() and stop() may be called more than once."""

    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message):
    return message.get_body(preferencelist=("html",)).get_content()


def link_in(text, path_start):
    """The first absolute link in `text` whose path starts with `path_start`."""
    match = re.search(r"https?://[^\s\"<>]+" + re.escape(path_start) + r"[^\s\"<>]*", text)
    assert match, f"no link to {path_start} in:\n{text}"
    return match.group(0)
