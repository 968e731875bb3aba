"""`commonground log keygen | checkpoint | publish | audit | verify --policy`."""

from __future__ import annotations

import functools
import hashlib
import stat
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from commonground.cli.log import app
from commonground.errors import Error
from commonground.tlog import storage
from commonground.tlog.cosignature import Cosigner
from commonground.tlog.envelope import Envelope
from commonground.tlog.note import Note, Signer, Verifier
from commonground.tlog.witness import Witness, WitnessState

ORIGIN = "example.org/cli-log"
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def keyfile(tmp_path) -> tuple[Path, Verifier]:
    out = tmp_path / "log.skey"
    result = invoke("keygen", ORIGIN, "--out", out)
    assert result.exit_code == 0, result.output
    return out, Verifier.from_text(result.output.strip())


def add(store, n: int) -> None:
    with store.transaction() as session:
        size = storage.log_size(session, ORIGIN)
        storage.append(
            session,
            ORIGIN,
            [
                Envelope.for_record("x/v1", f"r{i}", {"id": f"r{i}"}, "k").to_bytes()
                for i in range(size, size + n)
            ],
        )


def test_keygen_writes_an_owner_only_key_and_never_overwrites(keyfile):
    path, verifier = keyfile
    signer = Signer.from_text(path.read_text().strip())
    assert signer.verifier() == verifier and verifier.name == ORIGIN
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    result = invoke("keygen", ORIGIN, "--out", path)
    assert result.exit_code != 0 and "not overwriting" in str(result.exception)
    assert Signer.from_text(path.read_text().strip()).verifier() == verifier


def test_checkpoint_publish_audit(store, database_url, keyfile, tmp_path):
    key, verifier = keyfile
    add(store, 260)
    db = ("--database-url", database_url, "--origin", ORIGIN)
    result = invoke("checkpoint", "--key", key, *db)
    assert result.exit_code == 0, result.output
    assert f"signed {ORIGIN} size 260" in result.output
    result = invoke("checkpoint", "--key", key, *db)
    assert f"not due: {ORIGIN} size 260" in result.output
    site = tmp_path / "site"
    result = invoke("publish", site, *db)
    assert result.exit_code == 0, result.output
    assert "at size 260" in result.output and "5 files written" in result.output
    state = tmp_path / "seen.json"
    vkey = tmp_path / "log.vkey"
    vkey.write_text(verifier.to_text() + "\n")
    result = invoke("audit", site, "--vkey", vkey, "--state", state, "--origin", ORIGIN)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"OK: {ORIGIN} size 260 root ")
    assert "260 entries, 5 tiles checked" in result.output
    # grow, checkpoint and publish in one go, then audit against the saved state
    add(store, 40)
    result = invoke("checkpoint", "--key", key, "--publish", site, *db)
    assert "signed" in result.output and "published size 300" in result.output
    result = invoke("audit", site, "--vkey", verifier.to_text(), "--state", state)
    assert result.exit_code == 0, result.output
    assert "consistent with size 260 seen before" in result.output
    # a flipped bit: the first discrepancy is named, the exit is non-zero
    tile = site / "tile/0/000"
    data = bytearray(tile.read_bytes())
    data[32 * 9] ^= 1
    tile.write_bytes(bytes(data))
    result = invoke("audit", site, "--vkey", verifier.to_text(), "--state", state)
    assert result.exit_code != 0
    assert "tile/0/000: hash 9 (level 0, entry 9)" in str(result.exception)


