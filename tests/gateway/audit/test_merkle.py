"""RFC 9162 tree heads and consistency proofs, against the RFC's recursive definition."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.audit.merkle import (
    EMPTY_ROOT,
    CompactTree,
    consistency_proof,
    leaf_hash,
    root_hash,
    verify_consistency,
)


def _mth(leaves: list[bytes]) -> bytes:
    # RFC 9162 2.1.1, literally.
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + _mth(leaves[:k]) + _mth(leaves[k:])).digest()


def _leaves(n: int) -> list[bytes]:
    return [leaf_hash(f"entry {i}".encode()) for i in range(n)]


def test_leaf_and_node_hashes_are_domain_separated() -> None:
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert root_hash([]) == EMPTY_ROOT


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33])
def test_root_matches_the_recursive_definition(n: int) -> None:
    leaves = _leaves(n)
    assert root_hash(leaves) == _mth(leaves)


def test_compact_tree_gives_every_intermediate_root() -> None:
    leaves = _leaves(40)
    tree = CompactTree()
    for i, leaf in enumerate(leaves, start=1):
        tree.append(leaf)
        assert tree.size == i and tree.root() == _mth(leaves[:i])


@given(st.integers(1, 70), st.data())
def test_every_consistency_proof_verifies(n: int, data: st.DataObject) -> None:
    m = data.draw(st.integers(0, n))
    leaves = _leaves(n)
    proof = consistency_proof(m, leaves)
    assert verify_consistency(m, n, _mth(leaves[:m]), _mth(leaves), proof)


@pytest.mark.parametrize(("m", "n"), [(3, 7), (4, 8), (1, 2), (6, 17), (8, 9)])
def test_a_rewritten_history_fails_the_proof(m: int, n: int) -> None:
    leaves = _leaves(n)
    old_root = _mth(leaves[:m])
    # The new tree rewrote one of the old entries: no proof can connect the two heads.
    forged = list(leaves)
    forged[m - 1] = leaf_hash(b"rewritten")
    proof = consistency_proof(m, forged)
    assert not verify_consistency(m, n, old_root, _mth(forged), proof)
    # And a genuine proof does not fit a forged new head, nor a shortened proof the real one.
    genuine = consistency_proof(m, leaves)
    assert not verify_consistency(m, n, old_root, _mth(forged), genuine)
    assert not verify_consistency(m, n, old_root, _mth(leaves), genuine[:-1])
