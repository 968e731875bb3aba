"""The witness (C2SP tlog-witness add-checkpoint): every answer, atomicity, loopback, forks."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from commonground.store.engine import make_engine
from commonground.tlog import witness as witness_module
from commonground.tlog.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from commonground.tlog.cosignature import CosignatureVerifier, Cosigner
from commonground.tlog.hashing import EMPTY_ROOT
from commonground.tlog.note import Note, Signature, Signer, b64decode, b64encode, open_note
from commonground.tlog.tree import MemoryTree
from commonground.tlog.witness import (
    SIZE_CONTENT_TYPE,
    RequestError,
    Witness,
    WitnessState,
    create_app,
    format_request,
    origin_hash,
    parse_log_keys,
    parse_request,
)
from commonground.tlog.witness_client import (
    WitnessClient,
    WitnessRefusedError,
    collect_cosignatures,
    find_split_views,
)
from commonground.tlog.witness_models import drop_tables

ORIGIN = "example.com/log"
NOW = 1_790_000_000


def _tree(n: int, tag: bytes = b"entry") -> MemoryTree:
    return MemoryTree.from_entries(tag + b" %d" % i for i in range(n))


def _cosigner(name: str) -> Cosigner:
    signer = Cosigner.generate(name)
    signer.clock = lambda: NOW
    return signer


@pytest.fixture
def log_key() -> Signer:
    return Signer.generate(ORIGIN)


@pytest.fixture
def state(database_url: str) -> Iterator[WitnessState]:
    state = WitnessState(make_engine(database_url))
    yield state
    drop_tables(state.engine)  # PostgreSQL tests share one template database
    state.dispose()


@pytest.fixture
def witness(state: WitnessState, log_key: Signer) -> Witness:
    return Witness(_cosigner("w1.example"), {ORIGIN: [log_key.verifier()]}, state)


def signed(tree: MemoryTree, size: int, key: Signer, origin: str = ORIGIN) -> str:
    return sign_checkpoint(Checkpoint(origin, size, tree.root(size)), [key])


def body(old: int, tree: MemoryTree, size: int, key: Signer, proof=None) -> bytes:  # type: ignore[no-untyped-def]
    if proof is None:
        proof = tree.consistency_proof(old, size) if 0 < old < size else []
    return format_request(old, proof, signed(tree, size, key))


def cosign_ok(w: Witness, tree: MemoryTree, old: int, size: int, key: Signer) -> Signature:
    status, headers, out = w.add_checkpoint(body(old, tree, size, key))
    assert status == 200, out
    lines = out.decode().splitlines()
    assert len(lines) == 1
    sig = Signature.from_line(lines[0])
    ts = w.cosigner.verifier().verify_cosignature(
        Checkpoint(ORIGIN, size, tree.root(size)).to_text(), sig
    )
    assert ts == NOW
    return sig


# --------------------------------------------------------------------------- request format


def test_request_round_trips_and_matches_the_spec_layout(log_key):
    tree = _tree(7)
    raw = body(3, tree, 7, log_key)
    text = raw.decode()
    assert text.startswith("old 3\n")
    head, _, note = text.partition("\n\n")
    assert len(head.split("\n")) == 1 + len(tree.consistency_proof(3, 7))
    req = parse_request(raw)
    assert (req.old, list(req.proof), req.checkpoint) == (3, tree.consistency_proof(3, 7), note)


@pytest.mark.parametrize(
    "bad",
    [
        b"old 1\nexample.com/log\n",  # no blank line
        b"old 01\n\nx\n",  # leading zero
        b"old -1\n\nx\n",
        b"new 1\n\nx\n",
        b"old 1\nnot base64!\n\nx\n",
        b"old 1\nAAAA\n\nx\n",  # 3 bytes, not 32
        b"old 1\n\n",  # no checkpoint
        b"\xff\xfe",
    ],
)
def test_malformed_bodies_are_refused(bad):
    with pytest.raises(RequestError):
        parse_request(bad)


def test_more_than_63_proof_lines_is_400(witness, log_key):
    tree = _tree(4)
    many = [tree.root(1)] * 64
    proof_lines = "".join(b64encode(h) + "\n" for h in many)
    raw = f"old 1\n{proof_lines}\n{signed(tree, 4, log_key)}".encode()
    status, _, out = witness.add_checkpoint(raw)
    assert status == 400 and b"63" in out
    with pytest.raises(RequestError):
        format_request(1, many, signed(tree, 4, log_key))


# --------------------------------------------------------------------------- every status


def test_200_from_old_zero_then_advancing_with_proofs(witness, log_key, state):
    tree = _tree(20)
    cosign_ok(witness, tree, 0, 5, log_key)
    assert state.get(ORIGIN)[:2] == (5, tree.root(5))
    cosign_ok(witness, tree, 5, 13, log_key)
    cosign_ok(witness, tree, 13, 13, log_key)  # same size, same root: cosigned again
    cosign_ok(witness, tree, 13, 20, log_key)
    size, root, note = state.get(ORIGIN)
    assert (size, root) == (20, tree.root(20))
    # The stored note carries the log's signature and the witness's cosignature.
    opened = open_note(note, [log_key.verifier(), witness.cosigner.verifier()])
    assert {s.name for s in opened.signatures} == {ORIGIN, "w1.example"}


def test_200_for_the_empty_tree(witness, log_key, state):
    cosign_ok(witness, MemoryTree(), 0, 0, log_key)
    assert state.get(ORIGIN)[:2] == (0, EMPTY_ROOT)


def test_404_for_an_unknown_origin(witness):
    other = Signer.generate("other.example/log")
    tree = _tree(3)
    status, _, out = witness.add_checkpoint(
        format_request(0, [], signed(tree, 3, other, "other.example/log"))
    )
    assert status == 404 and b"other.example/log" in out
    assert witness.state.get("other.example/log") is None


def test_403_without_a_trusted_signature(witness, state):
    impostor = Signer.generate(ORIGIN)  # same name, different key
    status, _, _ = witness.add_checkpoint(body(0, _tree(3), 3, impostor))
    assert status == 403
    assert state.get(ORIGIN) is None


def test_403_when_a_trusted_keys_signature_fails(witness, log_key):
    text = signed(_tree(3), 3, log_key)
    note = Note.from_text(text)
    sig = note.unverified[0]
    raw = bytearray(b64decode(sig.base64))
    raw[-1] ^= 1
    forged = Note(note.text, unverified=(Signature.create(sig.name, sig.key_id, bytes(raw[4:])),))
    status, _, _ = witness.add_checkpoint(format_request(0, [], forged.to_text()))
    assert status == 403


def test_400_when_old_exceeds_the_checkpoint_size(witness, log_key):
    tree = _tree(8)
    cosign_ok(witness, tree, 0, 8, log_key)
    status, _, out = witness.add_checkpoint(body(8, tree, 5, log_key, proof=[]))
    assert status == 400 and b"exceeds" in out
    assert witness.state.get(ORIGIN)[0] == 8


def test_400_for_a_malformed_checkpoint(witness):
    status, _, _ = witness.add_checkpoint(
        b"old 0\n\nexample.com/log\n01\nxx\n\n\xe2\x80\x94 a AAAA\n"
    )
    assert status == 400


def test_409_names_the_size_the_witness_holds(witness, log_key, state):
    tree = _tree(12)
    cosign_ok(witness, tree, 0, 6, log_key)
    for old in (0, 4, 7):
        status, headers, out = witness.add_checkpoint(body(old, tree, 12, log_key))
        assert status == 409
        assert headers["content-type"] == SIZE_CONTENT_TYPE
        assert out == b"6\n"
    assert state.get(ORIGIN)[:2] == (6, tree.root(6))


def test_409_for_a_never_seen_log_when_old_is_not_zero(witness, log_key):
    tree = _tree(12)
    status, headers, out = witness.add_checkpoint(body(6, tree, 12, log_key))
    assert (status, headers["content-type"], out) == (409, SIZE_CONTENT_TYPE, b"0\n")


def test_422_when_the_consistency_proof_fails(witness, log_key, state):
    tree = _tree(16)
    cosign_ok(witness, tree, 0, 5, log_key)
    proof = tree.consistency_proof(5, 16)
    proof[0] = bytes(32)
    status, _, _ = witness.add_checkpoint(body(5, tree, 16, log_key, proof=proof))
    assert status == 422
    status, _, _ = witness.add_checkpoint(body(5, tree, 16, log_key, proof=proof[:-1]))
    assert status == 422
    assert state.get(ORIGIN)[0] == 5


def test_422_when_the_log_rewrote_history(witness, log_key, state):
    tree = _tree(10)
    cosign_ok(witness, tree, 0, 6, log_key)
    fork = _tree(10, b"rewritten")
    status, _, _ = witness.add_checkpoint(
        body(6, fork, 10, log_key, proof=fork.consistency_proof(6, 10))
    )
    assert status == 422
    status, _, _ = witness.add_checkpoint(body(6, fork, 6, log_key))  # same size, other root
    assert status == 422
    assert state.get(ORIGIN)[:2] == (6, tree.root(6))


def test_422_for_a_proof_from_old_zero(witness, log_key):
    tree = _tree(4)
    status, _, out = witness.add_checkpoint(body(0, tree, 4, log_key, proof=[tree.root(1)]))
    assert status == 422 and b"empty" in out


def test_422_for_size_zero_with_a_non_empty_root(witness, log_key):
    text = sign_checkpoint(Checkpoint(ORIGIN, 0, bytes(32)), [log_key])
    status, _, _ = witness.add_checkpoint(format_request(0, [], text))
    assert status == 422


def test_the_cosignature_timestamp_is_never_zero(state, log_key):
    zero = Cosigner.generate("w0.example")
    zero.clock = lambda: 0
    w = Witness(zero, {ORIGIN: [log_key.verifier()]}, state)
    status, _, _ = w.add_checkpoint(body(0, _tree(2), 2, log_key))
    assert status == 500
    assert state.get(ORIGIN)[0] == 0


def test_other_signatures_on_the_checkpoint_are_ignored(witness, log_key):
    tree = _tree(3)
    stranger = Signer.generate("stranger.example")
    text = sign_checkpoint(Checkpoint(ORIGIN, 3, tree.root(3)), [log_key, stranger])
    status, _, _ = witness.add_checkpoint(format_request(0, [], text))
    assert status == 200


def test_log_keys_parse_from_origin_equals_vkey(log_key):
    logs = parse_log_keys([f"{ORIGIN}={log_key.verifier().to_text()}"])
    assert logs == {ORIGIN: [log_key.verifier()]}


# --------------------------------------------------------------------------- atomicity


def test_concurrent_requests_cannot_both_advance_from_the_same_old_size(
    witness, log_key, state, monkeypatch
):
    tree = _tree(40)
    cosign_ok(witness, tree, 0, 4, log_key)
    real = witness_module.verify_consistency

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(0.2)  # widen the window between the check and the write
        return real(*args, **kwargs)

    monkeypatch.setattr(witness_module, "verify_consistency", slow)
    sizes = [10, 20, 30, 40]
    bodies = {n: body(4, tree, n, log_key) for n in sizes}
    barrier = threading.Barrier(len(sizes))
    results: dict[int, int] = {}

    def submit(n: int) -> None:
        barrier.wait()
        results[n] = witness.add_checkpoint(bodies[n])[0]

    threads = [threading.Thread(target=submit, args=(n,)) for n in sizes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    winners = [n for n, status in results.items() if status == 200]
    assert len(winners) == 1, results
    assert sorted(results.values()) == [200, 409, 409, 409]
    assert state.get(ORIGIN)[:2] == (winners[0], tree.root(winners[0]))


# --------------------------------------------------------------------------- loopback


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(w: Witness) -> Iterator[str]:
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(
        create_app(w), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def witness_url(witness: Witness) -> Iterator[str]:
    yield from serve(witness)


def test_loopback_witness_cosigns_and_refuses(witness, witness_url, log_key):
    tree = _tree(30)
    client = WitnessClient(witness_url, witness.cosigner.verifier())
    try:
        for size in (3, 9, 9, 30):
            text = signed(tree, size, log_key)
            sigs = client.add_checkpoint(text, tree.consistency_proof)
            assert [s.name for s in sigs] == ["w1.example"]
            cp, note = open_checkpoint(text + sigs[0].to_line(), [log_key.verifier()])
            assert client.verifier.verify_cosignature(note.text, sigs[0]) == NOW
        assert client.known_size == 30
        # Monitoring retrieval: the latest cosigned checkpoint, with both signatures.
        got = httpx.get(f"{witness_url}/{origin_hash(ORIGIN)}/checkpoint")
        assert got.status_code == 200
        opened = open_note(got.text, [log_key.verifier(), witness.cosigner.verifier()])
        assert Checkpoint.from_text(opened.text).size == 30
        assert httpx.get(f"{witness_url}/{'0' * 64}/checkpoint").status_code == 404

        post = lambda raw: httpx.post(f"{witness_url}/add-checkpoint", content=raw)  # noqa: E731
        other = Signer.generate("other.example/log")
        assert (
            post(format_request(0, [], signed(tree, 3, other, "other.example/log"))).status_code
            == 404
        )
        assert post(body(30, tree, 30, Signer.generate(ORIGIN))).status_code == 403
        assert post(body(30, tree, 3, log_key, proof=[])).status_code == 400
        stale = post(body(9, tree, 30, log_key))
        assert (stale.status_code, stale.headers["content-type"], stale.text) == (
            409,
            SIZE_CONTENT_TYPE,
            "30\n",
        )
        fork = _tree(31, b"fork")
        bad = post(body(30, fork, 31, log_key, proof=fork.consistency_proof(30, 31)))
        assert bad.status_code == 422
        assert httpx.get(f"{witness_url}/add-checkpoint").status_code == 405

        # A client whose idea of the witness's size is stale recovers through the 409.
        bigger = _tree(50)
        late = WitnessClient(witness_url, witness.cosigner.verifier(), known_size=0)
        late.add_checkpoint(signed(bigger, 50, log_key), bigger.consistency_proof)
        assert late.known_size == 50
        late.close()
        # A client refused for good gets the witness's answer: the 409 retry from 50 fails.
        fork60 = _tree(60, b"fork")
        with pytest.raises(WitnessRefusedError) as refused:
            client.add_checkpoint(signed(fork60, 60, log_key), fork60.consistency_proof)
        assert refused.value.status == 422
        assert client.known_size == 50
    finally:
        client.close()


def test_client_rejects_a_cosignature_that_does_not_verify(witness, witness_url, log_key):
    wrong = CosignatureVerifier(name="w1.example", public_key=Cosigner.generate("x").public_key)
    client = WitnessClient(witness_url, wrong)
    try:
        with pytest.raises(WitnessRefusedError):  # key id differs: no line by "its" key
            client.add_checkpoint(signed(_tree(2), 2, log_key), _tree(2).consistency_proof)
    finally:
        client.close()


def test_two_witnesses_shown_a_fork_expose_the_split(log_key, tmp_path):
    states = [WitnessState.from_url(f"sqlite:///{tmp_path / f'w{i}.sqlite3'}") for i in (1, 2)]
    witnesses = [
        Witness(_cosigner(f"w{i}.example"), {ORIGIN: [log_key.verifier()]}, st)
        for i, st in zip((1, 2), states, strict=True)
    ]
    honest, forked = _tree(8), _tree(8)
    forked.append_entry(b"only shown to w2")  # same prefix of 8, then a different 9th entry
    honest.append_entry(b"shown to w1")
    gens = [serve(w) for w in witnesses]
    urls = [next(g) for g in gens]
    try:
        clients = [
            WitnessClient(u, w.cosigner.verifier()) for u, w in zip(urls, witnesses, strict=True)
        ]
        # Both see size 8, then each is shown its own size-9 tree; each view is consistent.
        both = collect_cosignatures(signed(honest, 8, log_key), clients, honest.consistency_proof)
        assert both.cosigned_by == ["w1.example", "w2.example"] and not both.refused
        a = collect_cosignatures(signed(honest, 9, log_key), clients[:1], honest.consistency_proof)
        b = collect_cosignatures(signed(forked, 9, log_key), clients[1:], forked.consistency_proof)
        assert a.cosigned_by == ["w1.example"] and b.cosigned_by == ["w2.example"]

        # A monitor asks each witness for its latest cosigned checkpoint and compares.
        views = []
        for url, w in zip(urls, witnesses, strict=True):
            text = httpx.get(f"{url}/{origin_hash(ORIGIN)}/checkpoint").text
            cp, note = open_checkpoint(text, [log_key.verifier()])
            cosig = next(s for s in note.unverified if s.name == w.name)
            w.cosigner.verifier().verify_cosignature(note.text, cosig)
            views.append((w.name, cp))
        splits = find_split_views(views)
        assert len(splits) == 1
        split = splits[0]
        assert (split.origin, split.size) == (ORIGIN, 9)
        assert {split.first, split.second} == {
            ("w1.example", honest.root(9)),
            ("w2.example", forked.root(9)),
        }
        assert find_split_views([views[0], views[0]]) == []

        # The fork cannot be healed: w1 refuses the forked tree, whatever proof it gets.
        late = collect_cosignatures(
            signed(forked, 9, log_key), clients[:1], forked.consistency_proof
        )
        assert late.cosigned_by == [] and late.refused["w1.example"].status == 422
        for c in clients:
            c.close()
    finally:
        for g in gens:
            g.close()
        for st in states:
            st.dispose()


# --------------------------------------------------------------------------- CLI


def test_cli_keygen_and_build_witness(tmp_path, log_key):
    from typer.testing import CliRunner

    from commonground.cli.witness import app, build_witness

    out = tmp_path / "w.skey"
    result = CliRunner().invoke(app, ["keygen", "w9.example", "--out", str(out)])
    assert result.exit_code == 0, result.output
    vkey = CosignatureVerifier.from_text(result.output.strip())
    vkey_file = tmp_path / "log.vkey"
    vkey_file.write_text(log_key.verifier().to_text() + "\n")
    w = build_witness([f"{ORIGIN}={vkey_file}"], str(out), f"sqlite:///{tmp_path / 's.db'}")
    try:
        assert w.cosigner.verifier() == vkey
        assert w.logs == {ORIGIN: [log_key.verifier()]}
        w.cosigner.clock = lambda: NOW
        cosign_ok(w, _tree(2), 0, 2, log_key)
    finally:
        w.state.dispose()
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0 and "--log" in result.output
