"""Keyset pagination: an opaque cursor holds the sort key of the last row shown.

Fetch `limit + 1` rows; if the extra row exists there is a next page, and its
cursor is the sort key of the last row returned (as datasette does).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from commonground.errors import Error

T = TypeVar("T")
MAX_PAGE = 1000


class BadCursor(Error):
    code = "bad-cursor"


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, arity: int, kinds: Sequence[type] | None = None) -> list[Any]:
    """The sort-key values in a cursor; with `kinds`, each value's type is checked,
    so a forged cursor is a BadCursor (400), never a database type error."""
    try:
        padded = token + "=" * (-len(token) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadCursor(f"invalid cursor {token!r}") from exc
    if not isinstance(values, list) or len(values) != arity:
        raise BadCursor(f"invalid cursor {token!r}")
    if not all(v is None or isinstance(v, str | int) and not isinstance(v, bool) for v in values):
        raise BadCursor(f"invalid cursor {token!r}")
    if kinds is not None and not all(
        isinstance(v, kind) and (kind is not int or abs(v) < 2**62)
        for v, kind in zip(values, kinds, strict=True)
    ):
        raise BadCursor(f"invalid cursor {token!r}")
    return values


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
    total: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
