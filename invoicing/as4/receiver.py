"""The receiving access point: open, drop duplicates by MessageId, deliver, answer with a signal."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from invoicing.as4.errors import As4Error, As4NotServiced, As4Refused
from invoicing.as4.inbound import (
    CertificateTrust,
    InboundMessage,
    open_user_message,
    peek_message_id,
)
from invoicing.as4.outbound import As4Identity
from invoicing.as4.signals import SIGNAL_CONTENT_TYPE, build_error_signal, build_receipt

__all__ = ["As4Receiver", "MemoryMessageLog", "MessageLog", "ReceiveResult"]

log = logging.getLogger(__name__)


class MessageLog(Protocol):
    """Remembers delivered MessageIds; the kernel backs it with a table with a unique key."""

    def seen(self, message_id: str) -> bool: ...

    def record(self, message_id: str) -> None: ...


class MemoryMessageLog:
    """A bounded in-memory message log for the sandbox and tests."""

    def __init__(self, capacity: int = 100_000) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._capacity = capacity

    def seen(self, message_id: str) -> bool:
        """Whether ``message_id`` was delivered before."""
        return message_id in self._ids

    def record(self, message_id: str) -> None:
        """Remember ``message_id`` as delivered, forgetting the oldest beyond capacity."""
        self._ids[message_id] = None
        while len(self._ids) > self._capacity:
            self._ids.popitem(last=False)


@dataclass(frozen=True, slots=True)
class ReceiveResult:
    """The HTTP answer to send back, and what happened."""

    status_code: int
    body: bytes
    content_type: str
    message: InboundMessage | None = None
    duplicate: bool = False
    error: As4Error | None = None


class _DeliveryFailed(Exception):
    pass


Deliver = Callable[[InboundMessage], None]
AcceptRecipient = Callable[[str], bool]


class As4Receiver:
    """Processes inbound AS4 POSTs for one access point identity."""

    def __init__(
        self,
        *,
        identity: As4Identity,
        trust: CertificateTrust,
        deliver: Deliver,
        message_log: MessageLog | None = None,
        accepts_recipient: AcceptRecipient | None = None,
    ) -> None:
        self.identity = identity
        self.trust = trust
        self.deliver = deliver
        self.message_log: MessageLog = message_log or MemoryMessageLog()
        self.accepts_recipient = accepts_recipient
        # Check, deliver and record run as one step per MessageId, so two copies in
        # flight deliver once while different messages still deliver in parallel.
        self._in_flight: set[str] = set()
        self._changed = threading.Condition()

    def _deliver_once(self, message: InboundMessage) -> bool:
        """Deliver unless already delivered; return whether it was a duplicate."""
        key = message.message_id
        with self._changed:
            self._changed.wait_for(lambda: key not in self._in_flight)
            if self.message_log.seen(key):
                return True
            self._in_flight.add(key)
        try:
            self._deliver(message)
            self.message_log.record(key)
        finally:
            with self._changed:
                self._in_flight.discard(key)
                self._changed.notify_all()
        return False

    def _deliver(self, message: InboundMessage) -> None:
        try:
            self.deliver(message)
        except Exception as exc:
            log.exception("invoicing.as4.receive.deliver_failed")
            raise _DeliveryFailed(str(exc)) from exc

    def receive(self, body: bytes, content_type: str) -> ReceiveResult:
        """Handle one POSTed message; never raises for a bad message, answers with a signal."""
        try:
            message = open_user_message(
                body, content_type, identity=self.identity, trust=self.trust
            )
            if self.accepts_recipient is not None and not self.accepts_recipient(
                message.final_recipient
            ):
                raise As4NotServiced(
                    f"{message.final_recipient} is not served by this access point",
                    code="PEPPOL:NOT_SERVICED",
                )
            duplicate = self._deliver_once(message)
        except _DeliveryFailed:
            # No receipt: the sender keeps the message and tries again later.
            return ReceiveResult(503, b"", "text/plain")
        except As4Refused as exc:
            log.info(
                "invoicing.as4.receive.refused", extra={"code": exc.code, "detail": exc.detail}
            )
            ref = peek_message_id(body, content_type)
            signal = build_error_signal(
                ref_to_message_id=ref, code=exc.code, detail=exc.detail, identity=self.identity
            )
            # AS4 answers an error with a SOAP response; 500 tells HTTP-only clients too.
            return ReceiveResult(500, signal, SIGNAL_CONTENT_TYPE, error=exc)
        if duplicate:
            log.info("invoicing.as4.receive.duplicate", extra={"message_id": message.message_id})
        receipt = build_receipt(
            ref_to_message_id=message.message_id,
            signed_references=message.signed_references,
            identity=self.identity,
        )
        return ReceiveResult(
            200, receipt, SIGNAL_CONTENT_TYPE, message=message, duplicate=duplicate
        )
