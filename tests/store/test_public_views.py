"""Ordinary exports and public counts leave out embargoed and restricted records."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from commonground.errors import NotFoundError
from commonground.store.export import write_csv, write_json
from commonground.store.models_cases import Vulnerability
from commonground.store.stats import public_counts, table_counts

NOW = dt.datetime.now(dt.UTC)


def _vuln(id_: str, *, published: bool, embargo_days: int | None = None) -> Vulnerability:
    return Vulnerability(
        id=id_,
        kind="vulnerability",
        title=f"title of {id_}",
        published_at=NOW if published else None,
        embargo_until=NOW + dt.timedelta(days=embargo_days) if embargo_days is not None else None,
        status="new",
        created_at=NOW,
        updated_at=NOW,
    )


@pytest.fixture
def cases(store):
    with store.transaction() as session:
        session.add(_vuln("V-public", published=True))
        session.add(_vuln("V-embargoed", published=False, embargo_days=30))
        session.add(_vuln("V-ended", published=False, embargo_days=-1))  # due, not yet run
    return store


def test_json_and_csv_exports_hold_only_visible_vulnerabilities(cases):
    out = io.StringIO()
    assert write_json(cases, "vulnerability", out) == 2
    assert {r["id"] for r in json.loads(out.getvalue())} == {"V-public", "V-ended"}
    csv_out = io.StringIO()
    write_csv(cases, "vulnerability", csv_out)
    assert "V-embargoed" not in csv_out.getvalue() and "V-public" in csv_out.getvalue()
    everything = io.StringIO()
    assert write_json(cases, "vulnerability", everything, restricted=True) == 3


@pytest.mark.parametrize("table", ["account", "api_token", "tlog_sealed", "case_comment"])
def test_restricted_tables_need_the_operator_flag(cases, table):
    with pytest.raises(NotFoundError, match="--restricted"):
        write_json(cases, table, io.StringIO())
    assert write_json(cases, table, io.StringIO(), restricted=True) >= 0


def test_public_counts_leave_out_embargoed_and_private_tables(cases):
    public = public_counts(cases)
    assert public["vulnerability"] == 2
    assert "account" not in public and "tlog_sealed" not in public
    assert table_counts(cases)["vulnerability"] == 3
