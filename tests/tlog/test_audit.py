"""Auditing tlog-tiles logs: ours after publishing, tessera's test log, and every tampering."""

from __future__ import annotations

import functools
import hashlib
import shutil
import threading
import tracemalloc
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from commonground.tlog import storage
from commonground.tlog.audit import (
    AuditError,
    DirectorySource,
    HttpSource,
    MissingFileError,
    SeenState,
    audit,
)
from commonground.tlog.checkpoint import Checkpoint, sign_checkpoint
from commonground.tlog.hashing import merkle_tree_hash
from commonground.tlog.note import Note, Signer, Verifier
from commonground.tlog.publish import publish

ORIGIN = "example.org/audited-log"
TESSERA = Path(__file__).parent / "tessera_log"
TESSERA_VKEY = "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx"
TESSERA_ENTRIES = (
    "one two three four five six seven eit nain ten ileven twelf threeten fourten fivten".split()
)


@pytest.fixture
def signer() -> Signer:
    return Signer(name=ORIGIN, seed=hashlib.sha256(b"audit test log").digest())


def make_log(store, signer: Signer, size: int, directory: Path, *, tag: str = "entry") -> Path:
    """Append ``size`` entries, sign, publish into ``directory``; return it."""
    with store.transaction() as session:
        have = storage.log_size(session, ORIGIN)
        storage.append(session, ORIGIN, [f"{tag} {i}".encode() for i in range(have, size)])
        storage.sign_checkpoint(session, ORIGIN, signer)
    with store.sessions() as session:
        publish(session, ORIGIN, directory)
    return directory


@pytest.fixture
def log300(store, signer, tmp_path) -> Path:
    return make_log(store, signer, 300, tmp_path / "log")


def run(directory: Path, signer: Signer, **kw):
    return audit(DirectorySource(directory), [signer.verifier()], **kw)


def flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


# --------------------------------------------------------------------------- passing


