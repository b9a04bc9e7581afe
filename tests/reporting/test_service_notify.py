"""Notices about drafted VAT returns: webhook, SMTP e-mail, the sandbox outbox."""

from __future__ import annotations

import email
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from reporting.notify import Notice, Notifier, OutboxSender, SmtpSender

NOTICE = Notice(
    organisation_cvr="12345674",
    report_id="r-1",
    period="2026-Q3",
    deadline="2026-12-01",
    ledger_id="l-1",
    ledger_version=2,
    amount_due=72000,
    submitted=False,
)


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough of RFC 5321 to take one message on loopback."""

    received: list[bytes]

    def handle(self) -> None:
        self.wfile.write(b"220 test\r\n")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 test\r\n")
            elif verb == b"DATA":
                self.wfile.write(b"354 go\r\n")
                body = b""
                while (chunk := self.rfile.readline()) != b".\r\n":
                    body += chunk
                type(self).received.append(body)
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp() -> Iterator[tuple[int, list[bytes]]]:
    received: list[bytes] = []
    handler = type("Handler", (_Smtp,), {"received": received})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], received
    finally:
        server.shutdown()
        server.server_close()


def test_smtp_sends_the_notice_to_the_organisations_address(
    smtp: tuple[int, list[bytes]],
) -> None:
    port, received = smtp
    notifier = Notifier(email=SmtpSender("127.0.0.1", port, sender="gateway@example.test"))
    outcome = notifier.notify(NOTICE, webhook_url=None, email="books@example.test")
    assert outcome == {"email": ("sent", None)}
    message = email.message_from_bytes(received[0])
    assert message["To"] == "books@example.test" and "2026-Q3" in message["Subject"]
    assert "72,000 DKK" in message.get_payload()


def test_outbox_keeps_each_mail_as_a_file(tmp_path: Path) -> None:
    Notifier(email=OutboxSender(tmp_path)).notify(NOTICE, webhook_url=None, email="a@example.test")
    files = list(tmp_path.glob("*.eml"))
    assert len(files) == 1 and b"Report: r-1" in files[0].read_bytes()


def test_a_failing_webhook_is_reported_not_raised(tmp_path: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500)

    notifier = Notifier(
        email=OutboxSender(tmp_path), http=httpx.Client(transport=httpx.MockTransport(refuse))
    )
    outcome = notifier.notify(NOTICE, webhook_url="http://127.0.0.1:9/hook", email="a@example.test")
    assert outcome["webhook"][0] == "failed" and "500" in (outcome["webhook"][1] or "")
    assert outcome["email"] == ("sent", None)


def test_an_unreachable_smtp_server_is_a_failed_notice(tmp_path: Path) -> None:
    notifier = Notifier(email=SmtpSender("127.0.0.1", 9, sender="g@example.test", timeout=2))
    outcome = notifier.notify(NOTICE, webhook_url=None, email="a@example.test")
    assert outcome["email"][0] == "failed"
