"""The Merkle tree against RFC 6962's recursive definition, and its proofs both ways."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trucewatch.log.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    verify_consistency,
    verify_inclusion,
)


def leaf(i: int) -> bytes:
    return hashlib.sha256(b"\x00" + str(i).encode()).digest()


def mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1, written exactly as the RFC defines it."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 7, 8, 9, 31, 32, 33, 100])
def test_root_matches_the_rfc_definition(n: int) -> None:
    leaves = [leaf(i) for i in range(n)]
    tree = MerkleTree(leaves)
    assert tree.root() == mth(leaves)
    for size in range(n + 1):
        assert tree.root(size) == mth(leaves[:size])
    assert MerkleTree([]).root() == EMPTY_ROOT


def test_rfc9162_known_answer() -> None:
    """The seven-leaf example of RFC 9162 §2.1.5: the proof for d0 has three nodes."""
    leaves = [leaf(i) for i in range(7)]
    tree = MerkleTree(leaves)
    assert len(tree.inclusion_proof(0)) == 3
    assert len(tree.inclusion_proof(6)) == 2  # j's path: i, then the left 4-leaf subtree
    assert len(tree.consistency_proof(3)) == 4  # c, d, g, l in the RFC's figure
    assert len(tree.consistency_proof(4)) == 1  # l
    assert len(tree.consistency_proof(6)) == 3  # i, j, k


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=70).flatmap(
    lambda n: st.tuples(st.just(n), st.integers(min_value=0, max_value=n - 1))))
def test_inclusion_proofs_verify_and_fail_when_wrong(case: tuple[int, int]) -> None:
    n, index = case
    leaves = [leaf(i) for i in range(n)]
    tree = MerkleTree(leaves)
    path = tree.inclusion_proof(index)
    root = tree.root()
    assert verify_inclusion(leaves[index], index, n, path, root)
    assert not verify_inclusion(leaf(10_000), index, n, path, root)
    if n > 1:
        assert not verify_inclusion(leaves[index], (index + 1) % n, n, path, root)
    if path:
        bad = [bytes(32)] + path[1:]
        assert not verify_inclusion(leaves[index], index, n, bad, root)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=70).flatmap(
    lambda n: st.tuples(st.integers(min_value=1, max_value=n), st.just(n))))
def test_consistency_proofs_verify_and_fail_when_history_changed(case: tuple[int, int]) -> None:
    old, new = case
    leaves = [leaf(i) for i in range(new)]
    tree = MerkleTree(leaves)
    proof = tree.consistency_proof(old)
    assert verify_consistency(old, new, tree.root(old), tree.root(), proof)
    rewritten = MerkleTree([leaf(-1)] + leaves[1:])
    if old < new:
        assert not verify_consistency(old, new, rewritten.root(old), tree.root(), proof)
        assert not verify_consistency(old, new, tree.root(old), rewritten.root(), proof)


def test_a_million_leaves_build_and_prove() -> None:
    leaves = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(1 << 20)]
    tree = MerkleTree(leaves)
    root = tree.root()
    assert verify_inclusion(leaves[123_456], 123_456, len(leaves), tree.inclusion_proof(123_456),
                            root)
    assert verify_consistency(1000, len(leaves), tree.root(1000), root,
                              tree.consistency_proof(1000))
