"""Every write of a logged record appends to the log in the same transaction."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from commonground.ingest.base import FAULT_ENV, run_import
from commonground.ingest.catalog import get_importer
from commonground.store.engine import DEFAULT_LOG_ORIGIN
from commonground.store.models import Instrument, InstrumentEvent, Source
from commonground.store.models_cases import CaseAttribute, Vulnerability
from commonground.tlog import storage
from commonground.tlog.bundle import verify_bundle
from commonground.tlog.envelope import Envelope, is_commitment, open_commitment
from commonground.tlog.logged import BY_SCHEMA, records
from commonground.tlog.models import TlogRecordIndex, TlogSealed
from commonground.tlog.note import Signer
from tests.snapshot import snapshot

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def _source(session) -> None:
    session.add(
        Source(
            id="src-test",
            title="Test source",
            publisher="Tests",
            url="https://example.org/source",
            origin="curated",
        )
    )


def _instrument(**extra) -> Instrument:
    values = dict(id="test-inst", name_en="Test instrument", type="statement", origin="curated")
    values.update(extra)
    return Instrument(**values)


def _vulnerability(published: bool) -> Vulnerability:
    return Vulnerability(
        id="CG:V-2026-1",
        kind="vulnerability",
        title="Prompt injection in a test system",
        source_id="src-test",
        embargo_until=None if published else NOW + dt.timedelta(days=30),
        published_at=NOW if published else None,
        status="new",
        created_at=NOW,
        updated_at=NOW,
    )


def _entries(store) -> list[tuple[int, str, str, bool]]:
    with store.sessions() as session:
        t = TlogRecordIndex
        return [
            tuple(r)
            for r in session.execute(
                select(t.leaf_index, t.schema, t.record_id, t.sealed).order_by(t.leaf_index)
            )
        ]


def _entry(store, index: int) -> bytes:
    with store.sessions() as session:
        return storage.entry(session, DEFAULT_LOG_ORIGIN, index)


def _form(store, schema: str, record_id: str) -> dict:
    with store.sessions() as session:
        return records(session, BY_SCHEMA[schema], [record_id])[record_id][1]


def test_a_new_record_is_logged_with_its_canonical_form(store):
    with store.transaction() as session:
        session.info["submitter"] = "account:alice"
        _source(session)
        session.add(_instrument())
    assert _entries(store) == [(0, "instrument", "test-inst", False)]
    envelope = Envelope.from_bytes(_entry(store, 0))
    assert (envelope.schema, envelope.record_id, envelope.key_id) == (
        "instrument",
        "test-inst",
        "account:alice",
    )
    form = _form(store, "instrument", "test-inst")
    envelope.check_record(form)
    assert form["name_en"] == "Test instrument" and form["events"] == []


def test_child_changes_relog_the_parent_and_no_op_writes_log_nothing(store):
    with store.transaction() as session:
        _source(session)
        session.add(_instrument())
    with store.transaction() as session:
        session.add(
            InstrumentEvent(
                instrument_id="test-inst",
                event="adopted",
                date=dt.date(2024, 5, 21),
                date_text="2024-05-21",
                source_id="src-test",
            )
        )
    with store.transaction() as session:  # same values: not a change
        session.get(Instrument, "test-inst").name_en = "Test instrument"
    assert [e[:3] for e in _entries(store)] == [
        (0, "instrument", "test-inst"),
        (1, "instrument", "test-inst"),
    ]
    form = _form(store, "instrument", "test-inst")
    assert form["events"][0]["date"] == "2024-05-21"
    Envelope.from_bytes(_entry(store, 1)).check_record(form)
    with pytest.raises(Exception, match="sha256"):
        Envelope.from_bytes(_entry(store, 0)).check_record(form)


def test_a_deleted_record_is_logged_as_a_tombstone(store):
    with store.transaction() as session:
        _source(session)
        session.add(_instrument())
    with store.transaction() as session:
        session.delete(session.get(Instrument, "test-inst"))
    Envelope.from_bytes(_entry(store, 1)).check_record({"deleted": True})


def test_a_failed_transaction_leaves_neither_record_nor_entry(store):
    before = snapshot(store)
    with pytest.raises(RuntimeError), store.transaction() as session:
        _source(session)
        session.add(_instrument())
        session.flush()
        raise RuntimeError("boom")
    assert snapshot(store) == before
    # An integrity error at the final flush, inside the recorder's end of the unit of work.
    with pytest.raises(IntegrityError), store.transaction() as session:
        _source(session)
        session.add(_instrument(id="bad", type=None))
    assert snapshot(store) == before


def test_an_unpublished_vulnerability_is_sealed_then_opened_on_publication(store):
    with store.transaction() as session:
        _source(session)
        session.add(_vulnerability(published=False))
    assert _entries(store) == [(0, "vulnerability", "CG:V-2026-1", True)]
    sealed_entry = _entry(store, 0)
    assert is_commitment(sealed_entry)
    assert b"Prompt injection" not in sealed_entry and b"CG:V-2026-1" not in sealed_entry
    with store.transaction() as session:  # a child change while sealed: sealed again
        session.add(
            CaseAttribute(
                subject_type="vulnerability", subject_id="CG:V-2026-1", kind="developer", value="X"
            )
        )
    assert is_commitment(_entry(store, 1))
    with store.transaction() as session:
        session.get(Vulnerability, "CG:V-2026-1").published_at = NOW + dt.timedelta(days=30)
    published = _entry(store, 2)
    assert not is_commitment(published)
    Envelope.from_bytes(published).check_record(_form(store, "vulnerability", "CG:V-2026-1"))
    with store.sessions() as session:
        seals = session.scalars(select(TlogSealed).order_by(TlogSealed.leaf_index)).all()
    assert [(s.leaf_index, s.opened_index) for s in seals] == [(0, 2), (1, 2)]
    for seal in seals:  # the published salt opens each earlier commitment
        opened = open_commitment(_entry(store, seal.leaf_index), seal.envelope, seal.salt)
        assert opened.record_id == "CG:V-2026-1"
    with pytest.raises(Exception, match="does not open"):
        open_commitment(_entry(store, 0), seals[1].envelope, seals[1].salt)


def test_a_logged_record_verifies_offline_from_an_exported_bundle(store):
    with store.transaction() as session:
        _source(session)
        session.add(_instrument())
    signer = Signer.generate(DEFAULT_LOG_ORIGIN)
    with store.transaction() as session:
        storage.sign_checkpoint(session, DEFAULT_LOG_ORIGIN, signer)
    from commonground.tlog.bundle import export_bundle

    with store.sessions() as session:
        text = export_bundle(session, DEFAULT_LOG_ORIGIN, 0)
    form = _form(store, "instrument", "test-inst")
    result = verify_bundle(text, [signer.verifier()], record=form)
    assert result.envelope is not None and result.envelope.record_id == "test-inst"
    form["name_en"] = "Rewritten"
    with pytest.raises(Exception, match="record"):
        verify_bundle(text, [signer.verifier()], record=form)


def test_a_store_without_a_log_origin_logs_nothing(database_url):
    from commonground.store.engine import Store

    unlogged = Store.from_url(database_url, log_origin=None)
    with unlogged.transaction() as session:
        _source(session)
        session.add(_instrument())
    assert _entries(unlogged) == []
    unlogged.dispose()


@pytest.mark.slow
def test_bundled_dataset_import_logs_each_record_once_and_a_crash_logs_nothing(
    store, database_url, shared_data
):
    for name in ("country-codes", "ibm-nexus"):
        importer = get_importer(name)
        run_import(store, importer, importer.default_path(shared_data))
    before = snapshot(store)
    store.dispose()
    result = subprocess.run(
        [sys.executable, "-m", "commonground.cli", "import", "curated"]
        + ["--database-url", database_url],
        env=dict(os.environ, **{FAULT_ENV: "300"}),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert snapshot(store) == before
    curated = get_importer("curated")
    run_import(store, curated, curated.default_path(shared_data))
    with store.sessions() as session:
        counts = dict(
            session.execute(
                select(TlogRecordIndex.schema, func.count()).group_by(TlogRecordIndex.schema)
            ).all()
        )
        instruments = session.scalar(select(func.count()).select_from(Instrument))
    assert counts["instrument"] == instruments
    logged = len(_entries(store))
    run_import(store, curated, curated.default_path(shared_data))  # unchanged: nothing new
    assert len(_entries(store)) == logged
