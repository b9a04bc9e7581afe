"""Peppol BIS Billing 3.0 Invoice and CreditNote (UBL 2.1) from the internal model."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from invoicing.builders._parts import write_address, write_party
from invoicing.builders._xml import (
    CREDIT_NOTE_NS,
    INVOICE_NS,
    cac,
    cbc,
    day,
    money,
    num,
    root,
    to_bytes,
)
from invoicing.errors import InvalidInvoice
from invoicing.model import (
    AllowanceCharge,
    DocumentKind,
    Invoice,
    InvoiceLine,
    Party,
    PaymentMeans,
    VatCategory,
)
from invoicing.rules import check_invoice
from invoicing.vat import Totals, VatSubtotal, compute_totals, line_net_amount

__all__ = ["build_bis3", "build_bis3_tree"]


def build_bis3(invoice: Invoice) -> bytes:
    """Serialise ``invoice`` as a Peppol BIS 3 Invoice or CreditNote; refuses rule breaks."""
    return to_bytes(build_bis3_tree(invoice))


def build_bis3_tree(invoice: Invoice, *, check: bool = True) -> etree._Element:
    """The document as an lxml element (``check=False`` skips our model checks)."""
    if check:
        findings = check_invoice(invoice)
        if findings:
            raise InvalidInvoice(
                f"invoice {invoice.number} breaks {len(findings)} rule(s)",
                findings=[{"rule": f.rule, "message": f.message} for f in findings],
            )
    totals = compute_totals(invoice)
    credit = invoice.kind is DocumentKind.CREDIT_NOTE
    doc = root(CREDIT_NOTE_NS, "CreditNote") if credit else root(INVOICE_NS, "Invoice")
    cur = invoice.currency
    cbc(doc, "CustomizationID", invoice.customization_id)
    cbc(doc, "ProfileID", invoice.profile_id)
    cbc(doc, "ID", invoice.number)
    cbc(doc, "IssueDate", day(invoice.issue_date))
    if credit:
        cbc(doc, "TaxPointDate", day(invoice.tax_point_date))
        cbc(doc, "CreditNoteTypeCode", invoice.effective_type_code)
        for note in invoice.notes:
            cbc(doc, "Note", note)
    else:
        cbc(doc, "DueDate", day(invoice.due_date))
        cbc(doc, "InvoiceTypeCode", invoice.effective_type_code)
        for note in invoice.notes:
            cbc(doc, "Note", note)
        cbc(doc, "TaxPointDate", day(invoice.tax_point_date))
    cbc(doc, "DocumentCurrencyCode", cur)
    cbc(doc, "TaxCurrencyCode", invoice.tax_currency)
    cbc(doc, "AccountingCost", invoice.accounting_cost)
    cbc(doc, "BuyerReference", invoice.buyer_reference)
    if invoice.period_start or invoice.period_end:
        period = cac(doc, "InvoicePeriod")
        cbc(period, "StartDate", day(invoice.period_start))
        cbc(period, "EndDate", day(invoice.period_end))
    if invoice.order_reference or invoice.sales_order_reference:
        ref = cac(doc, "OrderReference")
        # BT-14 alone still needs an ID element; Peppol puts "NA" there.
        cbc(ref, "ID", invoice.order_reference or "NA")
        cbc(ref, "SalesOrderID", invoice.sales_order_reference)
    for preceding in invoice.preceding_invoices:
        ref = cac(cac(doc, "BillingReference"), "InvoiceDocumentReference")
        cbc(ref, "ID", preceding.number)
        cbc(ref, "IssueDate", day(preceding.issue_date))
    _id_ref(doc, "DespatchDocumentReference", invoice.despatch_reference)
    _id_ref(doc, "ReceiptDocumentReference", invoice.receiving_reference)
    if not credit:
        _id_ref(doc, "OriginatorDocumentReference", invoice.tender_reference)
    _id_ref(doc, "ContractDocumentReference", invoice.contract_reference)
    for attachment in invoice.attachments:
        ref = cac(doc, "AdditionalDocumentReference")
        cbc(ref, "ID", attachment.id)
        cbc(ref, "DocumentDescription", attachment.description)
        if attachment.uri:
            cbc(cac(cac(ref, "Attachment"), "ExternalReference"), "URI", attachment.uri)
    if credit:
        if invoice.project_reference:
            # A UBL CreditNote has no ProjectReference; BIS 3 carries BT-11 here.
            ref = cac(doc, "AdditionalDocumentReference")
            cbc(ref, "ID", invoice.project_reference)
            cbc(ref, "DocumentTypeCode", "50")
        _id_ref(doc, "OriginatorDocumentReference", invoice.tender_reference)
    else:
        _id_ref(doc, "ProjectReference", invoice.project_reference)
    write_party(cac(doc, "AccountingSupplierParty"), invoice.seller, seller=True)
    write_party(cac(doc, "AccountingCustomerParty"), invoice.buyer, seller=False)
    if invoice.payee is not None:
        _payee(cac(doc, "PayeeParty"), invoice.payee)
    if invoice.tax_representative is not None:
        _tax_representative(cac(doc, "TaxRepresentativeParty"), invoice.tax_representative)
    if invoice.delivery is not None:
        _delivery(doc, invoice)
    for means in invoice.payment_means:
        _payment_means(doc, means, invoice if credit else None)
    if invoice.payment_terms:
        cbc(cac(doc, "PaymentTerms"), "Note", invoice.payment_terms)
    for item in invoice.allowances_charges:
        _allowance_charge(doc, item, cur, document_level=True)
    _tax_totals(doc, invoice, totals)
    _monetary_total(doc, invoice, totals)
    for line in invoice.lines:
        _line(doc, line, cur, credit=credit)
    return doc


def _id_ref(parent: etree._Element, tag: str, value: str | None) -> None:
    if value:
        cbc(cac(parent, tag), "ID", value)


def _payee(parent: etree._Element, payee: Party) -> None:
    for ident in payee.identifiers:
        cbc(cac(parent, "PartyIdentification"), "ID", ident.value, schemeID=ident.scheme)
    cbc(cac(parent, "PartyName"), "Name", payee.name)
    if payee.legal_id is not None:
        legal = cac(parent, "PartyLegalEntity")
        cbc(legal, "CompanyID", payee.legal_id.value, schemeID=payee.legal_id.scheme)


def _tax_representative(parent: etree._Element, party: Party) -> None:
    cbc(cac(parent, "PartyName"), "Name", party.name)
    write_address(parent, "PostalAddress", party.address)
    if party.vat_id:
        scheme = cac(parent, "PartyTaxScheme")
        cbc(scheme, "CompanyID", party.vat_id)
        cbc(cac(scheme, "TaxScheme"), "ID", "VAT")


def _delivery(doc: etree._Element, invoice: Invoice) -> None:
    delivery = invoice.delivery
    assert delivery is not None
    el = cac(doc, "Delivery")
    cbc(el, "ActualDeliveryDate", day(delivery.date))
    if delivery.location_id is not None or delivery.address is not None:
        location = cac(el, "DeliveryLocation")
        if delivery.location_id is not None:
            loc_id = delivery.location_id
            cbc(location, "ID", loc_id.value, schemeID=loc_id.scheme)
        if delivery.address is not None:
            write_address(location, "Address", delivery.address)
    if delivery.party_name:
        cbc(cac(cac(el, "DeliveryParty"), "PartyName"), "Name", delivery.party_name)


def _payment_means(doc: etree._Element, means: PaymentMeans, credit: Invoice | None) -> None:
    el = cac(doc, "PaymentMeans")
    cbc(el, "PaymentMeansCode", means.code, name=means.code_name)
    if credit is not None:
        # A UBL CreditNote has no DueDate; BIS 3 carries BT-9 here instead.
        cbc(el, "PaymentDueDate", day(credit.due_date))
    cbc(el, "PaymentID", means.payment_id)
    if means.card_number:
        card = cac(el, "CardAccount")
        cbc(card, "PrimaryAccountNumberID", means.card_number)
        cbc(card, "NetworkID", means.card_network or "NA")
        cbc(card, "HolderName", means.card_holder)
    if means.account_id:
        account = cac(el, "PayeeFinancialAccount")
        cbc(account, "ID", means.account_id)
        cbc(account, "Name", means.account_name)
        if means.institution_id:
            cbc(cac(account, "FinancialInstitutionBranch"), "ID", means.institution_id)
    if means.mandate_id or means.payer_account_id:
        mandate = cac(el, "PaymentMandate")
        cbc(mandate, "ID", means.mandate_id)
        if means.payer_account_id:
            cbc(cac(mandate, "PayerFinancialAccount"), "ID", means.payer_account_id)


def _tax_category(
    parent: etree._Element,
    tag: str,
    category: VatCategory,
    rate: Decimal | None,
    *,
    reason: str | None = None,
    reason_code: str | None = None,
) -> None:
    el = cac(parent, tag)
    cbc(el, "ID", category.value)
    if category.has_rate:
        cbc(el, "Percent", num(rate if rate is not None else Decimal(0)))
    cbc(el, "TaxExemptionReasonCode", reason_code)
    cbc(el, "TaxExemptionReason", reason)
    cbc(cac(el, "TaxScheme"), "ID", "VAT")


def _allowance_charge(
    parent: etree._Element, item: AllowanceCharge, cur: str, *, document_level: bool
) -> None:
    el = cac(parent, "AllowanceCharge")
    cbc(el, "ChargeIndicator", "true" if item.is_charge else "false")
    cbc(el, "AllowanceChargeReasonCode", item.reason_code)
    cbc(el, "AllowanceChargeReason", item.reason)
    cbc(el, "MultiplierFactorNumeric", num(item.percent))
    cbc(el, "Amount", money(item.amount), currencyID=cur)
    cbc(el, "BaseAmount", money(item.base_amount), currencyID=cur)
    if document_level:
        category = item.vat_category or VatCategory.STANDARD
        _tax_category(el, "TaxCategory", category, item.vat_rate)


def _subtotal(parent: etree._Element, entry: VatSubtotal, cur: str) -> None:
    el = cac(parent, "TaxSubtotal")
    cbc(el, "TaxableAmount", money(entry.taxable_amount), currencyID=cur)
    cbc(el, "TaxAmount", money(entry.tax_amount), currencyID=cur)
    _tax_category(
        el,
        "TaxCategory",
        entry.category,
        entry.rate,
        reason=entry.exemption_reason,
        reason_code=entry.exemption_code,
    )


def _tax_totals(doc: etree._Element, invoice: Invoice, totals: Totals) -> None:
    cur = invoice.currency
    total = cac(doc, "TaxTotal")
    cbc(total, "TaxAmount", money(totals.vat_total), currencyID=cur)
    for entry in totals.breakdown:
        _subtotal(total, entry, cur)
    other_currency = invoice.tax_currency not in (None, cur)
    if other_currency and invoice.tax_currency and invoice.tax_currency_vat_amount is not None:
        # BT-111: the VAT total in the accounting currency, in a TaxTotal of its own.
        other = cac(doc, "TaxTotal")
        cbc(
            other,
            "TaxAmount",
            money(invoice.tax_currency_vat_amount),
            currencyID=invoice.tax_currency,
        )


def _monetary_total(doc: etree._Element, invoice: Invoice, totals: Totals) -> None:
    cur = invoice.currency
    el = cac(doc, "LegalMonetaryTotal")
    cbc(el, "LineExtensionAmount", money(totals.line_extension), currencyID=cur)
    cbc(el, "TaxExclusiveAmount", money(totals.tax_exclusive), currencyID=cur)
    cbc(el, "TaxInclusiveAmount", money(totals.tax_inclusive), currencyID=cur)
    allowances = any(not a.is_charge for a in invoice.allowances_charges)
    charges = any(a.is_charge for a in invoice.allowances_charges)
    if allowances:
        cbc(el, "AllowanceTotalAmount", money(totals.allowance_total), currencyID=cur)
    if charges:
        cbc(el, "ChargeTotalAmount", money(totals.charge_total), currencyID=cur)
    if invoice.prepaid_amount is not None:
        cbc(el, "PrepaidAmount", money(totals.prepaid), currencyID=cur)
    if invoice.rounding_amount is not None:
        cbc(el, "PayableRoundingAmount", money(totals.rounding), currencyID=cur)
    cbc(el, "PayableAmount", money(totals.payable), currencyID=cur)


def _line(doc: etree._Element, line: InvoiceLine, cur: str, *, credit: bool) -> None:
    el = cac(doc, "CreditNoteLine" if credit else "InvoiceLine")
    cbc(el, "ID", line.id)
    cbc(el, "Note", line.note)
    quantity_tag = "CreditedQuantity" if credit else "InvoicedQuantity"
    cbc(el, quantity_tag, num(line.quantity), unitCode=line.unit_code)
    cbc(el, "LineExtensionAmount", money(line_net_amount(line)), currencyID=cur)
    cbc(el, "AccountingCost", line.accounting_cost)
    if line.period_start or line.period_end:
        period = cac(el, "InvoicePeriod")
        cbc(period, "StartDate", day(line.period_start))
        cbc(period, "EndDate", day(line.period_end))
    if line.order_line_ref:
        cbc(cac(el, "OrderLineReference"), "LineID", line.order_line_ref)
    if line.object_id is not None:
        ref = cac(el, "DocumentReference")
        cbc(ref, "ID", line.object_id.value, schemeID=line.object_id.scheme)
        cbc(ref, "DocumentTypeCode", "130")
    for item in line.allowances_charges:
        _allowance_charge(el, item, cur, document_level=False)
    _item(el, line)
    _price(el, line, cur)


def _item(parent: etree._Element, line: InvoiceLine) -> None:
    el = cac(parent, "Item")
    cbc(el, "Description", line.description)
    cbc(el, "Name", line.item_name)
    if line.buyer_item_id:
        cbc(cac(el, "BuyersItemIdentification"), "ID", line.buyer_item_id)
    if line.seller_item_id:
        cbc(cac(el, "SellersItemIdentification"), "ID", line.seller_item_id)
    if line.standard_item_id is not None:
        std = line.standard_item_id
        cbc(cac(el, "StandardItemIdentification"), "ID", std.value, schemeID=std.scheme)
    if line.origin_country:
        cbc(cac(el, "OriginCountry"), "IdentificationCode", line.origin_country)
    for klass in line.classifications:
        cbc(
            cac(el, "CommodityClassification"),
            "ItemClassificationCode",
            klass.code,
            listID=klass.list_id,
            listVersionID=klass.list_version,
        )
    _tax_category(el, "ClassifiedTaxCategory", line.vat_category, line.vat_rate)
    for name, value in line.attributes:
        prop = cac(el, "AdditionalItemProperty")
        cbc(prop, "Name", name)
        cbc(prop, "Value", value)


def _price(parent: etree._Element, line: InvoiceLine, cur: str) -> None:
    el = cac(parent, "Price")
    cbc(el, "PriceAmount", num(line.net_price), currencyID=cur)
    cbc(el, "BaseQuantity", num(line.base_quantity), unitCode=line.unit_code)
    if line.price_discount is not None or line.gross_price is not None:
        discount = cac(el, "AllowanceCharge")
        cbc(discount, "ChargeIndicator", "false")
        amount = line.price_discount if line.price_discount is not None else Decimal(0)
        cbc(discount, "Amount", num(amount), currencyID=cur)
        cbc(discount, "BaseAmount", num(line.gross_price), currencyID=cur)
