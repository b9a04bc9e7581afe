"""Turn tendering's contract view into the terms ordering and matching check against."""

from __future__ import annotations

from invoicing.model import Address, Identifier, Party
from invoicing.orders import ContractLine, ContractTerms
from tendering.payloads import ContractView

__all__ = ["contract_terms", "party_from_cvr"]


def party_from_cvr(cvr: str, name: str) -> Party:
    """A Danish party known by its CVR number (Peppol scheme 0184)."""
    ident = Identifier(cvr, "0184")
    return Party(name=name, address=Address(country="DK"), endpoint=ident, legal_id=ident)


def contract_terms(
    view: ContractView, *, buyer: Party | None = None, supplier: Party | None = None
) -> ContractTerms:
    """The terms of an awarded contract; pass fuller parties when the caller has them."""
    return ContractTerms(
        reference=view.contract_id,
        buyer=buyer or party_from_cvr(view.buyer_cvr, view.buyer_name),
        supplier=supplier or party_from_cvr(view.supplier_cvr, view.supplier_name),
        currency=view.currency,
        lines=tuple(
            ContractLine(
                item_id=line.line_id,
                item_name=line.item,
                unit_code=line.unit,
                unit_price=line.unit_price,
            )
            for line in view.lines
        ),
        valid_from=view.starts_at.date(),
        valid_to=view.ends_at.date(),
    )
