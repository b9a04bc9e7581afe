"""Matching an invoice against order and contract: approve, or route to a person with reasons."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from invoicing.matching import Decision, ReasonCode, Tolerance, is_duplicate, match_invoice
from invoicing.model import AllowanceCharge, DocumentKind, Identifier, Invoice, VatCategory
from invoicing.orders import Order, order_from_contract
from tests.invoicing.invoicing_samples import SELLER, danish_invoice, framework_contract, line

D = Decimal


def _order() -> Order:
    return order_from_contract(
        framework_contract(),
        order_id="PO-77",
        issue_date=date(2026, 10, 20),
        quantities={"SKU-1": D("10"), "SKU-2": D("4")},
    )


def _invoice(**changes: object) -> Invoice:
    """An invoice for the whole of line 1 and 3 of the 4 pens on line 2, at contract prices."""
    base = danish_invoice(
        lines=(
            line("1", quantity="10", price="99.95", seller_item_id="SKU-1", order_line_ref="1"),
            line("2", quantity="3", price="12.5", seller_item_id="SKU-2", order_line_ref="2"),
        ),
        allowances_charges=(),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _match(invoice: Invoice, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("orders", {"PO-77": _order()})
    kwargs.setdefault("contract", framework_contract())
    return match_invoice(invoice, **kwargs)


def test_invoice_that_matches_order_and_contract_is_approved() -> None:
    result = _match(_invoice())
    assert result.decision is Decision.APPROVED
    assert result.reasons == ()


def test_wrong_totals_go_to_a_person_unless_within_tolerance() -> None:
    freight = AllowanceCharge(
        is_charge=True,
        amount=D("50"),
        reason="Fragt",
        vat_category=VatCategory.STANDARD,
        vat_rate=D("25"),
    )
    invoice = _invoice(allowances_charges=(freight,))
    result = _match(invoice)
    assert result.decision is Decision.ROUTE_TO_PERSON
    (reason,) = result.reasons
    assert reason.code is ReasonCode.TOTAL_OUTSIDE_TOLERANCE
    assert (reason.invoiced, reason.expected) == ("1087.00", "1037.00")
    assert _match(invoice, tolerance=Tolerance(amount=D("50"))).approved
    assert _match(invoice, tolerance=Tolerance(percent=D("5"))).approved  # 5 % of 1037 > 50
    assert not _match(invoice, tolerance=Tolerance(percent=D("4"))).approved


def test_unknown_order_reference() -> None:
    result = _match(_invoice(order_reference="PO-99"))
    assert result.codes == {ReasonCode.UNKNOWN_ORDER_REFERENCE}
    assert result.reasons[0].invoiced == "PO-99"
    assert result.reasons[0].term == "BT-13"


def test_missing_order_reference() -> None:
    result = _match(_invoice(order_reference=None))
    assert result.codes == {ReasonCode.MISSING_ORDER_REFERENCE}


def test_price_above_contract_names_line_and_both_prices() -> None:
    invoice = _invoice(
        lines=(
            line("1", quantity="10", price="109.95", seller_item_id="SKU-1", order_line_ref="1"),
        )
    )
    result = _match(
        invoice,
        orders={},
    )
    contract_reasons = [r for r in result.reasons if r.code is ReasonCode.PRICE_ABOVE_CONTRACT]
    assert len(contract_reasons) == 1
    reason = contract_reasons[0]
    assert (reason.line_id, reason.invoiced, reason.expected) == ("1", "109.95", "99.95")


def test_price_above_contract_and_order_both_reported() -> None:
    invoice = _invoice(
        lines=(line("1", quantity="10", price="105", seller_item_id="SKU-1", order_line_ref="1"),)
    )
    codes = _match(invoice).codes
    assert {ReasonCode.PRICE_ABOVE_CONTRACT, ReasonCode.PRICE_ABOVE_ORDER} <= codes


def test_lower_price_than_contract_is_fine() -> None:
    invoice = _invoice(
        lines=(line("1", quantity="10", price="90", seller_item_id="SKU-1", order_line_ref="1"),),
    )
    assert _match(invoice, tolerance=Tolerance(amount=D("100"))).approved


def test_duplicate_invoice_number_from_same_supplier() -> None:
    result = _match(_invoice(), seen_numbers={"INV-0999", "inv-1001 "})
    assert result.codes == {ReasonCode.DUPLICATE_NUMBER}
    assert is_duplicate("INV-1001", [" inv-1001"])
    assert not is_duplicate("INV-1001", ["INV 1001"])  # a different number
    assert not is_duplicate("INV-1001", ["INV-1002"])


def test_quantity_above_order_is_counted_over_all_lines() -> None:
    invoice = _invoice(
        lines=(
            line("1", quantity="10", price="99.95", seller_item_id="SKU-1", order_line_ref="1"),
            line("2", quantity="3", price="12.5", seller_item_id="SKU-2", order_line_ref="2"),
            line("3", quantity="2", price="12.5", seller_item_id="SKU-2", order_line_ref="2"),
        )
    )
    result = _match(invoice, tolerance=Tolerance(amount=D("100")))
    assert result.codes == {ReasonCode.QUANTITY_ABOVE_ORDER}
    assert (result.reasons[0].invoiced, result.reasons[0].expected) == ("5", "4")


def test_other_supplier_is_refused() -> None:
    stranger = replace(
        SELLER,
        name="Fremmed A/S",
        endpoint=Identifier("87654321", "0184"),
        legal_id=Identifier("87654321", "0184"),
        identifiers=(),
        vat_id="DK87654321",
    )
    result = _match(_invoice(seller=stranger))
    assert ReasonCode.SUPPLIER_MISMATCH in result.codes


def test_line_not_on_the_order() -> None:
    invoice = _invoice(
        lines=(
            line("1", quantity="10", price="99.95", seller_item_id="SKU-1", order_line_ref="1"),
            line("2", quantity="1", price="640", seller_item_id="SKU-3"),
        )
    )
    result = _match(invoice, tolerance=Tolerance(amount=D("700")))
    assert result.codes == {ReasonCode.UNMATCHED_LINE}
    assert result.reasons[0].line_id == "2"


def test_vat_rate_different_from_order() -> None:
    order = replace(_order(), lines=tuple(replace(o, vat_rate=D("25")) for o in _order().lines))
    invoice = _invoice(
        lines=(
            line(
                "1",
                quantity="10",
                price="99.95",
                rate="12",
                seller_item_id="SKU-1",
                order_line_ref="1",
            ),
        )
    )
    result = _match(invoice, orders={"PO-77": order}, tolerance=Tolerance(amount=D("100")))
    assert result.codes == {ReasonCode.VAT_MISMATCH}


def test_credit_notes_always_go_to_a_person() -> None:
    result = _match(_invoice(kind=DocumentKind.CREDIT_NOTE))
    assert ReasonCode.CREDIT_NOTE in result.codes


def test_several_problems_are_all_listed() -> None:
    invoice = _invoice(
        number="INV-7",
        lines=(line("1", quantity="20", price="120", seller_item_id="SKU-1", order_line_ref="1"),),
    )
    result = _match(invoice, seen_numbers={"INV-7"})
    assert {
        ReasonCode.DUPLICATE_NUMBER,
        ReasonCode.PRICE_ABOVE_CONTRACT,
        ReasonCode.PRICE_ABOVE_ORDER,
        ReasonCode.QUANTITY_ABOVE_ORDER,
        ReasonCode.TOTAL_OUTSIDE_TOLERANCE,
    } <= result.codes


@settings(max_examples=40, deadline=None)
@given(
    taken=st.lists(
        st.tuples(st.sampled_from(["1", "2"]), st.integers(min_value=1, max_value=4)),
        min_size=1,
        max_size=4,
    )
)
def test_invoicing_part_of_an_order_at_agreed_prices_is_approved(
    taken: list[tuple[str, int]],
) -> None:
    order = _order()
    remaining = {o.id: o.quantity for o in order.lines}
    lines = []
    for number, (order_line_id, quantity) in enumerate(taken, start=1):
        ordered = order.line(order_line_id)
        assert ordered is not None and ordered.net_price is not None
        amount = min(D(quantity), remaining[order_line_id])
        if amount <= 0:
            continue
        remaining[order_line_id] -= amount
        lines.append(
            line(
                str(number),
                quantity=str(amount),
                price=str(ordered.net_price),
                seller_item_id=ordered.seller_item_id,
                order_line_ref=order_line_id,
            )
        )
    result = _match(_invoice(lines=tuple(lines)))
    assert result.approved, result.reasons
