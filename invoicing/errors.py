"""Errors of the invoicing domain.

    GatewayError (gateway.errors)
    └── BadRequest (400)
        ├── InvoicingError (400)                  base of every invoicing error
        └── InvalidDocument (422)
            ├── InvalidInvoice (422)      + InvoicingError: the model breaks a rule we enforce
            ├── UnsupportedDocument (422) + InvoicingError: not a document kind or syntax we read
            ├── UnreadableDocument (422)  + InvoicingError: a term holds a value we cannot parse
            └── UnknownReference (422)    + InvoicingError: a response answers an unknown order

Each concrete error is both an ``InvoicingError`` (catch the domain) and a
kernel ``InvalidDocument`` (the problem handler renders findings the same way
for every refused document). ``InvalidInvoice`` carries ``findings``: a list of
``{"rule": ..., "message": ...}`` so the problem details name every broken
rule at once.
"""

from __future__ import annotations

from typing import Any

from gateway.errors import BadRequest, InvalidDocument

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


class InvalidInvoice(InvoicingError, InvalidDocument):
    """The model (invoice, order or response) breaks rules; ``findings`` names each."""

    status = 422
    title = "Invalid invoice"
    slug = "invalid-invoice"

    def __init__(self, detail: str, *, findings: list[dict[str, str]], **extensions: Any) -> None:
        super().__init__(detail, findings=findings, **extensions)
        self.findings = findings


class UnsupportedDocument(InvoicingError, InvalidDocument):
    """The XML is well formed but not a document kind or syntax we read."""

    status = 422
    title = "Unsupported document"
    slug = "unsupported-document"


class UnreadableDocument(InvoicingError, InvalidDocument):
    """A value in the document cannot be turned into the model (bad number, bad date)."""

    status = 422
    title = "Unreadable document"
    slug = "unreadable-document"


class UnknownReference(InvoicingError, InvalidDocument):
    """A received response refers to an order (or invoice) that does not exist here."""

    status = 422
    title = "Unknown reference"
    slug = "unknown-reference"
