"""World Bank income groups as of a date, from the dated facts (FY89–FY23).

The World Bank's fiscal year FYnn runs from 1 July of year nn-1 to 30 June of
nn, and its classification for FYnn is published on 1 July of nn-1. A date
after the last fiscal year we hold gets the latest classification, marked as
such: the answer says which fiscal year it used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonground.store.models import ActorFact

KEY = "wb_income_group"
LABELS = {
    "H": ("High income", "高收入"),
    "UM": ("Upper-middle income", "中高收入"),
    "LM": ("Lower-middle income", "中低收入"),
    "L": ("Low income", "低收入"),
}


def fiscal_year(on: dt.date) -> str:
    """The World Bank fiscal year a date falls in: 2023-10-26 → FY24."""
    year = on.year + 1 if on.month >= 7 else on.year
    return f"FY{year % 100:02d}"


def _fy_number(period: str) -> int:
    two = int(period[2:4])
    return (1900 if two >= 89 else 2000) + two


@dataclass(frozen=True)
class IncomeAnswer:
    group: str | None  # H, UM, LM, L, or None where the World Bank gives none
    period: str | None  # the fiscal year the group comes from
    wanted: str  # the fiscal year the date falls in
    nearest: bool  # True when `period` is not `wanted` (the data ends earlier)


class IncomeGroups:
    """All income facts loaded once; answers per actor and date without more queries."""

    def __init__(self, session: Session, actors: Collection[str] | None = None) -> None:
        """All income facts, or only those of `actors` (a page needs a few dozen)."""
        self._by_actor: dict[str, dict[int, str]] = {}
        stmt = select(ActorFact.actor_id, ActorFact.period, ActorFact.value).where(
            ActorFact.key == KEY
        )
        if actors is not None:
            stmt = stmt.where(ActorFact.actor_id.in_(sorted(actors)))
        rows = session.execute(stmt)
        for actor_id, period, value in rows:
            self._by_actor.setdefault(actor_id, {})[_fy_number(period)] = value
        self.latest = max((y for years in self._by_actor.values() for y in years), default=None)

    def as_of(self, actor_id: str, on: dt.date) -> IncomeAnswer:
        wanted = fiscal_year(on)
        year = _fy_number(wanted)
        years = self._by_actor.get(actor_id, {})
        if year in years:
            return IncomeAnswer(years[year], wanted, wanted, False)
        earlier = [y for y in years if y <= year]
        if not earlier:
            return IncomeAnswer(None, None, wanted, False)
        best = max(earlier)
        return IncomeAnswer(years[best], f"FY{best % 100:02d}", wanted, True)
