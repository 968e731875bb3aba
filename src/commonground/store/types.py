"""Column types that keep numbers exact on every database.

Training compute reaches 10^26 FLOP, past both SQLite's 64-bit INTEGER and a
double's exact range. `ExactInteger` stores a Python `int` losslessly:
PostgreSQL as NUMERIC(48, 0); SQLite as a zero-padded 48-digit string, which
sorts and compares (BINARY collation) exactly as the integers do.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

WIDTH = 48
MAX_EXACT = 10**WIDTH - 1


def check_exact_int(value: Any) -> int:
    """Accept only a non-negative `int` (never a float, never a bool)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"exact integer expected, got {type(value).__name__}: {value!r}")
    if value < 0 or value > MAX_EXACT:
        raise ValueError(f"exact integer out of range 0..10^{WIDTH}-1: {value}")
    return value


class ExactInteger(TypeDecorator[int]):
    """A non-negative integer of up to 48 decimal digits, exact on both databases."""

    impl = String(WIDTH)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(WIDTH, 0, asdecimal=True))
        return dialect.type_descriptor(String(WIDTH))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = check_exact_int(value)
        if dialect.name == "postgresql":
            return Decimal(value)
        return f"{value:0{WIDTH}d}"

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        return int(value)