@pytest.mark.parametrize("size", [1, 255, 256, 257, 600])
def test_publish_then_audit_round_trip(store, signer, tmp_path, size):
    directory = make_log(store, signer, size, tmp_path / "log")
    result = run(directory, signer, origin=ORIGIN)
    assert result.entries == size
    assert result.checkpoint.size == size
    assert result.checkpoint.root_hash == merkle_tree_hash(
        f"entry {i}".encode() for i in range(size)
    )
    bundles = -(-size // 256)
    upper = 1 if size >= 256 else 0  # tile/1/000.p/N once a level-0 tile is full
    assert result.tiles == 2 * bundles + upper


def test_round_trip_over_two_levels_in_bounded_memory(store, signer, tmp_path):
    """65,537 entries: 256 full level-0 tiles, a full level-1 tile, tile/2/000.p/1."""
    directory = make_log(store, signer, 65_537, tmp_path / "log")
    assert (directory / "tile/1/000").stat().st_size == 8192
    assert (directory / "tile/2/000.p/1").stat().st_size == 32
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        assert total == 65_537
        seen.append(done)

    tracemalloc.start()
    try:
        result = run(directory, signer, progress=progress)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.entries == 65_537 and result.tiles == 2 * 257 + 1 + 1
    assert seen[0] == 256 and seen[-1] == 65_537 and len(seen) == 257
    # a few tiles' worth, not the 65,537 hashes (2 MB) or the entries
    assert peak < 600_000, peak


def test_tessera_testdata_log_passes():
    verifier = Verifier.from_text(TESSERA_VKEY)
    result = audit(DirectorySource(TESSERA), [verifier], origin="example.com/log/testdata")
    assert result.checkpoint.size == 15 and result.entries == 15
    assert result.checkpoint.root_hash == merkle_tree_hash(e.encode() for e in TESSERA_ENTRIES)


def test_tessera_checkpoints_grow_consistently(tmp_path):
    """Audit tessera's log as it was at each published size, keeping state between runs."""
    verifier = Verifier.from_text(TESSERA_VKEY)
    state = tmp_path / "state.json"
    sizes = sorted(int(p.suffix[1:]) for p in TESSERA.glob("checkpoint.*"))
    assert sizes == [0, 1, 2, 3, 4, 6, 8, 11, 13, 15]
    for size in sizes:
        view = tmp_path / f"at{size}"
        shutil.copytree(TESSERA / "tile", view / "tile")
        shutil.copyfile(TESSERA / f"checkpoint.{size}", view / "checkpoint")
        result = audit(DirectorySource(view), [verifier], state=state)
        assert result.entries == size
        assert SeenState.load(state).size == size
    # and an older one replayed afterwards is refused
    old = tmp_path / "at8"
    with pytest.raises(AuditError, match="replay or roll-back: size 8 is smaller than .* 15"):
        audit(DirectorySource(old), [verifier], state=state)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def serve() -> Iterator:
    servers: list[ThreadingHTTPServer] = []

    def start(directory: Path) -> str:
        handler = functools.partial(_Quiet, directory=str(directory))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_http_audit_of_ours_and_tessera(serve, log300, signer):
    source = HttpSource(serve(log300))
    try:
        assert audit(source, [signer.verifier()]).entries == 300
    finally:
        source.close()
    source = HttpSource(serve(TESSERA))
    try:
        assert audit(source, [Verifier.from_text(TESSERA_VKEY)]).entries == 15
    finally:
        source.close()


def test_http_audit_names_a_missing_tile(serve, log300, signer):
    (log300 / "tile/0/001.p/44").unlink()
    source = HttpSource(serve(log300))
    try:
        with pytest.raises(MissingFileError, match=r"tile/0/001\.p/44: missing \(404"):
            audit(source, [signer.verifier()])
    finally:
        source.close()


# --------------------------------------------------------------------------- tampering


def test_flipped_bit_in_an_entry_bundle(log300, signer):
    path = log300 / "tile/entries/000"
    # entry 5 is b"entry 5" after 5 entries of 2 + 7 bytes and its own 2-byte prefix
    flip(path, 5 * 9 + 2 + 3)
    with pytest.raises(AuditError) as info:
        run(log300, signer)
    err = info.value
    assert err.file == "tile/entries/000" and err.index == 5
    assert "entry 5 was changed" in str(err)
    assert err.expected == hashlib.sha256(b"\x00entry 5").digest()
    assert err.found == hashlib.sha256(b"\x00entsy 5").digest()


def test_flipped_bit_in_a_full_hash_tile(log300, signer):
    flip(log300 / "tile/0/000", 32 * 17 + 4)
    with pytest.raises(AuditError) as info:
        run(log300, signer)
    err = info.value
    assert err.file == "tile/0/000" and err.index == 17
    assert "hash 17 (level 0, entry 17)" in str(err)
    assert err.expected == hashlib.sha256(b"\x00entry 17").digest()
    assert err.found != err.expected


def test_flipped_bit_in_a_partial_tile(log300, signer):
    flip(log300 / "tile/0/001.p/44", 32 * 43)
    with pytest.raises(AuditError) as info:
        run(log300, signer)
    assert info.value.file == "tile/0/001.p/44" and info.value.index == 43
    assert "entry 299" in str(info.value)


def test_flipped_bit_in_an_upper_level_tile(log300, signer):
    flip(log300 / "tile/1/000.p/1", 0)
    with pytest.raises(AuditError) as info:
        run(log300, signer)
    assert info.value.file == "tile/1/000.p/1" and info.value.index == 0
    assert "level 1, subtree from entry 0" in str(info.value)


def test_flipped_bit_in_the_checkpoint_signature(log300, signer):
    path = log300 / "checkpoint"
    note = path.read_text(encoding="utf-8")
    sig_at = len(note.encode()) - 10  # inside the base64 of the signature line
    flip(path, sig_at)
    with pytest.raises(AuditError, match=r"^checkpoint: signature or format:") as info:
        run(log300, signer)
    assert info.value.file == "checkpoint"


def test_changed_size_breaks_the_signature(log300, signer):
    path = log300 / "checkpoint"
    path.write_text(path.read_text(encoding="utf-8").replace("\n300\n", "\n301\n"))
    with pytest.raises(AuditError, match="checkpoint: signature or format"):
        run(log300, signer)


def test_a_signed_larger_size_is_caught_by_a_missing_tile(log300, signer):
    note = Note.from_text((log300 / "checkpoint").read_text(encoding="utf-8"))
    cp = Checkpoint.from_text(note.text)
    bigger = Checkpoint(cp.origin, 301, cp.root_hash)
    (log300 / "checkpoint").write_text(sign_checkpoint(bigger, [signer]))
    with pytest.raises(MissingFileError) as info:
        run(log300, signer)
    assert info.value.file == "tile/entries/001.p/45"


def test_a_signed_wrong_root_is_caught(log300, signer):
    wrong = Checkpoint(ORIGIN, 300, hashlib.sha256(b"not the root").digest())
    (log300 / "checkpoint").write_text(sign_checkpoint(wrong, [signer]))
    with pytest.raises(AuditError, match="root rebuilt from the 300 entries differs") as info:
        run(log300, signer)
    assert info.value.expected == wrong.root_hash


def test_truncated_entry_bundle(log300, signer):
    path = log300 / "tile/entries/001.p/44"
    data = path.read_bytes()
    path.write_bytes(data[:-11])  # the last entry, b"entry 299", and its prefix
    with pytest.raises(AuditError) as info:
        run(log300, signer)
    assert info.value.file == "tile/entries/001.p/44"
    assert "holds 43 entries, want 44" in str(info.value)
    path.write_bytes(data[:-9])  # cut inside the last entry
    with pytest.raises(AuditError, match=r"001\.p/44: entry 43 truncated \(the path promises 44\)"):
        run(log300, signer)


def test_short_hash_tile(log300, signer):
    path = log300 / "tile/0/000"
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(AuditError, match=r"tile/0/000: is 8191 bytes, want 256 hashes"):
        run(log300, signer)


def test_missing_tile_file(log300, signer):
    (log300 / "tile/0/000").unlink()
    with pytest.raises(MissingFileError) as info:
        run(log300, signer)
    assert info.value.file == "tile/0/000" and "no such file" in str(info.value)


def test_wrong_key_and_wrong_origin(log300, signer):
    other = Signer(name=ORIGIN, seed=bytes(32))
    with pytest.raises(AuditError, match="checkpoint: signature or format"):
        run(log300, other)
    with pytest.raises(AuditError, match="origin differs"):
        run(log300, signer, origin="example.org/another")


def test_replay_of_an_old_checkpoint(store, signer, tmp_path):
    directory = make_log(store, signer, 300, tmp_path / "log")
    old_note = (directory / "checkpoint").read_bytes()
    state = tmp_path / "state.json"
    run(directory, signer, state=state)
    make_log(store, signer, 600, directory)
    assert run(directory, signer, state=state).previous_size == 300
    (directory / "checkpoint").write_bytes(old_note)  # replay
    with pytest.raises(AuditError, match="replay or roll-back: size 300 is smaller than.* 600"):
        run(directory, signer, state=state)
    assert SeenState.load(state).size == 600  # a failed audit leaves the state alone


def test_fork_same_origin_and_key_different_entries(store, signer, tmp_path):
    honest = make_log(store, signer, 300, tmp_path / "honest")
    state = tmp_path / "state.json"
    run(honest, signer, state=state)
    # a second log (its own store), same origin and key, other entries
    fork_dir = tmp_path / "fork"
    _fork_log(signer, fork_dir, 300, tmp_path / "fork.sqlite3")
    with pytest.raises(AuditError, match="fork: another root at size 300") as info:
        run(fork_dir, signer, state=state)
    assert info.value.expected == SeenState.load(state).root_hash
    bigger = tmp_path / "fork-bigger"
    _fork_log(signer, bigger, 400, tmp_path / "fork2.sqlite3")
    with pytest.raises(AuditError, match="fork: the first 300 entries of this log hash to another"):
        run(bigger, signer, state=state)
    assert run(honest, signer, state=state).entries == 300  # the honest log still passes


def _fork_log(signer: Signer, directory: Path, size: int, db: Path) -> None:
    from commonground.store.engine import Store
    from commonground.store.migrate import upgrade

    fork = Store.from_url(f"sqlite:///{db}", log_origin=None)
    try:
        upgrade(fork)
        with fork.transaction() as session:
            storage.append(session, ORIGIN, [f"forged {i}".encode() for i in range(size)])
            storage.sign_checkpoint(session, ORIGIN, signer)
        with fork.sessions() as session:
            publish(session, ORIGIN, directory)
    finally:
        fork.dispose()


def test_state_on_a_tile_boundary(store, signer, tmp_path):
    """The size seen before ends a full tile: the root there comes from tile roots alone."""
    directory = make_log(store, signer, 256, tmp_path / "log")
    state = tmp_path / "state.json"
    run(directory, signer, state=state)
    make_log(store, signer, 513, directory)
    result = run(directory, signer, state=state)
    assert result.previous_size == 256 and result.entries == 513
    assert SeenState.load(state).root_hash == merkle_tree_hash(
        f"entry {i}".encode() for i in range(513)
    )
    seen_256 = SeenState(ORIGIN, 256, hashlib.sha256(b"another tree").digest(), "")
    seen_256.save(state)
    with pytest.raises(AuditError, match="fork: the first 256 entries"):
        run(directory, signer, state=state)
