"""A mail server that is down loses nothing: a real `celery worker` sends to a local port that first closes every
connection, then refuses them, then is a real SMTP server (aiosmtpd); the message is retried and arrives once."""

import socket
import threading

import pytest
from aiosmtpd.controller import Controller

from accounts.models import OutgoingMail
from accounts.services.mail import mail_queue
from tests.processes import CeleryWorker, wait_for

pytestmark = [pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ClosingServer:
    """Accepts each connection and closes it at once, before the SMTP greeting."""

    def __init__(self, port: int):
        self.listener = socket.create_server(("127.0.0.1", port), reuse_port=False)
        self.listener.settimeout(0.2)
        self.connections = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def stop(self) -> None:
        if self.stopping.is_set():
            return
        self.stopping.set()
        self.thread.join(5)
        self.listener.close()


class Inbox:
    def __init__(self):
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 Message accepted for delivery"


def test_a_message_survives_a_closing_then_refusing_server_and_is_sent_once_it_works(
    transactional_db, tmp_path
):
    port = free_port()
    closing = ClosingServer(port)
    worker = CeleryWorker(
        "mailer",
        tmp_path,
        env={
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            "HUB_MAIL_RETRY_SECONDS": "0.5",
            "HUB_MAIL_RETRY_MAX_SECONDS": "1",
            "HUB_MAIL_MAX_ATTEMPTS": "1000",
        },
    ).start()
    controller = None
    try:
        mail_id = mail_queue(kind="test", to="ada@example.org", subject="Your score", body="0.91").pk

        def attempts() -> int:
            return OutgoingMail.objects.get(pk=mail_id).attempts

        wait_for(
            lambda: attempts() >= 2 and closing.connections >= 2, timeout=60, message="two closed attempts"
        )
        row = OutgoingMail.objects.get(pk=mail_id)
        assert row.status in (OutgoingMail.Status.QUEUED, OutgoingMail.Status.SENDING)
        assert "SMTPServerDisconnected" in row.last_error or "Connection" in row.last_error

        closing.stop()
        refused_from = attempts()
        wait_for(lambda: attempts() >= refused_from + 2, timeout=60, message="two refused attempts")
        assert "ConnectionRefusedError" in OutgoingMail.objects.get(pk=mail_id).last_error

        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        wait_for(
            lambda: OutgoingMail.objects.get(pk=mail_id).status == OutgoingMail.Status.SENT,
            timeout=60,
            message="the message to be sent once the server works",
        )
        assert len(inbox.messages) == 1
        assert b"Subject: Your score" in inbox.messages[0]
    finally:
        worker.stop()
        closing.stop()
        if controller:
            controller.stop()
    # No second copy arrives after the row says sent (a duplicate delivery finds nothing queued).
    assert len(inbox.messages) == 1
