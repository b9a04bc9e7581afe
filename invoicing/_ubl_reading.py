"""Typed look-ups over a UBL Invoice or CreditNote, for :mod:`invoicing.reader`.

Every conversion error becomes :class:`invoicing.errors.UnreadableDocument`
naming the path; OIOUBL's own spellings (schemes, VAT category words, factor
instead of percentage, remittance in the payment note) are undone here.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

from invoicing.builders._xml import CAC, CBC
from invoicing.builders.oioubl import peppol_identifier
from invoicing.errors import UnreadableDocument
from invoicing.model import (
    Address,
    AllowanceCharge,
    Attachment,
    Classification,
    Contact,
    Delivery,
    Identifier,
    InvoiceLine,
    Party,
    PaymentMeans,
    VatCategory,
    VatExemption,
)
from invoicing.vat import line_net_amount

__all__ = ["NS", "UblReader", "text_of"]

NS = {"cac": CAC, "cbc": CBC}
# OIOUBL 2.1 names its VAT categories instead of using UNCL5305 codes.
_OIOUBL_CATEGORIES = {
    "StandardRated": VatCategory.STANDARD,
    "ZeroRated": VatCategory.ZERO_RATED,
    "ReverseCharge": VatCategory.REVERSE_CHARGE,
}


def text_of(doc: etree._Element, path: str) -> str | None:
    found = doc.find(path, NS)
    return (found.text or "").strip() if found is not None else None


class UblReader:
    """Typed look-ups with the conversion errors turned into ours."""

    def __init__(self, doc: etree._Element, *, oioubl: bool = False) -> None:
        self.doc = doc
        self.oioubl = oioubl

    def _first(self, el: etree._Element, path: str) -> etree._Element | None:
        found = el.xpath(path, namespaces=NS)
        return found[0] if isinstance(found, list) and found else None  # type: ignore[return-value]

    def texts(self, el: etree._Element, path: str) -> list[str]:
        found = el.xpath(path, namespaces=NS)
        return [(f.text or "").strip() for f in found] if isinstance(found, list) else []  # type: ignore[union-attr]

    def text(self, el: etree._Element, path: str) -> str | None:
        found = self._first(el, path)
        if found is None:
            return None
        value = (found.text or "").strip()
        return value or None

    def ident(self, el: etree._Element, path: str) -> Identifier | None:
        found = self._first(el, path)
        if found is None or not (found.text or "").strip():
            return None
        ident = Identifier((found.text or "").strip(), found.get("schemeID"))
        # OIOUBL spells schemes its own way (DK:CVR, GLN); the model keeps ISO 6523 codes.
        return peppol_identifier(ident) if self.oioubl else ident

    def decimal(self, el: etree._Element, path: str) -> Decimal | None:
        value = self.text(el, path)
        if value is None:
            return None
        try:
            return Decimal(value)
        except InvalidOperation as exc:
            raise UnreadableDocument(f"{path}: {value!r} is not a number") from exc

    amount = decimal

    def day(self, el: etree._Element, path: str) -> date | None:
        value = self.text(el, path)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise UnreadableDocument(f"{path}: {value!r} is not a date") from exc

    def address(self, el: etree._Element | None) -> Address | None:
        if el is None:
            return None
        return Address(
            country=self.text(el, "cac:Country/cbc:IdentificationCode") or "",
            street=self.text(el, "cbc:StreetName"),
            additional_street=self.text(el, "cbc:AdditionalStreetName"),
            address_line=self.text(el, "cac:AddressLine/cbc:Line"),
            city=self.text(el, "cbc:CityName"),
            postal_zone=self.text(el, "cbc:PostalZone"),
            subdivision=self.text(el, "cbc:CountrySubentity"),
        )

    def party(self, doc: etree._Element, path: str) -> Party:
        el = doc.find(path, NS)
        if el is None:
            raise UnreadableDocument(f"{path} is missing")
        vat_id = self.text(el, "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID")
        if vat_id is None:
            # OIOUBL names the VAT scheme 63 ("Moms") instead of VAT.
            vat_id = self.text(el, "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='63']/cbc:CompanyID")
        tax_reg = None
        for scheme in el.iterfind("cac:PartyTaxScheme", NS):
            if self.text(scheme, "cac:TaxScheme/cbc:ID") not in ("VAT", "63"):
                tax_reg = self.text(scheme, "cbc:CompanyID")
        contact_el = el.find("cac:Contact", NS)
        contact = None
        if contact_el is not None:
            contact = Contact(
                name=self.text(contact_el, "cbc:Name"),
                telephone=self.text(contact_el, "cbc:Telephone"),
                email=self.text(contact_el, "cbc:ElectronicMail"),
            )
            if contact == Contact():
                contact = None
        name = self.text(el, "cac:PartyLegalEntity/cbc:RegistrationName")
        trading = self.text(el, "cac:PartyName/cbc:Name")
        return Party(
            name=name or trading or "",
            address=self.address(el.find("cac:PostalAddress", NS)) or Address(country=""),
            endpoint=self.ident(el, "cbc:EndpointID"),
            identifiers=tuple(
                ident
                for found in el.iterfind("cac:PartyIdentification", NS)
                if (ident := self.ident(found, "cbc:ID")) is not None
            ),
            # OIOUBL repeats the registration name as PartyName; that is no trading name.
            trading_name=trading if name and not (self.oioubl and trading == name) else None,
            legal_id=self.ident(el, "cac:PartyLegalEntity/cbc:CompanyID"),
            legal_form=self.text(el, "cac:PartyLegalEntity/cbc:CompanyLegalForm"),
            vat_id=vat_id,
            tax_registration_id=tax_reg,
            contact=contact,
        )

    def payee(self, doc: etree._Element) -> Party | None:
        el = doc.find("cac:PayeeParty", NS)
        if el is None:
            return None
        return Party(
            name=self.text(el, "cac:PartyName/cbc:Name") or "",
            address=Address(country=""),
            identifiers=tuple(
                ident
                for found in el.iterfind("cac:PartyIdentification", NS)
                if (ident := self.ident(found, "cbc:ID")) is not None
            ),
            legal_id=self.ident(el, "cac:PartyLegalEntity/cbc:CompanyID"),
        )

    def tax_representative(self, doc: etree._Element) -> Party | None:
        el = doc.find("cac:TaxRepresentativeParty", NS)
        if el is None:
            return None
        return Party(
            name=self.text(el, "cac:PartyName/cbc:Name") or "",
            address=self.address(el.find("cac:PostalAddress", NS)) or Address(country=""),
            vat_id=self.text(el, "cac:PartyTaxScheme/cbc:CompanyID"),
        )

    def delivery(self, doc: etree._Element) -> Delivery | None:
        el = doc.find("cac:Delivery", NS)
        if el is None:
            return None
        return Delivery(
            date=self.day(el, "cbc:ActualDeliveryDate"),
            location_id=self.ident(el, "cac:DeliveryLocation/cbc:ID"),
            address=self.address(el.find("cac:DeliveryLocation/cac:Address", NS)),
            party_name=self.text(el, "cac:DeliveryParty/cac:PartyName/cbc:Name"),
        )

    def payment_means(self, el: etree._Element) -> PaymentMeans:
        code_el = el.find("cbc:PaymentMeansCode", NS)
        return PaymentMeans(
            code=(code_el.text or "").strip() if code_el is not None else "",
            code_name=code_el.get("name") if code_el is not None else None,
            payment_id=self._payment_id(el),
            account_id=self.text(el, "cac:PayeeFinancialAccount/cbc:ID"),
            account_name=self.text(el, "cac:PayeeFinancialAccount/cbc:Name"),
            institution_id=self.text(
                el, "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"
            ),
            mandate_id=self.text(el, "cac:PaymentMandate/cbc:ID"),
            payer_account_id=self.text(el, "cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID"),
            card_number=self.text(el, "cac:CardAccount/cbc:PrimaryAccountNumberID"),
            card_network=self.text(el, "cac:CardAccount/cbc:NetworkID"),
            card_holder=self.text(el, "cac:CardAccount/cbc:HolderName"),
        )

    def _payment_id(self, el: etree._Element) -> str | None:
        if not self.oioubl:
            return self.text(el, "cbc:PaymentID")
        # OIOUBL splits "71#123..." into card type (PaymentID) and instruction id,
        # and puts a bank transfer's remittance text in the account's payment note.
        kind = self.text(el, "cbc:PaymentID")
        instruction = self.text(el, "cbc:InstructionID")
        if kind and self.text(el, "cbc:PaymentMeansCode") in ("50", "93"):
            return f"{kind}#{instruction or ''}"
        return instruction or self.text(el, "cac:PayeeFinancialAccount/cbc:PaymentNote")

    def category(self, el: etree._Element) -> tuple[VatCategory, Decimal | None]:
        code = self.text(el, "cbc:ID") or ""
        try:
            category = _OIOUBL_CATEGORIES.get(code) or VatCategory(code)
        except ValueError as exc:
            raise UnreadableDocument(f"unknown VAT category {code!r}") from exc
        rate = self.decimal(el, "cbc:Percent")
        return category, (rate if category.has_rate else None)

    def allowance_charge(self, el: etree._Element, *, document_level: bool) -> AllowanceCharge:
        category: VatCategory | None = None
        rate: Decimal | None = None
        tax_el = el.find("cac:TaxCategory", NS)
        if document_level and tax_el is not None:
            category, rate = self.category(tax_el)
        return AllowanceCharge(
            is_charge=self.text(el, "cbc:ChargeIndicator") in ("true", "1"),
            amount=self.decimal(el, "cbc:Amount") or Decimal(0),
            reason=self.text(el, "cbc:AllowanceChargeReason"),
            reason_code=self.text(el, "cbc:AllowanceChargeReasonCode"),
            base_amount=self.decimal(el, "cbc:BaseAmount"),
            percent=self._percent(el),
            vat_category=category,
            vat_rate=rate,
        )

    def _percent(self, el: etree._Element) -> Decimal | None:
        factor = self.decimal(el, "cbc:MultiplierFactorNumeric")
        # Peppol writes a percentage (10); OIOUBL keeps UBL's factor (0.1).
        if factor is None or not self.oioubl:
            return factor
        return (factor * 100).normalize()

    def exemptions(self, doc: etree._Element) -> tuple[VatExemption, ...]:
        out: dict[VatCategory, VatExemption] = {}
        for el in doc.iterfind("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS):
            category, _ = self.category(el)
            reason = self.text(el, "cbc:TaxExemptionReason")
            code = self.text(el, "cbc:TaxExemptionReasonCode")
            if (reason or code) and category not in out:
                out[category] = VatExemption(category, reason, code)
        return tuple(out.values())

    def attachments(self, doc: etree._Element) -> tuple[Attachment, ...]:
        out = []
        for el in doc.iterfind("cac:AdditionalDocumentReference", NS):
            if self.text(el, "cbc:DocumentTypeCode") in ("50", "130"):
                continue  # BT-11 on credit notes (read above) and BT-18 (not modelled)
            ident = self.text(el, "cbc:ID")
            if ident is None:
                continue
            out.append(
                Attachment(
                    id=ident,
                    description=self.text(el, "cbc:DocumentDescription"),
                    uri=self.text(el, "cac:Attachment/cac:ExternalReference/cbc:URI"),
                )
            )
        return tuple(out)

    def line(self, el: etree._Element, currency: str, *, credit: bool) -> InvoiceLine:
        quantity_path = "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity"
        quantity_el = el.find(quantity_path, NS)
        tax_el = el.find("cac:Item/cac:ClassifiedTaxCategory", NS)
        if tax_el is None:
            # OIOUBL may state the line's category only in the line's own TaxTotal.
            tax_el = el.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
        if tax_el is None:
            raise UnreadableDocument(f"line {self.text(el, 'cbc:ID')}: no VAT category")
        category, rate = self.category(tax_el)
        item = el.find("cac:Item", NS)
        if item is None:
            raise UnreadableDocument(f"line {self.text(el, 'cbc:ID')}: no item")
        price_discount = el.find("cac:Price/cac:AllowanceCharge", NS)
        line = InvoiceLine(
            id=self.text(el, "cbc:ID") or "",
            quantity=self.decimal(el, quantity_path) or Decimal(0),
            unit_code=(quantity_el.get("unitCode") or "") if quantity_el is not None else "",
            net_price=self.decimal(el, "cac:Price/cbc:PriceAmount") or Decimal(0),
            item_name=self.text(item, "cbc:Name") or "",
            vat_category=category,
            vat_rate=rate,
            base_quantity=self.decimal(el, "cac:Price/cbc:BaseQuantity"),
            gross_price=(
                self.decimal(price_discount, "cbc:BaseAmount")
                if price_discount is not None
                else None
            ),
            price_discount=(
                self.decimal(price_discount, "cbc:Amount") if price_discount is not None else None
            ),
            description=self.text(item, "cbc:Description"),
            seller_item_id=self.text(item, "cac:SellersItemIdentification/cbc:ID"),
            buyer_item_id=self.text(item, "cac:BuyersItemIdentification/cbc:ID"),
            standard_item_id=self.ident(item, "cac:StandardItemIdentification/cbc:ID"),
            classifications=tuple(
                Classification(
                    code=(c.text or "").strip(),
                    list_id=c.get("listID") or "",
                    list_version=c.get("listVersionID"),
                )
                for c in item.iterfind("cac:CommodityClassification/cbc:ItemClassificationCode", NS)
            ),
            origin_country=self.text(item, "cac:OriginCountry/cbc:IdentificationCode"),
            attributes=tuple(
                (self.text(p, "cbc:Name") or "", self.text(p, "cbc:Value") or "")
                for p in item.iterfind("cac:AdditionalItemProperty", NS)
            ),
            allowances_charges=tuple(
                self.allowance_charge(a, document_level=False)
                for a in el.iterfind("cac:AllowanceCharge", NS)
            ),
            note=self.text(el, "cbc:Note"),
            object_id=self.ident(el, "cac:DocumentReference/cbc:ID"),
            order_line_ref=self.text(el, "cac:OrderLineReference/cbc:LineID"),
            accounting_cost=self.text(el, "cbc:AccountingCost"),
            period_start=self.day(el, "cac:InvoicePeriod/cbc:StartDate"),
            period_end=self.day(el, "cac:InvoicePeriod/cbc:EndDate"),
        )
        stated = self.decimal(el, "cbc:LineExtensionAmount")
        if stated is not None and stated != line_net_amount(line):
            # Keep the document's own figure: its price arithmetic is within the slack.
            line = _with_net_amount(line, stated)
        return line


def _with_net_amount(line: InvoiceLine, amount: Decimal) -> InvoiceLine:
    return replace(line, net_amount=amount)
