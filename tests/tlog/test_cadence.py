"""Checkpoints on a fixed cadence: due or not, never inconsistent, cosigned notes stored."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from starlette.testclient import TestClient

from commonground.tlog import storage
from commonground.tlog.audit import DirectorySource, audit
from commonground.tlog.bundle import export_bundle
from commonground.tlog.cadence import (
    CadenceError,
    checkpoint_once,
    quorum_report,
    resolve_witnesses,
    run_cadence,
    store_cosigned,
)
from commonground.tlog.checkpoint import Checkpoint, open_checkpoint
from commonground.tlog.cosignature import Cosigner
from commonground.tlog.models import TlogCheckpoint, TlogEntry, TlogNode
from commonground.tlog.note import Note, Signer
from commonground.tlog.policy import parse_policy
from commonground.tlog.storage import LogIntegrityError, UnknownLogError
from commonground.tlog.witness import Witness, WitnessState, create_app
from commonground.tlog.witness_client import WitnessClient

ORIGIN = "example.org/cadence-log"
T0 = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def signer() -> Signer:
    return Signer(name=ORIGIN, seed=hashlib.sha256(b"cadence log").digest())


def add(store, n: int) -> None:
    with store.transaction() as session:
        size = storage.log_size(session, ORIGIN)
        storage.append(session, ORIGIN, [b"e %d" % i for i in range(size, size + n)])


def checkpoints(store) -> list[tuple[int, str]]:
    c = TlogCheckpoint.__table__
    with store.sessions() as session:
        rows = session.connection().execute(select(c.c.size, c.c.note).order_by(c.c.id))
        return [(r.size, r.note) for r in rows]


def cosigner(name: str) -> Cosigner:
    key = Cosigner(name=name, seed=hashlib.sha256(name.encode()).digest())
    key.clock = lambda: 1_790_000_000
    return key


@pytest.fixture
def witnesses(tmp_path, signer) -> Iterator[list[tuple[Witness, WitnessClient]]]:
    """Three in-process witnesses behind Starlette test clients."""
    out = []
    for name in ("w-de-1.example", "w-de-2.example", "w-fr-1.example"):
        state = WitnessState.from_url(f"sqlite:///{tmp_path / (name + '.sqlite3')}")
        w = Witness(cosigner(name), {ORIGIN: [signer.verifier()]}, state)
        client = WitnessClient(
            "http://testserver", w.cosigner.verifier(), client=TestClient(create_app(w))
        )
        out.append((w, client))
    yield out
    for w, client in out:
        client.close()
        w.state.dispose()


def test_due_and_not_due_on_a_fixed_cadence(store, signer):
    with pytest.raises(UnknownLogError):
        checkpoint_once(store, ORIGIN, signer, interval=MINUTE, now=T0)
    add(store, 5)
    first = checkpoint_once(store, ORIGIN, signer, interval=MINUTE, now=T0)
    assert first.signed and first.size == 5
    add(store, 3)
    early = checkpoint_once(store, ORIGIN, signer, interval=MINUTE, now=T0 + MINUTE / 2)
    assert not early.signed and early.note is None
    on_time = checkpoint_once(store, ORIGIN, signer, interval=MINUTE, now=T0 + MINUTE)
    assert on_time.signed and on_time.size == 8
    idle = checkpoint_once(store, ORIGIN, signer, interval=MINUTE, now=T0 + 10 * MINUTE)
    assert not idle.signed  # the log did not grow: nothing new to sign
    assert [size for size, _ in checkpoints(store)] == [5, 8]
    cp, _ = open_checkpoint(checkpoints(store)[-1][1], [signer.verifier()])
    with store.sessions() as session:
        assert cp.root_hash == storage.tree_hash(session, ORIGIN)


def test_never_signs_an_inconsistent_tree(store, signer):
    add(store, 4)
    checkpoint_once(store, ORIGIN, signer, now=T0)
    n = TlogNode.__table__
    with store.transaction() as session:  # rewrite the subtree under the signed checkpoint
        session.connection().execute(
            update(n).where(n.c.level == 2, n.c.node_index == 0).values(hash=b"\x00" * 32)
        )
    add(store, 2)
    with pytest.raises(LogIntegrityError, match="no longer hash to the last signed checkpoint"):
        checkpoint_once(store, ORIGIN, signer, now=T0 + MINUTE)
    assert [size for size, _ in checkpoints(store)] == [4]


def test_never_signs_entries_that_do_not_match_their_hashes(store, signer):
    add(store, 4)
    checkpoint_once(store, ORIGIN, signer, now=T0)
    add(store, 2)
    e = TlogEntry.__table__
    with store.transaction() as session:
        session.connection().execute(update(e).where(e.c.leaf_index == 5).values(data=b"other"))
    with pytest.raises(LogIntegrityError, match="entry bytes do not match their leaf hash"):
        checkpoint_once(store, ORIGIN, signer, now=T0 + MINUTE)
    assert [size for size, _ in checkpoints(store)] == [4]


def test_signer_must_be_named_for_the_origin(store):
    add(store, 1)
    with pytest.raises(CadenceError, match="not the origin"):
        checkpoint_once(store, ORIGIN, Signer(name="example.org/other", seed=bytes(32)))
    assert checkpoints(store) == []


def test_cosigned_note_is_stored_and_published(store, signer, witnesses, tmp_path):
    add(store, 300)
    clients = [c for _, c in witnesses]
    site = tmp_path / "site"
    tick = checkpoint_once(store, ORIGIN, signer, witnesses=clients, publish_dir=site, now=T0)
    assert tick.signed and tick.refused == {}
    assert tick.cosigned_by == ["w-de-1.example", "w-de-2.example", "w-fr-1.example"]
    [(size, stored)] = checkpoints(store)
    assert size == 300 and stored == tick.note
    note = Note.from_text(stored)
    assert len(note.unverified) == 4  # the log's signature and three cosignatures
    cp, opened = open_checkpoint(stored, [signer.verifier()])
    for w, _ in witnesses:
        sig = next(s for s in opened.unverified if s.name == w.name)
        assert w.cosigner.verifier().verify_cosignature(opened.text, sig) == 1_790_000_000
    assert (site / "checkpoint").read_text(encoding="utf-8") == stored
    assert audit(DirectorySource(site), [signer.verifier()]).entries == 300
    with store.sessions() as session:  # bundles now carry the cosigned checkpoint
        assert export_bundle(session, ORIGIN, 7).endswith(stored)
    # the next checkpoint is cosigned through a consistency proof from 300
    add(store, 20)
    nxt = checkpoint_once(store, ORIGIN, signer, witnesses=clients, now=T0 + MINUTE)
    assert len(nxt.cosigned_by) == 3 and clients[0].known_size == 320
    assert [s for s, _ in checkpoints(store)] == [300, 320]


def test_a_refusing_witness_is_reported_not_stored(store, signer, witnesses):
    add(store, 3)
    good = witnesses[0][1]
    stranger = Witness(
        cosigner("w-x.example"),
        {"example.org/elsewhere": [signer.verifier()]},
        witnesses[1][0].state,
    )
    bad = WitnessClient(
        "http://testserver", stranger.cosigner.verifier(), client=TestClient(create_app(stranger))
    )
    try:
        tick = checkpoint_once(store, ORIGIN, signer, witnesses=[good, bad], now=T0)
    finally:
        bad.close()
    assert tick.cosigned_by == ["w-de-1.example"]
    assert "404" in tick.refused["w-x.example"]
    assert Note.from_text(checkpoints(store)[0][1]).text == Note.from_text(tick.note).text


def test_store_cosigned_checks_the_body_and_the_row(store, signer):
    add(store, 2)
    signed = checkpoint_once(store, ORIGIN, signer, now=T0).note
    assert signed is not None and signed.startswith(f"{ORIGIN}\n2\n")
    line = cosigner("w.example").cosign(Note.from_text(signed).text).to_line()
    other = Checkpoint(ORIGIN, 2, hashlib.sha256(b"x").digest())
    forged = other.to_text() + "\n" + signed.split("\n\n", 1)[1] + line
    with store.transaction() as session, pytest.raises(CadenceError, match="body differs"):
        store_cosigned(session, ORIGIN, signed, forged, signer)
    without_log_sig = Note.from_text(signed).text + "\n" + line
    with store.transaction() as session, pytest.raises(Exception, match="no verifiable"):
        store_cosigned(session, ORIGIN, signed, without_log_sig, signer)
    add(store, 1)
    checkpoint_once(store, ORIGIN, signer, now=T0 + MINUTE)  # a newer checkpoint now
    with store.transaction() as session, pytest.raises(CadenceError, match="no longer the one"):
        store_cosigned(session, ORIGIN, signed, signed + line, signer)
    assert [note for _, note in checkpoints(store)][0] == signed  # unchanged


NESTED = """\
log {log}
witness de1 {de1}
witness de2 {de2}
witness fr1 {fr1}
witness fr2 {fr2}
group DE 2 de1 de2
group FR any fr1 fr2
group both all DE FR
quorum both
"""


def nested_policy(signer: Signer) -> str:
    keys = {
        n: cosigner(f"w-{n}.example").verifier().to_text() for n in ("de1", "de2", "fr1", "fr2")
    }
    return NESTED.format(log=signer.verifier().to_text(), **keys)


def test_quorum_report_for_nested_groups(signer):
    policy = parse_policy(nested_policy(signer))
    met, detail = quorum_report(policy, {"de1", "de2", "fr2"})
    assert met
    assert "group DE: 2 of 2 needed (de1, de2) satisfied" in detail
    assert "group FR: 1 of 1 needed (fr2) satisfied" in detail
    assert detail.endswith("quorum both: met")
    met, detail = quorum_report(policy, {"de1", "fr1", "fr2"})
    assert not met
    assert "group DE: 1 of 2 needed (de1) NOT satisfied" in detail
    assert "group both: 1 of 2 needed (FR) NOT satisfied" in detail


def test_tick_checks_the_policy_quorum(store, signer, witnesses):
    text = nested_policy(signer).replace(
        cosigner("w-de1.example").verifier().to_text(),
        witnesses[0][0].cosigner.verifier().to_text() + " http://testserver",
    )
    policy = parse_policy(text)
    clients = resolve_witnesses([], policy)
    assert [c.name for c in clients] == ["w-de-1.example"]
    clients[0].client = witnesses[0][1].client
    add(store, 2)
    tick = checkpoint_once(store, ORIGIN, signer, witnesses=clients, policy=policy, now=T0)
    assert tick.cosigned_by == ["w-de-1.example"] and tick.quorum_met is False
    assert "group DE: 1 of 2 needed (de1) NOT satisfied" in tick.quorum_detail


def test_resolve_witness_specs(signer, tmp_path):
    policy = parse_policy(nested_policy(signer))
    key = cosigner("w-z.example").verifier().to_text()
    keyfile = tmp_path / "z.vkey"
    keyfile.write_text(key + "\n")
    got = resolve_witnesses([f"{keyfile}=http://z.example/w"], None, lambda v: Path(v).read_text())
    assert got[0].url == "http://z.example/w" and got[0].name == "w-z.example"
    with pytest.raises(CadenceError, match="no URL"):
        resolve_witnesses(["de1"], policy)
    de1 = cosigner("w-de1.example").verifier().to_text()
    with_url = parse_policy(nested_policy(signer).replace(de1, de1 + " http://de1.example/w"))
    got = resolve_witnesses(["de1", "http://de1.example/w"], with_url)
    assert [(c.name, c.url) for c in got] == [("w-de1.example", "http://de1.example/w")] * 2
    assert [c.name for c in resolve_witnesses([], with_url)] == ["w-de1.example"]
    with pytest.raises(CadenceError, match="VKEY=URL"):
        resolve_witnesses(["nobody"], policy)


def test_run_cadence_keeps_a_fixed_rate():
    now = {"t": 100.0}
    slept: list[float] = []
    ticks: list[float] = []

    def tick():
        ticks.append(now["t"])
        now["t"] += 2.5  # each tick takes 2.5 s
        return None

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now["t"] += seconds

    done = run_cadence(
        tick, 10.0, report=lambda t: None, sleep=sleep, clock=lambda: now["t"], max_ticks=3
    )
    assert done == 3 and ticks == [100.0, 110.0, 120.0] and slept == [7.5, 7.5]


def test_run_cadence_stops_on_interrupt():
    calls = {"n": 0}

    def tick():
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return None

    assert run_cadence(tick, 1.0, report=lambda t: None, sleep=lambda s: None) == 1


def test_no_rows_changed_when_the_log_is_unknown(store, signer):
    with pytest.raises(UnknownLogError):
        checkpoint_once(store, ORIGIN, signer)
    c = TlogCheckpoint.__table__
    with store.sessions() as session:
        assert session.connection().scalar(select(func.count()).select_from(c)) == 0
