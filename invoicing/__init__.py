"""Invoicing: orders, invoices, credit notes and responses; UBL / OIOUBL; matching.

Pure modules (no I/O): ``model`` (EN 16931 invoice), ``orders`` (orders,
responses, contract terms), ``vat`` (breakdown and totals), ``rules`` (model
checks), ``matching`` (invoice against order and contract). ``builders``
writes Peppol BIS 3, OIOUBL 2.1 and BIS Ordering 3 documents; ``reader``
turns a received Invoice or CreditNote into the model, ``order_reader`` a
received Order, ``response_reader``
a received Invoice Response or Order Response; ``contract_terms`` adapts
tendering's contract view for matching and ordering (import it directly: it
loads tendering's payloads). ``as4`` and
``peppol*`` carry documents over the Peppol network.
"""

from invoicing.builders import (
    build_bis3,
    build_invoice_response,
    build_oioubl,
    build_order,
    build_order_response,
)
from invoicing.errors import InvalidInvoice, InvoicingError, UnreadableDocument, UnsupportedDocument
from invoicing.matching import Decision, MatchResult, Reason, ReasonCode, Tolerance, match_invoice
from invoicing.model import DocumentKind, Invoice, InvoiceLine, Party, VatCategory
from invoicing.order_reader import read_order
from invoicing.orders import ContractTerms, InvoiceResponse, Order, OrderResponse
from invoicing.reader import read_invoice
from invoicing.response_reader import read_invoice_response, read_order_response
from invoicing.rules import check_invoice
from invoicing.vat import Totals, compute_totals

__all__ = [
    "ContractTerms",
    "Decision",
    "DocumentKind",
    "InvalidInvoice",
    "Invoice",
    "InvoiceLine",
    "InvoiceResponse",
    "InvoicingError",
    "MatchResult",
    "Order",
    "OrderResponse",
    "Party",
    "Reason",
    "ReasonCode",
    "Tolerance",
    "Totals",
    "UnreadableDocument",
    "UnsupportedDocument",
    "VatCategory",
    "build_bis3",
    "build_invoice_response",
    "build_oioubl",
    "build_order",
    "build_order_response",
    "check_invoice",
    "compute_totals",
    "match_invoice",
    "read_invoice",
    "read_invoice_response",
    "read_order",
    "read_order_response",
]
