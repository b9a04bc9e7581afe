"""Shares sealed to committee members: only the member's own key opens its share."""

from __future__ import annotations

import json

import pytest

from tendering import sealing, shamir, share_delivery
from tendering.errors import InvalidShare


def _share_text() -> str:
    key = sealing.create_opening_key(tender_id="T-1", threshold=2, holders=3)
    return key.shares[0].to_text()


def test_the_member_opens_its_sealed_share_exactly() -> None:
    text = _share_text()
    member = share_delivery.new_member_key()
    public = share_delivery.load_member_public_key(share_delivery.member_public_key_text(member))
    sealed = share_delivery.seal_share(text, public)
    assert text not in sealed
    restored = share_delivery.load_member_private_key(
        share_delivery.member_private_key_text(member)
    )
    assert share_delivery.open_share(sealed, restored) == text
    assert shamir.Share.from_text(share_delivery.open_share(sealed, member)).index == 1


def test_another_key_or_an_altered_seal_is_refused() -> None:
    member = share_delivery.new_member_key()
    sealed = share_delivery.seal_share(_share_text(), member.public_key())
    with pytest.raises(InvalidShare, match="not for this key"):
        share_delivery.open_share(sealed, share_delivery.new_member_key())
    doc = json.loads(sealed)
    doc["ct"] = doc["ct"][:-8] + ("A" * 8 if not doc["ct"].endswith("A" * 8) else "B" * 8)
    with pytest.raises(InvalidShare):
        share_delivery.open_share(json.dumps(doc), member)
    with pytest.raises(InvalidShare, match="malformed"):
        share_delivery.open_share("not json", member)


@pytest.mark.parametrize("text", ["", "AAAA", "!!!!", "A" * 44])
def test_member_keys_that_are_not_32_byte_x25519_keys_are_refused(text: str) -> None:
    with pytest.raises(InvalidShare):
        share_delivery.load_member_public_key(text)


def test_each_sealing_is_fresh() -> None:
    member = share_delivery.new_member_key()
    text = _share_text()
    assert share_delivery.seal_share(text, member.public_key()) != share_delivery.seal_share(
        text, member.public_key()
    )
