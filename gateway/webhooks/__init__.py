"""Webhooks: organisations subscribe to events; signed deliveries, retried with back-off.

Domains call :func:`emit` inside the transaction of the event; the delivery is
sent by a Celery task after commit.
"""

from gateway.webhooks.events import EVENTS
from gateway.webhooks.service import emit

__all__ = ["EVENTS", "emit"]
