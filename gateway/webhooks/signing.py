"""Signing a delivery the Standard Webhooks way (https://www.standardwebhooks.com).

Headers sent with every delivery::

    webhook-id: msg_<id>               the same on every retry: drop repeats by it
    webhook-timestamp: 1764873600      Unix seconds when this attempt was signed
    webhook-signature: v1,<base64>     HMAC-SHA256 with the subscription's secret over
                                       "<webhook-id>.<webhook-timestamp>.<body>"

The secret is ``whsec_`` followed by base64 of 32 random bytes; the HMAC key is
the decoded bytes. Receivers should refuse timestamps more than five minutes
away from their own clock, against replays.
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from standardwebhooks.webhooks import Webhook

__all__ = ["new_secret", "signed_headers"]


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def signed_headers(secret: str, message_id: str, when: datetime, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt of one delivery."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, when, body),
        "content-type": "application/json",
    }
