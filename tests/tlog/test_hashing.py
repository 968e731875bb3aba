"""RFC 9162 §2.1.1 hashing against transparency-dev/merkle and golang sumdb constants."""

from __future__ import annotations

import pytest

from commonground.tlog.hashing import (
    EMPTY_ROOT,
    empty_root,
    leaf_hash,
    merkle_tree_hash,
    node_hash,
    root_from_leaf_hashes,
    split_point,
)
from tests.tlog import reference
from tests.tlog.conftest import load_vector


def test_empty_tree_hash_is_sha256_of_nothing(merkle_constants) -> None:
    assert empty_root() == EMPTY_ROOT
    assert EMPTY_ROOT.hex() == merkle_constants["empty_root_hash"]
    assert EMPTY_ROOT.hex() == load_vector("note/golang-mod-tlog.json")["empty_tree_hash_hex"]


def test_leaf_hashes_match_merkle_constants(merkle_constants) -> None:
    got = [leaf_hash(bytes.fromhex(x)).hex() for x in merkle_constants["leaf_inputs"]]
    assert got == merkle_constants["leaf_hashes"]
    assert got[0].startswith("6e340b9c")  # the empty leaf


def test_record_hash_of_hello_world_matches_golang_sumdb() -> None:
    v = load_vector("note/golang-mod-tlog.json")["record_hash"]
    assert leaf_hash(v["data_utf8"].encode()).hex() == v["hash_hex"]


def test_node_hashes_by_level_match_merkle_constants(merkle_constants) -> None:
    levels = merkle_constants["node_hashes_by_level"]
    for level in range(1, 4):
        below = levels[str(level - 1)]
        got = [
            node_hash(bytes.fromhex(below[2 * i]), bytes.fromhex(below[2 * i + 1])).hex()
            for i in range(len(below) // 2)
        ]
        assert got == levels[str(level)]


def test_roots_for_every_size_match_merkle_constants(merkle_constants) -> None:
    leaves = [bytes.fromhex(x) for x in merkle_constants["leaf_inputs"]]
    for size, root in merkle_constants["root_hashes_by_size"].items():
        assert merkle_tree_hash(leaves[: int(size)]).hex() == root


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 8, 9, 31, 64, 100, 257])
def test_iterative_root_equals_the_recursive_definition(n: int) -> None:
    entries = [i.to_bytes(4, "big") for i in range(n)]
    assert merkle_tree_hash(entries) == reference.mth(entries)
    assert root_from_leaf_hashes(leaf_hash(e) for e in entries) == reference.mth(entries)


@pytest.mark.parametrize(
    ("n", "k"), [(2, 1), (3, 2), (4, 2), (5, 4), (8, 4), (9, 8), (2**40 + 1, 2**40)]
)
def test_split_point_is_the_largest_power_of_two_below_n(n: int, k: int) -> None:
    assert split_point(n) == k


def test_split_point_rejects_trees_of_fewer_than_two_leaves() -> None:
    with pytest.raises(ValueError):
        split_point(1)
