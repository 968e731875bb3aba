"""Tile paths, entry bundles and tile hashing of C2SP tlog-tiles v0.1.0.

https://c2sp.org/tlog-tiles@v0.1.0

- hash tiles at ``tile/<L>/<N>[.p/<W>]``: level L in 0..63, index N written in zero-padded
  3-digit groups, all but the last prefixed with ``x`` (1234067 → ``x001/x234/067``),
  ``.p/<W>`` only for partial tiles of width 1..255;
- a full tile holds 256 hashes (8,192 bytes); entry i of tile (l, n) is the Merkle tree
  hash of leaves ``[(n·256 + i)·256^l, (n·256 + i + 1)·256^l)`` — the stored tree node at
  level ``8·l``, index ``n·256 + i``;
- entry bundles at ``tile/entries/<N>[.p/<W>]``: big-endian uint16 length-prefixed entries.

Tile heights other than 8 (golang sumdb's ``tlog.NewTiles``) are accepted by
:func:`new_tiles` and :func:`tiles_for_size` for testing against golang's table only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from commonground.tlog.errors import FormatError
from commonground.tlog.hashing import HASH_SIZE, leaf_hash, node_hash, root_from_leaf_hashes
from commonground.tlog.proof import NodeSource

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
ENTRIES_LEVEL = -1
"""Level used for entry bundles (``tile/entries/…``), as golang's data tiles use -1."""
MAX_LEVEL = 63
MAX_ENTRY_SIZE = 0xFFFF

_GROUP = re.compile(r"x[0-9]{3}")
_LAST = re.compile(r"[0-9]{3}")
_NUMBER = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True, slots=True, order=True)
class Tile:
    """A tile: ``level`` (``ENTRIES_LEVEL`` for entry bundles), ``index`` and ``width``."""

    level: int
    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        if not ENTRIES_LEVEL <= self.level <= MAX_LEVEL:
            raise FormatError(kind="tile", reason="level must be in 0..63", value=self.level)
        if self.index < 0:
            raise FormatError(kind="tile", reason="index must not be negative", value=self.index)
        if not 1 <= self.width <= TILE_WIDTH:
            raise FormatError(kind="tile", reason="width must be in 1..256", value=self.width)

    @property
    def is_partial(self) -> bool:
        return self.width < TILE_WIDTH

    @property
    def is_entries(self) -> bool:
        return self.level == ENTRIES_LEVEL

    def path(self) -> str:
        """``tile/<L>/<N>[.p/<W>]`` or ``tile/entries/<N>[.p/<W>]``."""
        level = "entries" if self.is_entries else str(self.level)
        suffix = f".p/{self.width}" if self.is_partial else ""
        return f"tile/{level}/{encode_index(self.index)}{suffix}"

    @classmethod
    def from_path(cls, path: str) -> Tile:
        """Parse a tile or entry-bundle path; only the canonical form is accepted."""
        return parse_tile_path(path)

    def node_ids(self) -> list[tuple[int, int]]:
        """The tree nodes (level, index) this hash tile holds, left to right."""
        if self.is_entries:
            raise FormatError(kind="tile", reason="an entry bundle holds entries, not nodes")
        start = self.index * TILE_WIDTH
        return [(TILE_HEIGHT * self.level, start + i) for i in range(self.width)]


def encode_index(index: int) -> str:
    """N as 3-digit groups, all but the last prefixed with ``x`` (1234067 → x001/x234/067)."""
    if not isinstance(index, int) or index < 0:
        raise FormatError(kind="tile path", reason="index must be a non-negative int", value=index)
    digits = str(index)
    digits = "0" * (-len(digits) % 3) + digits
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join(["x" + g for g in groups[:-1]] + [groups[-1]])


def decode_index(text: str) -> int:
    """Inverse of :func:`encode_index`; rejects non-canonical forms."""
    parts = text.split("/")
    if not _LAST.fullmatch(parts[-1]) or not all(_GROUP.fullmatch(p) for p in parts[:-1]):
        raise FormatError(kind="tile path", reason="bad index encoding", value=text)
    index = int("".join(p.lstrip("x") for p in parts))
    if encode_index(index) != text:
        raise FormatError(kind="tile path", reason="index not in canonical form", value=text)
    return index


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """``tile/<L>/<N>[.p/<W>]`` — tlog-tiles §Merkle Tree."""
    if level < 0:
        raise FormatError(kind="tile", reason="level must be in 0..63", value=level)
    return Tile(level, index, width).path()


def entries_path(index: int, width: int = TILE_WIDTH) -> str:
    """``tile/entries/<N>[.p/<W>]`` — tlog-tiles §Log entries."""
    return Tile(ENTRIES_LEVEL, index, width).path()


def parse_tile_path(path: str) -> Tile:
    """A :class:`Tile` from its path (a leading ``<prefix>/`` is not allowed)."""
    if not isinstance(path, str) or not path.startswith("tile/"):
        raise FormatError(kind="tile path", reason="must start with tile/", value=path)
    rest = path[len("tile/") :]
    level_text, _, rest = rest.partition("/")
    if level_text == "entries":
        level = ENTRIES_LEVEL
    elif _NUMBER.fullmatch(level_text) and int(level_text) <= MAX_LEVEL:
        level = int(level_text)
    else:
        raise FormatError(kind="tile path", reason="level must be 0..63 or entries", value=path)
    width = TILE_WIDTH
    if ".p/" in rest:
        rest, _, width_text = rest.partition(".p/")
        if not _NUMBER.fullmatch(width_text) or not 1 <= int(width_text) < TILE_WIDTH:
            raise FormatError(kind="tile path", reason="partial width must be 1..255", value=path)
        width = int(width_text)
    return Tile(level, decode_index(rest), width)


