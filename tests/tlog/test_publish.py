"""Publishing the stored log as C2SP tlog-tiles: layout, contents, increments, atomicity."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from commonground.tlog import storage
from commonground.tlog.audit import DirectorySource, audit
from commonground.tlog.hashing import merkle_tree_hash
from commonground.tlog.note import Signer
from commonground.tlog.publish import PublishError, publish
from commonground.tlog.tiles import parse_entry_bundle

ORIGIN = "example.org/published-log"


def entries(start: int, stop: int) -> list[bytes]:
    return [f"entry {i}".encode() for i in range(start, stop)]


def grow(store, signer: Signer, stop: int, origin: str = ORIGIN) -> str:
    """Append entries up to ``stop`` and sign a checkpoint; return the note."""
    with store.transaction() as session:
        size = storage.log_size(session, origin)
        storage.append(session, origin, entries(size, stop))
        return storage.sign_checkpoint(session, origin, signer)


def do_publish(store, directory: Path, origin: str = ORIGIN):
    with store.sessions() as session:
        return publish(session, origin, directory)


@pytest.fixture
def signer() -> Signer:
    return Signer(name=ORIGIN, seed=hashlib.sha256(b"publish test log").digest())


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The publication directory (site also holds the SQLite database)."""
    path = tmp_path / "site"
    path.mkdir()
    return path


def files(directory: Path) -> set[str]:
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}


def test_layout_and_contents_at_257(store, signer, site):
    note = grow(store, signer, 257)
    result = do_publish(store, site)
    assert result.size == 257 and result.previous_size == 0
    assert files(site) == {
        "checkpoint",
        "tile/entries/000",
        "tile/0/000",
        "tile/entries/001.p/1",
        "tile/0/001.p/1",
        "tile/1/000.p/1",
    }
    assert (site / "checkpoint").read_text(encoding="utf-8") == note
    bundle = (site / "tile/entries/000").read_bytes()
    assert parse_entry_bundle(bundle) == entries(0, 256)
    assert bundle[:2] == len(b"entry 0").to_bytes(2, "big")
    tile0 = (site / "tile/0/000").read_bytes()
    assert len(tile0) == 256 * 32
    assert tile0[32:64] == hashlib.sha256(b"\x00entry 1").digest()
    # the level-1 partial tile holds the root of the first 256 entries
    assert (site / "tile/1/000.p/1").read_bytes() == merkle_tree_hash(entries(0, 256))
    assert not [p for p in site.rglob(".*") if p.is_file()], "temporary files left behind"


def test_incremental_runs_write_only_new_tiles(store, signer, site):
    grow(store, signer, 100)
    first = do_publish(store, site)
    assert set(first.written) == {"tile/entries/000.p/100", "tile/0/000.p/100"}
    full_before = None
    grow(store, signer, 300)
    second = do_publish(store, site)
    assert second.previous_size == 100
    assert set(second.written) == {
        "tile/entries/000",
        "tile/0/000",
        "tile/entries/001.p/44",
        "tile/0/001.p/44",
        "tile/1/000.p/1",
    }
    full_before = (site / "tile/0/000").stat().st_mtime_ns
    again = do_publish(store, site)
    assert again.written == () and not again.checkpoint_written
    grow(store, signer, 600)
    third = do_publish(store, site)
    assert "tile/0/000" not in third.written
    assert (site / "tile/0/000").stat().st_mtime_ns == full_before
    assert set(third.written) == {
        "tile/entries/001",
        "tile/0/001",
        "tile/entries/002.p/88",
        "tile/0/002.p/88",
        "tile/1/000.p/2",
    }
    # the older partial tiles stay for readers of older checkpoints
    assert (site / "tile/0/000.p/100").exists()
    verifier = signer.verifier()
    assert audit(DirectorySource(site), [verifier]).entries == 600


def test_publishes_the_checkpoint_not_the_store_beyond_it(store, signer, site):
    grow(store, signer, 10)
    with store.transaction() as session:
        storage.append(session, ORIGIN, entries(10, 20))  # not yet checkpointed
    result = do_publish(store, site)
    assert result.size == 10
    assert files(site) == {"checkpoint", "tile/entries/000.p/10", "tile/0/000.p/10"}


def test_checkpoint_written_last(store, signer, site, monkeypatch):
    from commonground.tlog import publish as mod

    grow(store, signer, 300)
    order: list[str] = []
    real = mod.write_atomic

    def spy(path: Path, data: bytes) -> None:
        order.append(path.relative_to(site).as_posix())
        real(path, data)

    monkeypatch.setattr(mod, "write_atomic", spy)
    do_publish(store, site)
    assert order[-1] == "checkpoint" and order.count("checkpoint") == 1
    assert len(order) == 6


def test_crash_before_checkpoint_leaves_the_old_one(store, signer, site, monkeypatch):
    from commonground.tlog import publish as mod

    grow(store, signer, 5)
    do_publish(store, site)
    old = (site / "checkpoint").read_bytes()
    grow(store, signer, 700)
    real = mod.write_atomic
    calls = {"n": 0}

    def failing(path: Path, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        real(path, data)

    monkeypatch.setattr(mod, "write_atomic", failing)
    with pytest.raises(OSError, match="disk full"):
        do_publish(store, site)
    assert (site / "checkpoint").read_bytes() == old
    assert audit(DirectorySource(site), [signer.verifier()]).entries == 5
    monkeypatch.setattr(mod, "write_atomic", real)
    assert do_publish(store, site).size == 700
    assert audit(DirectorySource(site), [signer.verifier()]).entries == 700


def test_refuses_another_log_or_a_changed_full_tile(store, signer, site):
    grow(store, signer, 256)
    do_publish(store, site)
    other = Signer(name="example.org/other", seed=bytes(32))
    grow(store, other, 3, origin="example.org/other")
    with pytest.raises(PublishError, match="is for log 'example.org/published-log'"):
        do_publish(store, site, origin="example.org/other")
    # a directory whose full tile differs from the log's is another tree: refuse
    fresh = site / "fresh"
    fresh.mkdir()
    (fresh / "tile/0").mkdir(parents=True)
    (fresh / "tile/0/000").write_bytes(b"\x00" * 8192)
    with pytest.raises(PublishError, match="full tile already published differs"):
        do_publish(store, fresh)
    assert not (fresh / "checkpoint").exists()


def test_nothing_to_publish_without_a_checkpoint(store, site):
    with store.transaction() as session:
        storage.append(session, ORIGIN, entries(0, 3))
    with pytest.raises(PublishError, match="signed no checkpoint"):
        do_publish(store, site)
    assert files(site) == set()
