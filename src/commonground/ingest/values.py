"""Parsing of the values the sources write: exact numbers, partial dates, slugs."""

from __future__ import annotations

import ast
import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation


def blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def exact_int(text: str) -> int:
    """Parse a number written in decimal or E-notation into an exact `int`.

    `"1.0692e+25"` → 10692000000000000000000000, through `Decimal`, never a float.
    A fractional part (old models' compute, e.g. `"694894.9377"`) is rounded half
    to even; the source text is kept beside the integer wherever this is used.
    Raises ValueError for anything that is not a finite, non-negative number.
    """
    cleaned = text.strip().replace(",", "").replace("_", "")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"not a number: {text!r}") from None
    if not number.is_finite():
        raise ValueError(f"not a finite number: {text!r}")
    if number < 0:
        raise ValueError(f"negative: {text!r}")
    return int(number.to_integral_value(rounding=ROUND_HALF_EVEN))


_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def partial_date(text: str) -> tuple[dt.date, str]:
    """`YYYY`, `YYYY-MM` or `YYYY-MM-DD` → (first day it can mean, the text as given)."""
    text = text.strip()
    match = _PARTIAL_DATE.match(text)
    if not match:
        raise ValueError(f"expected YYYY, YYYY-MM or YYYY-MM-DD: {text!r}")
    year, month, day = (int(g) if g else 1 for g in match.groups())
    return dt.date(year, month, day), text


def iso_date(text: str) -> dt.date:
    """A full date, also accepting a trailing time (`2024-05-21 00:00:00`)."""
    text = text.strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"expected a date YYYY-MM-DD: {text!r}") from None


def slugify(text: str) -> str:
    normalised = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", normalised.lower()).strip("-")


def literal_list(value: object) -> list[str]:
    """IBM's YAML sometimes writes lists as Python literals inside strings."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    text = str(value).strip()
    if text.startswith("["):
        parsed = ast.literal_eval(text)
        if not isinstance(parsed, list):
            raise ValueError(f"expected a list: {text!r}")
        return [str(v) for v in parsed]
    return [text]
