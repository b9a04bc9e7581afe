"""OIOUBL 2.1 Invoice and CreditNote, for Danish receivers that still require it.

OIOUBL differs from Peppol BIS 3 in ways a reader would not guess:
``TaxExclusiveAmount`` holds the *VAT* total (OIOUBL rule F-INV127), every
line carries its own TaxTotal, VAT categories are words (``StandardRated``)
under tax scheme ``63`` ("Moms"), identifiers use schemes like ``DK:CVR``
and ``GLN`` instead of ISO 6523 codes, and each document has a UUID (made
here from the seller and number, so a rebuild yields the same document).

What does not survive the trip to OIOUBL: line allowances and charges (folded
into the line's price, since OIOUBL checks line amount = price × quantity),
VAT categories other than S, Z and AE and a second rate within one category
(refused), a missing allowance reason text (OIOUBL needs one; "Rabat"/"Gebyr"
is written), and BT-111 on an invoice without standard-rated VAT (OIOUBL states
it only on the StandardRated subtotal, so TaxCurrencyCode is left out).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from lxml import etree

from invoicing.builders._xml import CREDIT_NOTE_NS, INVOICE_NS, cac, cbc, day, money, num, root
from invoicing.builders._xml import to_bytes as _to_bytes
from invoicing.errors import InvalidInvoice
from invoicing.model import (
    Address,
    AllowanceCharge,
    DocumentKind,
    Identifier,
    Invoice,
    InvoiceLine,
    Party,
    PaymentMeans,
    VatCategory,
)
from invoicing.vat import Totals, compute_totals, line_net_amount, round_amount

__all__ = ["OIOUBL_PROFILE", "build_oioubl", "oioubl_identifier", "peppol_identifier"]

OIOUBL_CUSTOMIZATION = "OIOUBL-2.1"
OIOUBL_PROFILE = "urn:www.nesubl.eu:profiles:profile5:ver2.0"
_AGENCY = "320"
_CATEGORY_WORDS = {
    VatCategory.STANDARD: "StandardRated",
    VatCategory.ZERO_RATED: "ZeroRated",
    VatCategory.REVERSE_CHARGE: "ReverseCharge",
}
# ISO 6523 ICD (Peppol) -> OIOUBL scheme; CVR and SE numbers carry the DK prefix there.
_SCHEMES = {"0184": "DK:CVR", "0198": "DK:SE", "0088": "GLN", "0096": "DK:P"}
_PREFIXED = {"DK:CVR", "DK:SE"}
_OIOUBL_PAYMENT_MEANS = frozenset(
    {"1", "10", "20", "31", "42", "48", "49", "50", "58", "59", "93", "97"}
)
_UUID_NAMESPACE = uuid.UUID("6f1c3a52-7a0e-4b8e-9a43-0c2d9e7c4b11")


def oioubl_identifier(ident: Identifier) -> Identifier:
    """The OIOUBL spelling of a Peppol-style identifier (0184 12345678 -> DK:CVR DK12345678)."""
    scheme = _SCHEMES.get(ident.scheme or "", ident.scheme)
    value = ident.value
    if scheme in _PREFIXED and not value.upper().startswith("DK"):
        value = "DK" + value
    return Identifier(value, scheme)


def peppol_identifier(ident: Identifier) -> Identifier:
    """The ISO 6523 spelling of an OIOUBL identifier (inverse of :func:`oioubl_identifier`)."""
    for icd, scheme in _SCHEMES.items():
        if ident.scheme == scheme:
            value = ident.value
            if scheme in _PREFIXED and value.upper().startswith("DK"):
                value = value[2:]
            return Identifier(value, icd)
    return ident


def _check(invoice: Invoice) -> None:
    findings = []
    categories = {line.vat_category for line in invoice.lines}
    categories |= {a.vat_category or VatCategory.STANDARD for a in invoice.allowances_charges}
    for category in sorted(categories - set(_CATEGORY_WORDS), key=lambda c: c.value):
        findings.append(
            {
                "rule": "OIOUBL-TAXCATEGORY",
                "message": f"OIOUBL 2.1 has no VAT category for {category.value}; send Peppol BIS 3",
            }
        )
    rates: dict[VatCategory, set[Decimal]] = {}
    for line in invoice.lines:
        rates.setdefault(line.vat_category, set()).add((line.vat_rate or Decimal(0)).normalize())
    for item in invoice.allowances_charges:
        category = item.vat_category or VatCategory.STANDARD
        rates.setdefault(category, set()).add((item.vat_rate or Decimal(0)).normalize())
    if any(len(found) > 1 for found in rates.values()):
        findings.append({"rule": "F-LIB315", "message": "OIOUBL allows one rate per VAT category"})
    if any(item.amount <= 0 for item in invoice.allowances_charges):
        findings.append(
            {"rule": "F-LIB019", "message": "OIOUBL allowances and charges must be above zero"}
        )
    for means in invoice.payment_means:
        if means.code not in _OIOUBL_PAYMENT_MEANS:
            findings.append(
                {
                    "rule": "F-LIB100",
                    "message": f"payment means {means.code} does not exist in OIOUBL 2.1",
                }
            )
    if invoice.currency != "DKK" and invoice.tax_currency not in (None, "DKK"):
        findings.append({"rule": "OIOUBL-CURRENCY", "message": "VAT accounting currency is DKK"})
    if findings:
        raise InvalidInvoice(
            f"invoice {invoice.number} cannot be expressed in OIOUBL 2.1", findings=findings
        )


def build_oioubl(invoice: Invoice) -> bytes:
    """Serialise ``invoice`` as an OIOUBL 2.1 Invoice or CreditNote."""
    _check(invoice)
    return _to_bytes(_document(invoice))


def _document(invoice: Invoice) -> etree._Element:
    totals = compute_totals(invoice)
    credit = invoice.kind is DocumentKind.CREDIT_NOTE
    cur = invoice.currency
    doc = root(CREDIT_NOTE_NS, "CreditNote") if credit else root(INVOICE_NS, "Invoice")
    cbc(doc, "UBLVersionID", "2.1")
    cbc(doc, "CustomizationID", OIOUBL_CUSTOMIZATION)
    cbc(
        doc,
        "ProfileID",
        OIOUBL_PROFILE,
        schemeAgencyID=_AGENCY,
        schemeID="urn:oioubl:id:profileid-1.2",
    )
    cbc(doc, "ID", invoice.number)
    cbc(doc, "CopyIndicator", "false")
    seller_key = invoice.seller.endpoint.value if invoice.seller.endpoint else invoice.seller.name
    cbc(
        doc,
        "UUID",
        str(uuid.uuid5(_UUID_NAMESPACE, f"{seller_key}|{invoice.kind}|{invoice.number}")),
    )
    cbc(doc, "IssueDate", day(invoice.issue_date))
    if not credit:
        cbc(
            doc,
            "InvoiceTypeCode",
            invoice.effective_type_code,
            listAgencyID=_AGENCY,
            listID="urn:oioubl:codelist:invoicetypecode-1.1",
        )
    for note in invoice.notes:
        cbc(doc, "Note", note)
    cbc(doc, "DocumentCurrencyCode", cur)
    in_tax_currency = _vat_in_tax_currency(invoice, totals)
    if in_tax_currency:
        cbc(doc, "TaxCurrencyCode", invoice.tax_currency)
    cbc(doc, "AccountingCost", invoice.accounting_cost)
    if invoice.period_start or invoice.period_end:
        period = cac(doc, "InvoicePeriod")
        cbc(period, "StartDate", day(invoice.period_start))
        cbc(period, "EndDate", day(invoice.period_end))
    if credit:
        response = cac(doc, "DiscrepancyResponse")
        cbc(response, "ReferenceID", "1")
        cbc(response, "Description", invoice.notes[0] if invoice.notes else "Kreditnota")
    if invoice.order_reference:
        cbc(cac(doc, "OrderReference"), "ID", invoice.order_reference)
    for preceding in invoice.preceding_invoices:
        ref = cac(cac(doc, "BillingReference"), "InvoiceDocumentReference")
        cbc(ref, "ID", preceding.number)
        cbc(ref, "IssueDate", day(preceding.issue_date))
    if invoice.contract_reference:
        cbc(cac(doc, "ContractDocumentReference"), "ID", invoice.contract_reference)
    _party(cac(doc, "AccountingSupplierParty"), invoice.seller, seller=True)
    _party(
        cac(doc, "AccountingCustomerParty"),
        invoice.buyer,
        seller=False,
        contact_id=invoice.buyer_reference or "n/a",
    )
    if invoice.delivery is not None and invoice.delivery.date is not None:
        cbc(cac(doc, "Delivery"), "ActualDeliveryDate", day(invoice.delivery.date))
    for number, means in enumerate(invoice.payment_means, start=1):
        _payment_means(doc, means, number, invoice)
    if invoice.payment_means and not credit:
        # F-INV134: the terms state the amount due against the first payment means.
        terms = cac(doc, "PaymentTerms")
        cbc(terms, "ID", "1")
        cbc(terms, "PaymentMeansID", "1")
        cbc(terms, "Note", invoice.payment_terms)
        cbc(terms, "Amount", money(totals.payable), currencyID=cur)
    for number, item in enumerate(invoice.allowances_charges, start=1):
        _allowance_charge(doc, item, cur, number)
    tax_total = cac(doc, "TaxTotal")
    cbc(tax_total, "TaxAmount", money(totals.vat_total), currencyID=cur)
    for entry in totals.breakdown:
        sub = cac(tax_total, "TaxSubtotal")
        cbc(sub, "TaxableAmount", money(entry.taxable_amount), currencyID=cur)
        cbc(sub, "TaxAmount", money(entry.tax_amount), currencyID=cur)
        if id(entry) in in_tax_currency:
            cbc(
                sub,
                "TransactionCurrencyTaxAmount",
                money(in_tax_currency[id(entry)]),
                currencyID=invoice.tax_currency,
            )
        _tax_category(
            sub,
            entry.category,
            entry.rate,
            reason=entry.exemption_reason,
            reason_code=entry.exemption_code,
        )
    total = cac(doc, "LegalMonetaryTotal")
    cbc(total, "LineExtensionAmount", money(totals.line_extension), currencyID=cur)
    cbc(total, "TaxExclusiveAmount", money(totals.vat_total), currencyID=cur)  # F-INV127
    cbc(total, "TaxInclusiveAmount", money(totals.tax_inclusive), currencyID=cur)
    if any(not a.is_charge for a in invoice.allowances_charges):
        cbc(total, "AllowanceTotalAmount", money(totals.allowance_total), currencyID=cur)
    if any(a.is_charge for a in invoice.allowances_charges):
        cbc(total, "ChargeTotalAmount", money(totals.charge_total), currencyID=cur)
    if invoice.prepaid_amount is not None:
        cbc(total, "PrepaidAmount", money(totals.prepaid), currencyID=cur)
    if invoice.rounding_amount is not None:
        cbc(total, "PayableRoundingAmount", money(totals.rounding), currencyID=cur)
    cbc(total, "PayableAmount", money(totals.payable), currencyID=cur)
    for line in invoice.lines:
        _line(doc, line, cur, credit=credit)
    return doc


_NOTE_CODES = frozenset({"31", "42"})


def _vat_in_tax_currency(invoice: Invoice, totals: Totals) -> dict[int, Decimal]:
    """BT-111 on the standard-rated subtotal, where OIOUBL states it (F-INV018, F-LIB373)."""
    total = invoice.tax_currency_vat_amount
    if not invoice.tax_currency or invoice.tax_currency == invoice.currency or total is None:
        return {}
    # OIOUBL allows the amount only on StandardRated subtotals (F-LIB373).
    standard = [e for e in totals.breakdown if e.category is VatCategory.STANDARD and e.tax_amount]
    if not standard or not totals.vat_total:
        return {}
    out: dict[int, Decimal] = {}
    left = total
    for entry in standard[:-1]:
        share = round_amount(total * entry.tax_amount / totals.vat_total)
        out[id(entry)] = share
        left -= share
    out[id(standard[-1])] = left  # the last one takes the rounding remainder
    return out


_CHANNELS = {"31": "IBAN", "42": "DK:BANK", "50": "DK:GIRO", "58": "IBAN", "93": "DK:FIK"}


def _payment_means(doc: etree._Element, means: PaymentMeans, number: int, invoice: Invoice) -> None:
    el = cac(doc, "PaymentMeans")
    cbc(el, "ID", str(number))
    cbc(el, "PaymentMeansCode", means.code)
    cbc(el, "PaymentDueDate", day(invoice.due_date))
    channel = _CHANNELS.get(means.code)
    cbc(
        el,
        "PaymentChannelCode",
        channel,
        listAgencyID=_AGENCY,
        listID="urn:oioubl:codelist:paymentchannelcode-1.1",
    )
    if means.code in ("50", "93") and means.payment_id and "#" in means.payment_id:
        # Peppol writes "71#1234..." (card type # instruction id); OIOUBL splits the two.
        kind, _, instruction = means.payment_id.partition("#")
        cbc(el, "InstructionID", instruction or None)
        cbc(el, "PaymentID", kind)
    elif means.code not in _NOTE_CODES:
        cbc(el, "InstructionID", means.payment_id)
    if means.account_id:
        account = cac(el, "PayeeFinancialAccount")
        cbc(account, "ID", means.account_id)
        if means.code in _NOTE_CODES:
            # Bank transfers carry the remittance text as the account's payment note.
            cbc(account, "PaymentNote", means.payment_id)
        # With IBAN the bank is implied (F-LIB108); Danish transfers name the reg. number.
        if means.institution_id and channel != "IBAN":
            cbc(cac(account, "FinancialInstitutionBranch"), "ID", means.institution_id)


def _address(parent: etree._Element, address: Address) -> None:
    el = cac(parent, "PostalAddress")
    cbc(
        el,
        "AddressFormatCode",
        "StructuredLax",  # StructuredDK wants the building number apart (F-LIB035)
        listAgencyID=_AGENCY,
        listID="urn:oioubl:codelist:addressformatcode-1.1",
    )
    cbc(el, "StreetName", address.street)
    cbc(el, "AdditionalStreetName", address.additional_street)
    cbc(el, "CityName", address.city)
    cbc(el, "PostalZone", address.postal_zone)
    cbc(cac(el, "Country"), "IdentificationCode", address.country)


def _party(
    parent: etree._Element, party: Party, *, seller: bool, contact_id: str | None = None
) -> None:
    el = cac(parent, "Party")
    if party.endpoint is not None:
        endpoint = oioubl_identifier(party.endpoint)
        agency = "9" if endpoint.scheme == "GLN" else None
        cbc(el, "EndpointID", endpoint.value, schemeID=endpoint.scheme, schemeAgencyID=agency)
    for ident in party.identifiers:
        other = oioubl_identifier(ident)
        agency = "9" if other.scheme == "GLN" else None
        pid = cac(el, "PartyIdentification")
        cbc(pid, "ID", other.value, schemeID=other.scheme, schemeAgencyID=agency)
    cbc(cac(el, "PartyName"), "Name", party.trading_name or party.name)
    _address(el, party.address)
    if party.vat_id:
        scheme = cac(el, "PartyTaxScheme")
        cbc(scheme, "CompanyID", party.vat_id, schemeID="DK:SE")
        tax = cac(scheme, "TaxScheme")
        cbc(tax, "ID", "63", schemeAgencyID=_AGENCY, schemeID="urn:oioubl:id:taxschemeid-1.1")
        cbc(tax, "Name", "Moms")
    legal_id = party.legal_id or (Identifier(party.vat_id, "DK:SE") if party.vat_id else None)
    if legal_id is not None:
        # OIOUBL wants a company id whenever the legal entity is given (F-LIB187).
        legal = cac(el, "PartyLegalEntity")
        cbc(legal, "RegistrationName", party.name)
        other = oioubl_identifier(legal_id)
        cbc(legal, "CompanyID", other.value, schemeID=other.scheme)
    if party.contact is not None or contact_id:
        # OIOUBL carries the buyer reference (BT-10) as the buyer contact's ID.
        contact = cac(el, "Contact")
        cbc(contact, "ID", contact_id or "n/a")
        if party.contact is not None:
            cbc(contact, "Name", party.contact.name)
            cbc(contact, "Telephone", party.contact.telephone)
            cbc(contact, "ElectronicMail", party.contact.email)


def _tax_category(
    parent: etree._Element,
    category: VatCategory,
    rate: Decimal | None,
    *,
    reason: str | None = None,
    reason_code: str | None = None,
) -> None:
    el = cac(parent, "TaxCategory")
    cbc(
        el,
        "ID",
        _CATEGORY_WORDS[category],
        schemeAgencyID=_AGENCY,
        schemeID="urn:oioubl:id:taxcategoryid-1.1",
    )
    cbc(el, "Percent", num(rate if rate is not None else Decimal(0)))
    cbc(el, "TaxExemptionReasonCode", reason_code)
    cbc(el, "TaxExemptionReason", reason)
    tax = cac(el, "TaxScheme")
    cbc(tax, "ID", "63", schemeAgencyID=_AGENCY, schemeID="urn:oioubl:id:taxschemeid-1.1")
    cbc(tax, "Name", "Moms")


def _allowance_charge(parent: etree._Element, item: AllowanceCharge, cur: str, number: int) -> None:
    el = cac(parent, "AllowanceCharge")
    cbc(el, "ID", str(number))
    cbc(el, "ChargeIndicator", "true" if item.is_charge else "false")
    cbc(el, "AllowanceChargeReasonCode", item.reason_code)
    cbc(el, "AllowanceChargeReason", item.reason or ("Gebyr" if item.is_charge else "Rabat"))
    cbc(el, "MultiplierFactorNumeric", num(item.percent / 100) if item.percent else None)
    cbc(el, "SequenceNumeric", "1")
    cbc(el, "Amount", money(item.amount), currencyID=cur)
    cbc(el, "BaseAmount", money(item.base_amount), currencyID=cur)
    _tax_category(el, item.vat_category or VatCategory.STANDARD, item.vat_rate)


def _line(doc: etree._Element, line: InvoiceLine, cur: str, *, credit: bool) -> None:
    el = cac(doc, "CreditNoteLine" if credit else "InvoiceLine")
    cbc(el, "ID", line.id)
    cbc(el, "Note", line.note)
    tag = "CreditedQuantity" if credit else "InvoicedQuantity"
    cbc(el, tag, num(line.quantity), unitCode=line.unit_code)
    net = line_net_amount(line)
    cbc(el, "LineExtensionAmount", money(net), currencyID=cur)
    cbc(el, "AccountingCost", line.accounting_cost)
    if line.order_line_ref:
        cbc(cac(el, "OrderLineReference"), "LineID", line.order_line_ref)
    # OIOUBL wants the VAT of each line as well (informative; the document total rules).
    tax_total = cac(el, "TaxTotal")
    rate = line.vat_rate if line.vat_rate is not None else Decimal(0)
    tax = round_amount(net * rate / Decimal(100))
    cbc(tax_total, "TaxAmount", money(tax), currencyID=cur)
    sub = cac(tax_total, "TaxSubtotal")
    cbc(sub, "TaxableAmount", money(net), currencyID=cur)
    cbc(sub, "TaxAmount", money(tax), currencyID=cur)
    _tax_category(sub, line.vat_category, line.vat_rate)
    item_el = cac(el, "Item")
    cbc(item_el, "Description", line.description)
    cbc(item_el, "Name", line.item_name)
    if line.buyer_item_id:
        cbc(cac(item_el, "BuyersItemIdentification"), "ID", line.buyer_item_id)
    if line.seller_item_id:
        cbc(cac(item_el, "SellersItemIdentification"), "ID", line.seller_item_id)
    if line.standard_item_id is not None:
        std = line.standard_item_id
        cbc(cac(item_el, "StandardItemIdentification"), "ID", std.value, schemeID=std.scheme)
    price = cac(el, "Price")
    net_price = line.net_price
    if line.allowances_charges and line.quantity:
        # F-INV340 checks line amount = price x quantity; fold line allowances into the price.
        base = line.base_quantity or Decimal(1)
        net_price = (net * base / line.quantity).quantize(Decimal("0.0001"))
    cbc(price, "PriceAmount", num(net_price), currencyID=cur)
    cbc(price, "BaseQuantity", num(line.base_quantity), unitCode=line.unit_code)
    cbc(price, "OrderableUnitFactorRate", "1")
