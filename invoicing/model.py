"""The internal invoice model: the EN 16931 business terms we produce and read.

One :class:`Invoice` stands for both an invoice (BT-3 ``380`` and friends) and a
credit note (``381``); :attr:`Invoice.kind` picks the UBL document. Amounts are
``Decimal`` in the document currency (BT-5). Derived amounts (line net amounts,
VAT breakdown, totals) are computed by :mod:`invoicing.vat`, never stored, so a
model cannot hold totals that disagree with its lines. The two exceptions are
what a received document states within the tolerance the rules allow:
:attr:`InvoiceLine.net_amount` (PEPPOL-EN16931-R120 allows 0.02 off the price
arithmetic) and :attr:`Invoice.stated_vat` (BR-CO-17 allows 1 off exact VAT).

The business term (BT/BG) each field carries is named next to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "PEPPOL_BILLING_CUSTOMIZATION",
    "PEPPOL_BILLING_PROFILE",
    "Address",
    "AllowanceCharge",
    "Attachment",
    "Classification",
    "Contact",
    "Delivery",
    "DocumentKind",
    "Identifier",
    "Invoice",
    "InvoiceLine",
    "Party",
    "PaymentMeans",
    "PrecedingInvoice",
    "StatedVat",
    "VatCategory",
    "VatExemption",
]

PEPPOL_BILLING_CUSTOMIZATION = (
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
)
PEPPOL_BILLING_PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

ZERO = Decimal("0")


class DocumentKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"

    @property
    def default_type_code(self) -> str:
        return "380" if self is DocumentKind.INVOICE else "381"


class VatCategory(StrEnum):
    """UNCL5305 subset allowed by EN 16931 (BT-118, BT-151, BT-95, BT-102)."""

    STANDARD = "S"
    ZERO_RATED = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_COMMUNITY = "K"
    EXPORT = "G"
    NOT_SUBJECT = "O"
    CANARY_ISLANDS = "L"
    CEUTA_MELILLA = "M"
    SPLIT_PAYMENT = "B"  # Italy: VAT transferred to the buyer (split payment)

    @property
    def has_rate(self) -> bool:
        """Whether documents carry a rate (BT-119) for this category (O carries none)."""
        return self is not VatCategory.NOT_SUBJECT

    @property
    def zero_rate(self) -> bool:
        """Whether the rate must be 0 (BR-Z/E/AE/IC/G-05 and friends)."""
        return self in _ZERO_RATED

    @property
    def needs_exemption_reason(self) -> bool:
        """Whether a VAT breakdown of this category needs BT-120 or BT-121."""
        return self in _NEEDS_REASON


_ZERO_RATED = frozenset(
    {
        VatCategory.ZERO_RATED,
        VatCategory.EXEMPT,
        VatCategory.REVERSE_CHARGE,
        VatCategory.INTRA_COMMUNITY,
        VatCategory.EXPORT,
    }
)
_NEEDS_REASON = frozenset(
    {
        VatCategory.EXEMPT,
        VatCategory.REVERSE_CHARGE,
        VatCategory.INTRA_COMMUNITY,
        VatCategory.EXPORT,
        VatCategory.NOT_SUBJECT,
    }
)


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier with its optional scheme (ISO 6523 ICD such as 0184 CVR, 0088 GLN)."""

    value: str
    scheme: str | None = None


@dataclass(frozen=True, slots=True)
class Address:
    """BG-5 / BG-8 / BG-15 postal address; the country (BT-40/55/80) is mandatory."""

    country: str
    street: str | None = None
    additional_street: str | None = None
    address_line: str | None = None
    city: str | None = None
    postal_zone: str | None = None
    subdivision: str | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    """BG-6 / BG-9."""

    name: str | None = None
    telephone: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Party:
    """Seller (BG-4) or buyer (BG-7)."""

    name: str  # BT-27 / BT-44 registration name
    address: Address
    endpoint: Identifier | None = None  # BT-34 / BT-49 electronic address, scheme mandatory
    identifiers: tuple[Identifier, ...] = ()  # BT-29 / BT-46
    trading_name: str | None = None  # BT-28 / BT-45
    legal_id: Identifier | None = None  # BT-30 / BT-47
    legal_form: str | None = None  # BT-33 (seller only)
    vat_id: str | None = None  # BT-31 / BT-48
    tax_registration_id: str | None = None  # BT-32 (seller only; TaxScheme other than VAT)
    contact: Contact | None = None


@dataclass(frozen=True, slots=True)
class PaymentMeans:
    """BG-16 payment instructions: code (BT-81) and the account to pay to (BG-17)."""

    code: str
    code_name: str | None = None  # BT-82
    payment_id: str | None = None  # BT-83 remittance information
    account_id: str | None = None  # BT-84 IBAN or domestic account
    account_name: str | None = None  # BT-85
    institution_id: str | None = None  # BT-86 BIC / Danish registration number
    mandate_id: str | None = None  # BT-89 direct debit mandate
    payer_account_id: str | None = None  # BT-91
    card_number: str | None = None  # BT-87 (last digits only)
    card_network: str | None = None
    card_holder: str | None = None  # BT-88


@dataclass(frozen=True, slots=True)
class AllowanceCharge:
    """A document-level (BG-20/21) or line-level (BG-27/28) allowance or charge.

    Line-level ones carry no VAT category: they take the line's.
    """

    is_charge: bool
    amount: Decimal  # BT-92/99/136/141
    reason: str | None = None  # BT-97/104/139/144
    reason_code: str | None = None  # BT-98/105/140/145
    base_amount: Decimal | None = None  # BT-93/100/137/142
    percent: Decimal | None = None  # BT-94/101/138/143
    vat_category: VatCategory | None = None  # BT-95/102 (document level)
    vat_rate: Decimal | None = None  # BT-96/103 (document level)


