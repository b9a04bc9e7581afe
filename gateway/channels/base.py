"""The channel interface: how a submission leaves the gateway and how its receipt comes back."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

__all__ = [
    "Channel",
    "ChannelError",
    "OutboundMessage",
    "ReceiptOutcome",
    "SendOutcome",
    "SendResult",
]


class SendResult(StrEnum):
    DELIVERED = "delivered"  # the receiver has it (also when it already had it)
    REJECTED = "rejected"  # the receiver refused it for good; ``detail`` says why
    RETRY = "retry"  # a transient failure: try again later


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    message_id: str  # stable across retries; receivers drop duplicates by it
    kind: str
    sender: str
    recipient: str
    endpoint: str
    content_type: str
    payload: bytes
    signature: bytes | None = None


@dataclass(frozen=True, slots=True)
class SendOutcome:
    result: SendResult
    transmission_id: str | None = None
    detail: str | None = None
    receipt: bytes | None = None  # when the receiver answers with its receipt at once
    findings: list[dict[str, object]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ReceiptOutcome:
    ready: bool
    receipt: bytes | None = None
    rejected: bool = False
    detail: str | None = None


class ChannelError(Exception):
    """A transport failure inside a channel; always retryable."""


class Channel(Protocol):
    name: str

    def send(self, message: OutboundMessage) -> SendOutcome: ...

    def poll_receipt(self, message: OutboundMessage, transmission_id: str) -> ReceiptOutcome: ...
