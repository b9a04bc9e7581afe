"""The Peppol AS4 message layer (one-way push), written on lxml and cryptography.

Why not the ``as4`` package from PyPI (0.2.0): its reader binds XML to pydantic
models that silently ignore unknown elements and checks that *some* signed element
is an ``eb:Messaging``, not that it is the header's one, so a signed Messaging moved
into ``wsse:Security`` next to a forged one is accepted (signature wrapping); it
parses with its own parser instead of ``schemas.xmlsafe``; it has no duplicate
detection or missing-receipt handling; and it pins ``cryptography<47``. We keep it
as the independent implementation our interop tests run against.

Outbound: :func:`build_user_message`, :func:`send_as4`. Inbound: :class:`As4Receiver`
(wraps :func:`open_user_message`, duplicate detection, receipts and error signals).
"""

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
