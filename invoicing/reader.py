"""Read a UBL Invoice or CreditNote (Peppol BIS 3, EN 16931, OIOUBL 2.1) into the model.

Parsing goes through :func:`schemas.xmlsafe.parse`. The reader is lenient about
what it does not model and strict about what it does: a business term it keeps
must hold a value it can convert, or :class:`UnreadableDocument` names it.

Terms read and written back unchanged: everything :mod:`invoicing.model` holds
(see the BT numbers there), including a line net amount or a category's VAT
that the document states within the tolerance the rules allow. Terms dropped:
BT-18 invoiced object, embedded attachments (BT-125), the payee's and tax
representative's extra details, item attribute codes and line delivery. The
document totals (BG-22) are recomputed from the kept terms, so they come back
equal for any document that passes BR-CO-10 to BR-CO-16.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from lxml import etree

from invoicing._ubl_reading import NS, UblReader, text_of
from invoicing.builders._xml import CREDIT_NOTE_NS, INVOICE_NS
from invoicing.errors import UnreadableDocument, UnsupportedDocument
from invoicing.model import (
    PEPPOL_BILLING_CUSTOMIZATION,
    PEPPOL_BILLING_PROFILE,
    DocumentKind,
    Invoice,
    PrecedingInvoice,
    StatedVat,
)
from invoicing.vat import vat_breakdown
from schemas import xmlsafe

__all__ = ["read_invoice", "read_invoice_tree"]


def read_invoice(xml: bytes) -> Invoice:
    """Parse untrusted bytes into an :class:`Invoice`."""
    try:
        tree = xmlsafe.parse(xml)
    except xmlsafe.XmlError as exc:
        raise UnreadableDocument(exc.detail) from exc
    return read_invoice_tree(tree.getroot())


def read_invoice_tree(doc: etree._Element) -> Invoice:
    """Turn an already parsed Invoice or CreditNote element into the model."""
    if doc.tag == f"{{{INVOICE_NS}}}Invoice":
        kind = DocumentKind.INVOICE
    elif doc.tag == f"{{{CREDIT_NOTE_NS}}}CreditNote":
        kind = DocumentKind.CREDIT_NOTE
    else:
        raise UnsupportedDocument(f"not a UBL Invoice or CreditNote: {doc.tag}")
    oioubl = (text_of(doc, "cbc:CustomizationID") or "").startswith("OIOUBL-")
    r = UblReader(doc, oioubl=oioubl)
    currency = r.text(doc, "cbc:DocumentCurrencyCode")
    tax_currency = r.text(doc, "cbc:TaxCurrencyCode")
    number = r.text(doc, "cbc:ID")
    issue = r.day(doc, "cbc:IssueDate")
    if currency is None or number is None or issue is None:
        raise UnreadableDocument("the document lacks its number, issue date or currency")
    credit = kind is DocumentKind.CREDIT_NOTE
    type_code = r.text(doc, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode")
    due = r.day(doc, "cbc:DueDate") or r.day(doc, "cac:PaymentMeans/cbc:PaymentDueDate")
    order_ref = r.text(doc, "cac:OrderReference/cbc:ID")
    sales_ref = r.text(doc, "cac:OrderReference/cbc:SalesOrderID")
    if order_ref == "NA" and sales_ref:
        order_ref = None
    project = r.text(doc, "cac:ProjectReference/cbc:ID")
    if project is None:
        project = r.text(doc, "cac:AdditionalDocumentReference[cbc:DocumentTypeCode='50']/cbc:ID")
    lines = tuple(
        r.line(el, currency, credit=credit)
        for el in doc.iterfind("cac:CreditNoteLine" if credit else "cac:InvoiceLine", NS)
    )
    invoice = Invoice(
        kind=kind,
        number=number,
        issue_date=issue,
        currency=currency,
        seller=r.party(doc, "cac:AccountingSupplierParty/cac:Party"),
        buyer=r.party(doc, "cac:AccountingCustomerParty/cac:Party"),
        lines=lines,
        payment_means=tuple(r.payment_means(el) for el in doc.iterfind("cac:PaymentMeans", NS)),
        # The default code stays implicit so a read invoice equals the one we built.
        type_code=None if type_code == kind.default_type_code else type_code,
        due_date=due,
        tax_point_date=r.day(doc, "cbc:TaxPointDate"),
        tax_currency=tax_currency,
        tax_currency_vat_amount=_vat_in_tax_currency(r, doc, currency, tax_currency),
        notes=tuple(r.texts(doc, "cbc:Note")),
        accounting_cost=r.text(doc, "cbc:AccountingCost"),
        buyer_reference=_buyer_reference(r, doc),
        order_reference=order_ref,
        sales_order_reference=sales_ref,
        contract_reference=r.text(doc, "cac:ContractDocumentReference/cbc:ID"),
        project_reference=project,
        despatch_reference=r.text(doc, "cac:DespatchDocumentReference/cbc:ID"),
        receiving_reference=r.text(doc, "cac:ReceiptDocumentReference/cbc:ID"),
        tender_reference=r.text(doc, "cac:OriginatorDocumentReference/cbc:ID"),
        preceding_invoices=tuple(
            PrecedingInvoice(number=num, issue_date=r.day(el, "cbc:IssueDate"))
            for el in doc.iterfind("cac:BillingReference/cac:InvoiceDocumentReference", NS)
            if (num := r.text(el, "cbc:ID"))
        ),
        payment_terms=r.text(doc, "cac:PaymentTerms/cbc:Note"),
        period_start=r.day(doc, "cac:InvoicePeriod/cbc:StartDate"),
        period_end=r.day(doc, "cac:InvoicePeriod/cbc:EndDate"),
        delivery=r.delivery(doc),
        payee=r.payee(doc),
        tax_representative=r.tax_representative(doc),
        allowances_charges=tuple(
            r.allowance_charge(el, document_level=True)
            for el in doc.iterfind("cac:AllowanceCharge", NS)
        ),
        vat_exemptions=r.exemptions(doc),
        attachments=r.attachments(doc),
        prepaid_amount=r.amount(doc, "cac:LegalMonetaryTotal/cbc:PrepaidAmount"),
        rounding_amount=r.amount(doc, "cac:LegalMonetaryTotal/cbc:PayableRoundingAmount"),
        # An OIOUBL document becomes an EN 16931 invoice; its syntax ids are not kept.
        customization_id=(
            PEPPOL_BILLING_CUSTOMIZATION
            if oioubl
            else r.text(doc, "cbc:CustomizationID") or PEPPOL_BILLING_CUSTOMIZATION
        ),
        profile_id=PEPPOL_BILLING_PROFILE if oioubl else r.text(doc, "cbc:ProfileID"),
    )
    return _keep_stated_vat(r, doc, invoice)


def _keep_stated_vat(r: UblReader, doc: etree._Element, invoice: Invoice) -> Invoice:
    """Keep each category's VAT as stated where it is not the exactly rounded figure."""
    exact = {(e.category, e.rate): e.tax_amount for e in vat_breakdown(invoice)}
    currency = invoice.currency
    stated = []
    for sub in doc.iterfind("cac:TaxTotal/cac:TaxSubtotal", NS):
        amount_el = sub.find("cbc:TaxAmount", NS)
        tax_el = sub.find("cac:TaxCategory", NS)
        if (
            amount_el is None
            or tax_el is None
            or amount_el.get("currencyID") not in (None, currency)
        ):
            continue
        category, rate = r.category(tax_el)
        amount = r.decimal(sub, "cbc:TaxAmount")
        key = next((k for k in exact if k[0] == category and _same_rate(k[1], rate)), None)
        if key is not None and amount is not None and amount != exact[key]:
            stated.append(StatedVat(category, key[1], amount))
    return replace(invoice, stated_vat=tuple(stated)) if stated else invoice


