"""The EN 16931 business terms the model supports, pulled out of a UBL document.

Used by the round-trip tests: the terms of a document and of its re-written
form must be equal. Numbers compare by value (1300 == 1300.00).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from lxml import etree

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}

_PARTY = {
    "endpoint": "cbc:EndpointID",
    "endpoint-scheme": "cbc:EndpointID/@schemeID",
    "identifier": "cac:PartyIdentification/cbc:ID",
    "identifier-scheme": "cac:PartyIdentification/cbc:ID/@schemeID",
    "trading-name": "cac:PartyName/cbc:Name",
    "street": "cac:PostalAddress/cbc:StreetName",
    "street2": "cac:PostalAddress/cbc:AdditionalStreetName",
    "line": "cac:PostalAddress/cac:AddressLine/cbc:Line",
    "city": "cac:PostalAddress/cbc:CityName",
    "zone": "cac:PostalAddress/cbc:PostalZone",
    "subentity": "cac:PostalAddress/cbc:CountrySubentity",
    "country": "cac:PostalAddress/cac:Country/cbc:IdentificationCode",
    "vat-id": "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID",
    "tax-reg": "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID!='VAT']/cbc:CompanyID",
    "name": "cac:PartyLegalEntity/cbc:RegistrationName",
    "legal-id": "cac:PartyLegalEntity/cbc:CompanyID",
    "legal-scheme": "cac:PartyLegalEntity/cbc:CompanyID/@schemeID",
    "legal-form": "cac:PartyLegalEntity/cbc:CompanyLegalForm",
    "contact": "cac:Contact/cbc:Name",
    "phone": "cac:Contact/cbc:Telephone",
    "email": "cac:Contact/cbc:ElectronicMail",
}

_LINE = {
    "BT-126": "cbc:ID",
    "BT-127": "cbc:Note",
    "BT-129": "cbc:InvoicedQuantity|cbc:CreditedQuantity",
    "BT-130": "cbc:InvoicedQuantity/@unitCode|cbc:CreditedQuantity/@unitCode",
    "BT-131": "cbc:LineExtensionAmount",
    "BT-133": "cbc:AccountingCost",
    "BT-134": "cac:InvoicePeriod/cbc:StartDate",
    "BT-135": "cac:InvoicePeriod/cbc:EndDate",
    "BT-132": "cac:OrderLineReference/cbc:LineID",
    "BT-128": "cac:DocumentReference/cbc:ID",
    "BG-27/28": "cac:AllowanceCharge/*[not(self::cac:TaxCategory)]",
    "BT-146": "cac:Price/cbc:PriceAmount",
    "BT-149": "cac:Price/cbc:BaseQuantity",
    "BT-147/148": "cac:Price/cac:AllowanceCharge/cbc:Amount|cac:Price/cac:AllowanceCharge/cbc:BaseAmount",
    "BT-153": "cac:Item/cbc:Name",
    "BT-154": "cac:Item/cbc:Description",
    "BT-155": "cac:Item/cac:SellersItemIdentification/cbc:ID",
    "BT-156": "cac:Item/cac:BuyersItemIdentification/cbc:ID",
    "BT-157": "cac:Item/cac:StandardItemIdentification/cbc:ID|cac:Item/cac:StandardItemIdentification/cbc:ID/@schemeID",
    "BT-158": "cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode|cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode/@*",
    "BT-159": "cac:Item/cac:OriginCountry/cbc:IdentificationCode",
    "BT-151/152": "cac:Item/cac:ClassifiedTaxCategory/cbc:ID|cac:Item/cac:ClassifiedTaxCategory/cbc:Percent",
    "BG-32": "cac:Item/cac:AdditionalItemProperty/cbc:Name|cac:Item/cac:AdditionalItemProperty/cbc:Value",
}

_DOCUMENT = {
    "BT-1": "cbc:ID",
    "BT-2": "cbc:IssueDate",
    "BT-3": "cbc:InvoiceTypeCode|cbc:CreditNoteTypeCode",
    "BT-5": "cbc:DocumentCurrencyCode",
    "BT-6": "cbc:TaxCurrencyCode",
    "BT-7": "cbc:TaxPointDate",
    "BT-9": "cbc:DueDate|cac:PaymentMeans[1]/cbc:PaymentDueDate",
    "BT-10": "cbc:BuyerReference",
    "BT-11": "cac:ProjectReference/cbc:ID|cac:AdditionalDocumentReference[cbc:DocumentTypeCode='50']/cbc:ID",
    "BT-12": "cac:ContractDocumentReference/cbc:ID",
    "BT-13": "cac:OrderReference/cbc:ID[. != 'NA']",
    "BT-14": "cac:OrderReference/cbc:SalesOrderID",
    "BT-15": "cac:ReceiptDocumentReference/cbc:ID",
    "BT-16": "cac:DespatchDocumentReference/cbc:ID",
    "BT-17": "cac:OriginatorDocumentReference/cbc:ID",
    "BT-19": "cbc:AccountingCost",
    "BT-20": "cac:PaymentTerms/cbc:Note",
    "BT-22": "cbc:Note",
    "BT-23": "cbc:ProfileID",
    "BT-24": "cbc:CustomizationID",
    "BG-3": "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID|cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate",
    "BG-13": "cac:Delivery/cbc:ActualDeliveryDate|cac:Delivery/cac:DeliveryLocation/cbc:ID|cac:Delivery/cac:DeliveryLocation/cac:Address//cbc:*|cac:Delivery/cac:DeliveryParty//cbc:Name",
    "BG-14": "cac:InvoicePeriod/cbc:StartDate|cac:InvoicePeriod/cbc:EndDate",
    "BG-10": "cac:PayeeParty//cbc:*",
    "BG-11": "cac:TaxRepresentativeParty//cbc:*",
    "BG-16": "cac:PaymentMeans/cbc:PaymentMeansCode|cac:PaymentMeans/cbc:PaymentMeansCode/@name|cac:PaymentMeans/cbc:PaymentID|cac:PaymentMeans/cac:PayeeFinancialAccount//cbc:*|cac:PaymentMeans/cac:PaymentMandate//cbc:*|cac:PaymentMeans/cac:CardAccount/cbc:*",
    "BG-20/21": "cac:AllowanceCharge//cbc:*",
    "BG-22": "cac:LegalMonetaryTotal/cbc:*",
    "BT-110/111": "cac:TaxTotal/cbc:TaxAmount|cac:TaxTotal/cbc:TaxAmount/@currencyID",
    "BG-23": "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount|cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount|cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:*",
    "BG-24": "cac:AdditionalDocumentReference[not(cbc:DocumentTypeCode)]/cbc:ID|cac:AdditionalDocumentReference[not(cbc:DocumentTypeCode)]/cbc:DocumentDescription|cac:AdditionalDocumentReference[not(cbc:DocumentTypeCode)]//cbc:URI",
}


def _norm(value: object) -> str:
    raw = value.text if isinstance(value, etree._Element) else value
    text = str(raw or "").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return " ".join(text.split())
    return format(number.normalize(), "f") if number.is_finite() else text


_BOOLEAN = {"1": "true", "0": "false"}


def _value(node: object) -> str:
    if isinstance(node, etree._Element) and etree.QName(node).localname == "ChargeIndicator":
        text = (node.text or "").strip()
        return _BOOLEAN.get(text, text)
    return _norm(node)


def _values(el: etree._Element, path: str) -> list[str]:
    # An empty element carries no business term.
    return sorted(v for v in (_value(n) for n in el.xpath(path, namespaces=NS)) if v)


def business_terms(root: etree._Element) -> dict[str, list[str]]:
    """term name -> sorted normalised values; absent terms are left out."""
    out: dict[str, list[str]] = {}
    for term, path in _DOCUMENT.items():
        if values := _values(root, path):
            out[term] = values
    for role, party_path in (
        ("seller", "cac:AccountingSupplierParty/cac:Party"),
        ("buyer", "cac:AccountingCustomerParty/cac:Party"),
    ):
        for party in root.xpath(party_path, namespaces=NS):
            for term, path in _PARTY.items():
                if values := _values(party, path):
                    out[f"{role}:{term}"] = values
    for line in root.xpath("cac:InvoiceLine|cac:CreditNoteLine", namespaces=NS):
        line_id = _norm(line.findtext("cbc:ID", namespaces=NS) or "")
        for term, path in _LINE.items():
            if values := _values(line, path):
                out[f"line {line_id}:{term}"] = values
    return out
