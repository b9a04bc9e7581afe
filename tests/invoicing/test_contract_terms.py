"""Tendering's contract view becomes the terms an invoice is matched against."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from invoicing.contract_terms import contract_terms
from invoicing.matching import ReasonCode, match_invoice
from invoicing.model import Identifier
from tendering.payloads import ContractView
from tests.invoicing.invoicing_samples import danish_invoice, line

D = Decimal


def _view() -> ContractView:
    return ContractView.model_validate(
        {
            "contract_id": "C-1",
            "tender_id": "T-1",
            "lot_id": "L-1",
            "title": "Kontorartikler",
            "status": "signed",
            "buyer_cvr": "64942212",
            "buyer_name": "Kommunen",
            "supplier_cvr": "12345674",
            "supplier_name": "Leverandøren ApS",
            "currency": "DKK",
            "value": D("10000"),
            "starts_at": datetime(2026, 1, 1, tzinfo=UTC),
            "ends_at": datetime(2027, 12, 31, tzinfo=UTC),
            "lines": [
                {
                    "line_id": "1",
                    "item": "Kopipapir A4",
                    "unit": "EA",
                    "quantity": D("100"),
                    "unit_price": D("99.95"),
                    "currency": "DKK",
                    "value": D("9995"),
                }
            ],
        }
    )


def test_contract_view_becomes_terms_with_cvr_parties_and_period() -> None:
    terms = contract_terms(_view())
    assert terms.supplier.legal_id == Identifier("12345674", "0184")
    assert (terms.valid_from, terms.valid_to) == (date(2026, 1, 1), date(2027, 12, 31))
    assert terms.line_for(None, "kopipapir a4") is terms.lines[0]


def test_invoice_priced_above_the_awarded_contract_goes_to_a_person() -> None:
    invoice = danish_invoice(
        contract_reference="C-1",
        order_reference=None,
        lines=(line("1", quantity="5", price="104.95", item_name="Kopipapir A4"),),
        allowances_charges=(),
    )
    result = match_invoice(invoice, orders={}, contract=contract_terms(_view()))
    assert {ReasonCode.PRICE_ABOVE_CONTRACT, ReasonCode.MISSING_ORDER_REFERENCE} == result.codes
