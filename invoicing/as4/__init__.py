"""The Peppol AS4 message layer (one-way push), written on lxml and cryptography."""

from invoicing.as4.errors import (
    As4BuildError,
    As4Error,
    As4NotServiced,
    As4ReceiptError,
    As4Refused,
    As4SecurityError,
)
from invoicing.as4.inbound import (
    CertificateTrust,
    InboundMessage,
    PinnedCertificates,
    open_user_message,
)
from invoicing.as4.outbound import As4Identity, OutboundMessage, access_point_id, build_user_message
from invoicing.as4.receiver import As4Receiver, MemoryMessageLog, MessageLog, ReceiveResult
from invoicing.as4.sbdh import SbdhInfo
from invoicing.as4.sender import As4Outcome, DeliveryStatus, EndpointResolver, send_as4
from invoicing.as4.signals import As4Receipt, build_error_signal, build_receipt, read_receipt

__all__ = [
    "As4BuildError",
    "As4Error",
    "As4Identity",
    "As4NotServiced",
    "As4Outcome",
    "As4Receipt",
    "As4ReceiptError",
    "As4Receiver",
    "As4Refused",
    "As4SecurityError",
    "CertificateTrust",
    "DeliveryStatus",
    "EndpointResolver",
    "InboundMessage",
    "MemoryMessageLog",
    "MessageLog",
    "OutboundMessage",
    "PinnedCertificates",
    "ReceiveResult",
    "SbdhInfo",
    "access_point_id",
    "build_error_signal",
    "build_receipt",
    "build_user_message",
    "open_user_message",
    "read_receipt",
    "send_as4",
]
