"""Matching against the contract's period: the first and last day count, a day outside does not."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from invoicing.matching import Decision, ReasonCode
from tests.invoicing.invoicing_samples import framework_contract
from tests.invoicing.test_invoice_matching import _invoice, _match

DAY = timedelta(days=1)


def _issued() -> date:
    return _invoice().issue_date


@pytest.mark.parametrize(
    ("valid_from", "valid_to"),
    [
        (0, 0),  # a one-day contract, invoiced on that day
        (-30, 0),  # invoiced on the last day
        (0, 30),  # invoiced on the first day
        (None, 0),
        (0, None),
        (None, None),
    ],
)
def test_an_invoice_dated_within_the_contract_period_is_approved(
    valid_from: int | None, valid_to: int | None
) -> None:
    issued = _issued()
    contract = replace(
        framework_contract(),
        valid_from=None if valid_from is None else issued + valid_from * DAY,
        valid_to=None if valid_to is None else issued + valid_to * DAY,
    )
    result = _match(_invoice(), contract=contract)
    assert result.decision is Decision.APPROVED, result.reasons


@pytest.mark.parametrize(
    ("valid_from", "valid_to"),
    [(1, 30), (-30, -1), (1, None), (None, -1)],
    ids=[
        "the day before it starts",
        "the day after it ends",
        "before, open end",
        "after, open start",
    ],
)
def test_an_invoice_dated_outside_the_contract_period_goes_to_a_person(
    valid_from: int | None, valid_to: int | None
) -> None:
    issued = _issued()
    contract = replace(
        framework_contract(),
        valid_from=None if valid_from is None else issued + valid_from * DAY,
        valid_to=None if valid_to is None else issued + valid_to * DAY,
    )
    result = _match(_invoice(), contract=contract)
    assert result.decision is Decision.ROUTE_TO_PERSON
    assert result.codes == {ReasonCode.OUTSIDE_CONTRACT_PERIOD}
    (reason,) = result.reasons
    assert reason.invoiced == issued.isoformat() and reason.term == "BT-2"
    assert str(issued) in reason.message
