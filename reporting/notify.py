"""Telling an organisation its VAT return is drafted: a webhook and an e-mail hook.

The e-mail hook is an interface with two implementations: SMTP for a
deployment, and an outbox folder of ``.eml`` files for the sandbox and tests.
"""

from __future__ import annotations

import smtplib
import uuid
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

import httpx

from gateway.settings import Settings
from reporting.errors import ReportingError

__all__ = [
    "EmailSender",
    "Notice",
    "Notifier",
    "NotifyFailed",
    "OutboxSender",
    "SmtpSender",
    "notifier_for",
]


class NotifyFailed(ReportingError):
    status = 502
    title = "Notification failed"
    slug = "notification-failed"


@dataclass(frozen=True, slots=True)
class Notice:
    """What the organisation is told about one drafted return."""

    organisation_cvr: str
    report_id: str
    period: str
    deadline: str
    ledger_id: str
    ledger_version: int
    amount_due: int  # AfgiftTilsvar, whole DKK (negative: the agency pays back)
    submitted: bool

    @property
    def subject(self) -> str:
        return f"VAT return {self.period} drafted (deadline {self.deadline})"

    def text(self) -> str:
        done = (
            "It has been sent to the tax agency; approve the draft on skat.dk."
            if self.submitted
            else "Review it and submit it in the gateway."
        )
        return (
            f"The gateway drafted the VAT return {self.period} for CVR {self.organisation_cvr} "
            f"from ledger version {self.ledger_version}.\n"
            f"VAT payable (AfgiftTilsvar): {self.amount_due:,} DKK; deadline {self.deadline}.\n"
            f"{done}\nReport: {self.report_id}\n"
        )


class EmailSender(Protocol):
    def send(self, *, to: str, subject: str, body: str) -> None: ...


def _message(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Message-ID"] = f"<{uuid.uuid4()}@gateway>"
    msg.set_content(body)
    return msg


class SmtpSender:
    """Sends through an SMTP server (STARTTLS when asked)."""

    def __init__(
        self, host: str, port: int = 25, *, sender: str, starttls: bool = False, timeout: float = 30
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.timeout = starttls, timeout

    def send(self, *, to: str, subject: str, body: str) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                smtp.send_message(_message(self.sender, to, subject, body))
        except (OSError, smtplib.SMTPException) as exc:
            raise NotifyFailed(f"cannot send e-mail to {to}: {exc}") from exc


class OutboxSender:
    """Writes each e-mail as an ``.eml`` file into a folder (the sandbox's outbox)."""

    def __init__(self, directory: Path, *, sender: str = "gateway@localhost") -> None:
        self.directory, self.sender = directory, sender

    def send(self, *, to: str, subject: str, body: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        msg = _message(self.sender, to, subject, body)
        (self.directory / f"{uuid.uuid4().hex}.eml").write_bytes(msg.as_bytes())


class Notifier:
    """Posts the notice to the webhook and e-mails it; returns each channel's outcome."""

    def __init__(self, *, email: EmailSender, http: httpx.Client | None = None) -> None:
        self.email = email
        self.http = http or httpx.Client(timeout=15)

    def webhook(self, url: str, notice: Notice) -> None:
        try:
            resp = self.http.post(
                url,
                json={"event": "vat_return.drafted", **asdict(notice)},
                headers={"Idempotency-Key": f"{notice.report_id}:drafted"},
            )
        except httpx.HTTPError as exc:
            raise NotifyFailed(f"webhook {url} unreachable: {exc}") from exc
        if resp.status_code >= 300:
            raise NotifyFailed(f"webhook {url} answered {resp.status_code}")

    def notify(
        self, notice: Notice, *, webhook_url: str | None, email: str | None
    ) -> dict[str, tuple[str, str | None]]:
        out: dict[str, tuple[str, str | None]] = {}
        targets: list[tuple[str, Any]] = []
        if webhook_url:
            targets.append(("webhook", lambda: self.webhook(webhook_url, notice)))
        if email:
            targets.append(
                (
                    "email",
                    lambda: self.email.send(to=email, subject=notice.subject, body=notice.text()),
                )
            )
        for name, action in targets:
            try:
                action()
                out[name] = ("sent", None)
            except NotifyFailed as exc:
                out[name] = ("failed", exc.detail)
        return out


def notifier_for(settings: Settings) -> Notifier:
    """SMTP when ``GW_SMTP__HOST`` is set, else the outbox folder in the data directory."""
    smtp = settings.smtp
    sender = smtp.sender
    email: EmailSender
    if smtp.host:
        email = SmtpSender(smtp.host, smtp.port, sender=sender, starttls=smtp.starttls)
    else:
        email = OutboxSender(settings.data_path / "outbox", sender=sender)
    return Notifier(email=email)
