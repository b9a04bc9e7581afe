"""Errors of the AS4 message layer.

    GatewayError
    └── As4Error (500)
        ├── As4BuildError (500)          the outbound message cannot be built (bad key, bad document)
        ├── As4Refused (400)             an inbound message or signal is refused; ``code`` is the ebMS code
        │   ├── As4SecurityError (403)   signature, certificate or decryption failed
        │   └── As4NotServiced (404)     the final recipient is not served here (PEPPOL:NOT_SERVICED)
        └── As4ReceiptError (502)        the answer to our message is no valid receipt for it

``code`` carries the ebMS 3 error code (``EBMS:0101`` and so on) that the
receiver puts in its error signal.
"""

from __future__ import annotations

from typing import Any

from gateway.errors import GatewayError

__all__ = [
    "As4BuildError",
    "As4Error",
    "As4NotServiced",
    "As4ReceiptError",
    "As4Refused",
    "As4SecurityError",
]


class As4Error(GatewayError):
    title = "AS4 error"
    slug = "as4-error"


class As4BuildError(As4Error):
    title = "AS4 message cannot be built"
    slug = "as4-build"


class As4Refused(As4Error):
    """An inbound AS4 message (or a signal) that we refuse; ``code`` is the ebMS error code."""

    status = 400
    title = "AS4 message refused"
    slug = "as4-refused"

    def __init__(self, detail: str, *, code: str = "EBMS:0004", **extensions: Any) -> None:
        super().__init__(detail, code=code, **extensions)
        self.code = code


class As4SecurityError(As4Refused):
    status = 403
    title = "AS4 security check failed"
    slug = "as4-security"


class As4NotServiced(As4Refused):
    status = 404
    title = "Participant not serviced"
    slug = "as4-not-serviced"


class As4ReceiptError(As4Error):
    """The answer is not a valid signed receipt for the message we sent."""

    status = 502
    title = "AS4 receipt invalid"
    slug = "as4-receipt"
