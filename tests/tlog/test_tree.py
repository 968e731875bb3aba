"""MemoryTree: appends keep every perfect subtree, roots at every size."""

from __future__ import annotations

import pytest

from commonground.tlog.errors import ProofInputError
from commonground.tlog.hashing import EMPTY_ROOT, leaf_hash
from commonground.tlog.tree import MemoryTree
from tests.tlog import reference


def test_root_of_every_prefix_matches_the_reference() -> None:
    entries = [b"%d" % i for i in range(70)]
    tree = MemoryTree()
    assert tree.root() == EMPTY_ROOT
    for i, e in enumerate(entries):
        assert tree.append_entry(e) == i
        assert tree.root() == reference.mth(entries[: i + 1])
    for size in range(71):
        assert tree.root(size) == reference.mth(entries[:size])


def test_nodes_are_the_roots_of_aligned_subtrees() -> None:
    entries = [b"%d" % i for i in range(40)]
    tree = MemoryTree.from_entries(entries)
    for level in range(6):
        width = 1 << level
        for index in range(40 // width):
            assert tree.node(level, index) == reference.mth(
                entries[index * width : (index + 1) * width]
            )
    assert tree.leaf_hash(3) == leaf_hash(entries[3])


def test_missing_nodes_and_sizes_raise_our_error() -> None:
    tree = MemoryTree.from_entries([b"a", b"b", b"c"])
    for level, index in ((0, 3), (1, 1), (2, 0), (-1, 0)):
        with pytest.raises(ProofInputError):
            tree.node(level, index)
    with pytest.raises(ProofInputError):
        tree.root(4)
    with pytest.raises(ProofInputError):
        tree.append(b"short")
