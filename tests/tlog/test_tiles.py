"""C2SP tlog-tiles: paths, which tiles exist, entry bundles and tile hashing."""

from __future__ import annotations

from collections import Counter

import pytest

from commonground.tlog.errors import FormatError
from commonground.tlog.hashing import leaf_hash
from commonground.tlog.tiles import (
    ENTRIES_LEVEL,
    Tile,
    encode_entry_bundle,
    encode_index,
    entries_path,
    entry_bundle_hashes,
    new_tiles,
    parse_entry_bundle,
    parse_tile_path,
    partial_width,
    read_tile,
    tile_node,
    tile_path,
    tile_root,
    tiles_for_size,
)
from commonground.tlog.tree import MemoryTree
from tests.tlog import reference
from tests.tlog.conftest import load_vector


@pytest.mark.parametrize(
    ("index", "text"),
    [
        (0, "000"),
        (7, "007"),
        (999, "999"),
        (1000, "x001/000"),
        (1234067, "x001/x234/067"),
        (123456078, "x123/x456/078"),
        (3057500, "x003/x057/500"),
    ],
)
def test_index_encoding_in_three_digit_groups(index: int, text: str) -> None:
    assert encode_index(index) == text


@pytest.mark.parametrize(
    ("path", "tile"),
    [
        ("tile/0/001", Tile(0, 1)),
        ("tile/0/001.p/5", Tile(0, 1, 5)),
        ("tile/5/x123/x456/078", Tile(5, 123456078)),
        ("tile/5/x123/x456/078.p/2", Tile(5, 123456078, 2)),
        ("tile/63/000", Tile(63, 0)),
        ("tile/entries/x003/x057/500.p/2", Tile(ENTRIES_LEVEL, 3057500, 2)),
        ("tile/entries/000", Tile(ENTRIES_LEVEL, 0)),
    ],
)
def test_paths_round_trip(path: str, tile: Tile) -> None:
    assert parse_tile_path(path) == tile
    assert tile.path() == path


def test_golang_sumdb_paths_map_onto_c2sp_paths_without_the_height() -> None:
    for case in load_vector("note/golang-mod-tlog.json")["sumdb_tile_paths"]["cases"]:
        parts = case["path"].split("/")
        c2sp = "/".join([parts[0], *parts[2:]]).replace("/data/", "/entries/")
        if case["tile"] is None:
            with pytest.raises(FormatError):
                parse_tile_path(c2sp)
            continue
        full = case["tile"]["W"] == 1 << case["tile"]["H"]
        c2sp = c2sp if not full else c2sp.split(".p/")[0]
        tile = parse_tile_path(c2sp)
        assert (tile.level, tile.index) == (case["tile"]["L"], case["tile"]["N"])


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/1",
        "tile/0/x001",
        "tile/0/001/002",
        "tile/0/x000/001",
        "tile/00/001",
        "tile/64/001",
        "tile/-1/001",
        "tile/0/001.p/0",
        "tile/0/001.p/256",
        "tile/0/001.p/05",
        "tile/data/001",
        "tiles/0/001",
        "tile/0/001/",
    ],
)
def test_non_canonical_paths_are_rejected(path: str) -> None:
    with pytest.raises(FormatError):
        parse_tile_path(path)


def test_helpers_build_the_same_paths() -> None:
    assert tile_path(1, 1234067, 17) == "tile/1/x001/x234/067.p/17"
    assert entries_path(5) == "tile/entries/005"


def test_the_spec_example_of_a_tree_of_70000() -> None:
    counts = Counter((t.level, t.width) for t in tiles_for_size(70_000))
    assert counts == {(0, 256): 273, (0, 112): 1, (1, 256): 1, (1, 17): 1, (2, 1): 1}
    assert [partial_width(70_000, lvl) for lvl in range(3)] == [112, 17, 1]
    assert Counter((t.level, t.width) for t in tiles_for_size(256)) == {(0, 256): 1, (1, 1): 1}


def test_new_tiles_counts_match_golang_sumdb_at_height_10() -> None:
    table = load_vector("note/golang-mod-tlog.json")["sumdb_new_tiles_counts"]
    for case in table["cases"]:
        assert len(new_tiles(case["old"], case["new"], height=table["height"])) == case["want"], (
            case
        )


def test_entry_bundles_round_trip_and_hash_to_the_level_0_tile() -> None:
    entries = [b"", b"a", b"\x00" * 300, b"x" * 65535]
    data = encode_entry_bundle(entries)
    assert data[:2] == b"\x00\x00" and data[2:4] == b"\x00\x01"
    assert parse_entry_bundle(data, width=4) == entries
    tree = MemoryTree.from_entries(entries)
    assert entry_bundle_hashes(data) == read_tile(Tile(0, 0, 4), tree.node)


@pytest.mark.parametrize("data", [b"\x00", b"\x00\x05abc", b"\x00\x01a\x00"])
def test_truncated_entry_bundles_are_rejected(data: bytes) -> None:
    with pytest.raises(FormatError):
        parse_entry_bundle(data)


def test_entry_bundle_width_and_size_limits() -> None:
    with pytest.raises(FormatError):
        parse_entry_bundle(encode_entry_bundle([b"a"]), width=2)
    with pytest.raises(FormatError):
        encode_entry_bundle([b"x" * 65536])


def test_hash_tiles_are_tree_nodes_and_full_tiles_hash_into_the_level_above() -> None:
    n = 256 * 3 + 10
    entries = [b"%d" % i for i in range(n)]
    tree = MemoryTree.from_entries(entries)
    level0 = [read_tile(Tile(0, i), tree.node) for i in range(3)]
    for i, tile in enumerate(level0):
        assert tile_root(tile) == reference.mth(entries[i * 256 : (i + 1) * 256])
    level1 = read_tile(Tile(1, 0, 3), tree.node)
    assert level1 == b"".join(tile_root(t) for t in level0)
    partial = read_tile(Tile(0, 3, 10), tree.node)
    assert partial == b"".join(leaf_hash(e) for e in entries[768:])
    assert tile_root(partial) == reference.mth(entries[768:])


def test_tile_node_rebuilds_levels_inside_a_tile() -> None:
    entries = [b"%d" % i for i in range(256)]
    tree = MemoryTree.from_entries(entries)
    tile = read_tile(Tile(0, 0), tree.node)
    for sublevel in range(9):
        for offset in (0, (256 >> sublevel) - 1):
            assert tile_node(tile, sublevel, offset) == tree.node(sublevel, offset)
    with pytest.raises(FormatError):
        tile_node(tile, 8, 1)


def test_tile_fields_are_validated() -> None:
    for args in ((0, -1), (0, 0, 0), (0, 0, 257), (64, 0), (-2, 0)):
        with pytest.raises(FormatError):
            Tile(*args)
    with pytest.raises(FormatError):
        Tile(ENTRIES_LEVEL, 0).node_ids()
    with pytest.raises(FormatError):
        tile_path(-1, 0)
