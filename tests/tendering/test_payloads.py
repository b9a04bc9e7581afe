"""API payloads refuse what the tendering rules would refuse."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from tendering import payloads, sealing

DEADLINE = "2026-03-20T11:00:00Z"


def _create(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reference": "T-2026-001",
        "title": "Rengøring af skoler",
        "description": "Rammeaftale om rengøring",
        "contract_nature": "services",
        "cpv_code": "90919300",
        "lots": [
            {
                "lot_id": "LOT-0001",
                "title": "Nord",
                "award_method": "best_price_quality",
                "criteria": [
                    {
                        "id": "price",
                        "name": "Pris",
                        "kind": "price",
                        "weight": "60",
                        "method": "proportional",
                    },
                    {
                        "id": "q1",
                        "name": "Kvalitet",
                        "kind": "quality",
                        "weight": "40",
                        "method": "points",
                    },
                ],
            }
        ],
        "timeline": {"deadline": DEADLINE},
        "opening_threshold": 2,
        "opening_holders": 3,
    }
    body.update(over)
    return body


def test_a_sound_tender_is_accepted_and_scorable() -> None:
    tender = payloads.TenderCreate.model_validate(_create())
    assert tender.timeline.deadline == datetime(2026, 3, 20, 11, 0, tzinfo=UTC)
    assert tender.lots[0].award_criteria().price.id == "price"


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"opening_threshold": 4}, "opening_threshold"),
        ({"timeline": {"deadline": "2026-03-20T11:00:00.500Z"}}, "whole second"),
        ({"timeline": {"deadline": "2026-03-20T11:00:00"}}, "timezone"),
        (
            {"timeline": {"deadline": DEADLINE, "questions_deadline": "2026-03-21T00:00:00Z"}},
            "questions",
        ),
        ({"timeline": {"deadline": DEADLINE, "standstill_days": 5}}, "standstill_days"),
        ({"cpv_code": "9091"}, "cpv_code"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_unsound_tenders_are_refused(over: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        payloads.TenderCreate.model_validate(_create(**over))


def test_lot_criteria_must_be_scorable() -> None:
    body = _create()
    body["lots"][0]["criteria"][1]["weight"] = "30"
    with pytest.raises(ValidationError, match="add up to 100"):
        payloads.TenderCreate.model_validate(body)


def test_repeated_lot_ids_are_refused() -> None:
    body = _create()
    body["lots"] = body["lots"] * 2
    with pytest.raises(ValidationError, match="lot ids repeat"):
        payloads.TenderCreate.model_validate(body)


def test_update_accepts_a_single_field() -> None:
    update = payloads.TenderUpdate.model_validate({"title": "Ny titel"})
    assert update.model_dump(exclude_unset=True) == {"title": "Ny titel"}


def test_share_submit_checks_the_share() -> None:
    key = sealing.create_opening_key(tender_id="T-1", threshold=2, holders=2)
    text = key.shares[0].to_text()
    assert payloads.ShareSubmit(share=text).parsed() == key.shares[0]
    with pytest.raises(ValidationError, match="opening share"):
        payloads.ShareSubmit(share="gwshare1.bm9wZQ")


def test_bid_submit_keeps_the_envelope_bytes() -> None:
    raw = b'{"v":1}'
    bid = payloads.BidSubmit.model_validate(
        {"lot_ids": ["LOT-0001"], "envelope": base64.b64encode(raw).decode()}
    )
    assert bid.envelope == raw