def _same_rate(a: Decimal | None, b: Decimal | None) -> bool:
    return a == b if a is None or b is None else a.compare(b) == 0


def _vat_in_tax_currency(
    r: UblReader, doc: etree._Element, currency: str, tax_currency: str | None
) -> Decimal | None:
    """BT-111: a TaxTotal of its own in BIS 3; spread over the subtotals in OIOUBL."""
    if not tax_currency or tax_currency == currency:
        return None
    stated = r.amount(doc, f"cac:TaxTotal/cbc:TaxAmount[@currencyID='{tax_currency}']")
    if stated is not None or not r.oioubl:
        return stated
    parts = [
        r.decimal(sub, "cbc:TransactionCurrencyTaxAmount")
        for sub in doc.iterfind("cac:TaxTotal/cac:TaxSubtotal", NS)
    ]
    present = [part for part in parts if part is not None]
    return sum(present, Decimal(0)) if present else None


def _buyer_reference(r: UblReader, doc: etree._Element) -> str | None:
    stated = r.text(doc, "cbc:BuyerReference")
    if stated or not r.oioubl:
        return stated
    # OIOUBL: the buyer contact's ID is the buyer reference ("n/a" when there is none).
    contact_id = r.text(doc, "cac:AccountingCustomerParty/cac:Party/cac:Contact/cbc:ID")
    return None if contact_id in (None, "n/a") else contact_id
