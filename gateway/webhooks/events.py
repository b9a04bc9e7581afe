"""The events a subscriber can ask for, each with what it means.

Names are dotted ``<domain>.<object>.<what happened>``; the payload's ``data``
carries the ids a client needs to fetch the object by API.
"""

from __future__ import annotations

__all__ = ["EVENTS", "PING"]

PING = "webhook.ping"

EVENTS: dict[str, str] = {
    PING: "A test delivery asked for with POST /v1/webhooks/{id}/ping",
    "submission.receipted": "A document the gateway sent was receipted by its receiver",
    "submission.failed": "A document could not be delivered (refused, or retries exhausted)",
    "reporting.vat_return.drafted": "A VAT return was computed and waits to be submitted",
    "reporting.vat_return.receipted": "The tax agency receipted a VAT return",
    "invoicing.invoice.received": "An invoice arrived for the organisation (buyer)",
    "invoicing.invoice.matched": "A received invoice was matched against its order and contract",
    "invoicing.order.answered": "The supplier answered an order (accepted, rejected)",
    "tendering.tender.published": "A tender was published",
    "tendering.corrigendum.published": "A corrigendum to a published tender was issued",
    "tendering.bid.receipted": "A bid was received and receipted (supplier)",
    "tendering.award.decided": "A tender was awarded; contracts are ready to sign",
}
