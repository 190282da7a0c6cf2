"""Fixtures of the notification tests: a real SMTP server and a frozen clock."""
from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest

from telehealth import clock
from tests.routing.factories import MONDAY_10


class Inbox:
    """What the SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        """Keep each delivered message."""
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        """Messages delivered to one address."""
        return [m for m in self.messages if m["To"] == address]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp(app: Any) -> Iterator[Inbox]:
    """A real SMTP server on localhost; the app is configured to send through it."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, MAIL_FROM="noreply@telehealth.test")
    yield inbox
    controller.stop()


@pytest.fixture
def frozen(app: Any) -> Iterator[Any]:
    """The service clock frozen on a Monday 10:00 UTC."""
    clock.set_time(MONDAY_10)
    yield clock
    clock.set_time(None)
