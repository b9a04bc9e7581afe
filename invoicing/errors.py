"""Errors of the invoicing domain.

    GatewayError (gateway.errors)
    └── BadRequest (400)
        └── InvoicingError (400)
            ├── InvalidInvoice (422)       the model breaks an EN 16931 rule we enforce
            ├── UnsupportedDocument (422)  not an Invoice/CreditNote we can read
            ├── UnreadableDocument (422)   a business term holds a value we cannot parse
            └── UnknownReference (422)     a response answers an order we do not know

``InvalidInvoice`` carries ``findings``: a list of ``{"rule": ..., "message": ...}``
so the problem details name every broken rule at once.
"""

from __future__ import annotations

from typing import Any

from gateway.errors import BadRequest

__all__ = [
    "InvalidInvoice",
    "InvoicingError",
    "UnknownReference",
    "UnreadableDocument",
    "UnsupportedDocument",
]


class InvoicingError(BadRequest):
    title = "Invoicing error"
    slug = "invoicing"


class InvalidInvoice(InvoicingError):
    """The invoice model breaks EN 16931 rules; ``findings`` names each rule."""

    status = 422
    title = "Invalid invoice"
    slug = "invalid-invoice"

    def __init__(self, detail: str, *, findings: list[dict[str, str]], **extensions: Any) -> None:
        super().__init__(detail, findings=findings, **extensions)
        self.findings = findings


class UnsupportedDocument(InvoicingError):
    """The XML is well formed but not a document kind or syntax we read."""

    status = 422
    title = "Unsupported document"
    slug = "unsupported-document"


class UnreadableDocument(InvoicingError):
    """A value in the document cannot be turned into the model (bad number, bad date)."""

    status = 422
    title = "Unreadable document"
    slug = "unreadable-document"


class UnknownReference(InvoicingError):
    """A received response refers to an order (or invoice) that does not exist here."""

    status = 422
    title = "Unknown reference"
    slug = "unknown-reference"