# --------------------------------------------------------------------------- which tiles


def tiles_for_size(size: int, *, height: int = TILE_HEIGHT) -> Iterator[Tile]:
    """Every hash tile of a tree of ``size`` leaves, level by level (partial tiles last)."""
    yield from new_tiles(0, size, height=height)


def new_tiles(old_size: int, new_size: int, *, height: int = TILE_HEIGHT) -> list[Tile]:
    """Hash tiles to write when the tree grows from ``old_size`` to ``new_size``.

    Same rule as golang sumdb ``tlog.NewTiles``: at each level the full tiles that became
    complete and the new partial tile, if any.
    """
    if not 0 <= old_size <= new_size:
        raise FormatError(kind="tile", reason="need 0 <= old size <= new size", value=old_size)
    out: list[Tile] = []
    width = 1 << height
    level = 0
    while new_size >> (height * level) > 0:
        old_n = old_size >> (height * level)
        new_n = new_size >> (height * level)
        if old_n != new_n:
            out.extend(
                _tile(level, n, width, height) for n in range(old_n >> height, new_n >> height)
            )
            n = new_n >> height
            if w := new_n - (n << height):
                out.append(_tile(level, n, w, height))
        level += 1
    return out


def _tile(level: int, index: int, width: int, height: int) -> Tile:
    if height == TILE_HEIGHT:
        return Tile(level, index, width)
    # foreign heights (tests only): bypass the 256-wide bounds check
    tile = object.__new__(Tile)
    for name, value in (("level", level), ("index", index), ("width", width)):
        object.__setattr__(tile, name, value)
    return tile


def partial_width(size: int, level: int) -> int:
    """Width of the partial tile at ``level`` for a tree of ``size`` (0: none)."""
    return (size >> (TILE_HEIGHT * level)) % TILE_WIDTH


# --------------------------------------------------------------------------- contents


def split_hashes(data: bytes) -> list[bytes]:
    """The 32-byte hashes of a hash tile."""
    if len(data) % HASH_SIZE or not data or len(data) > TILE_WIDTH * HASH_SIZE:
        raise FormatError(kind="tile", reason="must be 1..256 hashes of 32 bytes", value=len(data))
    return [bytes(data[i : i + HASH_SIZE]) for i in range(0, len(data), HASH_SIZE)]


def read_tile(tile: Tile, node: NodeSource) -> bytes:
    """The bytes of hash ``tile``, read from a tree's stored nodes."""
    return b"".join(node(level, index) for level, index in tile.node_ids())


def tile_root(data: bytes) -> bytes:
    """Merkle tree hash over a tile's hashes taken as nodes.

    For a full tile this is the matching entry of the tile one level up; for a partial
    tile it is the root of its span, which is never stored above.
    """
    return root_from_leaf_hashes(split_hashes(data))


def tile_node(data: bytes, sublevel: int, offset: int) -> bytes:
    """Hash of the node ``sublevel`` levels above the tile's hashes, ``offset`` from its left.

    Rebuilds the tree levels between two tile levels (tlog-tiles §Merkle Tree).
    """
    level = split_hashes(data)
    for _ in range(sublevel):
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
    if not 0 <= offset < len(level):
        raise FormatError(kind="tile", reason="node not covered by tile", value=(sublevel, offset))
    return level[offset]


def encode_entry_bundle(entries: Iterable[bytes]) -> bytes:
    """Entries as big-endian uint16 length-prefixed records — tlog-tiles §Log entries."""
    out = bytearray()
    for i, entry in enumerate(entries):
        if len(entry) > MAX_ENTRY_SIZE:
            raise FormatError(
                kind="entry bundle", reason=f"entry {i} exceeds 65535 bytes", value=len(entry)
            )
        out += len(entry).to_bytes(2, "big") + entry
    return bytes(out)


def parse_entry_bundle(data: bytes, *, width: int | None = None) -> list[bytes]:
    """Entries of a bundle; ``width`` (if given) is the count the tile path promises."""
    entries: list[bytes] = []
    pos = 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise FormatError(kind="entry bundle", reason="truncated length prefix", value=pos)
        n = int.from_bytes(data[pos : pos + 2], "big")
        if pos + 2 + n > len(data):
            raise FormatError(
                kind="entry bundle", reason=f"entry {len(entries)} truncated", value=pos
            )
        entries.append(bytes(data[pos + 2 : pos + 2 + n]))
        pos += 2 + n
    if width is not None and len(entries) != width:
        raise FormatError(
            kind="entry bundle",
            reason=f"holds {len(entries)} entries, want {width}",
            value=len(entries),
        )
    return entries


def entry_bundle_hashes(data: bytes) -> bytes:
    """The level-0 hash tile matching an entry bundle (each entry leaf-hashed)."""
    return b"".join(leaf_hash(e) for e in parse_entry_bundle(data))