@dataclass(frozen=True, slots=True)
class Classification:
    """BT-158 item classification, with its scheme (listID) and version."""

    code: str
    list_id: str
    list_version: str | None = None


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """BG-25 invoice line. A negative quantity or price makes a negative line."""

    id: str  # BT-126
    quantity: Decimal  # BT-129
    unit_code: str  # BT-130 (UN/ECE Rec 20)
    net_price: Decimal  # BT-146
    item_name: str  # BT-153
    vat_category: VatCategory  # BT-151
    vat_rate: Decimal | None = None  # BT-152 (None for category O)
    base_quantity: Decimal | None = None  # BT-149
    gross_price: Decimal | None = None  # BT-148
    price_discount: Decimal | None = None  # BT-147
    description: str | None = None  # BT-154
    seller_item_id: str | None = None  # BT-155
    buyer_item_id: str | None = None  # BT-156
    standard_item_id: Identifier | None = None  # BT-157
    classifications: tuple[Classification, ...] = ()  # BT-158
    origin_country: str | None = None  # BT-159
    attributes: tuple[tuple[str, str], ...] = ()  # BG-32 name/value
    allowances_charges: tuple[AllowanceCharge, ...] = ()  # BG-27 / BG-28
    note: str | None = None  # BT-127
    object_id: Identifier | None = None  # BT-128
    order_line_ref: str | None = None  # BT-132
    accounting_cost: str | None = None  # BT-133
    period_start: date | None = None  # BT-134
    period_end: date | None = None  # BT-135
    net_amount: Decimal | None = None  # BT-131 as stated by a received document


@dataclass(frozen=True, slots=True)
class VatExemption:
    """BT-120 / BT-121 exemption reason for one VAT category of the breakdown."""

    category: VatCategory
    reason: str | None = None
    code: str | None = None  # VATEX code list, e.g. VATEX-EU-AE


@dataclass(frozen=True, slots=True)
class StatedVat:
    """BT-117 as a received document states it, where it differs from exact rounding.

    EN 16931 accepts a category's VAT within 1 of taxable × rate (BR-CO-17); the
    seller's figure is what the buyer owes, so a read invoice keeps it.
    """

    category: VatCategory
    rate: Decimal | None
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PrecedingInvoice:
    """BG-3 reference to an earlier invoice (BT-25 number, BT-26 date)."""

    number: str
    issue_date: date | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """BG-13 delivery information."""

    date: date | None = None  # BT-72
    location_id: Identifier | None = None  # BT-71
    address: Address | None = None  # BG-15
    party_name: str | None = None  # BT-70


@dataclass(frozen=True, slots=True)
class Attachment:
    """BG-24 supporting document (reference only; embedded binaries are not kept)."""

    id: str  # BT-122
    description: str | None = None  # BT-123
    uri: str | None = None  # BT-124


@dataclass(frozen=True, slots=True)
class Invoice:
    """An invoice or credit note as EN 16931 sees it."""

    kind: DocumentKind
    number: str  # BT-1
    issue_date: date  # BT-2
    currency: str  # BT-5
    seller: Party  # BG-4
    buyer: Party  # BG-7
    lines: tuple[InvoiceLine, ...]  # BG-25
    payment_means: tuple[PaymentMeans, ...] = ()  # BG-16
    type_code: str | None = None  # BT-3; None means 380 or 381 by kind
    due_date: date | None = None  # BT-9
    tax_point_date: date | None = None  # BT-7
    tax_currency: str | None = None  # BT-6
    tax_currency_vat_amount: Decimal | None = None  # BT-111, in BT-6
    notes: tuple[str, ...] = ()  # BT-22 (Peppol allows more than one for German parties only)
    accounting_cost: str | None = None  # BT-19
    buyer_reference: str | None = None  # BT-10
    order_reference: str | None = None  # BT-13
    sales_order_reference: str | None = None  # BT-14
    contract_reference: str | None = None  # BT-12
    project_reference: str | None = None  # BT-11
    despatch_reference: str | None = None  # BT-16
    receiving_reference: str | None = None  # BT-15
    tender_reference: str | None = None  # BT-17
    preceding_invoices: tuple[PrecedingInvoice, ...] = ()  # BG-3
    payment_terms: str | None = None  # BT-20
    period_start: date | None = None  # BT-73
    period_end: date | None = None  # BT-74
    delivery: Delivery | None = None  # BG-13
    payee: Party | None = None  # BG-10 (name and identifiers only)
    tax_representative: Party | None = None  # BG-11 (name BT-62, VAT id BT-63, address BG-12)
    allowances_charges: tuple[AllowanceCharge, ...] = ()  # BG-20 / BG-21
    vat_exemptions: tuple[VatExemption, ...] = ()  # BT-120 / BT-121
    stated_vat: tuple[StatedVat, ...] = ()  # BT-117 kept from a received document
    attachments: tuple[Attachment, ...] = ()  # BG-24
    prepaid_amount: Decimal | None = None  # BT-113
    rounding_amount: Decimal | None = None  # BT-114
    customization_id: str = PEPPOL_BILLING_CUSTOMIZATION  # BT-24
    profile_id: str | None = PEPPOL_BILLING_PROFILE  # BT-23 (optional in EN 16931)

    @property
    def effective_type_code(self) -> str:
        return self.type_code or self.kind.default_type_code

    def exemption_for(self, category: VatCategory) -> VatExemption | None:
        """The exemption reason given for ``category``, if any."""
        return next((e for e in self.vat_exemptions if e.category == category), None)
