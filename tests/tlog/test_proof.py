"""Proof generation and verification (RFC 9162 §2.1.3, §2.1.4): known values, the naive
reference under Hypothesis, the input checks and tampering."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.tlog.errors import ProofInputError, RootMismatchError, VerificationError
from commonground.tlog.hashing import EMPTY_ROOT, leaf_hash
from commonground.tlog.proof import (
    consistency_nodes,
    consistency_proof,
    consistency_proof_size,
    inclusion_nodes,
    inclusion_proof,
    inclusion_proof_size,
    range_nodes,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from commonground.tlog.tree import MemoryTree
from tests.tlog import reference


def _entries(n: int) -> list[bytes]:
    return [b"entry %d" % i for i in range(n)]


@pytest.fixture(scope="module")
def eight(merkle_constants) -> MemoryTree:
    return MemoryTree.from_entries(bytes.fromhex(x) for x in merkle_constants["leaf_inputs"])


def test_generated_inclusion_proofs_match_proofgen_happy_paths(eight, merkle_constants) -> None:
    for case in merkle_constants["proofgen_happy_paths"]["inclusion"]:
        got = eight.inclusion_proof(case["leaf_index"], case["tree_size"])
        assert [h.hex() for h in got] == case["proof"]


def test_generated_consistency_proofs_match_proofgen_happy_paths(eight, merkle_constants) -> None:
    for case in merkle_constants["proofgen_happy_paths"]["consistency"]:
        got = eight.consistency_proof(case["size1"], case["size2"])
        assert [h.hex() for h in got] == case["proof"]


def test_compact_ranges_match_merkle_constants(eight, merkle_constants) -> None:
    for size, nodes in merkle_constants["compact_trees_by_size"].items():
        ids = range_nodes(0, int(size))
        assert list(ids) == [(n["level"], n["index"]) for n in nodes]
        assert [eight.node(*i).hex() for i in ids] == [n["hash"] for n in nodes]


def test_proof_sizes_match_node_counts() -> None:
    for size in range(1, 70):
        for index in range(size):
            assert len(inclusion_nodes(index, size).groups) == inclusion_proof_size(index, size)
        for size1 in range(1, size):
            assert len(consistency_nodes(size1, size).groups) == consistency_proof_size(size1, size)


def test_proofs_read_logarithmically_many_nodes() -> None:
    size = 10**6 + 12345
    for index in (0, 1, size // 2, size - 2, size - 1):
        assert len(inclusion_nodes(index, size).ids()) <= 2 * size.bit_length()
    for size1 in (1, 3, 2**19, 777_777, size - 1):
        assert len(consistency_nodes(size1, size).ids()) <= 2 * size.bit_length()


# --------------------------------------------------------------------------- Hypothesis


@st.composite
def tree_and_index(draw) -> tuple[int, int]:
    size = draw(st.integers(min_value=1, max_value=200))
    return size, draw(st.integers(min_value=0, max_value=size - 1))


@st.composite
def two_sizes(draw) -> tuple[int, int]:
    size2 = draw(st.integers(min_value=1, max_value=200))
    return draw(st.integers(min_value=1, max_value=size2)), size2


_BIG = MemoryTree.from_entries(_entries(200))
_ENTRIES = _entries(200)


@settings(max_examples=300, deadline=None)
@given(tree_and_index())
def test_inclusion_proofs_agree_with_the_naive_reference(case: tuple[int, int]) -> None:
    size, index = case
    want = reference.path(index, _ENTRIES[:size])
    got = _BIG.inclusion_proof(index, size)
    assert got == want
    assert _BIG.root(size) == reference.mth(_ENTRIES[:size])
    verify_inclusion(leaf_hash(_ENTRIES[index]), index, size, got, _BIG.root(size))


@settings(max_examples=300, deadline=None)
@given(two_sizes())
def test_consistency_proofs_agree_with_the_naive_reference(case: tuple[int, int]) -> None:
    size1, size2 = case
    want = reference.proof(size1, _ENTRIES[:size2])
    got = _BIG.consistency_proof(size1, size2)
    assert got == want
    verify_consistency(size1, size2, got, _BIG.root(size1), _BIG.root(size2))


@settings(max_examples=200, deadline=None)
@given(tree_and_index(), st.data())
def test_inclusion_proof_for_another_size_or_index_is_rejected(case, data) -> None:
    size, index = case
    proof = _BIG.inclusion_proof(index, size)
    other = data.draw(st.integers(min_value=0, max_value=199))
    if other == index:
        return
    with pytest.raises(VerificationError):
        verify_inclusion(leaf_hash(_ENTRIES[index]), other, size, proof, _BIG.root(size))


@settings(max_examples=200, deadline=None)
@given(two_sizes(), st.data())
def test_consistency_proof_rejects_a_root_from_another_size(case, data) -> None:
    size1, size2 = case
    if size1 == size2:
        return
    proof = _BIG.consistency_proof(size1, size2)
    wrong = data.draw(st.integers(min_value=1, max_value=200).filter(lambda s: s != size1))
    with pytest.raises(VerificationError):
        verify_consistency(size1, size2, proof, _BIG.root(wrong), _BIG.root(size2))


# --------------------------------------------------------------------------- tampering


def _flip(h: bytes, bit: int = 0) -> bytes:
    b = bytearray(h)
    b[bit // 8] ^= 1 << (bit % 8)
    return bytes(b)


@pytest.mark.parametrize(("index", "size"), [(0, 1), (0, 8), (5, 8), (2, 3), (1, 5), (99, 137)])
def test_flipping_a_bit_in_the_leaf_is_caught(index: int, size: int) -> None:
    proof = _BIG.inclusion_proof(index, size)
    tampered = leaf_hash(_flip(_ENTRIES[index] + b"", 3))
    with pytest.raises(RootMismatchError) as err:
        verify_inclusion(tampered, index, size, proof, _BIG.root(size))
    assert err.value.expected == _BIG.root(size)
    assert err.value.calculated != err.value.expected


@pytest.mark.parametrize(("index", "size"), [(0, 8), (5, 8), (2, 3), (1, 5), (99, 137), (136, 137)])
def test_flipping_a_bit_in_any_inclusion_proof_hash_is_caught(index: int, size: int) -> None:
    proof = _BIG.inclusion_proof(index, size)
    for i in range(len(proof)):
        for bit in (0, 255):
            bad = [*proof]
            bad[i] = _flip(bad[i], bit)
            with pytest.raises(RootMismatchError):
                verify_inclusion(leaf_hash(_ENTRIES[index]), index, size, bad, _BIG.root(size))


@pytest.mark.parametrize(("size1", "size2"), [(1, 8), (6, 8), (2, 5), (6, 7), (3, 200), (64, 65)])
def test_flipping_a_bit_in_any_consistency_proof_hash_or_root_is_caught(size1, size2) -> None:
    proof = _BIG.consistency_proof(size1, size2)
    r1, r2 = _BIG.root(size1), _BIG.root(size2)
    for i in range(len(proof)):
        bad = [*proof]
        bad[i] = _flip(bad[i], 7)
        with pytest.raises(RootMismatchError):
            verify_consistency(size1, size2, bad, r1, r2)
    with pytest.raises(RootMismatchError) as err:
        verify_consistency(size1, size2, proof, _flip(r1), r2)
    # a power-of-two old size seeds the proof with root1, so the new root then disagrees
    assert err.value.which == ("root2" if size1 & (size1 - 1) == 0 else "root1")
    with pytest.raises(RootMismatchError) as err:
        verify_consistency(size1, size2, proof, r1, _flip(r2))
    assert err.value.which == "root2"


@pytest.mark.parametrize(("index", "size"), [(5, 8), (1, 5), (99, 137), (0, 1)])
def test_changing_the_size_of_an_inclusion_proof_is_caught(index: int, size: int) -> None:
    """A size travels with its root (a checkpoint signs both): any other size, with that
    size's true root, fails.  (The size alone is not bound: leaf 5's path in a tree of 8
    also chains to the same root under size 7 — the signature binds the pair.)"""
    proof = _BIG.inclusion_proof(index, size)
    leaf = leaf_hash(_ENTRIES[index])
    for other in range(index + 1, 201):
        if other != size:
            with pytest.raises(VerificationError):
                verify_inclusion(leaf, index, other, proof, _BIG.root(other))


@pytest.mark.parametrize(("size1", "size2"), [(6, 8), (2, 5), (3, 200), (1, 2)])
def test_changing_a_size_of_a_consistency_proof_is_caught(size1: int, size2: int) -> None:
    proof = _BIG.consistency_proof(size1, size2)
    r1, r2 = _BIG.root(size1), _BIG.root(size2)
    for s1 in range(1, size2 + 1):
        if s1 != size1:
            with pytest.raises(VerificationError):
                verify_consistency(s1, size2, proof, _BIG.root(s1), r2)
    for s2 in range(size1, 201):
        if s2 != size2:
            with pytest.raises(VerificationError):
                verify_consistency(size1, s2, proof, r1, _BIG.root(s2))


# --------------------------------------------------------------------------- input checks


def test_inclusion_verifier_checks_index_before_hashing() -> None:
    root = _BIG.root(8)
    for index, size in ((8, 8), (9, 8), (0, 0), (2**64 - 1, 8), (-1, 8)):
        with pytest.raises(ProofInputError):
            verify_inclusion(leaf_hash(b"x"), index, size, [], root)


@pytest.mark.parametrize("bad", [b"", b"\x00" * 31, b"\x00" * 33, "not bytes"])
def test_every_hash_must_be_32_bytes(bad) -> None:
    proof = _BIG.inclusion_proof(5, 8)
    leaf, root = leaf_hash(_ENTRIES[5]), _BIG.root(8)
    with pytest.raises(ProofInputError, match="leaf_hash"):
        verify_inclusion(bad, 5, 8, proof, root)
    with pytest.raises(ProofInputError, match="root"):
        verify_inclusion(leaf, 5, 8, proof, bad)
    with pytest.raises(ProofInputError, match=r"proof\[1\]"):
        verify_inclusion(leaf, 5, 8, [proof[0], bad, proof[2]], root)
    cproof = _BIG.consistency_proof(6, 8)
    with pytest.raises(ProofInputError, match=r"proof\[0\]"):
        verify_consistency(6, 8, [bad, *cproof[1:]], _BIG.root(6), _BIG.root(8))


def test_wrong_proof_length_is_rejected_before_hashing() -> None:
    proof = _BIG.inclusion_proof(5, 8)
    leaf, root = leaf_hash(_ENTRIES[5]), _BIG.root(8)
    for bad in (proof[:-1], [*proof, proof[0]], [proof[0], *proof]):
        with pytest.raises(ProofInputError, match="proof: has"):
            verify_inclusion(leaf, 5, 8, bad, root)


def test_root_from_inclusion_proof_returns_the_calculated_root() -> None:
    proof = _BIG.inclusion_proof(11, 100)
    assert root_from_inclusion_proof(leaf_hash(_ENTRIES[11]), 11, 100, proof) == _BIG.root(100)


def test_consistency_from_the_empty_tree_is_rejected_by_default() -> None:
    with pytest.raises(ProofInputError, match="empty tree"):
        verify_consistency(0, 5, [], EMPTY_ROOT, _BIG.root(5))


def test_witness_rule_accepts_old_size_zero_with_an_empty_proof() -> None:
    verify_consistency(0, 5, [], EMPTY_ROOT, _BIG.root(5), allow_empty_old=True)
    verify_consistency(0, 0, None, EMPTY_ROOT, EMPTY_ROOT, allow_empty_old=True)


def test_witness_rule_still_rejects_a_proof_or_a_non_empty_old_root() -> None:
    with pytest.raises(ProofInputError):
        verify_consistency(0, 5, [_BIG.root(1)], EMPTY_ROOT, _BIG.root(5), allow_empty_old=True)
    with pytest.raises(RootMismatchError):
        verify_consistency(0, 5, [], _BIG.root(1), _BIG.root(5), allow_empty_old=True)
    with pytest.raises(RootMismatchError):
        verify_consistency(0, 0, [], EMPTY_ROOT, _BIG.root(1), allow_empty_old=True)


def test_equal_sizes_need_an_empty_proof_and_equal_roots() -> None:
    r = _BIG.root(7)
    verify_consistency(7, 7, [], r, r)
    with pytest.raises(ProofInputError):
        verify_consistency(7, 7, [r], r, r)
    with pytest.raises(RootMismatchError):
        verify_consistency(7, 7, [], r, _BIG.root(6))


def test_old_size_beyond_new_size_is_rejected() -> None:
    with pytest.raises(ProofInputError, match="size1"):
        verify_consistency(8, 7, [], _BIG.root(8), _BIG.root(7))
    with pytest.raises(ProofInputError):
        consistency_nodes(8, 7)


def test_generation_rejects_out_of_range_requests() -> None:
    with pytest.raises(ProofInputError):
        inclusion_nodes(8, 8)
    with pytest.raises(ProofInputError):
        _BIG.inclusion_proof(0, 201)
    with pytest.raises(ProofInputError):
        _BIG.consistency_proof(3, 500)


def test_generation_over_a_plain_callable() -> None:
    tree = MemoryTree.from_entries(_entries(21))
    reads: list[tuple[int, int]] = []

    def node(level: int, index: int) -> bytes:
        reads.append((level, index))
        return tree.node(level, index)

    assert inclusion_proof(13, 21, node) == tree.inclusion_proof(13, 21)
    assert len(reads) <= 2 * (21).bit_length()
    assert consistency_proof(5, 21, node) == tree.consistency_proof(5, 21)
    assert consistency_proof(0, 21, node) == consistency_proof(21, 21, node) == []
