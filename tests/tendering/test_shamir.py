"""Shamir sharing of the opening key: any k rebuild, k - 1 tell nothing."""

from __future__ import annotations

import itertools
import secrets

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tendering import shamir
from tendering.errors import InvalidShare, NotEnoughShares

FP = "ab" * 32


def _split(secret: bytes, k: int, n: int, tender: str = "T-1") -> list[shamir.Share]:
    return shamir.split(secret, threshold=k, count=n, tender_id=tender, key_fingerprint=FP)


@pytest.mark.parametrize(("k", "n"), [(1, 1), (2, 3), (3, 5), (5, 5)])
def test_every_subset_of_k_shares_rebuilds_the_secret(k: int, n: int) -> None:
    secret = secrets.token_bytes(32)
    shares = _split(secret, k, n)
    for subset in itertools.combinations(shares, k):
        assert shamir.combine(list(subset), tender_id="T-1", key_fingerprint=FP) == secret


def test_more_than_k_shares_also_rebuild() -> None:
    secret = secrets.token_bytes(32)
    shares = _split(secret, 2, 4)
    assert shamir.combine(shares, tender_id="T-1", key_fingerprint=FP) == secret


def test_k_minus_one_shares_are_refused() -> None:
    shares = _split(secrets.token_bytes(32), 3, 5)
    with pytest.raises(NotEnoughShares):
        shamir.combine(shares[:2], tender_id="T-1", key_fingerprint=FP)


def test_the_same_share_twice_does_not_count_as_two() -> None:
    shares = _split(secrets.token_bytes(32), 2, 3)
    with pytest.raises(NotEnoughShares):
        shamir.combine([shares[0], shares[0]], tender_id="T-1", key_fingerprint=FP)


def test_k_minus_one_shares_interpolate_to_a_wrong_value() -> None:
    secret = secrets.token_bytes(32)
    shares = _split(secret, 3, 5)
    guess = shamir.lagrange_at_zero([(s.index, s.value) for s in shares[:2]])
    assert guess != int.from_bytes(secret, "big")


@settings(max_examples=25, deadline=None)
@given(target=st.integers(min_value=0, max_value=2**256 - 1))
def test_k_minus_one_shares_are_consistent_with_any_secret(target: int) -> None:
    # Perfect secrecy: whatever secret an attacker guesses, one more point makes it true,
    # so the k - 1 shares he holds cannot rule any secret out.
    shares = _split(secrets.token_bytes(32), 3, 5)
    held = [(s.index, s.value) for s in shares[:2]]
    x3 = shares[2].index
    # Interpolation is linear in y3: value(y3) = a + b*y3; solve a + b*y3 = target.
    a = shamir.lagrange_at_zero([*held, (x3, 0)])
    b = (shamir.lagrange_at_zero([*held, (x3, 1)]) - a) % shamir.PRIME
    y3 = (target - a) * pow(b, -1, shamir.PRIME) % shamir.PRIME
    assert shamir.lagrange_at_zero([*held, (x3, y3)]) == target


def test_two_splits_of_one_secret_give_unrelated_shares() -> None:
    secret = secrets.token_bytes(32)
    first, second = _split(secret, 2, 2), _split(secret, 2, 2)
    assert first[0].value != second[0].value


def test_share_text_round_trip() -> None:
    share = _split(secrets.token_bytes(32), 2, 3)[1]
    text = share.to_text()
    assert text.startswith("gwshare1.")
    assert shamir.Share.from_text(text) == share


def test_share_for_another_tender_is_refused() -> None:
    secret = secrets.token_bytes(32)
    ours = _split(secret, 2, 3, tender="T-1")
    theirs = _split(secret, 2, 3, tender="T-2")
    with pytest.raises(InvalidShare, match="another tender"):
        shamir.combine([ours[0], theirs[1]], tender_id="T-1", key_fingerprint=FP)


def test_share_for_another_key_is_refused() -> None:
    shares = _split(secrets.token_bytes(32), 2, 3)
    with pytest.raises(InvalidShare, match="another opening key"):
        shamir.combine(shares, tender_id="T-1", key_fingerprint="cd" * 32)


def test_share_retyped_with_an_error_is_refused() -> None:
    text = _split(secrets.token_bytes(32), 2, 3)[0].to_text()
    import base64
    import json

    body = text.removeprefix("gwshare1.")
    doc = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    doc["index"] = 2
    forged = "gwshare1." + base64.urlsafe_b64encode(json.dumps(doc).encode()).decode()
    with pytest.raises(InvalidShare, match="corrupted"):
        shamir.Share.from_text(forged)


@pytest.mark.parametrize("text", ["", "hello", "gwshare1.!!!", "gwshare1.e30"])
def test_garbage_is_not_a_share(text: str) -> None:
    with pytest.raises(InvalidShare):
        shamir.Share.from_text(text)


def test_two_different_values_for_one_index_are_refused() -> None:
    a = _split(secrets.token_bytes(32), 2, 2)
    b = _split(secrets.token_bytes(32), 2, 2)
    with pytest.raises(InvalidShare, match="index 1"):
        shamir.combine([a[0], b[0], a[1]], tender_id="T-1", key_fingerprint=FP)


@pytest.mark.parametrize(("k", "n"), [(0, 3), (4, 3), (2, 256)])
def test_impossible_thresholds_are_refused(k: int, n: int) -> None:
    with pytest.raises(ValueError):
        _split(secrets.token_bytes(32), k, n)
