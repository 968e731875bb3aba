"""The log in the store (SQLite and PostgreSQL): batched appends, proofs, checkpoints."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import delete, select, update

from commonground.tlog import storage
from commonground.tlog.errors import VerificationError
from commonground.tlog.hashing import leaf_hash, merkle_tree_hash
from commonground.tlog.models import TlogCheckpoint, TlogCoordinator, TlogEntry, TlogNode
from commonground.tlog.note import Signer
from commonground.tlog.proof import verify_consistency, verify_inclusion

ORIGIN = "test.commonground.org/log"


def entries(start: int, count: int, tag: str = "e") -> list[bytes]:
    return [f"{tag}{i}".encode() for i in range(start, start + count)]


def append(store, batch, origin=ORIGIN):
    with store.transaction() as session:
        return storage.append(session, origin, batch)


def snapshot(store):
    with store.sessions() as session:
        return [
            sorted(tuple(r) for r in session.execute(select(m.__table__)).all())
            for m in (TlogCoordinator, TlogEntry, TlogNode, TlogCheckpoint)
        ]


@pytest.fixture
def signer():
    return Signer.generate(ORIGIN)


def test_batched_appends_match_the_reference_root_and_proofs_verify(store):
    leaves: list[bytes] = []
    for size in (1, 2, 3, 7, 1, 16, 5, 0, 9):
        batch = entries(len(leaves), size)
        assert append(store, batch) == list(range(len(leaves), len(leaves) + size))
        leaves += batch
        with store.sessions() as session:
            assert storage.tree_hash(session, ORIGIN) == merkle_tree_hash(leaves)
    with store.sessions() as session:
        assert storage.log_size(session, ORIGIN) == len(leaves) == 44
        for n in range(1, len(leaves) + 1):
            root = merkle_tree_hash(leaves[:n])
            assert storage.tree_hash(session, ORIGIN, n) == root
            for i in range(0, n, 3):
                proof = storage.inclusion_proof(session, ORIGIN, i, n)
                verify_inclusion(leaf_hash(leaves[i]), i, n, proof, root)
            for m in range(1, n, 5):
                proof = storage.consistency_proof(session, ORIGIN, m, n)
                verify_consistency(m, n, proof, merkle_tree_hash(leaves[:m]), root)
        assert storage.entry(session, ORIGIN, 17) == b"e17"
        assert storage.verify_log(session, ORIGIN) == 44


def test_one_large_batch(store):
    leaves = entries(0, 5000)
    append(store, leaves[:1234])
    append(store, leaves[1234:])
    with store.sessions() as session:
        assert storage.tree_hash(session, ORIGIN) == merkle_tree_hash(leaves)
        proof = storage.inclusion_proof(session, ORIGIN, 4321, 5000)
        verify_inclusion(leaf_hash(leaves[4321]), 4321, 5000, proof, merkle_tree_hash(leaves))


def test_a_crash_mid_batch_leaves_the_log_unchanged(store, signer):
    append(store, entries(0, 5))
    with store.transaction() as session:
        storage.sign_checkpoint(session, ORIGIN, signer)
    before = snapshot(store)
    with pytest.raises(RuntimeError), store.transaction() as session:
        assert storage.append(session, ORIGIN, entries(5, 11)) == list(range(5, 16))
        raise RuntimeError("crash after the batch, before commit")
    assert snapshot(store) == before
    # a crash inside the batch itself (an entry that is not bytes)
    with pytest.raises(TypeError), store.transaction() as session:
        storage.append(session, ORIGIN, [b"fine", None])  # type: ignore[list-item]
    assert snapshot(store) == before
    # the first append of a new log rolls back its coordinator row too
    with pytest.raises(RuntimeError), store.transaction() as session:
        storage.append(session, "other.example/log", [b"x"])
        raise RuntimeError("crash")
    assert snapshot(store) == before
    assert append(store, entries(5, 3)) == [5, 6, 7]
    with store.sessions() as session:
        assert storage.tree_hash(session, ORIGIN) == merkle_tree_hash(entries(0, 8))


def test_indices_stay_dense_across_logs_and_writers(store):
    seen: dict[str, list[int]] = {"a.example/log": [], "b.example/log": []}
    for k in range(12):
        origin = "a.example/log" if k % 3 else "b.example/log"
        seen[origin] += append(store, entries(k, k % 4 + 1), origin=origin)
    for indices in seen.values():
        assert indices == list(range(len(indices)))
    errors: list[BaseException] = []
    got: list[int] = []
    lock = threading.Lock()

    def writer(w: int) -> None:
        try:
            for k in range(5):
                idx = append(store, entries(100 * w + 10 * k, 3, tag="t"), origin="c.example/log")
                with lock:
                    got.extend(idx)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(got) == list(range(60))
    with store.sessions() as session:
        assert storage.verify_log(session, "c.example/log") == 60


def test_checkpoints_sign_and_chain(store, signer):
    append(store, entries(0, 5))
    with store.transaction() as session:
        first = storage.sign_checkpoint(session, ORIGIN, signer)
        assert storage.checkpoint_due(session, ORIGIN, dt.timedelta(0)) is False
    append(store, entries(5, 6))
    with store.transaction() as session:
        again = storage.sign_checkpoint(session, ORIGIN, signer)
        assert storage.latest_checkpoint(session, ORIGIN) == again
        proof = storage.consistency_proof(session, ORIGIN, 5, 11)
    cp = storage.check_checkpoint(first, again, proof, signer.verifier())
    assert (cp.size, cp.root_hash) == (11, merkle_tree_hash(entries(0, 11)))


def _tamper_node(session, level, index):
    session.execute(
        update(TlogNode)
        .where(TlogNode.level == level, TlogNode.node_index == index)
        .values(hash=b"\xff" * 32)
    )


@pytest.mark.parametrize(
    "tamper",
    [
        "new node",
        "old node",
        "entry bytes",
        "entry bytes and leaf hash",
        "coordinator root",
        "rollback",
        "fork",
    ],
)
def test_signing_refuses_a_tree_inconsistent_with_the_last_checkpoint(store, signer, tamper):
    append(store, entries(0, 5))
    with store.transaction() as session:
        storage.sign_checkpoint(session, ORIGIN, signer)
    append(store, entries(5, 6))
    with store.transaction() as session:
        if tamper == "new node":  # (1, 3) covers leaves 6 and 7
            _tamper_node(session, 1, 3)
        elif tamper == "old node":  # (2, 0) covers leaves 0-3, on the old checkpoint's border
            _tamper_node(session, 2, 0)
        elif tamper == "entry bytes":
            session.execute(
                update(TlogEntry).where(TlogEntry.leaf_index == 7).values(data=b"forged")
            )
        elif tamper == "entry bytes and leaf hash":
            session.execute(
                update(TlogEntry)
                .where(TlogEntry.leaf_index == 7)
                .values(data=b"forged", leaf_hash=leaf_hash(b"forged"))
            )
        elif tamper == "coordinator root":
            session.execute(update(TlogCoordinator).values(root_hash=b"\x00" * 32))
        elif tamper == "rollback":  # an old database state replayed after signing at 5
            session.execute(delete(TlogEntry).where(TlogEntry.leaf_index >= 3))
            session.execute(delete(TlogNode))
            session.execute(update(TlogCoordinator).values(size=3, next_index=3))
        elif tamper == "fork":  # history rewritten consistently (a split view)
            session.execute(delete(TlogEntry))
            session.execute(delete(TlogNode))
            session.execute(update(TlogCoordinator).values(size=0, next_index=0))
    if tamper == "fork":
        append(store, entries(0, 11, tag="fork"))
    before = snapshot(store)
    with pytest.raises(storage.LogIntegrityError) as info, store.transaction() as session:
        storage.sign_checkpoint(session, ORIGIN, signer)
    assert info.value.origin == ORIGIN and info.value.reason
    assert snapshot(store) == before  # nothing signed, nothing stored


def test_verify_log_names_a_tampered_node(store):
    append(store, entries(0, 9))
    with store.transaction() as session:
        _tamper_node(session, 2, 1)
    with store.sessions() as session, pytest.raises(storage.LogIntegrityError) as info:
        storage.verify_log(session, ORIGIN)
    assert info.value.evidence["node"] == (2, 1)


def test_a_replayed_old_checkpoint_is_detected(store, signer):
    append(store, entries(0, 4))
    with store.transaction() as session:
        old = storage.sign_checkpoint(session, ORIGIN, signer)
    append(store, entries(4, 4))
    with store.transaction() as session:
        new = storage.sign_checkpoint(session, ORIGIN, signer)
    with pytest.raises(VerificationError, match="older"):
        storage.check_checkpoint(new, old, [], signer.verifier())
    with pytest.raises(VerificationError):  # a proof that does not link them
        storage.check_checkpoint(old, new, [b"\x00" * 32], signer.verifier())


def test_unknown_log_and_out_of_range(store):
    with store.sessions() as session, pytest.raises(storage.UnknownLogError):
        storage.tree_hash(session, "nobody.example/log")
    append(store, entries(0, 3))
    with store.sessions() as session, pytest.raises(VerificationError):
        storage.inclusion_proof(session, ORIGIN, 0, 4)