def test_audit_exits_1_with_the_discrepancy_on_stderr(store, database_url, keyfile, tmp_path):
    key, verifier = keyfile
    add(store, 3)
    invoke("checkpoint", "--key", key, "--database-url", database_url, "--origin", ORIGIN)
    site = tmp_path / "site"
    invoke("publish", site, "--database-url", database_url, "--origin", ORIGIN)
    (site / "tile/entries/000.p/3").unlink()
    proc = subprocess.run(
        [sys.executable, "-m", "commonground.cli", "log", "audit", str(site)]
        + ["--vkey", verifier.to_text()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "tile/entries/000.p/3: missing (no such file)" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_audit_over_http(store, database_url, keyfile, tmp_path):
    key, verifier = keyfile
    add(store, 5)
    db = ("--database-url", database_url, "--origin", ORIGIN)
    site = tmp_path / "site"
    invoke("checkpoint", "--key", key, "--publish", site, *db)
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a: None  # type: ignore[method-assign]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        result = invoke("audit", url, "--vkey", verifier.to_text())
        assert result.exit_code == 0, result.output
        assert "5 entries, 2 tiles checked" in result.output
    finally:
        server.shutdown()
        server.server_close()


def test_checkpoint_loop_with_every(store, database_url, keyfile, monkeypatch):
    from commonground.tlog import cadence

    key, _ = keyfile
    add(store, 2)
    real = cadence.run_cadence

    def two_ticks(tick, interval, *, report):  # type: ignore[no-untyped-def]
        assert interval == 0.5
        add(store, 1)
        return real(tick, interval, report=report, sleep=lambda s: None, max_ticks=2)

    monkeypatch.setattr(cadence, "run_cadence", two_ticks)
    result = invoke(
        "checkpoint",
        "--key",
        key,
        "--every",
        "0.5",
        "--database-url",
        database_url,
        "--origin",
        ORIGIN,
    )
    assert result.exit_code == 0, result.output
    lines = [line.split(" ", 1)[1] for line in result.output.splitlines()]
    assert lines == [f"signed {ORIGIN} size 3", f"not due: {ORIGIN} size 3"]
    assert invoke("checkpoint", "--key", key, "--every", "0").exit_code != 0


# --------------------------------------------------------------------------- policy


def wkey(name: str) -> Cosigner:
    key = Cosigner(name=f"{name}.example", seed=hashlib.sha256(name.encode()).digest())
    key.clock = lambda: 1_790_000_000
    return key


POLICY = """\
# two witnesses from each of two countries
log {log}
witness de1 {de1}
witness de2 {de2}
witness fr1 {fr1}
witness fr2 {fr2}
group DE 2 de1 de2
group FR 2 fr1 fr2
group both all DE FR
quorum both
"""


def write_policy(path: Path, verifier: Verifier) -> Path:
    keys = {n: wkey(n).verifier().to_text() for n in ("de1", "de2", "fr1", "fr2")}
    path.write_text(POLICY.format(log=verifier.to_text(), **keys))
    return path


def cosigned_bundle(store, database_url, key: Path, tmp_path, names: list[str]) -> Path:
    """A bundle whose checkpoint carries cosignatures by ``names`` (stored as the cadence does)."""
    from commonground.tlog.cadence import store_cosigned

    signer = Signer.from_text(key.read_text().strip())
    add(store, 4)
    with store.transaction() as session:
        note = storage.sign_checkpoint(session, ORIGIN, signer)
    body = Note.from_text(note).text
    cosigned = note + "".join(wkey(n).cosign(body).to_line() for n in names)
    with store.transaction() as session:
        store_cosigned(session, ORIGIN, note, cosigned, signer)
    out = tmp_path / "r2.tlog-proof"
    result = invoke("export", "2", "--out", out, "--database-url", database_url, "--origin", ORIGIN)
    assert result.exit_code == 0, result.output
    return out


def test_verify_with_a_nested_policy_passing(store, database_url, keyfile, tmp_path):
    key, verifier = keyfile
    bundle = cosigned_bundle(store, database_url, key, tmp_path, ["de1", "de2", "fr1", "fr2"])
    policy = write_policy(tmp_path / "trust.policy", verifier)
    result = invoke("verify", bundle, "--policy", policy)
    assert result.exit_code == 0, result.output
    assert "cosigned by: de1, de2, fr1, fr2" in result.output
    assert "group DE: 2 of 2 needed (de1, de2) satisfied" in result.output
    assert "group both: 2 of 2 needed (DE, FR) satisfied" in result.output
    assert "quorum both: met" in result.output
    assert "OK: record r2 (x/v1) is entry 2" in result.output and "quorum both met" in result.output
    # --vkey still works alone, and together with the policy
    assert invoke("verify", bundle, "--vkey", verifier.to_text()).exit_code == 0
    assert invoke("verify", bundle, "--vkey", verifier.to_text(), "--policy", policy).exit_code == 0


def test_verify_with_a_nested_policy_failing(store, database_url, keyfile, tmp_path):
    key, verifier = keyfile
    bundle = cosigned_bundle(store, database_url, key, tmp_path, ["de1", "de2", "fr1"])
    policy = write_policy(tmp_path / "trust.policy", verifier)
    result = invoke("verify", bundle, "--policy", policy)
    assert result.exit_code != 0
    assert "group FR: 1 of 2 needed (fr1) NOT satisfied" in result.output
    assert "group both: 1 of 2 needed (DE) NOT satisfied" in result.output
    assert "quorum 'both' not met (verified cosigners: de1, de2, fr1)" in str(result.exception)
    assert isinstance(result.exception, Error)
    # a policy that does not list this log's key: the checkpoint itself fails
    other = write_policy(tmp_path / "other.policy", Signer.generate(ORIGIN).verifier())
    result = invoke("verify", bundle, "--policy", other)
    assert result.exit_code != 0 and "checkpoint signature" in str(result.exception)
    assert "--vkey" in str(invoke("verify", bundle).exception)


def test_checkpoint_with_live_witnesses_and_policy(store, database_url, keyfile, tmp_path):
    from tests.tlog.test_witness import serve

    key, verifier = keyfile
    witnesses = []
    gens = []
    urls = []
    for name in ("de1", "de2"):
        state = WitnessState.from_url(f"sqlite:///{tmp_path / (name + '.sqlite3')}")
        w = Witness(wkey(name), {ORIGIN: [verifier]}, state)
        witnesses.append(w)
        gen = serve(w)
        gens.append(gen)
        urls.append(next(gen))
    policy = tmp_path / "de.policy"
    policy.write_text(
        f"log {verifier.to_text()}\n"
        f"witness de1 {wkey('de1').verifier().to_text()} {urls[0]}\n"
        f"witness de2 {wkey('de2').verifier().to_text()}\n"
        "group DE 2 de1 de2\nquorum DE\n"
    )
    vkey2 = tmp_path / "de2.vkey"
    vkey2.write_text(wkey("de2").verifier().to_text() + "\n")
    site = tmp_path / "site"
    add(store, 7)
    try:
        result = invoke(
            "checkpoint", "--key", key, "--policy", policy, "--witness", "de1",
            "--witness", f"{vkey2}={urls[1]}", "--publish", site,
            "--database-url", database_url, "--origin", ORIGIN,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "cosigned by de1.example, de2.example" in result.output
        assert "quorum DE: met" in result.output and "published size 7" in result.output
        note = (site / "checkpoint").read_text()
        assert note.count("\n\u2014 ") == 3
        assert invoke("audit", site, "--vkey", verifier.to_text()).exit_code == 0
        # only one witness: the quorum fails and the command says so
        add(store, 1)
        result = invoke(
            "checkpoint", "--key", key, "--policy", policy, "--witness", "de1",
            "--database-url", database_url, "--origin", ORIGIN,
        )  # fmt: skip
        assert result.exit_code != 0
        assert "group DE: 1 of 2 needed (de1) NOT satisfied" in result.output
        assert "do not meet the policy's quorum" in str(result.exception)
    finally:
        for gen in gens:
            gen.close()
        for w in witnesses:
            w.state.dispose()
